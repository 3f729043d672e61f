// The sweep and plan reports without a browser: the Vega-Lite specs their builders hand over (by
// field), the panel cap for big grids, and the CLI's `--report` (determinism, provenance, the
// PlanDocument's evaluated points). test/report/browser.test.ts draws them in chromium.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../src/cli/plan.js';
import type { SweepDocument, SweepRow } from '../../src/cli/sweep.js';
import { gridPoints, type Axis } from '../../src/plan/grid.js';
import { chartsOf } from '../../src/report/html/document.js';
import { describePoint, planDurationSpec, planReport, planScatterSpec } from '../../src/report/html/plan.js';
import { MAX_LABELS, MAX_PANELS, sweepChartData, sweepChartSpec, sweepReport } from '../../src/report/html/sweep.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');
const provenance = { version: '0.1.0', seed: 1, command: 'test' };
const q = (s: number) => ({ p50: s, p90: s, p95: s, p99: s, max: s });

/**
 * A synthetic sweep: the p95 of a point is 100 s × the product of its axis indexes + 1 (so the
 * first point is 100 s), its P(failure) the first axis's index / 10; none finished at a point
 * whose every index is 1 (makespan null).
 */
function sweep(axes: Axis[]): SweepDocument {
  const points: SweepRow[] = gridPoints(axes).map((g) => {
    const idx = axes.map((a) => a.values.indexOf(g.values[a.path]!));
    const stuck = idx.every((i) => i === 1);
    return {
      values: g.values,
      runs: 4,
      makespanSeconds: stuck ? null : q(100 * (idx.reduce((a, b) => a * b, 1) + 1)),
      withinWindowProbability: null,
      failureProbability: idx[0]! / 10,
      failedMigrations: null,
      maxDowntimeSeconds: q(0.001),
      incompleteProbability: 0,
    };
  });
  return { scenario: 's', runs: 4, seed: 1, windowSeconds: null, axes, points };
}

const A: Axis = { path: 'spec.kubevirt.configuration.migrations.parallelOutboundMigrationsPerNode', values: ['1', '2', '4'] };
const B: Axis = { path: 'spec.kubevirt.configuration.migrations.bandwidthPerMigration', values: ['0', '64Mi'] };
const C: Axis = { path: 'spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster', values: ['2', '5'] };
const D: Axis = { path: 'spec.x.d', values: ['a', 'b', 'c', 'd'] };
const E: Axis = { path: 'spec.x.e', values: ['a', 'b', 'c', 'd'] };

type Spec = Record<string, any>;

