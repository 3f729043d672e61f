// A rolling upgrade at scale, in-process: load the document (public loader), then simulate() and
// the result records. Run it in its own process (bench/run.mjs does): the peak RSS it reports is
// the whole process's. Also the scaling rows (--nodes 100 / 300 / 1000 / 3000).
//
//   node --expose-gc bench/upgrade.mjs [--nodes N] [--vms-per-node K]
import { pathToFileURL } from 'node:url';
import { upgradeDocument } from './scenarios.mjs';
import { bareHeapOpsPerSecond, emitResult, fmtRate, int, loadDocument, mib, ms, now, rows, simulateAndResults } from './util.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export async function benchUpgrade(nodeCount = 1000, vmsPerNode = 30) {
  const heapOps = await bareHeapOpsPerSecond();
  const doc = upgradeDocument(nodeCount, vmsPerNode);
  const tl = now();
  const s = await loadDocument(doc, `bench-upgrade-${nodeCount}.json`);
  const loadMs = now() - tl;
  if (globalThis.gc) globalThis.gc();
  const heapBefore = process.memoryUsage().heapUsed;

  const c0 = process.cpuUsage();
  const { sim, results, simulateMs, resultsMs } = await simulateAndResults(s);
  const c1 = process.cpuUsage(c0);
  const heapAfter = process.memoryUsage().heapUsed;
  let retained = null;
  if (globalThis.gc) {
    globalThis.gc();
    retained = process.memoryUsage().heapUsed;
  }
  const maxRssBytes = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
  const wave = results.waves[0];
  const sum = results.summary;
  const vms = s.vms.length;
  const logRecords = sim.log?.events?.length;

  console.log(`Upgrade, ${int(nodeCount)} nodes / ${int(vms)} VMs, maxUnavailable 10, limits 5/cluster 2/node (in-process)`);
  rows([
    ['load (public loader)', ms(loadMs)],
    ['simulate() wall time', `${ms(simulateMs)}  (${(simulateMs * 1000 / vms).toFixed(1)} µs per VM)`],
    ['simulate() + results CPU (user+sys)', `${ms((c1.user + c1.system) / 1000)}   (wall ≫ CPU means the machine was busy)`],
    ['result records wall time', ms(resultsMs)],
    ['events processed', `${int(sim.eventsProcessed)}  (${fmtRate(sim.eventsProcessed / (simulateMs / 1000))})`],
    ['log records', logRecords === undefined ? 'none stored' : int(logRecords)],
    ['migrations (succeeded / failed)', `${int(sum.migrations)} (${int(sum.succeeded)} / ${int(sum.failed)})`],
    ['simulated makespan', `${(sum.makespanSeconds / 3600).toFixed(2)} h  (wave: ${wave && wave.makespanSeconds !== null ? (wave.makespanSeconds / 3600).toFixed(2) + ' h' : 'n/a'})`],
    ['wave completed', wave ? String(wave.completedAt !== null) : 'no wave'],
    ['peak RSS (resourceUsage.maxRSS)', mib(maxRssBytes)],
    ['heapUsed before / after simulate+results', `${mib(heapBefore)} / ${mib(heapAfter)}`],
    ['heapUsed retained after gc', retained === null ? 'n/a (run with --expose-gc)' : mib(retained)],
    ['bare heap, same process', `${fmtRate(heapOps)} push+pop`],
  ]);
  emitResult({
    case: 'upgrade',
    nodes: nodeCount,
    vms,
    loadMs,
    simulateMs,
    cpuMs: (c1.user + c1.system) / 1000,
    resultsMs,
    events: sim.eventsProcessed,
    migrations: sum.migrations,
    failed: sum.failed,
    peakRssBytes: maxRssBytes,
    heapUsedAfterBytes: heapAfter,
    heapOps,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchUpgrade(arg('--nodes', 1000), arg('--vms-per-node', 30));
}
