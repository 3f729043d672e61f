// Per-run summaries → the forecast: quantiles, probabilities, the worst tail. A pure function of
// the summaries in replication order, so the figures do not depend on how many workers, threads
// or machines produced them.

import { quantiles, type Quantiles } from './quantiles.js';
import type { ForecastLayout, RunSummary } from './summary.js';

export interface ForecastOptions {
  /** replications asked for */
  runs: number;
  /** replication i runs with seed `seed + i` */
  seed: number;
  /** seconds; null = no window given */
  window: number | null;
}

export interface ForecastDocument {
  scenario: string;
  runs: number;
  seed: number;
  /** replications that finished (= runs unless partial) */
  completedRuns: number;
  /** interrupted (Ctrl-C) or a worker failed twice: figures cover completedRuns only */
  partial: boolean;
  windowSeconds: number | null;
  makespanSeconds: Quantiles | null;
  /** share of runs in which some operation did not finish before the end of the run */
  incompleteProbability: number | null;
  /** share of runs in which every operation finished within the window; null without --window */
  withinWindowProbability: number | null;
  failedMigrations: Quantiles | null;
  totalDowntimeSeconds: Quantiles | null;
  maxDowntimeSeconds: Quantiles | null;
  vmsShutDown: Quantiles | null;
  vmsLost: Quantiles | null;
  vmsStillDown: Quantiles | null;
  operations: { operation: string; kind: string; at: number; durationSeconds: Quantiles | null; unfinishedProbability: number }[];
  waves: { name: string; makespanSeconds: Quantiles | null; unfinishedProbability: number; failedMigrations: Quantiles | null }[];
  nodes: { node: string; drainProbability: number; drainSeconds: Quantiles | null; notDrainedProbability: number }[];
  vms: { vmi: string; failureProbability: number; reasons: Record<string, number> }[];
  worstRuns: { replication: number; seed: number; makespanSeconds: number; complete: boolean }[];
  warnings: string[];
}

/** How many of the worst runs are listed: the worst 5 %, at least 1, at most 10. */
export function worstCount(n: number): number {
  return Math.min(n, 10, Math.max(1, Math.ceil(n * 0.05)));
}

/** `runs` must be sorted by replication (callers merge in that order). */
export function forecastDocument(layout: ForecastLayout, runs: readonly RunSummary[], opts: ForecastOptions): ForecastDocument {
  const n = runs.length;
  const share = (k: number) => (n === 0 ? 0 : k / n);
  const q = (f: (r: RunSummary) => number) => quantiles(runs.map(f));
  const notNull = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

  const drains = layout.nodes.map(() => ({ started: 0, seconds: [] as number[] }));
  const failedRuns = layout.vms.map(() => 0);
  const reasons = layout.vms.map(() => new Map<string, number>());
  for (const r of runs) {
    for (const [node, seconds] of r.drains) {
      drains[node]!.started++;
      if (seconds !== null) drains[node]!.seconds.push(seconds);
    }
    const failedHere = new Set<number>();
    for (const [vm, reason] of r.failures) {
      if (vm < 0) continue;
      failedHere.add(vm);
      reasons[vm]!.set(reason, (reasons[vm]!.get(reason) ?? 0) + 1);
    }
    for (const vm of failedHere) failedRuns[vm]!++;
  }

  const worst = [...runs]
    .sort((a, b) => Number(a.complete) - Number(b.complete) || b.makespanSeconds - a.makespanSeconds || a.replication - b.replication)
    .slice(0, n === 0 ? 0 : worstCount(n));

  return {
    scenario: layout.scenario,
    runs: opts.runs,
    seed: opts.seed,
    completedRuns: n,
    partial: n < opts.runs,
    windowSeconds: opts.window,
    makespanSeconds: q((r) => r.makespanSeconds),
    incompleteProbability: n === 0 ? null : share(runs.filter((r) => !r.complete).length),
    withinWindowProbability:
      opts.window === null || n === 0 ? null : share(runs.filter((r) => r.complete && r.makespanSeconds <= opts.window!).length),
    failedMigrations: q((r) => r.failedMigrations),
    totalDowntimeSeconds: q((r) => r.totalDowntimeSeconds),
    maxDowntimeSeconds: q((r) => r.maxDowntimeSeconds),
    vmsShutDown: q((r) => r.vmsShutDown),
    vmsLost: q((r) => r.vmsLost),
    vmsStillDown: q((r) => r.vmsStillDown),
    operations: layout.operations.map((o, i) => {
      const ds = runs.map((r) => r.operations[i] ?? null);
      return { operation: o.label, kind: o.kind, at: o.at, durationSeconds: quantiles(notNull(ds)), unfinishedProbability: share(ds.filter((d) => d === null).length) };
    }),
    waves: layout.waves.map((name, i) => {
      const ms = runs.map((r) => r.waves[i]?.makespanSeconds ?? null);
      return {
        name,
        makespanSeconds: quantiles(notNull(ms)),
        unfinishedProbability: share(ms.filter((d) => d === null).length),
        failedMigrations: q((r) => r.waves[i]?.failedMigrations ?? 0),
      };
    }),
    nodes: layout.nodes.flatMap((node, i) => {
      const d = drains[i]!;
      if (d.started === 0) return [];
      return [{ node, drainProbability: share(d.started), drainSeconds: quantiles(d.seconds), notDrainedProbability: share(d.started - d.seconds.length) }];
    }),
    vms: layout.vms.map((vmi, i) => {
      const counts = reasons[i]!;
      const total = [...counts.values()].reduce((a, c) => a + c, 0);
      const byReason = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      return { vmi, failureProbability: share(failedRuns[i]!), reasons: Object.fromEntries(byReason.map(([k, c]) => [k, c / total])) };
    }),
    worstRuns: worst.map((r) => ({ replication: r.replication, seed: r.seed, makespanSeconds: r.makespanSeconds, complete: r.complete })),
    warnings: layout.warnings,
  };
}
