// The report of a `migsim sweep`: the grid, a heatmap of the p95 duration and one of the failure
// probability over the swept fields, and the table of points. Built from the SweepDocument (plain
// data): nothing here runs a simulation.
import type { SweepDocument, SweepRow } from '../../cli/sweep.js';
import type { CheckReport } from '../../plan/check.js';
import { humanDuration } from '../timeline.js';
import { TIME_LABEL, timeTicks, WIDTH } from './charts.js';
import type { Block, ChartBlock, Provenance, ReportDocument, Section } from './document.js';
import { checkBlocks } from './run.js';

export interface SweepReportData {
  sweep: SweepDocument;
  /** one line on the cluster and the operations, shown in the summary */
  description?: string;
  /** `migsim check`'s findings on the scenario (fixed overrides applied); null: not run; absent: no section */
  check?: CheckReport | null;
  provenance: Provenance;
}

/**
 * Most panels of a faceted heatmap (grids of three or more axes): the first panels in grid order;
 * the table has every point. 12 panels of a 10 × 10 heatmap stay readable on a page.
 */
export const MAX_PANELS = 12;
/** Past this many cells in a panel (or points on a line) the values are in the tooltips only: the labels would overlap. */
export const MAX_LABELS = 400;
/** Most rows of the table of points; sweep --csv writes every point. */
export const MAX_POINT_ROWS = 1000;

export type SweepMetric = 'p95' | 'failure';

/** A value of the chart data: an axis key (a0, a1, …: paths have dots, which Vega reads as nesting) or a figure. */
type Datum = Record<string, string | number | null>;

/** The chart data of a sweep: one datum per point, axis values under a0, a1, …, and the panel it belongs to. */
export function sweepChartData(doc: SweepDocument): { values: Datum[]; panels: string[]; shownPoints: number } {
  const rest = doc.axes.slice(2);
  const panelOf = (p: SweepRow): string => rest.map((a) => `${short(a.path)}=${p.values[a.path]}`).join(', ');
  const panels: string[] = [];
  for (const p of doc.points) {
    const k = panelOf(p);
    if (!panels.includes(k)) panels.push(k);
  }
  const shown = new Set(panels.slice(0, MAX_PANELS));
  const values: Datum[] = [];
  for (const p of doc.points) {
    const panel = panelOf(p);
    if (!shown.has(panel)) continue;
    const d: Datum = {};
    doc.axes.forEach((a, i) => (d[`a${i}`] = p.values[a.path]!));
    d.panel = panel;
    d.p95 = p.makespanSeconds?.p95 ?? null;
    d.p95Label = p.makespanSeconds ? humanDuration(p.makespanSeconds.p95) : 'none done';
    d.failure = p.failureProbability;
    d.failureLabel = `${(100 * p.failureProbability).toFixed(0)}%`;
    d.within = p.withinWindowProbability;
    values.push(d);
  }
  return { values, panels: panels.slice(0, MAX_PANELS), shownPoints: values.length };
}

/** The last part of a path, for labels: spec.kubevirt.….parallelMigrationsPerCluster → parallelMigrationsPerCluster. */
function short(path: string): string {
  return path.split('.').at(-1)!;
}

/**
 * The Vega-Lite spec of one figure over the grid. One axis: a line over its values (in the order
 * given). Two: a heatmap, rect + text marks. More: the heatmap of the first two, faceted by the
 * others (at most MAX_PANELS panels).
 */
