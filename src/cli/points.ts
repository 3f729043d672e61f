// Forecasts of scenario variants for `sweep` and `plan`: a point is the scenario file patched by
// path (and, for a plan, with MigrationPolicies added), loaded by the normal loader, forecast on
// the worker pool. Every point runs replications 0..n-1 with seeds S+i (common random numbers);
// asking a point for more runs reuses those it already has.
import { availableParallelism } from 'node:os';
import { forecastDocument, type ForecastDocument } from '../forecast/aggregate.js';
import { forecastLayout, type RunSummary } from '../forecast/summary.js';
import { withPolicies } from '../plan/patch.js';
import type { PlanPoint, PointStats } from '../plan/search.js';
import { readScenarioFile, loadScenario, loadScenarioObject, type ScenarioDocument } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { ForecastUserError, runPool } from './pool.js';

export interface PointRunnerOptions {
  file: string;
  /** fixed `--set` overrides under every point */
  overrides: string[];
  seed?: number;
  workers?: number;
  /** seconds, or null */
  window: number | null;
  maxEvents?: number;
}

export interface PointForecast {
  scenario: Scenario;
  doc: ForecastDocument;
  summaries: RunSummary[];
}

export class PointRunner {
  readonly document: ScenarioDocument;
  /** the scenario as written, with the fixed overrides */
  readonly base: Scenario;
  readonly seed: number;
  private readonly workers: number;
  private readonly done = new Map<string, RunSummary[]>();
  /** replications run so far, all points together */
  simulations = 0;
  interrupted = false;

  constructor(private readonly opts: PointRunnerOptions) {
    this.document = readScenarioFile(opts.file);
    this.base = loadScenario(this.document, { overrides: opts.overrides });
    this.seed = opts.seed ?? this.base.seed;
    this.workers = Math.max(1, opts.workers ?? availableParallelism());
  }

  /** Loads the point's scenario (a bad value is the user's error, found before any run). */
  load(point: PlanPoint): { scenario: Scenario; raw: unknown | undefined } {
    const overrides = [...this.opts.overrides, ...point.overrides];
    if (point.policies.length === 0) return { scenario: loadScenario(this.document, { overrides }), raw: undefined };
    const raw = withPolicies(this.document.raw, point.policies, this.base);
    return { scenario: loadScenarioObject(raw, { file: this.opts.file, overrides }), raw };
  }

  async forecast(point: PlanPoint, runs: number): Promise<PointForecast> {
    const { scenario, raw } = this.load(point);
    const key = JSON.stringify([point.overrides, point.policies]);
    const have = this.done.get(key) ?? [];
    const wanted: number[] = [];
    for (let i = have.length; i < runs; i++) wanted.push(i);
    if (wanted.length > 0) {
      const outcome = await runPool(
        { file: this.opts.file, overrides: [...this.opts.overrides, ...point.overrides], ...(raw !== undefined ? { doc: raw } : {}), seed: this.seed, maxEvents: this.opts.maxEvents },
        wanted,
        this.workers,
        null,
      );
      if (outcome.stopped === 'interrupted') this.interrupted = true;
      if (outcome.stopped !== null) throw new ForecastUserError(outcome.stopped === 'interrupted' ? 'interrupted' : 'a worker crashed twice');
      this.simulations += outcome.runs.size;
      have.push(...[...outcome.runs.values()].sort((a, b) => a.replication - b.replication));
      this.done.set(key, have);
    }
    const summaries = have.slice(0, runs);
    const doc = forecastDocument(forecastLayout(scenario), summaries, { runs, seed: this.seed, window: this.opts.window });
    return { scenario, doc, summaries };
  }

  /** The planner's view of a forecast. */
  async stats(point: PlanPoint, runs: number): Promise<PointStats> {
    const { doc, summaries } = await this.forecast(point, runs);
    return pointStats(doc, summaries);
  }
}

const ZERO = { p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };

export function pointStats(doc: ForecastDocument, summaries: readonly RunSummary[]): PointStats {
  const n = summaries.length;
  const failing = summaries.filter((s) => s.failedMigrations > 0 || s.vmsLost > 0 || s.vmsStillDown > 0).length;
  return {
    runs: n,
    makespanSeconds: doc.makespanSeconds ?? ZERO,
    // without a window every run counts as inside it; unfinished runs never do
    withinWindowProbability: doc.withinWindowProbability ?? (n === 0 ? 0 : summaries.filter((s) => s.complete).length / n),
    failureProbability: n === 0 ? 0 : failing / n,
    maxDowntimeP95: doc.maxDowntimeSeconds?.p95 ?? 0,
    vms: doc.vms,
  };
}
