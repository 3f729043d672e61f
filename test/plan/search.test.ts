// The planner's grid and search, on a fake evaluator whose answer is known in closed form.
import { describe, expect, it } from 'vitest';
import { GridError, gridPoints, parseAxis } from '../../src/plan/grid.js';
import { midpoints, search, type Evaluator, type PlanPoint, type PointStats } from '../../src/plan/search.js';

describe('sweep grid', () => {
  it.each([
    ['spec.x=1,2,4', ['1', '2', '4']],
    ['spec.b=64Mi..256Mi/64Mi', ['64Mi', '128Mi', '192Mi', '256Mi']],
    ['spec.t=0.1..0.3/0.1', ['0.1', '0.2', '0.3']],
    ['spec.p=true,false', ['true', 'false']],
    ['spec.n=1..10/4', ['1', '5', '9']],
  ])('%s', (text, values) => {
    expect(parseAxis(text).values).toEqual(values);
  });

  it.each([
    ['spec.x', /expected PATH=V1,V2/],
    ['spec.x=', /no values/],
    ['spec.x=1,,2', /an empty value/],
    ['spec.x=1,1', /listed twice/],
    ['spec.b=64Mi..1Gi/64Mi', /share one unit \(got Mi, Gi\)/],
    ['spec.b=4..1/1', /the end is below the start/],
    ['spec.b=1..4/0', /the step must be positive/],
    ['spec.b=0..1e9/1', /start, end and step must be numbers/],
    ['spec.b=0..100000/1', /100001 values, more than the 10000/],
  ])('rejects %s', (text, message) => {
    expect(() => parseAxis(text)).toThrow(GridError);
    expect(() => parseAxis(text)).toThrow(message);
  });

  it('points are every combination, the first axis slowest', () => {
    const pts = gridPoints([parseAxis('a=1,2'), parseAxis('b=x,y,z')]);
    expect(pts.map((p) => p.overrides.join(' '))).toEqual(['a=1 b=x', 'a=1 b=y', 'a=1 b=z', 'a=2 b=x', 'a=2 b=y', 'a=2 b=z']);
    expect(() => gridPoints([parseAxis('a=1,2'), parseAxis('a=3')])).toThrow(/a path is given twice \(a\)/);
  });

  it.each([
    [['1', '2', '4', '8'], '4', ['3', '6']],
    [['64Mi', '128Mi', '256Mi'], '64Mi', ['96Mi']],
    [['true', 'false'], 'true', []],
  ])('midpoints of %j around %s', (values, chosen, expected) => {
    expect(midpoints(values, chosen)).toEqual(expected);
  });
});

// A wave of 24 migrations of 100 s each: p95 = 100 · ⌈24 / p⌉ s at parallelism p, plus 50 s per
// VM that fails ("db" fails unless a policy with auto-converge covers it, or post-copy is on for
// the whole cluster — which the constraints allow but the planner should not prefer).
function fakeEvaluator(calls: { point: PlanPoint; runs: number }[]): Evaluator {
  return async (point, runs) => {
    calls.push({ point, runs });
    const get = (path: string, dflt: string) => point.overrides.find((o) => o.startsWith(`${path}=`))?.split('=')[1] ?? dflt;
    const p = Number(get('spec.p', '1'));
    const clusterPostCopy = get('spec.postCopy', 'false') === 'true';
    const dbFixed = clusterPostCopy || point.policies.some((x) => x.spec.allowAutoConverge === true && x.vms.includes('prod/db'));
    const makespan = 100 * Math.ceil(24 / p) + (dbFixed ? 0 : 50);
    const q = { p50: makespan, p90: makespan, p95: makespan, p99: makespan, max: makespan };
    const stats: PointStats = {
      runs,
      makespanSeconds: q,
      withinWindowProbability: makespan <= 700 ? 1 : 0,
      failureProbability: dbFixed ? 0 : 1,
      maxDowntimeP95: 0.1,
      vms: [{ vmi: 'prod/db', failureProbability: dbFixed ? 0 : 1, reasons: dbFixed ? {} : { MigrationTimeout: 1 } }],
    };
    return stats;
  };
}

describe('plan search', () => {
  const constraints = { window: 700, confidence: 0.95, maxFailureProbability: 0.01, maxDowntime: 1 };
  const fixDb = () => [[{ name: 'migsim-plan', selector: { app: 'db' }, vms: ['prod/db'], spec: { allowAutoConverge: true } }]];

  it('finds the parallelism that fits the window, and fixes the failing VM with a policy rather than cluster-wide post-copy', async () => {
    const calls: { point: PlanPoint; runs: number }[] = [];
    const r = await search({
      evaluate: fakeEvaluator(calls),
      axes: [parseAxis('spec.p=1,2,4,8'), parseAxis('spec.postCopy=false,true')],
      runs: 64,
      constraints,
      policyCandidates: fixDb,
    });
    expect(r.baseline.feasible).toBe(false);
    expect(r.feasible).toBe(true);
    // p = 8: 100 · 3 = 300 s; p = 6 (the refinement's midpoint between 4 and 8) gives 400 s
    expect(r.best.stats.makespanSeconds.p95).toBe(300);
    expect(r.best.point.overrides).toEqual(['spec.p=8']);
    expect(r.best.point.policies).toEqual(fixDb()[0]);
    expect(r.best.stats.runs).toBe(64);
    // the first points cost 8 runs each (64 / 8); only the survivors of the halving reach 64
    expect(Math.min(...calls.map((c) => c.runs))).toBe(8);
    expect(calls.filter((c) => c.runs === 64).length).toBeLessThanOrEqual(2);
  });

  it('reports an infeasible window with the best point found and which constraint fails', async () => {
    const r = await search({
      evaluate: fakeEvaluator([]),
      axes: [parseAxis('spec.p=1,2')],
      runs: 16,
      constraints: { ...constraints, window: 100 },
      policyCandidates: fixDb,
    });
    expect(r.feasible).toBe(false);
    // p = 2 and db fixed: 1200 s, outside the 100 s window, no failure
    expect(r.best.stats.makespanSeconds.p95).toBe(1200);
    expect(r.best.violations).toEqual({ window: 0.95, failures: 0, downtime: 0 });
  });
});
