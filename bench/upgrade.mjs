// Case 2: a rolling upgrade at scale. 1,000 nodes, 30,000 VMs (30 per node), one upgrade wave over
// every node with maxUnavailable 10, KubeVirt v1.9 default limits (5 per cluster, 2 per node).
// Run it in its own process (bench/run.mjs does): the peak RSS it reports is the whole process's.
//
//   node bench/upgrade.mjs [--nodes N] [--vms-per-node K]     (smaller sizes for quick profiling)
import { pathToFileURL } from 'node:url';
import { computeResults } from '../dist/metrics/results.js';
import { simulate } from '../dist/sim/simulation.js';
import { parseScenario } from '../dist/scenario/load.js';
import { int, mib, ms, now, rows } from './util.mjs';

const TARGET_SECONDS = 1;
const TARGET_RSS_MB = 500;

/** VM classes, in every node's share: 18 small, 9 medium, 3 large out of 30 (6 / 3 / 1 in 10). */
const CLASSES = [
  // 60 %: 2 GiB, idle-ish (5 MB/s into a 256 MiB working set)
  { name: 'small', share: 6, cpu: 1, memory: '2Gi', dirtyRate: '5M', workingSet: '256Mi' },
  // 30 %: 8 GiB, moderately dirty (100 MB/s, λ = 0.08 at 10 Gbit/s, into 2 GiB)
  { name: 'medium', share: 3, cpu: 2, memory: '8Gi', dirtyRate: '100M', workingSet: '2Gi' },
  // 10 %: 32 GiB, 300 MB/s into a 4 GiB working set: round 0 dirties the whole working set, i.e.
  // the dirty rate sits at the working-set limit; λ = 0.24 alone, 0.48 with two flows on one NIC.
  { name: 'large', share: 1, cpu: 4, memory: '32Gi', dirtyRate: '300M', workingSet: '4Gi' },
];

/**
 * The scenario as a user would write it, loaded by the real loader (so the bench also covers
 * count expansion and defaults). Every node carries the same mix; the wave goes through the
 * nodes in order. Control-plane latencies are the loader's defaults (5 s pod start, 1 s hand-off,
 * 2 s target preparation, 1 s migration start, 2 s cleanup).
 */
export function upgradeScenario(nodeCount = 1000, vmsPerNode = 30) {
  const vms = [];
  for (let n = 0; n < nodeCount; n++) {
    for (const c of CLASSES) {
      const count = Math.round((vmsPerNode * c.share) / 10);
      if (count === 0) continue;
      const { name, share: _share, ...vm } = c;
      vms.push({ name: `${name}-${n}`, count, node: `node-${n}`, evictionStrategy: 'LiveMigrate', ...vm });
    }
  }
  const doc = {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'bench-upgrade' },
    spec: {
      horizon: '30d',
      nodes: [{ name: 'node', count: nodeCount, cpu: 64, memory: '512Gi', network: '10Gbit' }],
      vms,
      operations: [{ at: '0s', upgrade: { name: 'upgrade', maxUnavailable: 10, order: 'listed', duration: '10m' } }],
    },
  };
  return parseScenario(JSON.stringify(doc), 'bench-upgrade.json', 'json');
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