describe('sweepChartSpec: the chart by the number of axes', () => {
  it.each([
    // one axis: line + text labels, the axis values in the order given on the x axis
    { axes: [A], top: 'layer', marks: ['line', 'text'], facet: null },
    // two axes: a heatmap, rect + text, x = first axis, y = second
    { axes: [A, B], top: 'layer', marks: ['rect', 'text'], facet: null },
    // three: the same heatmap in one panel per value of the third axis (2 panels)
    { axes: [A, B, C], top: 'facet', marks: ['rect', 'text'], facet: 2 },
  ])('$axes.length axes: $marks', ({ axes, top, marks, facet }) => {
    const doc = sweep(axes);
    for (const metric of ['p95', 'failure'] as const) {
      const s = sweepChartSpec(doc, metric) as Spec;
      const layers = top === 'facet' ? s.spec.layer : s.layer;
      expect(Object.keys(s)).toContain(top);
      expect(layers.map((l: Spec) => l.mark.type)).toEqual(marks);
      // axis values as data keys a0, a1 (paths have dots, which Vega reads as nesting), in given order
      expect(layers[0].encoding.x).toMatchObject({ field: 'a0', type: 'ordinal', sort: A.values, title: 'parallelOutboundMigrationsPerNode' });
      if (axes.length >= 2) {
        expect(layers[0].encoding.y).toMatchObject({ field: 'a1', sort: B.values, title: 'bandwidthPerMigration' });
        expect(layers[0].encoding.color.field).toBe(metric);
        expect(layers[1].encoding.text.field).toBe(metric === 'p95' ? 'p95Label' : 'failureLabel');
      } else expect(layers[0].encoding.y.field).toBe(metric);
      if (facet !== null) expect(s.facet.sort).toEqual(['parallelMigrationsPerCluster=2', 'parallelMigrationsPerCluster=5']);
      // every point is one datum
      expect(s.data.values).toHaveLength(doc.points.length);
    }
  });

  it('labels each cell: p95 as a duration ("none done" where no run finished), P(failure) in percent', () => {
    const { values } = sweepChartData(sweep([A, B]));
    // A=1,B=0: indexes (0,0): 100 × 0 + 100 = 100 s; A=2,B=64Mi: indexes (1,1): none finished
    expect(values[0]).toMatchObject({ a0: '1', a1: '0', p95: 100, p95Label: '1m 40s', failure: 0, failureLabel: '0%' });
    expect(values[3]).toMatchObject({ a0: '2', a1: '64Mi', p95: null, p95Label: 'none done', failure: 0.1, failureLabel: '10%' });
    // A=4,B=64Mi: indexes (2,1): 100 × 2 + 100 = 300 s
    expect(values[5]).toMatchObject({ a0: '4', a1: '64Mi', p95: 300, failure: 0.2 });
  });

  it(`draws at most ${MAX_PANELS} panels of a big grid, the first in grid order`, () => {
    // A × B × D × E: 3 × 2 cells per panel, 4 × 4 = 16 panels, 12 drawn = 72 of 96 points
    const d = sweepChartData(sweep([A, B, D, E]));
    expect(d.panels).toHaveLength(MAX_PANELS);
    expect(d.panels[0]).toBe('d=a, e=a');
    expect(d.panels[11]).toBe('d=c, e=d');
    expect(d.shownPoints).toBe(72);
    const r = sweepReport({ sweep: sweep([A, B, D, E]), provenance });
    expect(chartsOf(r)[0]!.caption).toContain(`the first 12 of 16 panels (72 of 96 points) are drawn`);
  });
});

describe('labels on a big panel', () => {
  it.each([
    // 20 × 20 = 400 cells: labelled; 21 × 20 = 420: colour and tooltip only
    { x: 20, y: 20, marks: ['rect', 'text'] },
    { x: 21, y: 20, marks: ['rect'] },
    // one axis of 400 points keeps its labels, 401 does not
    { x: 400, y: 0, marks: ['line', 'text'] },
    { x: 401, y: 0, marks: ['line'] },
  ])('$x × $y: $marks', ({ x, y, marks }) => {
    const axis = (path: string, n: number): Axis => ({ path, values: Array.from({ length: n }, (_, i) => String(i + 1)) });
    const doc = sweep(y ? [axis('spec.x', x), axis('spec.y', y)] : [axis('spec.x', x)]);
    expect(MAX_LABELS).toBe(400);
    expect((sweepChartSpec(doc, 'p95') as Spec).layer.map((l: Spec) => l.mark.type)).toEqual(marks);
  });
});

describe('sweepReport', () => {
  it('has the summary, the axes, both figures and every point; check findings when given', () => {
    const doc = sweep([A, B]);
    const r = sweepReport({ sweep: doc, provenance, check: null });
    expect(r.sections.map((s) => s.id)).toEqual(['summary', 'check', 'axes', 'figures', 'points']);
    expect(chartsOf(r).map((c) => c.id)).toEqual(['chart-sweep-p95', 'chart-sweep-failure']);
    const points = r.sections.find((s) => s.id === 'points')!.blocks[0]!;
    expect(points.kind === 'table' && points.rows.length).toBe(6);
    // shortest p95: 100 s at the first point (indexes 0, 0)
    expect(r.subtitle).toBe('6 points × 4 runs; shortest p95 1m 40s at parallelOutboundMigrationsPerNode=1, bandwidthPerMigration=0.');
  });
});

const figures = (p50: number, p95: number, within: number, failure: number, feasible: boolean) => ({
  runs: 8,
  makespanSeconds: { p50, p90: p95, p95, p99: p95, max: p95 },
  withinWindowProbability: within,
  failureProbability: failure,
  maxDowntimeP95Seconds: 0.1,
  feasible,
  violations: {},
});

