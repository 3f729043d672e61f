// One replication reduced to what a forecast needs: a few numbers per operation, wave and drained
// node, and the failed migrations of each VM. Summaries are plain JSON data: they travel from the
// worker threads and are stored in shard files.

import type { Results } from '../metrics/results.js';
import type { Operation, Scenario } from '../scenario/types.js';

/** What the forecast reports on, fixed by the loaded scenario (the same in every replication). */
export interface ForecastLayout {
  scenario: string;
  /** the operations with a duration (drain, upgrade, migrate), in file order (sorted by `at`) */
  operations: { index: number; kind: 'drain' | 'upgrade' | 'migrate'; label: string; at: number }[];
  /** upgrade waves by name, in operation order */
  waves: string[];
  nodes: string[];
  vms: string[];
  warnings: string[];
}

export interface RunSummary {
  replication: number;
  seed: number;
  /** first operation's start → last operation's end (unfinished ones count up to the end of the run) */
  makespanSeconds: number;
  /** every operation finished before the end of the run */
  complete: boolean;
  horizonReached: boolean;
  failedMigrations: number;
  totalDowntimeSeconds: number;
  maxDowntimeSeconds: number;
  vmsShutDown: number;
  vmsLost: number;
  /** shut down or lost, and not running again at the end */
  vmsStillDown: number;
  /** per layout operation: seconds from its `at` to its end, null if it did not finish */
  operations: (number | null)[];
  /** per layout wave: makespan, null if unfinished; and its failed migrations */
  waves: { makespanSeconds: number | null; failedMigrations: number }[];
  /** nodes whose drain started: [node index, seconds to drained or null if never drained] */
  drains: [number, number | null][];
  /** every failed migration: [VM index, reason] */
  failures: [number, string][];
}

function describeOperation(op: Operation): string {
  switch (op.kind) {
    case 'drain':
      return op.nodes.kind === 'names'
        ? `drain ${op.nodes.names.join(',')}`
        : `drain ${Object.entries(op.nodes.matchLabels).map(([k, v]) => `${k}=${v}`).join(',')}`;
    case 'upgrade':
      return `upgrade ${op.name}`;
    case 'migrate':
      return `migrate ${op.vmi}${op.name ? ` (${op.name})` : ''}`;
    default:
      return op.kind;
  }
}

export function forecastLayout(scenario: Scenario): ForecastLayout {
  const operations: ForecastLayout['operations'] = [];
  scenario.operations.forEach((op, index) => {
    if (op.kind === 'drain' || op.kind === 'upgrade' || op.kind === 'migrate') {
      operations.push({ index, kind: op.kind, label: describeOperation(op), at: op.at });
    }
  });
  return {
    scenario: scenario.name,
    operations,
    waves: scenario.operations.flatMap((op) => (op.kind === 'upgrade' ? [op.name] : [])),
    nodes: scenario.nodes.map((n) => n.name),
    vms: scenario.vms.map((v) => v.key),
    warnings: scenario.warnings,
  };
}

function nodesOf(scenario: Scenario, op: Extract<Operation, { kind: 'drain' }>): string[] {
  const t = op.nodes;
  if (t.kind === 'names') return t.names;
  return scenario.nodes.filter((n) => Object.entries(t.matchLabels).every(([k, v]) => n.labels[k] === v)).map((n) => n.name);
}

/** The summary of one run: `scenario` is the scenario as run (realised), `results` its records. */
export function summarizeRun(layout: ForecastLayout, scenario: Scenario, results: Results, replication: number, seed: number): RunSummary {
  const s = results.summary;
  const ran = results.vms.filter((v) => !(v.initialNode === null && v.finalNode === null && v.shutDowns === 0));
  const nodeIndex = new Map(layout.nodes.map((n, i) => [n, i]));
  const vmIndex = new Map(layout.vms.map((v, i) => [v, i]));
  const nodeRecords = new Map(results.nodes.map((n) => [n.name, n]));
  const waveRecords = new Map(results.waves.map((w) => [w.name, w]));

  const operations = layout.operations.map((o): number | null => {
    const op = scenario.operations[o.index]!;
    switch (op.kind) {
      case 'upgrade':
        return waveRecords.get(op.name)?.makespanSeconds ?? null;
      case 'drain': {
        let end = -Infinity;
        for (const name of nodesOf(scenario, op)) {
          const done = nodeRecords.get(name)?.drainCompletedAt ?? null;
          if (done === null) return null;
          end = Math.max(end, done);
        }
        return end === -Infinity ? 0 : end - op.at;
      }
      case 'migrate': {
        const m = results.migrations.find((r) => r.vmi === op.vmi && r.createdAt === op.at && (op.name === null || r.name === op.name));
        return m && m.endedAt !== null && (m.phase === 'Succeeded' || m.phase === 'Failed') ? m.endedAt - m.createdAt : null;
      }
      default:
        return null;
    }
  });

  let first = Infinity;
  let last = -Infinity;
  let complete = !s.horizonReached;
  layout.operations.forEach((o, i) => {
    const d = operations[i]!;
    first = Math.min(first, o.at);
    if (d === null) complete = false;
    last = Math.max(last, d === null ? s.endTime : o.at + d);
  });
  // Without operations of its own (faults only), the span of the migrations that ran.
  const makespanSeconds = layout.operations.length > 0 ? last - first : s.makespanSeconds;

  const drains: [number, number | null][] = [];
  for (const n of results.nodes) {
    if (n.drainStartedAt === null) continue;
    drains.push([nodeIndex.get(n.name)!, n.drainCompletedAt === null ? null : n.drainCompletedAt - n.drainStartedAt]);
  }
  const failures: [number, string][] = [];
  for (const m of results.migrations) {
    if (m.phase === 'Failed') failures.push([vmIndex.get(m.vmi) ?? -1, m.reason ?? 'Unknown']);
  }

  return {
    replication,
    seed,
    makespanSeconds,
    complete,
    horizonReached: s.horizonReached,
    failedMigrations: s.failed,
    // a VM that never ran (never placed) is down for the whole run whatever the configuration:
    // it is not the operations' downtime
    totalDowntimeSeconds: ran.reduce((a, v) => a + v.downtimeSeconds, 0),
    maxDowntimeSeconds: ran.reduce((a, v) => Math.max(a, v.downtimeSeconds), 0),
    vmsShutDown: s.vmsShutDown,
    vmsLost: s.lostVms,
    vmsStillDown: results.vms.filter((v) => v.finalNode === null && v.shutDowns > 0).length,
    operations,
    waves: layout.waves.map((name) => {
      const w = waveRecords.get(name);
      return { makespanSeconds: w?.makespanSeconds ?? null, failedMigrations: w?.failedMigrations ?? 0 };
    }),
    drains,
    failures,
  };
}
