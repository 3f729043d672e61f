// Vega-Lite specs (plain data) for the run report, from the result records and the run's time
// series. Where a chart would hold too many marks, it aggregates or samples by a stated rule
// (the caption says what was left out); the CSV export always has every row.
import type { MigrationRecord, Results } from '../../metrics/results.js';
import { binTraffic, type RunSeries } from '../series.js';
import { humanBytes, humanDuration } from '../timeline.js';

type Spec = Record<string, unknown>;

/** Most migrations drawn in the Gantt chart; beyond it, every failed one and an even sample of the rest. */
export const MAX_GANTT_MIGRATIONS = 2000;
/** Most change points drawn in the concurrency chart; beyond it, the maximum per time slice. */
export const MAX_CONCURRENCY_POINTS = 2000;
/** Time slices of the bandwidth chart (each point is the slice's average bytes per second). */
export const BANDWIDTH_BINS = 240;
/** Most NICs drawn one by one; beyond it, the busiest ones and the sum of all the others. */
export const MAX_NIC_LINES = 8;
/** Up to this many source nodes, each node's own count is drawn too (thin grey lines). */
export const MAX_NODE_LINES = 12;
/** Most migrations offered in the per-round chart's selector. */
export const MAX_ROUND_MIGRATIONS = 200;

export const WIDTH = 760;
const MiB = 1024 * 1024;

/** Axis labels as people read durations: 45s, 12m 30s, 1h 20m. */
export const TIME_LABEL =
  "datum.value >= 3600 ? floor(datum.value / 3600) + 'h' + (floor(datum.value % 3600 / 60) > 0 ? ' ' + floor(datum.value % 3600 / 60) + 'm' : '')" +
  " : datum.value >= 60 ? floor(datum.value / 60) + 'm' + (round(datum.value % 60) > 0 ? ' ' + round(datum.value % 60) + 's' : '')" +
  " : format(datum.value, '.3~') + 's'";

/** Steps a time axis may use, in seconds: round numbers of seconds, minutes, hours and days. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** Tick values on [0, end]: the smallest round step that gives at most `count` intervals. */
export function timeTicks(end: number, count = 8): number[] {
  if (!(end > 0)) return [0];
  const step = TIME_STEPS.find((s) => end / s <= count) ?? Math.ceil(end / count / 604800) * 604800;
  return Array.from({ length: Math.floor(end / step + 1e-9) + 1 }, (_, i) => i * step);
}

const timeAxis = (end: number, title = 'simulated time'): Spec => ({ title, values: timeTicks(end), labelExpr: TIME_LABEL, grid: true });

