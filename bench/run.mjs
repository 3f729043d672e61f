// Runs every bench case, each in its own Node process (so one case's heap and JIT state do not
// colour the next, and each peak RSS is its own case's), then prints the issue's table: every row
// with its measured figure, the target, and the bare binary-heap loop run in the same process
// (so a figure can be compared across machines: "N M heap ops" = the time × that loop's rate).
// Prints figures; asserts nothing.
//
//   npm run bench                    (builds dist/ first; quick mode)
//   node bench/run.mjs [--full] [--runs N]
//
// Quick mode (default) runs the scaling at 100, 300 and 1,000 nodes; --full adds 3,000 nodes /
// 90,000 VMs (the issue's last row), which takes a while and about 1 GB. Both end with the
// planner's row (issue 11: plan.mjs, about a minute on 2 cores).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const full = process.argv.includes('--full');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? process.argv[runsArg + 1] : '3';
const cpus = os.cpus();
console.log(`migsim bench — Node ${process.version}, ${os.platform()} ${os.arch()}, os.cpus().length = ${cpus.length} (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os.loadavg()[0].toFixed(1)}`);
console.log(full ? 'full mode: scaling up to 3,000 nodes' : 'quick mode: scaling up to 1,000 nodes (--full adds 3,000 nodes / 90,000 VMs)');

const results = [];
let failed = false;
function runCase(file, args = []) {
  console.log('');
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, file), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  for (const line of (r.stdout ?? '').trimEnd().split('\n')) {
    if (line.startsWith('BENCH_RESULT ')) results.push(JSON.parse(line.slice('BENCH_RESULT '.length)));
    else console.log(line);
  }
  if (r.status !== 0) {
    console.log(`  (${file} ${args.join(' ')} exited with ${r.status ?? r.signal})`);
    failed = true;
  }
}

runCase('precopy.mjs');
const scaling = full ? [100, 300, 1000, 3000] : [100, 300, 1000];
for (const n of scaling) runCase('upgrade.mjs', ['--nodes', String(n)]);
runCase('wave.mjs');
runCase('cli.mjs', ['--runs', runs]);
// issue 11's row: the planner on 50 nodes (quick: --runs 8; `node bench/plan.mjs --runs 40` for the planner's default)
runCase('plan.mjs');

// ---------------------------------------------------------------------------------------------
const find = (c, pred = () => true) => results.find((r) => r.case === c && pred(r));
const s = (x) => `${(x / 1000).toFixed(2)} s`;
const mb = (b) => `${Math.round(b / 1e6)} MB`;
const heap = (r) => (r ? `${(r.heapOps / 1e6).toFixed(2)} M/s` : '');
const cost = (msTime, r) => `${((msTime / 1000) * r.heapOps / 1e6).toFixed(1)} M heap ops`;
const verdict = (ok) => (ok ? 'met' : 'missed');

