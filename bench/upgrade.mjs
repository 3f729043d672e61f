// Case 2: a rolling upgrade at scale. 1,000 nodes, 30,000 VMs (30 per node), one upgrade wave over
// every node with maxUnavailable 10, KubeVirt v1.9 default limits (5 per cluster, 2 per node).
// Run it in its own process (bench/run.mjs does): the peak RSS it reports is the whole process's.
//
//   node bench/upgrade.mjs [--nodes N] [--vms-per-node K]     (smaller sizes for quick profiling)
import { pathToFileURL } from 'node:url';
import { computeResults } from '../dist/metrics/results.js';
import { simulate } from '../dist/sim/simulation.js';
import { Gi, Mi, node, scenario, vm } from './scenario.mjs';
import { int, mib, ms, now, rows } from './util.mjs';

const TARGET_SECONDS = 1;
const TARGET_RSS_MB = 500;

/** VM classes. Per node, VM k (k = 0..29) gets class k mod 10: 6 small, 3 medium, 1 large in 10. */
const CLASSES = [
  // 60 %: 2 GiB, idle-ish (5 MB/s into a 256 MiB working set)
  { name: 'small', share: 6, cpu: 1, memory: 2 * Gi, dirty: { kind: 'constant', rate: 5e6, workingSet: 256 * Mi } },
  // 30 %: 8 GiB, moderately dirty (100 MB/s, λ = 0.08 at 10 Gbit/s, into 2 GiB)
  { name: 'medium', share: 3, cpu: 2, memory: 8 * Gi, dirty: { kind: 'constant', rate: 100e6, workingSet: 2 * Gi } },
  // 10 %: 32 GiB, 300 MB/s into a 4 GiB working set: round 0 (27 s alone, 55 s when two migrations
  // share a NIC) dirties the whole working set, i.e. the dirty rate sits at the working-set limit.
  // λ = 0.24 alone, 0.48 with two flows on one NIC, so every migration still converges.
  { name: 'large', share: 1, cpu: 4, memory: 32 * Gi, dirty: { kind: 'constant', rate: 300e6, workingSet: 4 * Gi } },
];

function classOf(k) {
  let r = k % 10;
  for (const c of CLASSES) {
    if (r < c.share) return c;
    r -= c.share;
  }
  throw new Error('unreachable');
}

export function upgradeScenario(nodeCount = 1000, vmsPerNode = 30) {
  const pad = String(nodeCount - 1).length;
  const nodes = [];
  for (let i = 0; i < nodeCount; i++) {
    nodes.push(node(`node-${String(i).padStart(pad, '0')}`, { cpu: 64, memory: 512 * Gi, nics: { pod: 10e9 / 8 } }));
  }
  // Round-robin: VM i goes to node i mod N, so node n holds VMs n, n+N, n+2N, ... and its k-th VM
  // (i = n + kN) has class k mod 10: every node carries the same 18 small / 9 medium / 3 large.
  const vms = [];
  for (let i = 0; i < nodeCount * vmsPerNode; i++) {
    const c = classOf(Math.floor(i / nodeCount));
    vms.push(
      vm(`vm-${String(i).padStart(5, '0')}`, nodes[i % nodeCount].name, {
        cpu: c.cpu,
        memory: c.memory,
        dirty: { ...c.dirty },
        evictionStrategy: 'LiveMigrate',
      }),
    );
  }
  return scenario({
    nodes,
    vms,
    horizon: 30 * 24 * 3600,
    operations: [
      {
        kind: 'upgrade',
        at: 0,
        name: 'upgrade',
        nodes: { kind: 'names', names: nodes.map((n) => n.name) },
        maxUnavailable: 10,
        order: 'listed',
        duration: { kind: 'fixed', value: 600 },
        style: 'kubevirt',
      },
    ],
  });
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function benchUpgrade(nodeCount = 1000, vmsPerNode = 30) {
  const s = upgradeScenario(nodeCount, vmsPerNode);
  const heapBefore = process.memoryUsage().heapUsed;

  const c0 = process.cpuUsage();
  const t0 = now();
  const sim = simulate(s);
  const t1 = now();
  const c1 = process.cpuUsage(c0);
  const memAfterSim = process.memoryUsage();
  const results = computeResults(sim.log.events, s.nodes.map((n) => n.name));
  const t2 = now();
  const memAfterResults = process.memoryUsage();

  let retained = null;
  if (globalThis.gc) {
    globalThis.gc();
    retained = process.memoryUsage().heapUsed;
  }
  const maxRssBytes = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
  const wave = results.waves[0];
  const sum = results.summary;
  const simMs = t1 - t0;

  console.log(`Case 2: rolling upgrade, ${int(nodeCount)} nodes / ${int(nodeCount * vmsPerNode)} VMs, maxUnavailable 10, limits 5/cluster 2/node`);
  rows([
    ['simulate() wall time', `${ms(simMs)}   (target < ${TARGET_SECONDS * 1000} ms: ${simMs < TARGET_SECONDS * 1000 ? 'met' : `missed, ${(simMs / (TARGET_SECONDS * 1000)).toFixed(1)}×`})`],
    ['simulate() CPU time (user+sys)', `${ms((c1.user + c1.system) / 1000)}   (wall ≫ CPU means the machine was busy)`],
    ['computeResults() wall time', ms(t2 - t1)],
    ['events processed', `${int(sim.eventsProcessed)}  (${(sim.eventsProcessed / (simMs / 1000) / 1e6).toFixed(2)} M/s)`],
    ['log records', int(sim.log.events.length)],
    ['migrations (succeeded / failed)', `${int(sum.migrations)} (${int(sum.succeeded)} / ${int(sum.failed)})`],
    ['simulated makespan', `${(sum.makespanSeconds / 3600).toFixed(2)} h  (wave: ${wave && wave.makespanSeconds !== null ? (wave.makespanSeconds / 3600).toFixed(2) + ' h' : 'n/a'})`],
    ['wave completed', wave ? String(wave.completedAt !== null) : 'no wave'],
    ['horizon reached', String(sim.horizonReached)],
    ['peak RSS (resourceUsage.maxRSS)', `${mib(maxRssBytes)}   (target < ${TARGET_RSS_MB} MB: ${maxRssBytes < TARGET_RSS_MB * 1e6 ? 'met' : `missed, ${(maxRssBytes / (TARGET_RSS_MB * 1e6)).toFixed(1)}×`})`],
    ['heapUsed before simulate', mib(heapBefore)],
    ['heapUsed after simulate', mib(memAfterSim.heapUsed)],
    ['heapUsed after computeResults', mib(memAfterResults.heapUsed)],
    ['heapUsed retained after gc', retained === null ? 'n/a (run with --expose-gc)' : mib(retained)],
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchUpgrade(arg('--nodes', 1000), arg('--vms-per-node', 30));
}
