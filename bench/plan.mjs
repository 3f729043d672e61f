// The planner on a 50-node scenario (issue 11, "bench/: the plan of a 50-node scenario, wall time
// and the number of simulations it ran"): `planDocument` (scenarios.mjs) written to a temporary
// file and `migsim plan FILE --window … --runs N --workers 2 --json --quiet` run through the real
// command line as a child; its wall time around the child, its CPU time (user+sys of every thread:
// the workers are threads of the one process) and peak RSS from rss-hook.mjs; the points the
// search evaluated and the simulations it ran, from the JSON. Next to it, in this process, the
// bare binary-heap loop (util.mjs) as every case prints it.
//
//   node bench/plan.mjs [--runs N] [--workers K] [--window 4h] [--nodes 50] [-- PLAN-FLAGS…]
//
// Flags after `--` go to `migsim plan` as they are (e.g. `-- --confidence 0.8`).
//
// The default (--runs 8) is the quick one, a couple of minutes on 2 cores; --runs 40 is the
// planner's own default (about 5× the simulations).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { planDocument } from './scenarios.mjs';
import { bareHeapOpsPerSecond, emitResult, int, now, rows } from './util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dashes = process.argv.indexOf('--');
const own = dashes >= 0 ? process.argv.slice(0, dashes) : process.argv;
const extra = dashes >= 0 ? process.argv.slice(dashes + 1) : [];
const arg = (name, fallback) => {
  const i = own.indexOf(name);
  return i >= 0 ? own[i + 1] : fallback;
};
const runs = Number(arg('--runs', '8'));
const workers = Number(arg('--workers', '2'));
const window = arg('--window', '4h');
const nodeCount = Number(arg('--nodes', '50'));

const doc = planDocument(nodeCount);
const dir = mkdtempSync(path.join(tmpdir(), 'migsim-bench-plan-'));
const file = path.join(dir, 'plan.json');
const stats = path.join(dir, 'stats.json');
writeFileSync(file, JSON.stringify(doc));

const heapOps = await bareHeapOpsPerSecond();

const cli = path.join(here, '..', 'dist', 'cli', 'main.js');
const hook = pathToFileURL(path.join(here, 'rss-hook.mjs')).href;
const load0 = loadavg()[0];
const t0 = now();
const r = spawnSync(process.execPath, ['--import', hook, cli, 'plan', file, '--window', window, '--runs', String(runs), '--workers', String(workers), '--json', '--quiet', ...extra], {
  encoding: 'utf8',
  maxBuffer: 1 << 28,
  env: { ...process.env, MIGSIM_BENCH_STATS: stats },
});
const wallMs = now() - t0;
// exit 3 is a plan that meets nothing: still a measured run
if (r.status !== 0 && r.status !== 3) {
  console.log(`plan failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
  process.exit(1);
}
const s = JSON.parse(readFileSync(stats, 'utf8'));
const p = JSON.parse(r.stdout);

const vms = doc.spec.vms.reduce((n, v) => n + (v.count ?? 1), 0);
const h = (sec) => `${(sec / 3600).toFixed(2)} h`;
const pct = (x) => `${(100 * x).toFixed(0)} %`;
const figs = (f) => `p95 ${h(f.makespanSeconds.p95)}, inside ${window} ${pct(f.withinWindowProbability)}, P(failure) ${pct(f.failureProbability)} (${f.runs} runs)`;
const rec = p.recommendation;
const changes = [
  ...Object.entries(rec.migrations ?? {}).map(([k, v]) => `${k}: ${v}`),
  ...(rec.maxUnavailable ?? []).map((m) => `${m.wave}.maxUnavailable: ${m.value}`),
  ...(rec.migrationPolicies ?? []).map((mp) => `MigrationPolicy ${JSON.stringify(mp.spec.selectors?.virtualMachineInstanceSelector ?? {})} → ${Object.entries(mp.spec).filter(([k]) => k !== 'selectors').map(([k, v]) => `${k}: ${v}`).join(', ')}`),
];

console.log(`Plan: ${nodeCount} nodes / ${int(vms)} VMs, migsim plan --window ${window} --runs ${runs} --workers ${workers}${extra.length ? ` ${extra.join(' ')}` : ''} (Node ${process.version}, ${availableParallelism()} cores, load average ${load0.toFixed(1)})`);
rows([
  ['wall time (whole CLI process)', `${(wallMs / 1000).toFixed(1)} s`],
  ['CPU time (user+sys, all threads)', `${(s.cpuMs / 1000).toFixed(1)} s  (${(s.cpuMs / wallMs).toFixed(2)} cores busy on average)`],
  ['peak RSS', `${(s.maxRssKiB / 1024).toFixed(0)} MiB`],
  ['points evaluated', int(p.pointsEvaluated)],
  ['simulations run', `${int(p.simulations)}  (${(p.simulations / (wallMs / 1000)).toFixed(1)} /s wall, ${((s.cpuMs / p.simulations)).toFixed(0)} ms CPU each)`],
  ['baseline', figs(p.baseline)],
  ['still failing', p.failing.join('; ') || '-'],
  ['recommendation', `${p.feasible ? 'meets the constraints' : 'meets nothing (exit 3)'}: ${changes.join('; ') || 'the scenario as written'}`],
  ['  its figures', figs(rec)],
  ['bare heap, same process', `${(heapOps / 1e6).toFixed(2)} M push+pop/s`],
  ['  the plan in heap ops', `${((wallMs / 1000) * heapOps / 1e6).toFixed(0)} M (wall), ${((s.cpuMs / 1000) * heapOps / 1e6).toFixed(0)} M (CPU)`],
]);
emitResult({ case: 'plan', nodes: nodeCount, vms, runs, workers, wallMs, cpuMs: s.cpuMs, peakRssBytes: s.maxRssKiB * 1024, points: p.pointsEvaluated, simulations: p.simulations, feasible: p.feasible, heapOps });