const table = [['case', 'issue: before', 'target', 'measured', 'verdict', 'bare heap (same process)']];
const up1k = find('upgrade', (r) => r.nodes === 1000);
if (up1k) {
  table.push([
    '1,000 nodes / 30,000 VMs upgrade, simulate()',
    '2.4–3.6 s, ~470 MB',
    '≤ 1 s',
    `${s(up1k.simulateMs)} (CPU ${s(up1k.cpuMs)} incl. results; ${cost(up1k.simulateMs, up1k)}), peak RSS ${mb(up1k.peakRssBytes)}`,
    verdict(up1k.simulateMs <= 1000),
    heap(up1k),
  ]);
}
const cliUp = find('cli-upgrade');
if (cliUp) {
  table.push([
    'the same through the CLI (run --json), whole process',
    '5–6 s, ~510 MB',
    '≤ 2 s, ≤ 300 MB',
    `${s(cliUp.wallMs)} (CPU ${s(cliUp.cpuMs)}; ${cost(cliUp.wallMs, cliUp)}), peak RSS ${mb(cliUp.peakRssBytes)}`,
    verdict(cliUp.wallMs <= 2000 && cliUp.peakRssBytes <= 300e6),
    heap(cliUp),
  ]);
}
const seq = find('cli-sequential');
if (seq) {
  table.push([
    `${seq.migrations.toLocaleString('en-US')} one-after-another migrations, CLI, start-up subtracted`,
    '~3,500 /s',
    '≥ 15,000 /s (aim 50,000)',
    `${Math.round(seq.perSec).toLocaleString('en-US')} /s (${Math.round(seq.perSecCpu).toLocaleString('en-US')} /s by CPU time; start-up ${s(seq.startupMs)})`,
    verdict(seq.perSec >= 15000),
    heap(seq),
  ]);
}
const wave = find('wave');
if (wave) {
  table.push([
    `one replication, ${wave.nodes}-node / ${wave.vms.toLocaleString('en-US')}-VM wave (warm)`,
    '60–80 ms',
    '≤ 20 ms',
    `${wave.replicationMs.toFixed(1)} ms (CPU ${wave.cpuMs.toFixed(1)} ms; ${cost(wave.replicationMs, wave)})`,
    verdict(wave.replicationMs <= 20),
    heap(wave),
  ]);
}
const up3k = find('upgrade', (r) => r.nodes === 3000);
// by CPU time (simulate() + results), which this machine's changing load disturbs less than wall time
const exponent = (a, b) => Math.log(b.cpuMs / a.cpuMs) / Math.log(b.vms / a.vms);
table.push([
  '3,000 nodes / 90,000 VMs upgrade, simulate()',
  '10 s, 1.2 GB, ~n^1.3',
  'linear in VMs',
  up3k ? `${s(up3k.simulateMs)}, peak RSS ${mb(up3k.peakRssBytes)}${up1k ? `, CPU ${s(up3k.cpuMs)}: n^${exponent(up1k, up3k).toFixed(2)} from 1,000 nodes (CPU)` : ''}` : 'not run (--full)',
  up3k && up1k ? verdict(exponent(up1k, up3k) <= 1.1) : '',
  heap(up3k),
]);

const plan = find('plan');
if (plan) {
  table.push([
    `migsim plan, ${plan.nodes}-node / ${plan.vms.toLocaleString('en-US')}-VM upgrade (issue 11), --runs ${plan.runs} --workers ${plan.workers}`,
    '—',
    'wall time and simulations (no target)',
    `${s(plan.wallMs)} (CPU ${s(plan.cpuMs)}; ${cost(plan.wallMs, plan)}), ${plan.points} points, ${plan.simulations.toLocaleString('en-US')} simulations, ${plan.feasible ? 'a plan meets the constraints' : 'nothing meets the constraints'}`,
    'reported',
    heap(plan),
  ]);
}

const printTable = (rowsIn) => {
  const widths = rowsIn[0].map((_, c) => Math.max(...rowsIn.map((r) => String(r[c]).length)));
  for (const [i, r] of rowsIn.entries()) {
    console.log(`| ${r.map((x, c) => String(x).padEnd(widths[c])).join(' | ')} |`);
    if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
};

console.log('');
console.log('Summary: the issue\'s table (wall times; the machine\'s load shows as wall ≫ CPU)');
printTable(table);

console.log('');
console.log('Scaling: upgrade at 30 VMs per node, simulate() in-process');
const scale = [['nodes', 'VMs', 'load', 'simulate()', 'CPU (sim+results)', 'events', 'migrations', 'peak RSS', 'heapUsed after', 'µs per VM', 'bare heap']];
for (const r of results.filter((x) => x.case === 'upgrade').sort((a, b) => a.nodes - b.nodes)) {
  scale.push([
    r.nodes.toLocaleString('en-US'),
    r.vms.toLocaleString('en-US'),
    `${r.loadMs.toFixed(0)} ms`,
    `${r.simulateMs.toFixed(0)} ms`,
    `${r.cpuMs.toFixed(0)} ms`,
    r.events.toLocaleString('en-US'),
    r.migrations.toLocaleString('en-US'),
    `${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    `${(r.heapUsedAfterBytes / 2 ** 20).toFixed(0)} MiB`,
    ((r.simulateMs * 1000) / r.vms).toFixed(1),
    heap(r),
  ]);
}
printTable(scale);
process.exitCode = failed ? 1 : 0;
