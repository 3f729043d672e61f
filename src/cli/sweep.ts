// `migsim sweep <scenario> --set PATH=V1,V2,… [--set …] [--runs N] [--window 4h] [--json|--csv FILE]`:
// a forecast per grid point, every point with the same replication seeds (common random numbers),
// so that neighbouring points differ by the parameter, not by noise.
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { Quantiles } from '../forecast/quantiles.js';
import { gridPoints, parseAxis, type Axis } from '../plan/grid.js';
import { toJson } from '../report/json.js';
import { seconds, table } from '../report/format.js';
import { PointRunner, pointStats } from './points.js';
import { Progress } from './pool.js';
import { check } from '../plan/check.js';
import { renderHtml } from '../report/html/document.js';
import { sweepReport } from '../report/html/sweep.js';
import { commandLine, migsimVersion, vegaAssets, writeReport } from './report.js';

export interface SweepOptions {
  set: string[];
  /** fixed overrides under every point */
  fix?: string[];
  runs: number;
  seed?: number;
  workers?: number;
  window?: number;
  json?: boolean;
  csv?: string;
  /** write a self-contained HTML report of the sweep to this file */
  report?: string;
  /** the command line, for the report's provenance */
  argv?: string[];
  quiet?: boolean;
  maxEvents?: number;
}

export interface SweepRow {
  values: Record<string, string>;
  runs: number;
  makespanSeconds: Quantiles | null;
  withinWindowProbability: number | null;
  /** share of runs with a failed migration, a lost VM or a VM still down at the end */
  failureProbability: number;
  failedMigrations: Quantiles | null;
  maxDowntimeSeconds: Quantiles | null;
  incompleteProbability: number | null;
}

export interface SweepDocument {
  scenario: string;
  runs: number;
  seed: number;
  windowSeconds: number | null;
  axes: Axis[];
  points: SweepRow[];
}

export async function sweepCommand(file: string, opts: SweepOptions): Promise<string> {
  const axes = opts.set.map(parseAxis);
  const points = gridPoints(axes);
  const runner = new PointRunner({ file, overrides: opts.fix ?? [], seed: opts.seed, workers: opts.workers, window: opts.window ?? null, maxEvents: opts.maxEvents });
  // every point loads before any runs: a bad value stops the sweep at once, naming the --set
  for (const p of points) runner.load({ overrides: p.overrides, policies: [] });
  const progress = !opts.quiet && process.stderr.isTTY === true ? new Progress('sweep', points.length) : null;
  const rows: SweepRow[] = [];
  for (const p of points) {
    const { doc, summaries } = await runner.forecast({ overrides: p.overrides, policies: [] }, opts.runs);
    const stats = pointStats(doc, summaries);
    rows.push({
      values: p.values,
      runs: opts.runs,
      makespanSeconds: doc.makespanSeconds,
      withinWindowProbability: doc.withinWindowProbability,
      failureProbability: stats.failureProbability,
      failedMigrations: doc.failedMigrations,
      maxDowntimeSeconds: doc.maxDowntimeSeconds,
      incompleteProbability: doc.incompleteProbability,
    });
    progress?.update(rows.length);
  }
  progress?.clear();
  const doc: SweepDocument = { scenario: runner.base.name, runs: opts.runs, seed: runner.seed, windowSeconds: opts.window ?? null, axes, points: rows };
  if (opts.csv !== undefined) writeFileSync(opts.csv, sweepCsv(doc));
  if (opts.report !== undefined) {
    const provenance = { version: migsimVersion(), seed: runner.seed, command: commandLine(opts.argv ?? ['sweep', file, ...opts.set.flatMap((s) => ['--set', s]), '--runs', String(opts.runs), '--report', opts.report]) };
    const s = runner.base;
    const description = `${s.nodes.length} nodes, ${s.vms.length} VMs, KubeVirt v${s.kubevirt.version.major}.${s.kubevirt.version.minor}; ${s.operations.length} operation${s.operations.length === 1 ? '' : 's'}${opts.fix?.length ? `; fixed under every point: ${opts.fix.join(', ')}` : ''}.`;
    writeReport(opts.report, renderHtml(sweepReport({ sweep: doc, description, check: check(s), provenance }), vegaAssets()));
  }
  return opts.json ? toJson(doc) + '\n' : sweepText(doc);
}

/** One row per point: the swept values, then the figures, units in the column names. */
export function sweepCsv(doc: SweepDocument): string {
  const header = [
    ...doc.axes.map((a) => a.path),
    'runs', 'makespan_p50_s', 'makespan_p95_s', 'makespan_max_s', 'within_window_probability',
    'failure_probability', 'failed_migrations_p95', 'max_downtime_p95_s', 'incomplete_probability',
  ];
  const rows = doc.points.map((p) => [
    ...doc.axes.map((a) => p.values[a.path]),
    p.runs, p.makespanSeconds?.p50 ?? '', p.makespanSeconds?.p95 ?? '', p.makespanSeconds?.max ?? '',
    p.withinWindowProbability ?? '', p.failureProbability, p.failedMigrations?.p95 ?? '',
    p.maxDowntimeSeconds?.p95 ?? '', p.incompleteProbability ?? '',
  ]);
  return stringify([header, ...rows]);
}

const pct = (p: number | null): string => (p === null ? '-' : `${(p * 100).toFixed(1)}%`);
const secs = (q: Quantiles | null, k: keyof Quantiles): string => (q === null ? '-' : seconds(q[k]));

export function sweepText(doc: SweepDocument): string {
  const head = [...doc.axes.map((a) => a.path.split('.').at(-1)!), 'P50', 'P95', 'MAX', 'IN WINDOW', 'P(FAILURE)', 'MAX DOWNTIME P95'];
  const rows = doc.points.map((p) => [
    ...doc.axes.map((a) => p.values[a.path]!),
    secs(p.makespanSeconds, 'p50'),
    secs(p.makespanSeconds, 'p95'),
    secs(p.makespanSeconds, 'max'),
    pct(p.withinWindowProbability),
    pct(p.failureProbability),
    secs(p.maxDowntimeSeconds, 'p95'),
  ]);
  return [
    `sweep ${doc.scenario}  ${doc.points.length} points × ${doc.runs} runs  seeds ${doc.seed}..${doc.seed + doc.runs - 1} (the same at every point)${doc.windowSeconds !== null ? `  window ${seconds(doc.windowSeconds)}` : ''}`,
    ...doc.axes.map((a) => `  ${a.path}: ${a.values.join(', ')}`),
    '',
    table(head, rows),
    '',
    'P50/P95/MAX: the makespan of the operations (first start to last end); P(FAILURE): runs with a failed migration, a lost VM or a VM still down at the end.',
  ].join('\n') + '\n';
}
