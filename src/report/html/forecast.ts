// The report of a forecast (many replications of one scenario): the distribution of the wave's
// duration against the maintenance window, the spread of each node's drain time, and the VMs most
// likely to fail with their reasons. It takes plain data, so whatever computes the forecast only
// has to hand over the numbers: see forecastReport().
import type { ForecastDocument } from '../../forecast/aggregate.js';
import type { ForecastLayout, RunSummary } from '../../forecast/summary.js';
import { humanDuration } from '../timeline.js';
import type { ConfigRow } from './config.js';
import type { Block, Provenance, ReportDocument, Section } from './document.js';
import { TIME_LABEL, WIDTH } from './charts.js';

export interface ForecastReportData {
  /** metadata.name of the scenario */
  scenario: string;
  /** one-line description of the cluster and the operation, shown in the summary */
  description?: string;
  /** the wave's duration (s) in each replication; null where the wave did not complete */
  durations: (number | null)[];
  /** the maintenance window (s), marked on the charts when given */
  window?: number | null;
  /** per node, its drain time (s) in each replication where it drained */
  nodeDrainTimes: { node: string; seconds: number[] }[];
  /** per VM, the share of replications where it failed to migrate, was shut down or lost, with why */
  vmFailures: { vmi: string; probability: number; reasons: { reason: string; count: number }[] }[];
  configuration?: ConfigRow[];
  warnings?: string[];
  provenance: Provenance;
}

/** Most VMs in the failure chart and table. */
export const MAX_FAILING_VMS = 25;

/** Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * A forecast report from plain data. `durations` has one entry per replication (null: the wave
 * never completed, counted as missing the window); `nodeDrainTimes` and `vmFailures` are per
 * entity. Render it with renderHtml().
 */
