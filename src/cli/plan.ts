// `migsim plan <scenario> --window 4h [--max-failure-probability 0.01] [--max-downtime 1s]
//  [--runs N] [--vary PATH=V1,…] [--workers K] [--quiet] [--json] [--write-scenario FILE]`
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { parseAxis, type Axis } from '../plan/grid.js';
import { withPolicies } from '../plan/patch.js';
import { policyCandidates } from '../plan/policies.js';
import { bounds, recommendation, recommendationYaml, type Recommendation } from '../plan/recommend.js';
import { search, type Constraints, type Evaluated, type PointStats, type PolicyPatch } from '../plan/search.js';
import { defaultAxes } from '../plan/space.js';
import { seconds, table } from '../report/format.js';
import { toJson } from '../report/json.js';
import { applyOverrides } from '../scenario/load.js';
import { PointRunner } from './points.js';
import { Progress } from './pool.js';
import { check } from '../plan/check.js';
import { renderHtml } from '../report/html/document.js';
import { planReport } from '../report/html/plan.js';
import { commandLine, migsimVersion, vegaAssets, writeReport } from './report.js';

export interface PlanOptions {
  /** seconds */
  window: number;
  maxFailureProbability: number;
  /** seconds */
  maxDowntime?: number;
  confidence: number;
  runs: number;
  vary?: string[];
  set?: string[];
  seed?: number;
  workers?: number;
  json?: boolean;
  quiet?: boolean;
  writeScenario?: string;
  /** write a self-contained HTML report of the plan to this file */
  report?: string;
  /** the command line, for the report's provenance */
  argv?: string[];
  maxEvents?: number;
}

/** One point the search evaluated, at the most runs it got. */
export interface EvaluatedPoint {
  /** `path=value` overrides of the scenario */
  overrides: string[];
  /** the MigrationPolicies the point adds: name, selector, the VMs it selects and what it sets */
  policies: PolicyPatch[];
  runs: number;
  /** p95 of the makespan, seconds */
  p95: number;
  failureProbability: number;
  withinWindowProbability: number;
  feasible: boolean;
  /** this point is the recommendation */
  recommended: boolean;
}

export interface Figures {
  runs: number;
  makespanSeconds: PointStats['makespanSeconds'];
  withinWindowProbability: number;
  failureProbability: number;
  maxDowntimeP95Seconds: number;
  feasible: boolean;
  violations: Record<string, number>;
}

export interface PlanDocument {
  scenario: string;
  seed: number;
  constraints: { windowSeconds: number; confidence: number; maxFailureProbability: number; maxDowntimeSeconds: number | null };
  feasible: boolean;
  baseline: Figures;
  recommendation: Recommendation & Figures;
  /** the constraints the recommendation still breaks (empty when feasible) */
  failing: string[];
  bounds: string[];
  axes: Axis[];
  pointsEvaluated: number;
  simulations: number;
  yaml: string;
  /** every point evaluated, in the order the search evaluated them */
  evaluated: EvaluatedPoint[];
}

const figures = (e: Evaluated): Figures => ({
  runs: e.stats.runs,
  makespanSeconds: e.stats.makespanSeconds,
  withinWindowProbability: e.stats.withinWindowProbability,
  failureProbability: e.stats.failureProbability,
  maxDowntimeP95Seconds: e.stats.maxDowntimeP95,
  feasible: e.feasible,
  violations: e.violations,
});

