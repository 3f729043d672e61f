// migsim calibrate against a history that migsim itself generated with a known bandwidth: the
// replay must reproduce it, and the bandwidth fit must recover the bandwidth.
//
// The history: two nodes with 2 Gbit NICs (250e6 B/s), four VMs migrated one at a time from
// node-a to node-b, their VMIMs written the way the API server prints them (timestamps are
// metav1.Time: RFC 3339, whole seconds, so each observed duration is truncated at both ends,
// ±1 s), their dirty rates and data processed as Prometheus query_range series.
import { describe, expect, it } from 'vitest';
import { calibrate, controlPlaneLatencies, pastMigrations } from '../../src/import/calibrate.js';
import { calibrationText } from '../../src/import/calibration-report.js';
import { buildImport, importCluster } from '../../src/import/import.js';
import { parseScenario } from '../../src/scenario/load.js';
import { run } from '../helpers/run.js';

const Mi = 1024 ** 2;
const BASE = Date.parse('2026-11-30T09:00:00Z') / 1000;
const TRUE_BANDWIDTH = 2e9 / 8; // 2 Gbit/s in bytes/s

const VMS = [
  // name, guest memory, dirty rate (MiB/s), when its migration is created
  { name: 'db-0', memory: '8Gi', dirty: 20, at: 0 },
  { name: 'db-1', memory: '12Gi', dirty: 50, at: 120 },
  { name: 'web-0', memory: '16Gi', dirty: 10, at: 240 },
  // dirties faster than 2 Gbit can copy: never converges, the progress timeout fails it
  { name: 'hot-0', memory: '6Gi', dirty: 400, at: 400 },
];

/** The history, on the pod network, or on a dedicated migration network (pod NICs 10 Gbit). */
function generate(migrationNetwork: boolean) {
  const truth = parseScenario(
    `apiVersion: migsim/v1alpha1
kind: Scenario
metadata: {name: history}
spec:
${migrationNetwork ? '  kubevirt: {configuration: {migrations: {network: migration-net}}}\n' : ''}  nodes:
${['node-a', 'node-b'].map((n) => (migrationNetwork ? `    - {name: ${n}, network: 10Gbit, migrationNetwork: 2Gbit}` : `    - {name: ${n}, network: 2Gbit}`)).join('\n')}
  vms:
${VMS.map((v) => `    - {name: ${v.name}, namespace: prod, node: node-a, memory: ${v.memory}, dirtyRate: ${v.dirty}Mi, volumes: [{name: root, type: persistentVolumeClaim, accessModes: [ReadWriteMany], size: 20Gi}]}`).join('\n')}
  operations:
${VMS.map((v) => `    - {at: ${v.at}s, migrate: {vmi: prod/${v.name}, name: mig-${v.name}, addedNodeSelector: {kubernetes.io/hostname: node-b}}}`).join('\n')}
`,
    'history.yaml',
  );
  return { truth, history: run(truth), migrationNetwork };
}
let current = generate(false);
const { history } = current;

const stamp = (t: number): string => new Date(Math.floor(BASE + t) * 1000).toISOString().replace('.000Z', 'Z');