/** Node names in natural order: node-2 before node-10. */
export function naturalSort(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Row height of a per-node chart: readable rows for a few nodes, a fixed band for many. */
function rowLayout(rows: number, lanes = 1): { height: Spec | number; axis: Spec } {
  // a row of several lanes grows by 4 px a lane, up to 48 px
  if (rows <= 60) return { height: lanes > 1 ? rows * Math.min(48, 12 + 4 * lanes) : { step: rows <= 20 ? 22 : 14 }, axis: {} };
  return { height: Math.min(1200, rows * 4), axis: rows > 150 ? { labels: false, ticks: false } : { labelFontSize: 8 } };
}

/** Lanes inside a node's row, so that migrations running at once do not hide each other. */
export function assignLanes<T>(items: readonly T[], row: (x: T) => string, from: (x: T) => number, to: (x: T) => number): Map<T, number> {
  const lanes = new Map<T, number>();
  const free = new Map<string, number[]>();
  const sorted = [...items].sort((a, b) => from(a) - from(b));
  for (const x of sorted) {
    const ends = free.get(row(x)) ?? [];
    let lane = ends.findIndex((e) => e <= from(x));
    if (lane < 0) lane = ends.length;
    ends[lane] = to(x);
    free.set(row(x), ends);
    lanes.set(x, lane);
  }
  return lanes;
}

const OUTCOMES = ['Succeeded', 'Failed', 'VM lost', 'Unfinished', 'queued'];
const OUTCOME_COLORS = ['#2e7d32', '#c62828', '#6a1b9a', '#f9a825', '#b0bec5'];

/** Outages as shaded bands across a chart's whole height. */
function outageLayer(series: RunSeries): Spec[] {
  if (series.outages.length === 0) return [];
  return [
    {
      data: { values: series.outages.map((o) => ({ outage: o.outage, scope: o.scope, from: o.from, to: o.to ?? series.endTime, duration: humanDuration((o.to ?? series.endTime) - o.from) })) },
      mark: { type: 'rect', color: '#e53935', opacity: 0.13 },
      encoding: {
        x: { field: 'from', type: 'quantitative' },
        x2: { field: 'to' },
        tooltip: [{ field: 'outage', title: 'outage' }, { field: 'scope' }, { field: 'duration' }],
      },
    },
  ];
}

function outcome(m: MigrationRecord): string {
  if (m.vmLost) return 'VM lost';
  if (m.phase === 'Succeeded') return 'Succeeded';
  if (m.phase === 'Failed') return 'Failed';
  return 'Unfinished';
}

/** Which migrations the Gantt chart draws: all when few, else every failed one and an even sample. */
export function ganttSample(migrations: readonly MigrationRecord[]): { shown: MigrationRecord[]; rule: string | null } {
  const placed = migrations.filter((m) => m.sourceNode !== null);
  if (placed.length <= MAX_GANTT_MIGRATIONS) return { shown: placed, rule: null };
  const bad = placed.filter((m) => m.phase !== 'Succeeded');
  const good = placed.filter((m) => m.phase === 'Succeeded');
  const room = Math.max(0, MAX_GANTT_MIGRATIONS - bad.length);
  const keptBad = bad.length > MAX_GANTT_MIGRATIONS ? everyKth(bad, MAX_GANTT_MIGRATIONS) : bad;
  const keptGood = everyKth(good, room);
  const shown = [...keptBad, ...keptGood].sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
  return {
    shown,
    rule: `${shown.length} of ${placed.length} migrations drawn: ${keptBad.length === bad.length ? 'every' : 'an even sample of the'} ${bad.length} not succeeded and an even sample (every ${Math.ceil(good.length / Math.max(1, keptGood.length))}th by creation time) of the ${good.length} succeeded. migrations.csv has them all.`,
  };
}

function everyKth<T>(xs: readonly T[], n: number): T[] {
  if (n <= 0) return [];
  if (xs.length <= n) return [...xs];
  const k = xs.length / n;
  return Array.from({ length: n }, (_, i) => xs[Math.floor(i * k)]!);
}

export function ganttChart(results: Results, series: RunSeries): { spec: Spec; caption: string; marks: number } {
  const { shown, rule } = ganttSample(results.migrations);
  const end = series.endTime;
  const rows: Spec[] = [];
  const lanes = assignLanes(shown, (m) => m.sourceNode!, (m) => m.createdAt, (m) => m.endedAt ?? end);
  for (const m of shown) {
    const tip = {
      node: m.sourceNode,
      migration: m.name,
      vm: m.vmi,
      target: m.targetNode ?? '-',
      bytes: humanBytes(m.transferredBytes),
      rounds: m.iterations,
      downtime: humanDuration(m.downtimeSeconds),
      reason: m.reason ?? '-',
      lane: lanes.get(m)!,
    };
    const stop = m.endedAt ?? end;
    const start = m.startedAt ?? stop;
    if (start > m.createdAt) rows.push({ ...tip, part: 'queued', outcome: 'queued', from: m.createdAt, to: start, time: humanDuration(start - m.createdAt) });
    if (m.startedAt !== null) rows.push({ ...tip, part: 'copy', outcome: outcome(m), from: m.startedAt, to: Math.max(stop, m.startedAt), time: humanDuration(stop - m.startedAt) });
  }
  const nodes = naturalSort(new Set(shown.map((m) => m.sourceNode!)));
  const layout = rowLayout(nodes.length, [...lanes.values()].reduce((a, l) => Math.max(a, l + 1), 1));
  const tooltip = ['vm', 'migration', 'node', 'target', 'part', 'time', 'outcome', 'bytes', 'rounds', 'downtime', 'reason'].map((f) => ({ field: f }));
  const spec: Spec = {
    width: WIDTH,
    height: layout.height,
    layer: [
      ...outageLayer(series),
      {
        data: { values: rows },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'node', type: 'nominal', sort: nodes, title: `source node (${nodes.length})`, axis: layout.axis },
          // migrations running at once on one node take separate lanes of its row
          yOffset: { field: 'lane', type: 'ordinal' },
          x: { field: 'from', type: 'quantitative', axis: timeAxis(end), scale: { domain: [0, end > 0 ? end : 1] } },
          x2: { field: 'to' },
          // queue time is a pale grey bar, copy time a bar coloured by outcome
          opacity: { field: 'part', type: 'ordinal', scale: { domain: ['queued', 'copy'], range: [0.55, 0.9] }, legend: null },
          color: { field: 'outcome', type: 'nominal', scale: { domain: OUTCOMES, range: OUTCOME_COLORS }, title: 'outcome' },
          tooltip,
        },
      },
    ],
  };
  const caption =
    'Each migration on its source node (migrations at the same time take separate lanes): a pale grey bar while it waits (created → started: queue, target pod), a full bar while it copies, coloured by outcome. Red bands are outages. Hover a bar for the VM, bytes, rounds, downtime and reason.' +
    (rule ? ` Sampled: ${rule}` : '');
  return { spec, caption, marks: rows.length };
}

