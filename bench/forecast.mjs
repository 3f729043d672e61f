// Forecast throughput: 1,000 replications of a 50-node / 1,500-VM upgrade wave with a random
// dirty rate per VM and random control-plane latencies, through the real command line
// (`migsim forecast --json --quiet`, worker threads included) with 1 and 2 workers; next to it,
// in this process, a bare binary-heap loop doing as many pushes and pops as one replication
// processes events (the cost floor of any discrete-event engine).
//
//   node bench/forecast.mjs [--runs N] [--nodes N] [--vms-per-node K]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { EventHeap } from '../dist/engine/heap.js';
import { loadScenarioFile } from '../dist/scenario/load.js';
import { simulate } from '../dist/sim/simulation.js';
import { forecastDocument } from './scenarios.mjs';
import { int, median, ms, now, rows } from './util.mjs';

const TARGET_SECONDS = 10;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 1000);
const nodeCount = arg('--nodes', 50);
const perNode = arg('--vms-per-node', 30);

const doc = forecastDocument(nodeCount, perNode);
const dir = mkdtempSync(join(tmpdir(), 'migsim-bench-forecast-'));
const file = join(dir, 'forecast.json');
writeFileSync(file, JSON.stringify(doc));

// One replication in this process (after two warm-up runs, median of three): how many events a
// run processes and how long it takes without threads.
const scenario = loadScenarioFile(file);
simulate(scenario, { seed: 1, results: true });
simulate(scenario, { seed: 2, results: true });
const timed = [3, 4, 5].map((seed) => {
  const t = now();
  const r = simulate(scenario, { seed, results: true });
  return { ms: now() - t, events: r.eventsProcessed };
});
const oneMs = median(timed.map((r) => r.ms));
const events = Math.round(median(timed.map((r) => r.events)));

// Bare heap: a hold model with `events` pushes and pops, 1,000 entries pending.
function bareHeap(n) {
  const rng = seedrandom('migsim-bench-forecast');
  const gaps = Float64Array.from({ length: n }, () => -Math.log(1 - rng()));
  const heap = new EventHeap();
  let seq = 0;
  const t = now();
  for (let i = 0; i < 1000; i++) heap.push({ time: gaps[i], seq: seq++ });
  for (let i = 1000; i < n; i++) {
    const e = heap.pop();
    heap.push({ time: e.time + gaps[i], seq: seq++ });
  }
  while (heap.size > 0) heap.pop();
  return now() - t;
}
bareHeap(events);
const heapMs = bareHeap(events);

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
function forecast(workers) {
  const t = now();
  const r = spawnSync(process.execPath, [main, 'forecast', file, '--runs', String(runs), '--workers', String(workers), '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = now() - t;
  if (r.status !== 0) throw new Error(`forecast failed (${r.status}): ${r.stderr}`);
  return { wall, out: r.stdout };
}
const w1 = forecast(1);
const w2 = forecast(2);
const f = JSON.parse(w2.out);

console.log(`Forecast: ${int(runs)} replications of ${nodeCount} nodes / ${int(nodeCount * perNode)} VMs (Node ${process.version}, ${availableParallelism()} cores)`);
const check = (wall) => (wall <= TARGET_SECONDS * 1000 ? 'met' : `missed, ${(wall / (TARGET_SECONDS * 1000)).toFixed(1)}×`);
rows([
  ['one replication in-process (median of 3)', `${ms(oneMs)}, ${int(events)} events (${int(events / (oneMs / 1000))} events/s)`],
  ['bare heap, same number of push+pop', `${ms(heapMs)} (${int(events / (heapMs / 1000))} pops/s); a replication costs ${(oneMs / heapMs).toFixed(0)}× its bare heap`],
  ['forecast --workers 1', `${ms(w1.wall)}  ${(runs / (w1.wall / 1000)).toFixed(1)} replications/s`],
  ['forecast --workers 2', `${ms(w2.wall)}  ${(runs / (w2.wall / 1000)).toFixed(1)} replications/s  (target ≤ ${TARGET_SECONDS} s: ${check(w2.wall)})`],
  ['1 and 2 workers byte-identical', String(w1.out === w2.out)],
  ['makespan p50 / p95 / max', `${(f.makespanSeconds.p50 / 3600).toFixed(2)} h / ${(f.makespanSeconds.p95 / 3600).toFixed(2)} h / ${(f.makespanSeconds.max / 3600).toFixed(2)} h`],
  ['failed migrations p95', String(f.failedMigrations.p95)],
]);
