// The run's time series, from hand-written events (every number derivable below), and one
// invariant on a bundled scenario: what the chart counts never exceeds KubeVirt's limits.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/log/events.js';
import { binTraffic, seriesRecorder, type RunSeries } from '../../src/report/series.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { simulate } from '../../src/sim/simulation.js';

const started = (t: number, migration: string, sourceNode: string): LogEvent => ({
  t,
  type: 'MigrationStarted',
  migration,
  sourceNode,
  targetNode: 'n9',
  policy: null,
  method: 'LiveMigration',
  acceptableCompletionTime: 1000,
  bandwidthPerMigration: 0,
});

const created = (t: number, migration: string, vmi: string, sourceNode: string): LogEvent => ({
  t,
  type: 'MigrationCreated',
  migration,
  vmi,
  sourceNode,
  priority: 100,
  evacuationNode: sourceNode,
  apiKind: 'VirtualMachineInstanceMigration',
  wave: null,
});

// A and B leave n1, C leaves n2. A copies 400 B in round 1 (2 s → 6 s), 100 B in round 2
// (6 → 7 s), then its last 20 B from the switch-over at 7 s to success at 10 s.
const EVENTS: LogEvent[] = [
  { t: 0, type: 'DrainStarted', node: 'n1', wave: null },
  created(0, 'A', 'ns/a', 'n1'),
  created(0, 'B', 'ns/b', 'n1'),
  created(0, 'C', 'ns/c', 'n2'),
  { t: 0, type: 'MigrationPhase', migration: 'A', phase: 'Pending' },
  { t: 1, type: 'MigrationPhase', migration: 'A', phase: 'Scheduling' },
  { t: 2, type: 'MigrationPhase', migration: 'B', phase: 'Scheduling' },
  { t: 3, type: 'MigrationPhase', migration: 'C', phase: 'Scheduling' },
  { t: 3, type: 'MigrationPhase', migration: 'A', phase: 'Scheduled' },
  started(2, 'A', 'n1'),
  { t: 4, type: 'OutageStarted', outage: 'o1', scope: 'network', duration: 1 },
  { t: 5, type: 'OutageEnded', outage: 'o1' },
  { t: 6, type: 'Iteration', migration: 'A', iteration: 1, bytes: 400, duration: 4, dirtied: 100, rate: 100, threshold: 30 },
  { t: 7, type: 'Iteration', migration: 'A', iteration: 2, bytes: 100, duration: 1, dirtied: 20, rate: 100, threshold: 30 },
  { t: 7, type: 'StopAndCopy', migration: 'A', bytes: 20 },
  { t: 10, type: 'MigrationPhase', migration: 'A', phase: 'Succeeded' },
  { t: 10, type: 'MigrationSucceeded', migration: 'A', result: { mode: 'PreCopy', downtimeSeconds: 0.2, transferredBytes: 520, iterations: 2, maxThrottlePercent: 0, postCopySeconds: 0, stalledSeconds: 0 } },
  { t: 12, type: 'MigrationPhase', migration: 'B', phase: 'Failed' },
  { t: 15, type: 'DrainCompleted', node: 'n1' },
  { t: 15, type: 'NodeUpgradeStarted', node: 'n1', wave: 'w', duration: 600 },
  { t: 18, type: 'OutageStarted', outage: 'o2', scope: 'node n2', duration: 60 },
  { t: 20, type: 'MigrationPhase', migration: 'C', phase: 'Succeeded' },
  { t: 20, type: 'SimulationEnded', horizonReached: true },
];

function series(events: readonly LogEvent[]): RunSeries {
  const r = seriesRecorder();
  for (const e of events) r.record(e);
  return r.finish();
}

describe('seriesRecorder', () => {
  const s = series(EVENTS);

  it('counts a migration from its first phase past Pending until it is final, in the cluster and on the busiest source node', () => {
    expect(s.concurrency).toEqual([
      { t: 1, cluster: 1, busiestNode: 1 }, // A: n1 = 1
      { t: 2, cluster: 2, busiestNode: 2 }, // B: n1 = 2
      { t: 3, cluster: 3, busiestNode: 2 }, // C: n2 = 1; Scheduled of A changes nothing
      { t: 10, cluster: 2, busiestNode: 1 }, // A done: n1 = 1, n2 = 1
      { t: 12, cluster: 1, busiestNode: 1 }, // B failed: n2 = 1
      { t: 20, cluster: 0, busiestNode: 0 },
    ]);
    expect(s.nodeConcurrency.filter((p) => p.node === 'n1').map((p) => p.running)).toEqual([1, 2, 1, 0]);
  });

  it('attributes each round to the source NIC over the round, and the rest of transferredBytes (520 − 500) from the last round to the end', () => {
    expect(s.traffic).toEqual([
      { node: 'n1', from: 2, to: 6, bytes: 400 },
      { node: 'n1', from: 6, to: 7, bytes: 100 },
      { node: 'n1', from: 7, to: 10, bytes: 20 },
    ]);
  });

  it('keeps every round with the switch-over threshold it was measured against', () => {
    expect(s.rounds.map((r) => [r.migration, r.vmi, r.iteration, r.sentBytes, r.remainingBytes, r.thresholdBytes])).toEqual([
      ['A', 'ns/a', 1, 400, 100, 30],
      ['A', 'ns/a', 2, 100, 20, 30], // 20 ≤ 30: it switched over
    ]);
    expect(s.rounds.every((r) => !r.steadyState)).toBe(true);
    expect(s.switchovers).toEqual([{ migration: 'A', t: 7, bytes: 20 }]);
  });

  it('records drain and upgrade windows and outages, open ones with no end', () => {
    expect(s.nodeWindows).toEqual([
      { node: 'n1', kind: 'drain', from: 0, to: 15 },
      { node: 'n1', kind: 'upgrade', from: 15, to: null },
    ]);
    expect(s.outages).toEqual([
      { outage: 'o1', scope: 'network', from: 4, to: 5 },
      { outage: 'o2', scope: 'node n2', from: 18, to: null },
    ]);
    expect(s.endTime).toBe(20);
  });
});