/** Collapses points at one instant to the last, then keeps the maximum per time slice past the budget. */
export function concurrencyPoints(series: RunSeries): { points: { t: number; cluster: number; busiestNode: number }[]; sliced: number | null } {
  const byT: { t: number; cluster: number; busiestNode: number }[] = [];
  for (const p of series.concurrency) {
    const last = byT[byT.length - 1];
    if (last && last.t === p.t) {
      last.cluster = p.cluster;
      last.busiestNode = p.busiestNode;
    } else byT.push({ ...p });
  }
  if (byT.length <= MAX_CONCURRENCY_POINTS || series.endTime <= 0) return { points: byT, sliced: null };
  const slices = MAX_CONCURRENCY_POINTS / 2;
  const width = series.endTime / slices;
  const out: { t: number; cluster: number; busiestNode: number }[] = [];
  let level = { cluster: 0, busiestNode: 0 };
  let i = 0;
  for (let s = 0; s < slices; s++) {
    // the level in force at the slice's start, then the highest reached inside it
    const slice = { t: s * width, cluster: level.cluster, busiestNode: level.busiestNode };
    while (i < byT.length && byT[i]!.t < (s + 1) * width) {
      level = byT[i]!;
      slice.cluster = Math.max(slice.cluster, level.cluster);
      slice.busiestNode = Math.max(slice.busiestNode, level.busiestNode);
      i++;
    }
    out.push(slice);
  }
  return { points: out, sliced: slices };
}

export function concurrencyChart(series: RunSeries, limits: { cluster: number; perNode: number }): { spec: Spec; caption: string } {
  const { points, sliced } = concurrencyPoints(series);
  const values = [{ t: 0, cluster: 0, busiestNode: 0 }, ...points, { t: series.endTime, cluster: 0, busiestNode: 0 }].flatMap((p) => [
    { t: p.t, series: 'cluster', running: p.cluster },
    { t: p.t, series: 'busiest source node', running: p.busiestNode },
  ]);
  const rules = [
    { limit: `parallelMigrationsPerCluster = ${limits.cluster}`, value: limits.cluster, series: 'cluster' },
    { limit: `parallelOutboundMigrationsPerNode = ${limits.perNode}`, value: limits.perNode, series: 'busiest source node' },
  ];
  const color = { field: 'series', type: 'nominal', scale: { domain: ['cluster', 'busiest source node'], range: ['#1565c0', '#ef6c00'] }, title: null };
  const x = { field: 't', type: 'quantitative', axis: timeAxis(series.endTime), scale: { domain: [0, series.endTime > 0 ? series.endTime : 1] } };
  const nodes = naturalSort(new Set(series.nodeConcurrency.map((p) => p.node)));
  const nodeLines: Spec[] =
    nodes.length > 0 && nodes.length <= MAX_NODE_LINES
      ? [
          {
            data: { values: [...nodes.map((node) => ({ t: 0, node, running: 0 })), ...series.nodeConcurrency, ...nodes.map((node) => ({ t: series.endTime, node, running: 0 }))] },
            mark: { type: 'line', interpolate: 'step-after', color: '#9e9e9e', strokeWidth: 1, opacity: 0.7 },
            encoding: { x, y: { field: 'running', type: 'quantitative' }, detail: { field: 'node' }, tooltip: [{ field: 'node' }, { field: 'running' }] },
          },
        ]
      : [];
  const spec: Spec = {
    width: WIDTH,
    height: 220,
    layer: [
      ...outageLayer(series),
      ...nodeLines,
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 'running', type: 'quantitative', title: 'migrations in flight', axis: { tickMinStep: 1 } },
          color,
          tooltip: [{ field: 'series' }, { field: 'running' }, { field: 't', title: 'at (s)', format: '.1f' }],
        },
      },
      {
        data: { values: rules },
        mark: { type: 'rule', strokeDash: [6, 4] },
        encoding: { y: { field: 'value', type: 'quantitative' }, color, tooltip: [{ field: 'limit' }] },
      },
      {
        data: { values: rules },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, fontSize: 11 },
        encoding: { y: { field: 'value', type: 'quantitative' }, x: { value: 0 }, text: { field: 'limit' }, color },
      },
    ],
  };
  const caption =
    'Migrations past Pending and not yet final (what KubeVirt counts against its limits), in the whole cluster and on the busiest source node at each instant; dashed lines are the limits.' +
    (nodeLines.length > 0 ? ' Thin grey lines: each source node (hover for its name).' : '') +
    (sliced ? ` Over ${MAX_CONCURRENCY_POINTS} changes: each of ${sliced} equal time slices shows the highest count inside it.` : '');
  return { spec, caption };
}

