// The planner's search: which migrationConfiguration (and which MigrationPolicies for the few VMs
// that drive the result) meet the constraints with the shortest p95 duration.
//
// 1. Baseline: the scenario as written.
// 2. Coordinate descent over the cluster-wide axes, two passes: each axis's values with the others
//    fixed, at a few runs per point; move to the best.
// 3. Refinement: midpoints between the chosen numeric value and its neighbours.
// 4. MigrationPolicies: the VMs that still fail (or made the baseline fail) get a policy of their
//    own, tried on top of the best cluster-wide point — preferred to a cluster-wide change when it
//    meets the constraints.
// 5. Successive halving over the best candidates: double the runs, keep the better half, until
//    one is left at the full number of runs. Dominated points cost a few runs each.
// Every point is evaluated with the same replication seeds (common random numbers), so
// differences come from the parameters, not from noise; the evaluator may reuse the replications a
// point already ran when it is asked for more.
import type { Quantiles } from '../forecast/quantiles.js';
import type { Axis } from './grid.js';

/** What the planner needs to know of a forecast of one point. */
export interface PointStats {
  runs: number;
  makespanSeconds: Quantiles;
  /** share of runs whose operations all ended inside the window */
  withinWindowProbability: number;
  /** share of runs with a failed migration, a lost VM or a VM still down at the end */
  failureProbability: number;
  /** p95 over runs of the longest downtime of any VM, seconds */
  maxDowntimeP95: number;
  vms: { vmi: string; failureProbability: number; reasons: Record<string, number> }[];
}

/** A MigrationPolicy the planner adds for some VMs (by a label selector). */
export interface PolicyPatch {
  name: string;
  selector: Record<string, string>;
  vms: string[];
  spec: { allowAutoConverge?: boolean; allowPostCopy?: boolean; bandwidthPerMigration?: string; completionTimeoutPerGiB?: number };
}

export interface PlanPoint {
  /** `path=value` overrides of the raw scenario */
  overrides: string[];
  policies: PolicyPatch[];
}

export type Evaluator = (point: PlanPoint, runs: number) => Promise<PointStats>;

export interface Constraints {
  /** seconds */
  window: number;
  /** the share of runs that must end inside the window */
  confidence: number;
  maxFailureProbability: number;
  /** seconds, or null for no bound */
  maxDowntime: number | null;
}

export interface Evaluated {
  point: PlanPoint;
  stats: PointStats;
  feasible: boolean;
  /** constraint → how far off (0 when met), for the report */
  violations: Record<string, number>;
}

export interface SearchResult {
  baseline: Evaluated;
  best: Evaluated;
  feasible: boolean;
  /** every point evaluated, at the most runs it got */
  evaluated: Evaluated[];
}

export interface SearchOptions {
  evaluate: Evaluator;
  axes: readonly Axis[];
  runs: number;
  constraints: Constraints;
  /** candidate policies for VMs that fail: a function of the failing VMs (see policies.ts) */
  policyCandidates: (failing: Evaluated) => PolicyPatch[][];
  /** units of work done / planned so far, for a progress bar */
  onProgress?: (done: number, planned: number) => void;
}

export function judge(stats: PointStats, c: Constraints): { feasible: boolean; violations: Record<string, number> } {
  const violations: Record<string, number> = {
    window: Math.max(0, c.confidence - stats.withinWindowProbability),
    failures: Math.max(0, stats.failureProbability - c.maxFailureProbability),
    downtime: c.maxDowntime === null ? 0 : Math.max(0, stats.maxDowntimeP95 - c.maxDowntime) / Math.max(c.maxDowntime, 1e-3),
  };
  return { feasible: Object.values(violations).every((v) => v === 0), violations };
}

/** Feasible before infeasible; among feasible, shorter p95; among infeasible, smaller violation. */
export function better(a: Evaluated, b: Evaluated): boolean {
  if (a.feasible !== b.feasible) return a.feasible;
  if (!a.feasible) {
    const va = total(a.violations);
    const vb = total(b.violations);
    if (va !== vb) return va < vb;
  }
  if (a.stats.makespanSeconds.p95 !== b.stats.makespanSeconds.p95) return a.stats.makespanSeconds.p95 < b.stats.makespanSeconds.p95;
  // equal: the one that changes less of the cluster (a policy touches only the VMs it selects)
  if (a.point.overrides.length !== b.point.overrides.length) return a.point.overrides.length < b.point.overrides.length;
  return a.point.policies.length < b.point.policies.length;
}

const total = (v: Record<string, number>): number => Object.values(v).reduce((a, b) => a + b, 0);

const keyOf = (p: PlanPoint): string => JSON.stringify([[...p.overrides].sort(), p.policies]);