export function forecastReport(d: ForecastReportData): ReportDocument {
  const done = d.durations.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const n = d.durations.length;
  const blocked = n - done.length;
  const p = (q: number): number => percentile(done, q);
  const inWindow = d.window ? done.filter((x) => x <= d.window!).length : null;
  const sections: Section[] = [];

  const rows: string[][] = [
    ['replications', String(n)],
    ['completed', `${done.length}${blocked ? ` (${blocked} did not complete)` : ''}`],
  ];
  if (done.length > 0) {
    rows.push(['p50 / p95 / p99 duration', `${humanDuration(p(50))} / ${humanDuration(p(95))} / ${humanDuration(p(99))}`]);
    rows.push(['fastest / slowest', `${humanDuration(done[0]!)} / ${humanDuration(done[done.length - 1]!)}`]);
  }
  if (d.window) rows.push(['within the window', `${inWindow} of ${n} (${((100 * inWindow!) / Math.max(1, n)).toFixed(1)}%) finish within ${humanDuration(d.window)}`]);
  const summary: Block[] = [];
  if (d.description) summary.push({ kind: 'text', paragraphs: [d.description] });
  summary.push({ kind: 'table', header: ['', ''], rows });
  if (d.warnings && d.warnings.length) summary.push({ kind: 'table', caption: 'Warnings', header: ['warning'], rows: d.warnings.map((w) => [w]) });
  sections.push({ id: 'summary', title: 'Summary', blocks: summary });

  if (done.length > 0) {
    const marks = [
      { what: 'p50', at: p(50) },
      { what: 'p95', at: p(95) },
      { what: 'p99', at: p(99) },
      ...(d.window ? [{ what: 'window', at: d.window }] : []),
    ].map((m) => ({ ...m, label: `${m.what} ${humanDuration(m.at)}` }));
    const values = done.map((x) => ({ duration: x }));
    const ruleLayer = {
      data: { values: marks },
      layer: [
        { mark: { type: 'rule', strokeDash: [5, 3] }, encoding: { x: { field: 'at', type: 'quantitative' }, color: { field: 'what', type: 'nominal', scale: { domain: marks.map((m) => m.what), range: ['#1565c0', '#ef6c00', '#c62828', '#000000'].slice(0, marks.length) }, title: null }, tooltip: [{ field: 'label' }] } },
        { mark: { type: 'text', angle: 270, align: 'left', dx: 4, dy: -4, fontSize: 11 }, encoding: { x: { field: 'at', type: 'quantitative' }, y: { value: 4 }, text: { field: 'label' } } },
      ],
    };
    const axis = { title: 'duration', labelExpr: TIME_LABEL };
    sections.push({
      id: 'duration',
      title: 'Duration of the wave',
      blocks: [
        {
          kind: 'chart',
          id: 'chart-histogram',
          caption: `Histogram of the wave's duration over ${done.length} completed replications, with p50/p95/p99 (nearest rank)${d.window ? ' and the maintenance window' : ''}.`,
          spec: {
            width: WIDTH,
            height: 200,
            layer: [
              { data: { values }, mark: { type: 'bar', color: '#90a4ae' }, encoding: { x: { field: 'duration', type: 'quantitative', bin: { maxbins: 40 }, axis }, y: { aggregate: 'count', type: 'quantitative', title: 'replications' } } },
              ruleLayer,
            ],
          },
        },
        {
          kind: 'chart',
          id: 'chart-cdf',
          caption: `Share of all ${n} replications finished by a given duration (replications that never completed keep the curve below 1).`,
          spec: {
            width: WIDTH,
            height: 200,
            layer: [
              {
                data: { values },
                transform: [
                  { sort: [{ field: 'duration' }], window: [{ op: 'count', as: 'rank' }] },
                  { calculate: `datum.rank / ${n}`, as: 'share' },
                ],
                mark: { type: 'line', interpolate: 'step-after', color: '#1565c0' },
                encoding: { x: { field: 'duration', type: 'quantitative', axis }, y: { field: 'share', type: 'quantitative', title: 'share finished', axis: { format: '%' }, scale: { domain: [0, 1] } }, tooltip: [{ field: 'duration', format: '.0f' }, { field: 'share', format: '.1%' }] },
              },
              ruleLayer,
            ],
          },
        },
      ],
    });
  }

  const drains = d.nodeDrainTimes.filter((x) => x.seconds.length > 0);
  if (drains.length > 0) {
    const values = drains.flatMap((x) => x.seconds.map((s) => ({ node: x.node, seconds: s })));
    const nodes = drains.map((x) => x.node);
    sections.push({
      id: 'drains',
      title: 'Drain time per node',
      blocks: [
        {
          kind: 'chart',
          id: 'chart-drains',
          caption: 'Spread of each node’s drain time over the replications: box from p25 to p75 with the median, whiskers to the fastest and the slowest drain.',
          spec: {
            width: WIDTH,
            height: { step: Math.max(10, Math.min(22, Math.floor(700 / nodes.length))) },
            data: { values },
            mark: { type: 'boxplot', extent: 'min-max' },
            encoding: { y: { field: 'node', type: 'nominal', sort: nodes }, x: { field: 'seconds', type: 'quantitative', title: 'drain time (s)' } },
          },
        },
      ],
    });
  }

  const failing = [...d.vmFailures].filter((v) => v.probability > 0).sort((a, b) => b.probability - a.probability || (a.vmi < b.vmi ? -1 : 1)).slice(0, MAX_FAILING_VMS);
  const failBlocks: Block[] = [];
  if (failing.length > 0) {
    failBlocks.push({
      kind: 'chart',
      id: 'chart-failures',
      caption: `The ${failing.length} VMs most likely to fail to migrate, be shut down or be lost, by share of replications.`,
      spec: {
        width: WIDTH,
        height: { step: 16 },
        data: { values: failing.map((v) => ({ vmi: v.vmi, probability: v.probability, reasons: describeReasons(v.reasons) })) },
        mark: { type: 'bar', color: '#c62828' },
        encoding: {
          y: { field: 'vmi', type: 'nominal', sort: failing.map((v) => v.vmi), title: null },
          x: { field: 'probability', type: 'quantitative', title: 'share of replications', axis: { format: '%' }, scale: { domain: [0, 1] } },
          tooltip: [{ field: 'vmi' }, { field: 'probability', format: '.1%' }, { field: 'reasons' }],
        },
      },
    });
    failBlocks.push({ kind: 'table', header: ['VM', 'probability', 'reasons (replications)'], numeric: [1], rows: failing.map((v) => [v.vmi, `${(100 * v.probability).toFixed(1)}%`, describeReasons(v.reasons)]) });
  } else failBlocks.push({ kind: 'text', paragraphs: ['No VM failed in any replication.'] });
  sections.push({ id: 'failures', title: 'VMs most likely to fail', blocks: failBlocks });

  if (d.configuration) {
    sections.push({ id: 'configuration', title: 'Effective configuration', blocks: [{ kind: 'table', header: ['setting', 'value', 'source'], rows: d.configuration.map((r) => [r.path, r.value, r.isDefault ? 'default' : 'scenario']) }] });
  }

  const subtitle =
    done.length > 0
      ? `${n} replications: p50 ${humanDuration(p(50))}, p95 ${humanDuration(p(95))}${d.window ? `, ${((100 * inWindow!) / Math.max(1, n)).toFixed(1)}% within the ${humanDuration(d.window)} window` : ''}.`
      : `${n} replications, none completed.`;
  return { title: `migsim forecast: ${d.scenario}`, subtitle, provenance: d.provenance, sections };
}

function describeReasons(reasons: { reason: string; count: number }[]): string {
  return [...reasons].sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)).map((r) => `${r.reason} (${r.count})`).join(', ');
}

/**
 * The report data of a `migsim forecast`: its per-replication summaries (in replication order)
 * and the forecast document computed from them. A replication where some operation did not
 * finish has no duration (null).
 */
export function forecastReportData(layout: ForecastLayout, runs: readonly RunSummary[], doc: ForecastDocument, provenance: Provenance): ForecastReportData {
  return {
    scenario: doc.scenario,
    description:
      `${doc.completedRuns} of ${doc.runs} replications, seeds ${doc.seed} to ${doc.seed + doc.runs - 1}${doc.partial ? ' (partial: the figures cover the finished replications only)' : ''}. ` +
      `Duration: first operation's start → last operation's end.`,
    durations: runs.map((r) => (r.complete ? r.makespanSeconds : null)),
    window: doc.windowSeconds,
    nodeDrainTimes: layout.nodes.map((node, i) => ({
      node,
      seconds: runs.flatMap((r) => r.drains.filter(([n, s]) => n === i && s !== null).map(([, s]) => s!)),
    })),
    vmFailures: doc.vms.map((v) => ({ vmi: v.vmi, probability: v.failureProbability, reasons: Object.entries(v.reasons).map(([reason, count]) => ({ reason, count })) })),
    warnings: doc.warnings,
    provenance,
  };
}