export function bandwidthChart(series: RunSeries): { spec: Spec; caption: string } | null {
  const binned = binTraffic(series.traffic, series.endTime, BANDWIDTH_BINS);
  if (binned.size === 0) return null;
  const totals = [...binned.entries()].map(([node, row]) => ({ node, total: row.reduce((a, b) => a + b, 0) }));
  totals.sort((a, b) => b.total - a.total || (a.node < b.node ? -1 : 1));
  const lines = new Map<string, number[]>();
  const many = totals.length > MAX_NIC_LINES + 1;
  for (const { node } of many ? totals.slice(0, MAX_NIC_LINES) : totals) lines.set(node, binned.get(node)!);
  if (many) {
    const other = new Array<number>(BANDWIDTH_BINS).fill(0);
    for (const { node } of totals.slice(MAX_NIC_LINES)) binned.get(node)!.forEach((v, i) => (other[i]! += v));
    lines.set(`other ${totals.length - MAX_NIC_LINES} nodes (sum)`, other);
  }
  const width = series.endTime / BANDWIDTH_BINS;
  const values: Spec[] = [];
  for (const [node, row] of lines) {
    row.forEach((v, i) => values.push({ node, t: i * width, mibps: Math.round((v / MiB) * 1000) / 1000 }));
    values.push({ node, t: series.endTime, mibps: 0 });
  }
  const spec: Spec = {
    width: WIDTH,
    height: 220,
    layer: [
      ...outageLayer(series),
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x: { field: 't', type: 'quantitative', axis: timeAxis(series.endTime), scale: { domain: [0, series.endTime > 0 ? series.endTime : 1] } },
          y: { field: 'mibps', type: 'quantitative', title: 'MiB/s sent' },
          color: { field: 'node', type: 'nominal', title: 'source NIC' },
          tooltip: [{ field: 'node' }, { field: 'mibps', title: 'MiB/s', format: ',.1f' }, { field: 't', title: 'slice start (s)', format: '.1f' }],
        },
      },
    ],
  };
  const caption =
    `Bytes per second leaving each source node's NIC, averaged over ${BANDWIDTH_BINS} equal time slices. Approximation: a pre-copy round's bytes are spread evenly over the round; the rest of what a migration sent (stop-and-copy, post-copy, a pass cut short) from its last round to its end.` +
    (many ? ` The ${MAX_NIC_LINES} busiest NICs are drawn one by one, the other ${totals.length - MAX_NIC_LINES} as one summed line.` : '');
  return { spec, caption };
}

/** Migrations offered in the per-round chart: every failed one first, then the most rounds. */
export function roundMigrations(results: Results, series: RunSeries): { chosen: string[]; total: number } {
  const rounds = new Map<string, number>();
  for (const r of series.rounds) rounds.set(r.migration, (rounds.get(r.migration) ?? 0) + 1);
  const phase = new Map(results.migrations.map((m) => [m.name, m.phase]));
  const names = [...rounds.keys()];
  names.sort((a, b) => Number(phase.get(b) === 'Failed') - Number(phase.get(a) === 'Failed') || rounds.get(b)! - rounds.get(a)! || (a < b ? -1 : 1));
  return { chosen: names.slice(0, MAX_ROUND_MIGRATIONS), total: names.length };
}

