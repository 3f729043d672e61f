// Scenario documents for the bench, written as a user would write them and loaded by the real
// loader (so the bench also covers count expansion and defaults).

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
 * A rolling upgrade: `nodeCount` nodes (64 cores, 512 GiB, 10 Gbit/s), `vmsPerNode` VMs on each
 * in the mix above, one upgrade over every node in order, maxUnavailable 10, 10 minutes a node.
 * Control-plane latencies are the loader's defaults.
 */
export function upgradeDocument(nodeCount = 1000, vmsPerNode = 30) {
  const vms = [];
  for (let n = 0; n < nodeCount; n++) {
    for (const c of CLASSES) {
      const count = Math.round((vmsPerNode * c.share) / 10);
      if (count === 0) continue;
      const { name, share: _share, ...vm } = c;
      vms.push({ name: `${name}-${n}`, count, node: `node-${n}`, evictionStrategy: 'LiveMigrate', ...vm });
    }
  }
  return {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: `bench-upgrade-${nodeCount}` },
    spec: {
      horizon: '30d',
      nodes: [{ name: 'node', count: nodeCount, cpu: 64, memory: '512Gi', network: '10Gbit' }],
      vms,
      operations: [{ at: '0s', upgrade: { name: 'upgrade', maxUnavailable: 10, order: 'listed', duration: '10m' } }],
    },
  };
}

/**
 * `migrations` migrations one after another: one 1 GiB VM (64 MiB/s into 128 MiB) moved back
 * and forth between two nodes, a migrate operation every 30 s. Each takes about 12 s (11 s of
 * control-plane latencies, under a second of copying at 10 Gbit/s), so they never overlap.
 */
export function sequentialDocument(migrations = 10_000) {
  const operations = [];
  for (let i = 0; i < migrations; i++) operations.push({ at: `${30 * (i + 1)}s`, migrate: { vmi: 'vm' } });
  return {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: `bench-sequential-${migrations}` },
    spec: {
      horizon: `${30 * (migrations + 2)}s`,
      nodes: [{ name: 'node', count: 2, cpu: 64, memory: '512Gi', network: '10Gbit' }],
      vms: [{ name: 'vm', node: 'node-0', memory: '1Gi', dirtyRate: '64Mi', workingSet: '128Mi', evictionStrategy: 'LiveMigrate' }],
      operations,
    },
  };
}

// The scenario a planner would write: VMs placed 30 per node, dirty rates known by their median
// and p95, pod start-up and hand-off latencies lognormal, node reboots 5–10 min.
export function forecastDocument(nodeCount = 50, perNode = 30) {
    return {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'bench-forecast' },
    spec: {
      seed: 1,
      horizon: '7d',
      // auto-converge: the few VMs of the tail that dirty faster than bandwidthPerMigration (64Mi)
      // still finish instead of timing out again and again
      kubevirt: { configuration: { migrations: { allowAutoConverge: true } } },
      controlPlane: {
        targetPodStartup: { distribution: 'lognormal', median: '5s', sigma: 0.5 },
        handoff: { distribution: 'uniform', min: '500ms', max: '2s' },
        migrationStart: { distribution: 'exponential', mean: '1s' },
      },
      nodes: [{ name: 'node', count: nodeCount, cpu: 64, memory: '512Gi', network: '10Gbit' }],
      vms: Array.from({ length: nodeCount }, (_, n) => ({
        name: `vm-${n}`,
        count: perNode,
        node: `node-${n}`,
        memory: '8Gi',
        cpu: 1,
        workingSet: '2Gi',
        evictionStrategy: 'LiveMigrate',
        dirtyRate: { distribution: 'lognormal', median: '10Mi', p95: '60Mi' },
      })),
      operations: [{ at: '0s', upgrade: { name: 'wave', maxUnavailable: 5, duration: { distribution: 'uniform', min: '5m', max: '10m' } } }],
    },
  };
}

/**
 * The planner's bench (plan.mjs): `nodeCount` nodes, 30 VMs on each in three classes with
 * uncertain dirty rates, and one upgrade wave over every node (maxUnavailable 5, reboot 5–10 min).
 * The `db` class (one per node, labelled app: db) dirties 1300–1600 MiB/s, more than a 10 Gbit/s
 * NIC carries (1192 MiB/s): at the default settings no bandwidth lets it converge, it is aborted
 * at its completion deadline (150 s/GiB × 8 GiB = 1200 s) and retried, so the wave misses any
 * window; auto-converge (or post-copy) for that class is what fixes it, which the planner has to
 * find.
 */
export function planDocument(nodeCount = 50) {
  const classes = [
    { name: 'web', count: 20, memory: '4Gi', workingSet: '1Gi', dirtyRate: { distribution: 'lognormal', median: '10Mi', p95: '60Mi' } },
    { name: 'app', count: 9, memory: '8Gi', workingSet: '2Gi', dirtyRate: { distribution: 'lognormal', median: '40Mi', p95: '150Mi' } },
    { name: 'db', count: 1, memory: '8Gi', workingSet: '6Gi', dirtyRate: { distribution: 'uniform', min: '1300Mi', max: '1600Mi' }, labels: { app: 'db' } },
  ];
  const vms = [];
  for (let n = 0; n < nodeCount; n++) {
    for (const { name, ...c } of classes) vms.push({ name: `${name}-${n}`, node: `node-${n}`, cpu: 1, evictionStrategy: 'LiveMigrate', ...c });
  }
  return {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'bench-plan' },
    spec: {
      seed: 1,
      // bounded: a baseline whose databases never converge runs to the horizon
      horizon: '12h',
      controlPlane: {
        targetPodStartup: { distribution: 'lognormal', median: '5s', sigma: 0.5 },
        handoff: { distribution: 'uniform', min: '500ms', max: '2s' },
        migrationStart: { distribution: 'exponential', mean: '1s' },
      },
      nodes: [{ name: 'node', count: nodeCount, cpu: 64, memory: '512Gi', network: '10Gbit' }],
      vms,
      operations: [{ at: '0s', upgrade: { name: 'wave', maxUnavailable: 5, duration: { distribution: 'uniform', min: '5m', max: '10m' } } }],
    },
  };
}