export async function planCommand(file: string, opts: PlanOptions): Promise<{ output: string; exitCode: number }> {
  const runner = new PointRunner({ file, overrides: opts.set ?? [], seed: opts.seed, workers: opts.workers, window: opts.window, maxEvents: opts.maxEvents });
  const axes = opts.vary && opts.vary.length > 0 ? opts.vary.map(parseAxis) : defaultAxes(runner.base);
  for (const a of axes) for (const v of a.values) runner.load({ overrides: [`${a.path}=${v}`], policies: [] });
  const constraints: Constraints = {
    window: opts.window,
    confidence: opts.confidence,
    maxFailureProbability: opts.maxFailureProbability,
    maxDowntime: opts.maxDowntime ?? null,
  };
  const progress = !opts.quiet && process.stderr.isTTY === true ? new Progress('plan', 1) : null;
  const result = await search({
    evaluate: (point, runs) => runner.stats(point, runs),
    axes,
    runs: opts.runs,
    constraints,
    policyCandidates: (failing) => policyCandidates(runner.base, failing),
    onProgress: (done, planned) => {
      progress?.setTotal(planned);
      progress?.update(done);
    },
  });
  progress?.clear();

  const best = result.best;
  const bestScenario = runner.load(best.point).scenario;
  const rec = recommendation(best.point, bestScenario);
  const yaml = recommendationYaml(rec, best.point.policies);
  const failing = Object.entries(best.violations).filter(([, v]) => v > 0).map(([k]) => describeConstraint(k, best, constraints));
  const doc: PlanDocument = {
    scenario: runner.base.name,
    seed: runner.seed,
    constraints: { windowSeconds: opts.window, confidence: opts.confidence, maxFailureProbability: opts.maxFailureProbability, maxDowntimeSeconds: opts.maxDowntime ?? null },
    feasible: result.feasible,
    baseline: figures(result.baseline),
    recommendation: { ...rec, ...figures(best) },
    failing,
    bounds: bounds(best, bestScenario, axes),
    axes,
    pointsEvaluated: result.evaluated.length,
    simulations: runner.simulations,
    yaml,
    evaluated: result.evaluated.map((e) => ({
      overrides: e.point.overrides,
      policies: e.point.policies,
      runs: e.stats.runs,
      p95: e.stats.makespanSeconds.p95,
      failureProbability: e.stats.failureProbability,
      withinWindowProbability: e.stats.withinWindowProbability,
      feasible: e.feasible,
      recommended: samePoint(e.point, best.point),
    })),
  };
  if (opts.report !== undefined) {
    const provenance = { version: migsimVersion(), seed: runner.seed, command: commandLine(opts.argv ?? ['plan', file, '--window', `${opts.window}s`, '--report', opts.report]) };
    const s = runner.base;
    const description = `${s.nodes.length} nodes, ${s.vms.length} VMs, KubeVirt v${s.kubevirt.version.major}.${s.kubevirt.version.minor}; ${s.operations.length} operation${s.operations.length === 1 ? '' : 's'}${opts.set?.length ? `; fixed: ${opts.set.join(', ')}` : ''}.`;
    writeReport(opts.report, renderHtml(planReport({ plan: doc, description, check: check(s), provenance }), vegaAssets()));
  }
  if (opts.writeScenario !== undefined) {
    const raw = withPolicies(applyOverrides(runner.document.raw, [...(opts.set ?? []), ...best.point.overrides]), best.point.policies, runner.base);
    writeFileSync(opts.writeScenario, `# ${runner.base.name} with migsim plan's recommendation applied; verify with: migsim forecast ${opts.writeScenario} --runs ${opts.runs} --window ${opts.window}s\n` + stringify(raw));
  }
  // exit 3 when nothing meets the constraints, as check does for a blocked plan
  return { output: opts.json ? toJson(doc) + '\n' : planText(doc), exitCode: result.feasible ? 0 : 3 };
}

function samePoint(a: Evaluated['point'], b: Evaluated['point']): boolean {
  return JSON.stringify([a.overrides, a.policies]) === JSON.stringify([b.overrides, b.policies]);
}

function describeConstraint(key: string, e: Evaluated, c: Constraints): string {
  switch (key) {
    case 'window':
      return `window: ${(e.stats.withinWindowProbability * 100).toFixed(1)}% of runs end inside ${seconds(c.window)}, ${(c.confidence * 100).toFixed(0)}% asked`;
    case 'failures':
      return `failures: ${(e.stats.failureProbability * 100).toFixed(1)}% of runs have a failed migration or a VM down at the end, at most ${(c.maxFailureProbability * 100).toFixed(1)}% asked`;
    default:
      return `downtime: the p95 of the longest VM downtime is ${seconds(e.stats.maxDowntimeP95)}, at most ${seconds(c.maxDowntime)} asked`;
  }
}

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

export function planText(d: PlanDocument): string {
  const c = d.constraints;
  const col = (f: Figures): string[] => [
    seconds(f.makespanSeconds.p50),
    seconds(f.makespanSeconds.p95),
    pct(f.withinWindowProbability),
    pct(f.failureProbability),
    seconds(f.maxDowntimeP95Seconds),
    f.feasible ? 'yes' : 'no',
  ];
  const rows = [['p50', 'p95', 'inside the window', 'P(failure)', 'max downtime p95', 'meets the constraints'], col(d.baseline), col(d.recommendation)];
  const sideBySide = table(['', 'baseline (as written)', 'recommendation'], rows[0]!.map((label, i) => [label, rows[1]![i]!, rows[2]![i]!]));
  const out = [
    `plan ${d.scenario}: window ${seconds(c.windowSeconds)} in ${(c.confidence * 100).toFixed(0)}% of runs, P(failure) ≤ ${pct(c.maxFailureProbability)}${c.maxDowntimeSeconds !== null ? `, max downtime ≤ ${seconds(c.maxDowntimeSeconds)}` : ''}`,
    `searched ${d.axes.map((a) => a.path.split('.').at(-1)).join(', ')}: ${d.pointsEvaluated} points, ${d.simulations} simulations (seeds from ${d.seed}, the same at every point)`,
    '',
    d.feasible ? 'A configuration meets the constraints:' : 'NOTHING MEETS THE CONSTRAINTS. The best found:',
    '',
    sideBySide,
  ];
  if (d.failing.length > 0) out.push('', 'still failing:', ...d.failing.map((f) => `  ${f}`));
  out.push('', 'what bounds it:', ...d.bounds.map((b) => `  ${b}`));
  out.push('', 'recommendation (ready to apply):', '', d.yaml.trimEnd());
  return out.join('\n') + '\n';
}