export function roundsChart(results: Results, series: RunSeries): { spec: Spec; caption: string } | null {
  const { chosen, total } = roundMigrations(results, series);
  if (chosen.length === 0) return null;
  const keep = new Set(chosen);
  const byName = new Map(results.migrations.map((m) => [m.name, m]));
  const label = (name: string): string => {
    const m = byName.get(name);
    return m ? `${m.vmi} · ${name} · ${m.phase}${m.reason ? ` (${m.reason})` : ''}` : name;
  };
  // log scale: bytes below 1 KiB are drawn at 1 KiB (0.001 MiB)
  const mib = (b: number): number => Math.max(0.001, Math.round((b / MiB) * 1000) / 1000);
  const values = series.rounds
    .filter((r) => keep.has(r.migration))
    .flatMap((r) => [
      { key: label(r.migration), iteration: r.iteration, what: 'remaining after the round', mib: mib(r.remainingBytes), bytes: humanBytes(r.remainingBytes), rate: humanBytes(r.bytesPerSecond) + '/s' },
      { key: label(r.migration), iteration: r.iteration, what: 'switch-over threshold', mib: mib(r.thresholdBytes), bytes: humanBytes(r.thresholdBytes), rate: humanBytes(r.bytesPerSecond) + '/s' },
    ]);
  const options = chosen.map(label);
  const spec: Spec = {
    width: WIDTH,
    height: 240,
    params: [{ name: 'migration', value: options[0], bind: { input: 'select', options, name: 'migration: ' } }],
    data: { values },
    transform: [{ filter: 'datum.key === migration' }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'pre-copy round (dirty-bitmap sync)', axis: { tickMinStep: 1 } },
      y: { field: 'mib', type: 'quantitative', scale: { type: 'log' }, title: 'MiB (log scale)' },
      color: { field: 'what', type: 'nominal', scale: { domain: ['remaining after the round', 'switch-over threshold'], range: ['#1565c0', '#c62828'] }, title: null },
      strokeDash: { field: 'what', type: 'nominal', scale: { domain: ['remaining after the round', 'switch-over threshold'], range: [[1, 0], [6, 4]] }, legend: null },
      tooltip: [{ field: 'key', title: 'migration' }, { field: 'iteration', title: 'round' }, { field: 'what' }, { field: 'bytes' }, { field: 'rate', title: 'bandwidth' }],
    },
  };
  const caption =
    "For the migration chosen above: the bytes dirtied during each round (what is left to send) against QEMU's switch-over threshold, bandwidth × downtime limit. It switches over at the first round whose remaining bytes fall under the threshold; a line that stays above never converges." +
    (total > chosen.length ? ` The selector offers ${chosen.length} of the ${total} migrations with rounds: every failed one first, then those with the most rounds; rounds.csv has them all.` : '');
  return { spec, caption };
}

export function nodeTimelineChart(series: RunSeries): { spec: Spec; caption: string } | null {
  if (series.nodeWindows.length === 0) return null;
  const values = series.nodeWindows.map((w) => {
    const to = w.to ?? series.endTime;
    const phase = w.kind === 'drain' ? (w.to === null ? 'drain (did not finish)' : 'drain') : w.to === null ? 'upgrade (did not finish)' : 'upgrade';
    return { node: w.node, phase, from: w.from, to, time: humanDuration(to - w.from) };
  });
  const nodes = naturalSort(new Set(values.map((v) => v.node)));
  const layout = rowLayout(nodes.length);
  const spec: Spec = {
    width: WIDTH,
    height: layout.height,
    layer: [
      ...outageLayer(series),
      {
        data: { values },
        mark: { type: 'bar', opacity: 0.9 },
        encoding: {
          y: { field: 'node', type: 'nominal', sort: nodes, title: `node (${nodes.length})`, axis: layout.axis },
          x: { field: 'from', type: 'quantitative', axis: timeAxis(series.endTime), scale: { domain: [0, series.endTime > 0 ? series.endTime : 1] } },
          x2: { field: 'to' },
          color: {
            field: 'phase',
            type: 'nominal',
            scale: { domain: ['drain', 'drain (did not finish)', 'upgrade', 'upgrade (did not finish)'], range: ['#0277bd', '#c62828', '#7cb342', '#f9a825'] },
            title: null,
          },
          tooltip: [{ field: 'node' }, { field: 'phase' }, { field: 'time' }, { field: 'from', title: 'from (s)', format: '.1f' }, { field: 'to', title: 'to (s)', format: '.1f' }],
        },
      },
    ],
  };
  return { spec, caption: 'Each node: cordon and drain (evacuation by live migration), then the upgrade and reboot. Red bands are outages.' };
}