function dumpText(): string {
  const { truth, history, migrationNetwork } = current;
  const configuration = migrationNetwork ? { migrations: { network: 'migration-net' } } : {};
  const items: unknown[] = [
    { apiVersion: 'kubevirt.io/v1', kind: 'KubeVirt', metadata: { name: 'kubevirt', namespace: 'kubevirt' }, spec: { configuration }, status: { observedKubeVirtVersion: 'v1.9.0' } },
    ...truth.nodes.map((n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name, labels: n.labels },
      status: { allocatable: { cpu: String(n.cpu), memory: String(n.memory) } },
    })),
    ...VMS.map((v) => ({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: { name: v.name, namespace: 'prod' },
      spec: {
        domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] }, memory: { guest: v.memory }, resources: { requests: { memory: v.memory } } },
        networks: [{ name: 'default', pod: {} }],
        volumes: [{ name: 'root', persistentVolumeClaim: { claimName: `${v.name}-root` } }],
      },
      // the dump is taken before the history: each VMI still on its source node
      status: { phase: 'Running', nodeName: 'node-a', conditions: [{ type: 'LiveMigratable', status: 'True' }], migrationMethod: 'LiveMigration' },
    })),
    ...VMS.map((v) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${v.name}-root`, namespace: 'prod' },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '20Gi' } } },
      status: { accessModes: ['ReadWriteMany'], capacity: { storage: '20Gi' }, phase: 'Bound' },
    })),
    ...history.migrations.map((m) => ({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name: m.name, namespace: 'prod' },
      spec: { vmiName: m.vmi.split('/')[1] },
      status: {
        phase: m.phase,
        // virt-controller records every phase change; migsim logs the same phases
        phaseTransitionTimestamps: history.sim.log.events
          .filter((e) => e.type === 'MigrationPhase' && e.migration === m.name)
          .map((e) => ({ phase: (e as { phase: string }).phase, phaseTransitionTimestamp: stamp(e.t) })),
        migrationState: {
          startTimestamp: stamp(m.startedAt!),
          endTimestamp: stamp(m.endedAt!),
          sourceNode: m.sourceNode,
          targetNode: m.targetNode,
          mode: m.mode,
          completed: true,
          ...(m.phase === 'Failed' ? { failed: true, failureReason: m.message } : {}),
        },
      },
    })),
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** query_range: the dirty rate every 5 s while each migration ran, and its final data processed. */
function metricsText(): string {
  const { history } = current;
  const result = history.migrations.flatMap((m) => {
    const name = m.vmi.split('/')[1]!;
    const rate = VMS.find((v) => v.name === name)!.dirty * Mi;
    const ts = [0, 5, 10, 15].map((d) => Math.floor(BASE + m.startedAt!) + d);
    return [
      { metric: { __name__: 'kubevirt_vmi_migration_dirty_memory_rate_bytes', namespace: 'prod', name, node: 'node-a' }, values: ts.map((t) => [t, String(rate)]) },
      { metric: { __name__: 'kubevirt_vmi_migration_data_processed_bytes', namespace: 'prod', name, node: 'node-a' }, values: [[Math.floor(BASE + m.endedAt!), String(m.transferredBytes)]] },
    ];
  });
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
}

function calibrated(network: string, fit: boolean) {
  const built = buildImport({ dumps: [{ text: dumpText(), source: 'dump.json' }], metrics: [{ text: metricsText(), source: 'metrics.json' }], network });
  const past = pastMigrations(built.dump, built.metrics, () => {});
  return calibrate({ base: built.inventory.doc, past, workloads: built.workloads, fit });
}

describe('the generated history', () => {
  it('has three successful migrations of 30 s or more and one that never converges', () => {
    // 8Gi at 250e6 B/s alone is 8·2^30 / 250e6 = 34.4 s: truncation (±1 s) stays under 3 %
    expect(history.migrations.map((m) => [m.name, m.phase])).toEqual([
      ['mig-db-0', 'Succeeded'],
      ['mig-db-1', 'Succeeded'],
      ['mig-web-0', 'Succeeded'],
      ['mig-hot-0', 'Failed'],
    ]);
    for (const m of history.migrations.slice(0, 3)) expect(m.endedAt! - m.startedAt!).toBeGreaterThan(30);
    // no two overlap, so each had the NIC to itself
    for (let i = 1; i < history.migrations.length; i++) expect(history.migrations[i]!.startedAt!).toBeGreaterThan(history.migrations[i - 1]!.endedAt!);
  });
});

describe('migsim calibrate on migsim-generated history', () => {
  it('with the true bandwidth assumed, replays every migration within the ±1 s of the timestamps', () => {
    const r = calibrated('2Gbit', false);
    expect(r.summary.replayed).toBe(4);
    expect(r.summary.outcomesAgreeing).toBe(4);
    // durations ≥ 30 s observed to ±1 s (each end truncated): |error| ≤ 1/30 < 3.4 %
    expect(r.summary.p90AbsDurationError!).toBeLessThan(0.034);
    // bytes: the replay sends exactly what the history sent
    expect(r.summary.p90AbsBytesError!).toBeLessThan(1e-9);
    expect(r.summary.wrong).toBe(0);
    const hot = r.migrations.find((m) => m.name === 'prod/mig-hot-0')!;
    expect(hot.observed.outcome).toBe('Failed');
    expect(hot.predicted.outcome).toBe('Failed');
  });

  it('with a wrong assumption (10 Gbit), flags the migrations and recovers 2 Gbit by fitting', () => {
    const r = calibrated('10Gbit', true);
    // at 10 Gbit every copy is ~5× faster than observed: more than 25 % off, all three flagged
    const successes = r.migrations.filter((m) => m.observed.outcome === 'Succeeded');
    for (const m of successes) {
      expect(m.durationError!).toBeLessThan(-0.7);
      expect(m.wrong).toBe(true);
      expect(m.likelyCause).toContain('slower than the assumed NIC allows');
      // each migration's own fit is within the timestamp resolution (±1 s on ≥ 30 s)
      expect(Math.abs(m.fittedBandwidth! / TRUE_BANDWIDTH - 1)).toBeLessThan(0.04);
    }
    // the per-node median: within 4 % of the 2 Gbit the history was generated with
    expect(Object.keys(r.fittedBandwidth)).toEqual(['node-a']);
    expect(r.fittedBandwidth['node-a']!.migrations).toBe(3);
    expect(Math.abs(r.fittedBandwidth['node-a']!.bytesPerSecond / TRUE_BANDWIDTH - 1)).toBeLessThan(0.04);
    // the failed one is not fitted (there is no duration to match), and at 10 Gbit migsim
    // predicts it converges: wrong outcome, said so
    const hot = r.migrations.find((m) => m.name === 'prod/mig-hot-0')!;
    expect(hot.fittedBandwidth).toBeNull();
    expect(hot.predicted.outcome).toBe('Succeeded');
    expect(hot.likelyCause).toMatch(/^the cluster failed it \(/);
    expect(calibrationText(r)).toContain('node-a: 2.0');
  });

  it('blames a guessed dirty rate when the VM had no samples of its own', () => {
    const built = buildImport({ dumps: [{ text: dumpText(), source: 'dump.json' }], network: '10Gbit' });
    const past = pastMigrations(built.dump, null, () => {});
    const r = calibrate({ base: built.inventory.doc, past, workloads: built.workloads, fit: false });
    expect(r.migrations.every((m) => m.likelyCause?.includes('dirty rate guessed (default) instead of measured'))).toBe(true);
  });
});

describe('control-plane latencies', () => {
  it('are measured from the phase transitions: the history\'s defaults come back', () => {
    const built = buildImport({ dumps: [{ text: dumpText(), source: 'dump.json' }], network: '2Gbit' });
    // migsim's defaults: target pod 5 s, hand-off 1 s, target preparation 2 s, migration start 1 s;
    // every migration is created on a whole second, so the truncated timestamps are exact
    expect(controlPlaneLatencies(built.dump)).toEqual([
      { field: 'targetPodStartup', samples: 4, median: 5, p90: 5 },
      { field: 'handoff', samples: 4, median: 1, p90: 1 },
      { field: 'targetPreparation', samples: 4, median: 2, p90: 2 },
      { field: 'migrationStart', samples: 4, median: 1, p90: 1 },
    ]);
  });
});

describe('likely causes', () => {
  it('names the concurrent migrations that shared a NIC', () => {
    const built = buildImport({ dumps: [{ text: dumpText(), source: 'dump.json' }], metrics: [{ text: metricsText(), source: 'metrics.json' }], network: '2Gbit' });
    const past = pastMigrations(built.dump, built.metrics, () => {});
    // pretend db-1 ran 10 s into db-0 on the same nodes, and took twice as long
    const [db0, db1] = past;
    const shifted = [db0!, { ...db1!, start: db0!.start + 10, end: db0!.start + 10 + 2 * (db1!.end - db1!.start) }];
    const r = calibrate({ base: built.inventory.doc, past: shifted, workloads: built.workloads, fit: false });
    const m = r.migrations.find((x) => x.name === 'prod/mig-db-1')!;
    // predicted ≈ observed/2: error ≈ −50 %
    expect(m.durationError!).toBeLessThan(-0.45);
    expect(m.likelyCause).toContain('NIC shared with 1 concurrent migration(s): prod/mig-db-0');
  });
});

describe('with a dedicated migration network', () => {
  it('fits the migration NIC, not the pod NIC, and writes it there', () => {
    current = generate(true);
    try {
      // pod NICs 10 Gbit, migration NICs 2 Gbit: --network 10Gbit sets both, the fit finds 2 Gbit
      const r = calibrated('10Gbit', true);
      expect(Math.abs(r.fittedBandwidth['node-a']!.bytesPerSecond / TRUE_BANDWIDTH - 1)).toBeLessThan(0.04);
      const rate = `${Math.round((r.fittedBandwidth['node-a']!.bytesPerSecond * 8) / 1e6)}Mbit`;
      const written = importCluster({
        dumps: [{ text: dumpText(), source: 'dump.json' }],
        network: '10Gbit',
        networkOverrides: new Map([['node-a', { rate, why: 'fitted' }]]),
      });
      const a = written.scenario.nodes.find((n) => n.name === 'node-a')!;
      expect(a.nics).toEqual({ pod: 10e9 / 8, 'migration-net': (Number(rate.replace('Mbit', '')) * 1e6) / 8 });
    } finally {
      current = generate(false);
    }
  });
});