describe('passes of a steady state the simulation did not log one by one', () => {
  // M sends 1000 B in round 1 (0–10 s) and 800 B in round 2 (10–18 s) at 100 B/s, and the rounds
  // stay identical: passes 3 and 4 (ending at 26 and 34 s) are not logged, pass 5 is (42 s).
  const head: LogEvent[] = [
    created(0, 'M', 'ns/m', 'n1'),
    started(0, 'M', 'n1'),
    { t: 10, type: 'Iteration', migration: 'M', iteration: 1, bytes: 1000, duration: 10, dirtied: 800, rate: 100, threshold: 30 },
    { t: 18, type: 'Iteration', migration: 'M', iteration: 2, bytes: 800, duration: 8, dirtied: 800, rate: 100, threshold: 30 },
    { t: 42, type: 'Iteration', migration: 'M', iteration: 5, bytes: 800, duration: 8, dirtied: 800, rate: 100, threshold: 30 },
  ];
  const failed = (t: number, iterations: number, transferredBytes: number): LogEvent => ({
    t,
    type: 'MigrationFailed',
    migration: 'M',
    reason: 'CompletionTimeout',
    message: '',
    result: { mode: 'PreCopy', downtimeSeconds: 0, transferredBytes, iterations, maxThrottlePercent: 0, postCopySeconds: 0, stalledSeconds: 0 },
    vmLost: false,
  });

  it('fills a gap in the iteration numbers with copies of the round before, one period apart', () => {
    // fails at 47 s, 4 s into pass 6: 1000 + 4 × 800 + 400 = 4600 B sent
    const s = series([...head, failed(47, 5, 4600)]);
    expect(s.rounds.map((r) => [r.iteration, r.t, r.sentBytes, r.steadyState])).toEqual([
      [1, 10, 1000, false],
      [2, 18, 800, false],
      [3, 26, 800, true],
      [4, 34, 800, true],
      [5, 42, 800, false],
    ]);
    // the cut-short pass: 4600 − 4200 = 400 B over 42–47 s
    expect(s.traffic[s.traffic.length - 1]).toEqual({ node: 'n1', from: 42, to: 47, bytes: 400 });
    expect(s.traffic.reduce((a, t) => a + t.bytes, 0)).toBe(4600);
  });

  it('fills the passes up to the final iteration count when the migration ends in a steady state', () => {
    // iterations 7 at 60 s: passes 6 and 7 end at 50 and 58 s; 2 s of pass 8 add 200 B
    const s = series([...head, failed(60, 7, 4200 + 1600 + 200)]);
    expect(s.rounds.slice(5).map((r) => [r.iteration, r.t, r.steadyState])).toEqual([
      [6, 50, true],
      [7, 58, true],
    ]);
    expect(s.traffic[s.traffic.length - 1]).toEqual({ node: 'n1', from: 58, to: 60, bytes: 200 });
  });
});

describe('binTraffic', () => {
  // 5 slices of 2 s over [0, 10]: the spans are 400 B over [2,6] (100 B/s), 100 B over [6,7]
  // (100 B/s) and 20 B over [7,10] (20/3 B/s). Slice [6,8): (100·1 + 20/3·1) / 2 = 53.33 B/s.
  it.each([
    [0, 0],
    [1, 100],
    [2, 100],
    [3, (100 + 20 / 3) / 2],
    [4, ((20 / 3) * 2) / 2],
  ])('slice %i averages %f B/s', (i, bps) => {
    const row = binTraffic(series(EVENTS).traffic, 10, 5).get('n1')!;
    expect(row[i]).toBeCloseTo(bps, 9);
  });

  it('keeps every byte: the slices sum to the bytes sent', () => {
    const row = binTraffic(series(EVENTS).traffic, 10, 5).get('n1')!;
    expect(row.reduce((a, b) => a + b, 0) * 2).toBeCloseTo(520, 9);
  });
});

describe('the series of a bundled scenario', () => {
  // maxUnavailable 1: one node drains at a time, so the cluster never holds more than that
  // node's parallelOutboundMigrationsPerNode (2), below parallelMigrationsPerCluster (5).
  it('counts at most 2 migrations in flight: one draining node × parallelOutboundMigrationsPerNode', () => {
    const scenario = loadScenarioFile(join(import.meta.dirname, '..', '..', 'scenarios', 'rolling-upgrade-40.yaml'));
    const rec = seriesRecorder();
    simulate(scenario, { observers: [rec] });
    const s = rec.finish();
    expect(Math.max(...s.concurrency.map((p) => p.cluster))).toBe(2);
    expect(Math.max(...s.concurrency.map((p) => p.busiestNode))).toBe(2);
    expect(s.concurrency[s.concurrency.length - 1]).toMatchObject({ cluster: 0, busiestNode: 0 });
  });
});