function plan(): PlanDocument {
  const policy = { name: 'migsim-plan', selector: { app: 'db' }, vms: ['default/db'], spec: { allowAutoConverge: true } };
  return {
    scenario: 'p',
    seed: 1,
    constraints: { windowSeconds: 3600, confidence: 0.95, maxFailureProbability: 0.01, maxDowntimeSeconds: null },
    feasible: true,
    baseline: figures(7200, 10800, 0, 1, false),
    recommendation: { migrations: {}, migrationPolicies: [], maxUnavailable: [], other: {}, labelVms: [], ...figures(70, 72, 1, 0, true) },
    failing: [],
    bounds: ['NIC bandwidth'],
    axes: [A],
    pointsEvaluated: 3,
    simulations: 20,
    yaml: 'kind: MigrationPolicy\n',
    evaluated: [
      { overrides: [], policies: [], runs: 8, p95: 10800, failureProbability: 1, withinWindowProbability: 0, feasible: false, recommended: false },
      { overrides: [`${A.path}=4`], policies: [], runs: 4, p95: 10800, failureProbability: 1, withinWindowProbability: 0, feasible: false, recommended: false },
      { overrides: [], policies: [policy], runs: 8, p95: 72, failureProbability: 0, withinWindowProbability: 1, feasible: true, recommended: true },
    ],
  };
}

describe('plan report specs', () => {
  it('grouped bars: p50 and p95 of the baseline and the recommendation, the window as a rule', () => {
    const s = planDurationSpec(plan()) as Spec;
    const bars = s.layer[0];
    expect(bars.data.values.map((v: Spec) => [v.config, v.quantile, v.seconds])).toEqual([
      ['baseline (as written)', 'p50', 7200],
      ['baseline (as written)', 'p95', 10800],
      ['recommendation', 'p50', 70],
      ['recommendation', 'p95', 72],
    ]);
    expect(bars.layer[0].encoding).toMatchObject({ x: { field: 'quantile' }, xOffset: { field: 'config' }, y: { field: 'seconds' } });
    // the window (1 h) is a dashed rule, labelled; at most 6 ticks to the tallest bar (3 h):
    // 3 h / 6 = 30 min steps, 0 to 3 h
    expect(s.layer[1].data.values).toEqual([{ what: 'window', seconds: 3600, label: 'window 1h' }]);
    expect(s.layer[1].layer[0].mark).toMatchObject({ type: 'rule', strokeDash: [5, 3] });
    expect(bars.layer[0].encoding.y.axis.values).toEqual([0, 1800, 3600, 5400, 7200, 9000, 10800]);
  });

  it('scatter: every evaluated point, feasible ones green, the baseline and the recommendation marked', () => {
    const s = planScatterSpec(plan()) as Spec;
    const values = s.layer[0].data.values as Spec[];
    expect(values.map((v) => [v.point, v.p95, v.failure, v.status, v.role])).toEqual([
      ['as written', 10800, 1, 'does not', 'baseline'],
      ['parallelOutboundMigrationsPerNode=4', 10800, 1, 'does not', 'other'],
      ['policy migsim-plan for default/db (allowAutoConverge=true)', 72, 0, 'meets the constraints', 'recommendation'],
    ]);
    expect(s.layer[0].layer[0].encoding.color.scale).toEqual({ domain: ['meets the constraints', 'does not'], range: ['#188038', '#c5221f'] });
    expect(s.layer[0].layer[1].transform).toEqual([{ filter: "datum.role !== 'other'" }]);
    // the failure bound (1%) as a rule
    expect(s.layer[1].data.values[0].failure).toBe(0.01);
  });

  it('describes a point by the last part of each path and what each policy sets', () => {
    expect(describePoint({ overrides: [], policies: [] })).toBe('as written');
    expect(describePoint({ overrides: ['spec.a.b=1', 'spec.vms[name=db].c=2Mi', 'spec.vms[name=db]=x'], policies: [] })).toBe('b=1, c=2Mi, vms[name=db]=x');
  });

  it('the report: side by side, constraints met or not, bounds, the YAML with a Copy button, the points', () => {
    const r = planReport({ plan: plan(), provenance });
    expect(r.sections.map((s) => s.id)).toEqual(['summary', 'durations', 'constraints', 'bounds', 'recommendation', 'evaluated']);
    const constraints = r.sections.find((s) => s.id === 'constraints')!.blocks[0]!;
    expect(constraints.kind === 'table' && constraints.rows).toEqual([
      ['inside the window (1h)', '≥ 95.0% of runs', '0.0%', '100.0%', 'met'],
      ['P(failure)', '≤ 1.0%', '100.0%', '0.0%', 'met'],
    ]);
    expect(r.sections.find((s) => s.id === 'recommendation')!.blocks[1]).toEqual({ kind: 'pre', text: 'kind: MigrationPolicy\n', copyId: 'recommendation-yaml' });
    expect(r.subtitle).toBe('Recommendation: p95 1m 12s (as written 3h), 100.0% inside the 1h window, P(failure) 0.0%.');
  });
});

