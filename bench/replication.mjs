// CPU time of forecast replications in this process (no threads): the scenario of
// bench/forecast.mjs (random dirty rates and latencies) loaded once, `runReplication` for seeds
// 1..N after warm-ups. For profiling: node --cpu-prof bench/replication.mjs [--runs N]
//
//   node bench/replication.mjs [--runs 30] [--nodes 50]
//
// No gc() between replications, as in a forecast worker: with --expose-gc and a gc() before each
// run, a replication measured 3× slower on this machine (the heap is shrunk, then grown again).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../dist/scenario/load.js';
import { runReplication } from '../dist/forecast/replicate.js';
import { forecastLayout } from '../dist/forecast/summary.js';
import { forecastDocument } from './scenarios.mjs';
import { bareHeapOpsPerSecond, median, ms, rows } from './util.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 30);
const nodeCount = arg('--nodes', 50);

const heapOps = await bareHeapOpsPerSecond();
const dir = mkdtempSync(join(tmpdir(), 'migsim-bench-replication-'));
const file = join(dir, 'forecast.json');
writeFileSync(file, JSON.stringify(forecastDocument(nodeCount, 30)));
const scenario = loadScenarioFile(file);
const layout = forecastLayout(scenario);
for (let i = 0; i < 3; i++) runReplication(scenario, layout, 1000, i);
const cpu = [];
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  runReplication(scenario, layout, 1, i);
  const c1 = process.cpuUsage(c0);
  cpu.push((c1.user + c1.system) / 1000);
}
rows([
  [`forecast replication, ${nodeCount} nodes (CPU, median of ${runs})`, `${ms(median(cpu))}  (min ${ms(Math.min(...cpu))})`],
  ['bare heap, same process', `${(heapOps / 1e6).toFixed(2)} M push+pop/s`],
]);
