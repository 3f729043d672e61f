// `--csv DIR`: the result records as CSV tables (docs/output.md, "CSV"). Each table is a list of
// named columns with the unit in the name (duration_s, transferred_bytes); numbers are rounded
// like the JSON output's, so a CSV cell and the JSON field it comes from are equal. Pure: the CLI
// writes the files. A forecast or sweep adds its own tables (runs.csv, sweep.csv) with csvFile().
import { stringify } from 'csv-stringify/sync';
import type { MigrationRecord, NodeRecord, Results, VmRecord } from '../metrics/results.js';
import type { RoundPoint, RunSeries } from './series.js';

export type Cell = string | number | boolean | null;

export interface Column<T> {
  /** snake_case, unit last: _s seconds, _bytes bytes, _bytes_per_s, _percent */
  name: string;
  value: (row: T) => Cell;
}

export interface CsvFile {
  /** file name inside the --csv directory */
  name: string;
  content: string;
}

/** One CSV file: a header line, then one line per row; null is an empty cell. */
export function csvFile<T>(name: string, columns: readonly Column<T>[], rows: readonly T[]): CsvFile {
  const records = rows.map((r) => columns.map((c) => cellText(c.value(r))));
  const content = stringify(records, { header: true, columns: columns.map((c) => c.name), record_delimiter: '\n' });
  return { name, content: records.length === 0 ? columns.map((c) => c.name).join(',') + '\n' : content };
}

/** Rounded to the microsecond / byte, as the JSON output (src/report/json.ts). */
function cellText(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(!Number.isFinite(v) || Number.isInteger(v) ? v : Math.round(v * 1e6) / 1e6);
  return v;
}

const since = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);

export const MIGRATION_COLUMNS: readonly Column<MigrationRecord>[] = [
  { name: 'migration', value: (m) => m.name },
  { name: 'vmi', value: (m) => m.vmi },
  { name: 'source_node', value: (m) => m.sourceNode },
  { name: 'target_node', value: (m) => m.targetNode },
  { name: 'phase', value: (m) => m.phase },
  { name: 'reason', value: (m) => m.reason },
  { name: 'mode', value: (m) => m.mode },
  { name: 'priority', value: (m) => m.priority },
  { name: 'evacuation_node', value: (m) => m.evacuationNode },
  { name: 'wave', value: (m) => m.wave },
  { name: 'policy', value: (m) => m.policy },
  { name: 'migration_method', value: (m) => m.migrationMethod },
  { name: 'acceptable_completion_time_s', value: (m) => m.acceptableCompletionTime },
  { name: 'created_at_s', value: (m) => m.createdAt },
  { name: 'started_at_s', value: (m) => m.startedAt },
  { name: 'ended_at_s', value: (m) => m.endedAt },
  { name: 'queue_s', value: (m) => m.queuedSeconds },
  { name: 'copy_s', value: (m) => m.copySeconds },
  { name: 'duration_s', value: (m) => since(m.createdAt, m.endedAt) },
  { name: 'downtime_s', value: (m) => m.downtimeSeconds },
  { name: 'transferred_bytes', value: (m) => m.transferredBytes },
  { name: 'iterations', value: (m) => m.iterations },
  { name: 'max_throttle_percent', value: (m) => m.maxThrottlePercent },
  { name: 'post_copy_s', value: (m) => m.postCopySeconds },
  { name: 'stalled_s', value: (m) => m.stalledSeconds },
  { name: 'outages', value: (m) => m.outages.join(' ') },
  { name: 'vm_lost', value: (m) => m.vmLost },
  { name: 'message', value: (m) => m.message },
  { name: 'unfinished_reason', value: (m) => m.unfinishedReason },
];

export const ROUND_COLUMNS: readonly Column<RoundPoint>[] = [
  { name: 'migration', value: (r) => r.migration },
  { name: 'vmi', value: (r) => r.vmi },
  { name: 'source_node', value: (r) => r.sourceNode },
  { name: 'iteration', value: (r) => r.iteration },
  { name: 'ended_at_s', value: (r) => r.t },
  { name: 'duration_s', value: (r) => r.durationSeconds },
  { name: 'sent_bytes', value: (r) => r.sentBytes },
  { name: 'remaining_bytes', value: (r) => r.remainingBytes },
  { name: 'threshold_bytes', value: (r) => r.thresholdBytes },
  { name: 'bandwidth_bytes_per_s', value: (r) => r.bytesPerSecond },
  { name: 'converged', value: (r) => r.remainingBytes <= r.thresholdBytes },
  { name: 'steady_state', value: (r) => r.steadyState },
];

export const NODE_COLUMNS: readonly Column<NodeRecord>[] = [
  { name: 'node', value: (n) => n.name },
  { name: 'drain_started_at_s', value: (n) => n.drainStartedAt },
  { name: 'drain_completed_at_s', value: (n) => n.drainCompletedAt },
  { name: 'drain_s', value: (n) => since(n.drainStartedAt, n.drainCompletedAt) },
  { name: 'upgrade_completed_at_s', value: (n) => n.upgradeCompletedAt },
  { name: 'migrations_out', value: (n) => n.migrationsOut },
  { name: 'vms_shut_down', value: (n) => n.vmsShutDown },
  { name: 'blocked_reason', value: (n) => n.blockedReason },
];

export const VM_COLUMNS: readonly Column<VmRecord>[] = [
  { name: 'vmi', value: (v) => v.vmi },
  { name: 'migrations', value: (v) => v.migrations },
  { name: 'moves', value: (v) => v.moves },
  { name: 'attempts', value: (v) => v.attempts },
  { name: 'downtime_s', value: (v) => v.downtimeSeconds },
  { name: 'still_down_at_end', value: (v) => v.stillDownAtEnd },
  { name: 'not_running_reason', value: (v) => v.notRunningReason },
  { name: 'initial_node', value: (v) => v.initialNode },
  { name: 'final_node', value: (v) => v.finalNode },
  { name: 'migratable', value: (v) => v.migratable },
  { name: 'migration_method', value: (v) => v.migrationMethod },
  { name: 'not_migratable_reason', value: (v) => v.notMigratableReason },
  { name: 'shut_downs', value: (v) => v.shutDowns },
  { name: 'lost', value: (v) => v.lost },
];

/** The four tables of `migsim run --csv DIR`. */
export function runCsv(results: Results, series: RunSeries): CsvFile[] {
  return [
    csvFile('migrations.csv', MIGRATION_COLUMNS, results.migrations),
    csvFile('rounds.csv', ROUND_COLUMNS, series.rounds),
    csvFile('nodes.csv', NODE_COLUMNS, results.nodes),
    csvFile('vms.csv', VM_COLUMNS, results.vms),
  ];
}