describe('sweep --report and plan --report on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-sweep-plan-'));
  const run = (args: string[]) => spawnSync(process.execPath, [main, ...args, '--workers', '1', '--quiet'], { cwd: root, encoding: 'utf8' });

  it.each([
    ['sweep', ['sweep', 'test/fixtures/plan/uncontended-drain.yaml', '--set', `${A.path}=1,2`, '--runs', '2']],
    ['plan', ['plan', 'test/fixtures/plan/uncontended-drain.yaml', '--window', '10m', '--runs', '2', '--vary', `${A.path}=1,2,4`]],
  ])('%s: the same command twice writes the same bytes, with the command line as provenance', (name, args) => {
    const a = join(dir, `${name}-a.html`);
    const b = join(dir, `${name}-b.html`);
    expect(run([...args, '--report', a]).status).toBe(0);
    expect(run([...args, '--report', b]).status).toBe(0);
    const html = readFileSync(a, 'utf8');
    // toBe would print both megabytes on a difference
    expect(readFileSync(b, 'utf8').replace(`${name}-b.html`, `${name}-a.html`) === html).toBe(true);
    expect(html.includes(`<code>migsim ${args.join(' ')} --report ${a} --workers 1 --quiet</code>`)).toBe(true);
    expect(html.includes('Check findings')).toBe(true);
  }, 120_000);

  it('plan --json lists every evaluated point, the recommendation among them', () => {
    const r = run(['plan', 'test/fixtures/plan/uncontended-drain.yaml', '--window', '10m', '--runs', '2', '--vary', `${A.path}=1,2,4`, '--json']);
    const doc = JSON.parse(r.stdout) as PlanDocument;
    expect(doc.evaluated).toHaveLength(doc.pointsEvaluated);
    expect(doc.evaluated[0]).toMatchObject({ overrides: [], policies: [] });
    expect(doc.evaluated.filter((e) => e.recommended)).toHaveLength(1);
    // ⌈8/p⌉ migrations of 16.03 s each: p=4 drains in 2 × 16.03 s, the shortest of 1, 2, 4
    expect(doc.evaluated.find((e) => e.recommended)!.overrides).toEqual([`${A.path}=4`]);
  }, 120_000);

  it('plan writes its report when nothing meets the constraints (exit 3), saying so', () => {
    // 8 VMs of 4 GiB at 256 MiB/s take ⌈8/p⌉ × 16.03 s ≥ 32 s: no point ends inside 10 s
    const file = join(dir, 'plan-infeasible.html');
    const r = run(['plan', 'test/fixtures/plan/uncontended-drain.yaml', '--window', '10s', '--runs', '2', '--vary', `${A.path}=1,4`, '--report', file]);
    expect(r.status).toBe(3);
    const html = readFileSync(file, 'utf8');
    expect(html.includes('Nothing meets the constraints; the best found: p95 32s')).toBe(true);
    expect(html.includes('<td>inside the window (10s)</td><td>≥ 95.0% of runs</td><td>0.0%</td><td>0.0%</td><td>NOT MET</td>')).toBe(true);
  }, 120_000);

  it('an unwritable report is a user error (exit 2) naming the file', () => {
    const r = run(['sweep', 'test/fixtures/plan/uncontended-drain.yaml', '--set', `${A.path}=1`, '--runs', '1', '--report', '/nonexistent/dir/r.html']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^migsim: cannot write the report \/nonexistent\/dir\/r\.html/);
  }, 60_000);
});