export function sweepChartSpec(doc: SweepDocument, metric: SweepMetric): Record<string, unknown> {
  const { values, panels } = sweepChartData(doc);
  const [x, y] = doc.axes;
  const field = metric === 'p95' ? 'p95' : 'failure';
  const label = metric === 'p95' ? 'p95Label' : 'failureLabel';
  const title = metric === 'p95' ? 'p95 duration' : 'P(failure)';
  const scaleOf = metric === 'p95' ? { scheme: 'blues', zero: true } : { scheme: 'reds', domain: [0, 1] };
  const legend = metric === 'p95' ? { title, labelExpr: TIME_LABEL } : { title, format: '%' };
  const tooltip = [
    ...doc.axes.map((a, i) => ({ field: `a${i}`, title: a.path })),
    { field: 'p95Label', title: 'p95 duration' },
    { field: 'failureLabel', title: 'P(failure)' },
  ];
  const xEnc = { field: 'a0', type: 'ordinal', sort: x!.values, title: short(x!.path), axis: { labelAngle: 0 } };
  if (!y) {
    const yEnc =
      metric === 'p95'
        ? { field: 'p95', type: 'quantitative', title, axis: { values: timeTicks(halfOf(values, 'p95') * 2, 6), labelExpr: TIME_LABEL }, scale: { zero: true } }
        : { field: 'failure', type: 'quantitative', title, axis: { format: '%' }, scale: { domain: [0, 1] } };
    return {
      width: WIDTH,
      height: 220,
      data: { values },
      layer: [
        { mark: { type: 'line', point: true, color: metric === 'p95' ? '#1565c0' : '#c62828' }, encoding: { x: xEnc, y: yEnc, tooltip } },
        ...(labelled(doc) ? [{ mark: { type: 'text', dy: -10, fontSize: 11 }, encoding: { x: xEnc, y: yEnc, text: { field: label } } }] : []),
      ],
    };
  }
  const yEnc = { field: 'a1', type: 'ordinal', sort: y.values, title: short(y.path) };
  const cell = Math.max(24, Math.min(90, Math.floor(WIDTH / Math.max(1, x!.values.length) / (panels.length > 1 ? 2 : 1))));
  const heat = {
    width: { step: cell },
    height: { step: Math.max(20, Math.min(36, cell)) },
    layer: [{ mark: { type: 'rect' }, encoding: { x: xEnc, y: yEnc, color: { field, type: 'quantitative', scale: scaleOf, legend }, tooltip } }] as Record<string, unknown>[],
  };
  if (labelled(doc)) {
    heat.layer.push({
      mark: { type: 'text', fontSize: 10 },
      encoding: {
        x: xEnc,
        y: yEnc,
        text: { field: label },
        // dark cells get white text: the upper half of the colour scale
        color: { condition: { test: metric === 'p95' ? `datum.p95 !== null && datum.p95 > ${halfOf(values, 'p95')}` : 'datum.failure > 0.5', value: 'white' }, value: 'black' },
      },
    });
  }
  if (doc.axes.length === 2) return { data: { values }, ...heat };
  return {
    data: { values },
    facet: { field: 'panel', type: 'nominal', sort: panels, title: doc.axes.slice(2).map((a) => short(a.path)).join(', ') },
    columns: 2,
    spec: heat,
  };
}

/** Whether the cells (or the points of the line) carry their values as text: a panel of at most MAX_LABELS. */
export function labelled(doc: SweepDocument): boolean {
  return doc.axes.slice(0, 2).reduce((n, a) => n * a.values.length, 1) <= MAX_LABELS;
}

/** Half the largest value of a figure: where the heatmap's colour turns dark. */
function halfOf(values: readonly Datum[], field: string): number {
  return values.reduce((m, v) => Math.max(m, typeof v[field] === 'number' ? (v[field] as number) : 0), 0) / 2;
}