export async function search(opts: SearchOptions): Promise<SearchResult> {
  const { axes, runs, constraints } = opts;
  const first = Math.min(runs, Math.max(4, Math.ceil(runs / 8)));
  const cache = new Map<string, Evaluated>();
  let done = 0;
  let planned = 1 + 2 * axes.reduce((n, a) => n + a.values.length, 0);

  const evaluate = async (point: PlanPoint, n: number): Promise<Evaluated> => {
    const key = keyOf(point);
    const hit = cache.get(key);
    if (hit && hit.stats.runs >= n) return hit;
    const stats = await opts.evaluate(point, n);
    const e = { point, stats, ...judge(stats, constraints) };
    cache.set(key, e);
    opts.onProgress?.(++done, planned);
    return e;
  };

  const baseline = await evaluate({ overrides: [], policies: [] }, first);
  let current = baseline;
  const withValue = (p: PlanPoint, path: string, value: string | null): PlanPoint => ({
    overrides: [...p.overrides.filter((o) => !o.startsWith(`${path}=`)), ...(value === null ? [] : [`${path}=${value}`])],
    policies: p.policies,
  });

  // 2. coordinate descent
  for (let pass = 0; pass < 2; pass++) {
    let moved = false;
    for (const axis of axes) {
      for (const v of axis.values) {
        const e = await evaluate(withValue(current.point, axis.path, v), first);
        if (better(e, current)) {
          current = e;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }

  // 3. refinement around the chosen numeric values
  for (const axis of axes) {
    const chosen = current.point.overrides.find((o) => o.startsWith(`${axis.path}=`))?.slice(axis.path.length + 1);
    if (chosen === undefined) continue;
    for (const v of midpoints(axis.values, chosen)) {
      planned++;
      const e = await evaluate(withValue(current.point, axis.path, v), first);
      if (better(e, current)) current = e;
    }
  }

  // 4. policies for the VMs that fail
  const failing = [current, baseline].find((e) => e.stats.vms.some((v) => v.failureProbability > 0));
  if (failing) {
    const candidates = opts.policyCandidates(failing);
    planned += candidates.length * 2;
    const best = current.point;
    // on the scenario as written, on the best cluster-wide point, and on that point less each of
    // its changes: a policy for a few VMs may make a cluster-wide change unnecessary
    const bases: PlanPoint[] = [
      { overrides: [], policies: [] },
      best,
      ...best.overrides.map((o) => ({ overrides: best.overrides.filter((x) => x !== o), policies: [] })),
    ];
    planned += candidates.length * (bases.length - 2);
    for (const policies of candidates) {
      for (const p of bases) {
        const e = await evaluate({ overrides: p.overrides, policies }, first);
        if (better(e, current) || (e.feasible && current.feasible && changesLess(e, current) && e.stats.makespanSeconds.p95 <= current.stats.makespanSeconds.p95 * 1.05)) current = e;
      }
    }
  }

  // 5. successive halving over the best few
  let pool = [...cache.values()].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0)).slice(0, 4);
  if (!pool.includes(current)) pool = [current, ...pool.slice(0, 3)];
  for (let n = first; ; ) {
    n = Math.min(runs, n * 2);
    planned += pool.length;
    const scored: Evaluated[] = [];
    for (const e of pool) scored.push(await evaluate(e.point, n));
    scored.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    if (n >= runs) {
      pool = scored.slice(0, 1);
      break;
    }
    pool = scored.slice(0, Math.max(1, Math.ceil(scored.length / 2)));
  }
  const best = pool[0]!;
  const baselineFull = await evaluate(baseline.point, runs);
  opts.onProgress?.(planned, planned);
  return { baseline: baselineFull, best, feasible: best.feasible, evaluated: [...cache.values()] };
}

/** Prefer fewer cluster-wide changes: a policy for a few VMs over loosening the whole cluster. */
function changesLess(a: Evaluated, b: Evaluated): boolean {
  return a.point.overrides.length < b.point.overrides.length;
}

const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)([A-Za-z]*)$/;

/** Midpoints between `chosen` and its neighbours in `values`, for numeric values with one unit. */
export function midpoints(values: readonly string[], chosen: string): string[] {
  const parsed = values.map((v) => NUMBER_WITH_UNIT.exec(v));
  if (parsed.some((p) => p === null) || new Set(parsed.map((p) => p![2])).size !== 1) return [];
  const unit = parsed[0]![2]!;
  const nums = parsed.map((p) => Number(p![1])).sort((a, b) => a - b);
  const c = NUMBER_WITH_UNIT.exec(chosen);
  if (!c) return [];
  const x = Number(c[1]);
  const i = nums.indexOf(x);
  if (i < 0) return [];
  const integer = nums.every(Number.isInteger);
  const out: string[] = [];
  for (const j of [i - 1, i + 1]) {
    if (j < 0 || j >= nums.length) continue;
    const mid = (x + nums[j]!) / 2;
    const m = integer ? Math.round(mid) : Number(mid.toPrecision(12));
    if (m !== x && m !== nums[j]) out.push(`${m}${unit}`);
  }
  return out;
}
