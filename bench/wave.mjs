// One replication of a 50-node / 1,500-VM upgrade wave, warm: the scenario is loaded once, then
// simulate() and the result records run three times to warm up and `--runs` times timed (median), as a
// forecast's replications would. Checks that every replication gives the same summary (the
// loaded scenario is not changed by a run).
//
//   node bench/wave.mjs [--nodes 50] [--runs 20]
import { pathToFileURL } from 'node:url';
import { upgradeDocument } from './scenarios.mjs';
import { bareHeapOpsPerSecond, emitResult, fmtRate, int, loadDocument, median, ms, rows, simulateAndResults } from './util.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export async function benchWave(nodeCount = 50, runs = 20) {
  const heapOps = await bareHeapOpsPerSecond();
  const s = await loadDocument(upgradeDocument(nodeCount, 30), `bench-wave-${nodeCount}.json`);
  const first = await simulateAndResults(s); // warm-up (three runs: the JIT settles)
  await simulateAndResults(s);
  await simulateAndResults(s);
  const summary = JSON.stringify(first.results.summary);
  const times = [];
  const cpu = [];
  let identical = true;
  for (let i = 0; i < runs; i++) {
    // no gc() between runs: a forecast worker never forces one, and a full GC before each run
    // shrinks the heap that the run then grows again (measured: 60 → 170 ms wall, 82 → 309 ms CPU)
    const c0 = process.cpuUsage();
    const r = await simulateAndResults(s);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    times.push(r.simulateMs + r.resultsMs);
    identical &&= JSON.stringify(r.results.summary) === summary;
  }
  const m = median(times);
  console.log(`One replication of a ${int(nodeCount)}-node / ${int(s.vms.length)}-VM upgrade wave, warm (simulate() + result records)`);
  rows([
    ['replication wall time (median)', `${ms(m)}  (runs: ${times.map((t) => t.toFixed(0)).join(' ')})`],
    ['replication CPU time (median)', `${ms(median(cpu))}  (user+sys; wall ≫ CPU means the machine was busy)`],
    ['migrations per replication', int(first.results.summary.migrations)],
    ['events per replication', int(first.sim.eventsProcessed)],
    ['replications identical', String(identical)],
    ['bare heap, same process', `${fmtRate(heapOps)} push+pop`],
  ]);
  emitResult({ case: 'wave', nodes: nodeCount, vms: s.vms.length, replicationMs: m, cpuMs: median(cpu), identical, heapOps });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchWave(arg('--nodes', 50), arg('--runs', 20));
}