export function sweepReport(d: SweepReportData): ReportDocument {
  const doc = d.sweep;
  const sections: Section[] = [];
  const finished = doc.points.filter((p) => p.makespanSeconds !== null);
  const best = [...finished].sort((a, b) => a.makespanSeconds!.p95 - b.makespanSeconds!.p95)[0];
  const describe = (p: SweepRow): string => doc.axes.map((a) => `${short(a.path)}=${p.values[a.path]}`).join(', ');

  const rows: string[][] = [
    ['grid', `${doc.axes.length} ${doc.axes.length === 1 ? 'axis' : 'axes'}, ${doc.points.length} points × ${doc.runs} runs`],
    ['seeds', `${doc.seed} to ${doc.seed + doc.runs - 1}, the same at every point (common random numbers: points differ by the swept fields, not by noise)`],
    ['window', doc.windowSeconds !== null ? humanDuration(doc.windowSeconds) : 'none given (--window)'],
  ];
  if (best) rows.push(['shortest p95', `${humanDuration(best.makespanSeconds!.p95)} at ${describe(best)} (P(failure) ${pct(best.failureProbability)})`]);
  const summary: Block[] = [];
  if (d.description) summary.push({ kind: 'text', paragraphs: [d.description] });
  summary.push({ kind: 'table', header: ['', ''], rows });
  sections.push({ id: 'summary', title: 'Summary', blocks: summary });

  if (d.check) sections.push({ id: 'check', title: `Check findings (${d.check.findings.length})`, blocks: checkBlocks(d.check) });
  else if (d.check === null) sections.push({ id: 'check', title: 'Check findings', blocks: [{ kind: 'text', paragraphs: ['Not run for a scenario this large, where migsim check takes minutes: run `migsim check` on the scenario file for its findings.'] }] });

  sections.push({
    id: 'axes',
    title: 'Swept fields',
    blocks: [{ kind: 'table', header: ['field', 'values'], rows: doc.axes.map((a) => [a.path, a.values.join(', ')]) }],
  });

  const { panels, shownPoints } = sweepChartData(doc);
  const kind = doc.axes.length === 1 ? 'Line' : 'Heatmap';
  const over = doc.axes.length === 1 ? `over ${doc.axes[0]!.path}` : `over ${doc.axes[0]!.path} (x) and ${doc.axes[1]!.path} (y)`;
  const facetNote =
    doc.axes.length > 2
      ? ` One panel per value of ${doc.axes.slice(2).map((a) => a.path).join(' × ')}${panels.length < countPanels(doc) ? `; the first ${panels.length} of ${countPanels(doc)} panels (${shownPoints} of ${doc.points.length} points) are drawn, the table has every point` : ''}.`
      : '';
  const labels = labelled(doc) ? '' : ` Past ${MAX_LABELS} cells a panel the values are in the tooltips only.`;
  const charts: ChartBlock[] = [
    { kind: 'chart', id: 'chart-sweep-p95', spec: sweepChartSpec(doc, 'p95'), caption: `${kind} of the p95 of the makespan (first operation's start → last one's end) ${over}; "none done": no run finished.${facetNote}${labels}`, renderer: doc.points.length > 2000 ? 'canvas' : 'svg' },
    { kind: 'chart', id: 'chart-sweep-failure', spec: sweepChartSpec(doc, 'failure'), caption: `${kind} of the share of runs with a failed migration, a lost VM or a VM still down at the end, ${over}.${facetNote}${labels}`, renderer: doc.points.length > 2000 ? 'canvas' : 'svg' },
  ];
  sections.push({ id: 'figures', title: 'p95 duration and failure probability', blocks: charts });

  const shown = doc.points.slice(0, MAX_POINT_ROWS);
  sections.push({
    id: 'points',
    title: 'Points',
    blocks: [
      {
        kind: 'table',
        caption: doc.points.length > shown.length ? `The first ${shown.length} of ${doc.points.length} points; sweep --csv FILE writes every point.` : 'P50/P95/MAX: the makespan; P(failure): runs with a failed migration, a lost VM or a VM still down at the end.',
        header: [...doc.axes.map((a) => short(a.path)), 'p50', 'p95', 'max', 'in window', 'P(failure)', 'max downtime p95'],
        numeric: Array.from({ length: 6 }, (_, i) => doc.axes.length + i),
        rows: shown.map((p) => [
          ...doc.axes.map((a) => p.values[a.path]!),
          dur(p.makespanSeconds?.p50),
          dur(p.makespanSeconds?.p95),
          dur(p.makespanSeconds?.max),
          p.withinWindowProbability === null ? '-' : pct(p.withinWindowProbability),
          pct(p.failureProbability),
          dur(p.maxDowntimeSeconds?.p95),
        ]),
      },
    ],
  });

  const subtitle = best
    ? `${doc.points.length} points × ${doc.runs} runs; shortest p95 ${humanDuration(best.makespanSeconds!.p95)} at ${describe(best)}.`
    : `${doc.points.length} points × ${doc.runs} runs; no run finished at any point.`;
  return { title: `migsim sweep: ${doc.scenario}`, subtitle, provenance: d.provenance, sections };
}

function countPanels(doc: SweepDocument): number {
  return doc.axes.slice(2).reduce((n, a) => n * a.values.length, 1);
}

const pct = (p: number): string => `${(100 * p).toFixed(1)}%`;
const dur = (s: number | undefined): string => (s === undefined ? '-' : humanDuration(s));
