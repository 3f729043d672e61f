// The report of a `migsim plan`: the scenario as written against the recommendation, the
// constraints and whether each is met, what bounds the result, the recommendation to apply, and
// every point the search evaluated. Built from the PlanDocument (plain data).
import type { EvaluatedPoint, Figures, PlanDocument } from '../../cli/plan.js';
import type { CheckReport } from '../../plan/check.js';
import type { PolicyPatch } from '../../plan/search.js';
import { humanDuration } from '../timeline.js';
import { TIME_LABEL, timeTicks, WIDTH } from './charts.js';
import type { Block, Provenance, ReportDocument, Section } from './document.js';
import { checkBlocks } from './run.js';

export interface PlanReportData {
  plan: PlanDocument;
  /** one line on the cluster and the operations, shown in the summary */
  description?: string;
  /** `migsim check`'s findings on the scenario as written; null: not run; absent: no section */
  check?: CheckReport | null;
  provenance: Provenance;
}

const BASELINE = 'baseline (as written)';
const RECOMMENDED = 'recommendation';

/**
 * Grouped bars of the p50 and p95 duration, baseline beside recommendation, with the window as a
 * dashed rule and a label: a bar past the rule misses the window.
 */
export function planDurationSpec(d: PlanDocument): Record<string, unknown> {
  const values = (
    [
      [BASELINE, d.baseline],
      [RECOMMENDED, d.recommendation],
    ] as [string, Figures][]
  ).flatMap(([config, f]) => [
    { config, quantile: 'p50', seconds: f.makespanSeconds.p50, label: humanDuration(f.makespanSeconds.p50) },
    { config, quantile: 'p95', seconds: f.makespanSeconds.p95, label: humanDuration(f.makespanSeconds.p95) },
  ]);
  const w = d.constraints.windowSeconds;
  const x = { field: 'quantile', type: 'nominal', title: null, sort: ['p50', 'p95'] };
  const xOffset = { field: 'config', type: 'nominal', sort: [BASELINE, RECOMMENDED] };
  const top = Math.max(w, ...values.map((v) => v.seconds));
  const y = { field: 'seconds', type: 'quantitative', title: 'duration', axis: { values: timeTicks(top, 6), labelExpr: TIME_LABEL } };
  return {
    width: Math.min(WIDTH, 480),
    height: 240,
    layer: [
      {
        data: { values },
        layer: [
          { mark: { type: 'bar' }, encoding: { x, xOffset, y, color: { field: 'config', type: 'nominal', sort: [BASELINE, RECOMMENDED], scale: { range: ['#90a4ae', '#1565c0'] }, title: null }, tooltip: [{ field: 'config' }, { field: 'quantile' }, { field: 'label', title: 'duration' }] } },
          { mark: { type: 'text', dy: -6, fontSize: 11 }, encoding: { x, xOffset, y, text: { field: 'label' } } },
        ],
      },
      {
        data: { values: [{ what: 'window', seconds: w, label: `window ${humanDuration(w)}` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [5, 3], color: '#000000' }, encoding: { y: { field: 'seconds', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'right', dy: -6, fontSize: 11 }, encoding: { y: { field: 'seconds', type: 'quantitative' }, x: { value: Math.min(WIDTH, 480) }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

/** How a point reads in a tooltip or a table: its overrides by the last part of the path, and its policies with what they set. */
export function describePoint(p: { overrides: readonly string[]; policies: readonly PolicyPatch[] }): string {
  const policy = (x: PolicyPatch): string => `policy ${x.name} for ${x.vms.join(', ')} (${Object.entries(x.spec).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
  const parts = [...p.overrides.map(shortOverride), ...p.policies.map(policy)];
  return parts.length > 0 ? parts.join(', ') : 'as written';
}

/** `spec.vms[name=db].dirtyRate=2Mi` → `dirtyRate=2Mi`: the last part of the path (an `=` inside a selector is not the value's). */
function shortOverride(o: string): string {
  let depth = 0;
  let eq = -1;
  for (let i = 0; i < o.length && eq < 0; i++) {
    if (o[i] === '[') depth++;
    else if (o[i] === ']') depth--;
    else if (o[i] === '=' && depth === 0) eq = i;
  }
  if (eq < 0) return o;
  const path = o.slice(0, eq);
  const dot = path.lastIndexOf('.', path.endsWith(']') ? path.lastIndexOf('[') : path.length);
  return path.slice(dot + 1) + o.slice(eq);
}

/**
 * Every evaluated point: p95 against P(failure), feasible ones in green, the baseline and the
 * recommendation ringed; the failure bound as a dashed rule.
 */
export function planScatterSpec(d: PlanDocument): Record<string, unknown> {
  const values = d.evaluated.map((e: EvaluatedPoint, i) => ({
    i,
    point: describePoint(e),
    p95: e.p95,
    p95Label: humanDuration(e.p95),
    failure: e.failureProbability,
    within: e.withinWindowProbability,
    runs: e.runs,
    status: e.feasible ? 'meets the constraints' : 'does not',
    // the recommendation may be the scenario as written: then it is both, drawn as the recommendation
    role: e.recommended ? 'recommendation' : e.overrides.length === 0 && e.policies.length === 0 ? 'baseline' : 'other',
  }));
  const x = { field: 'p95', type: 'quantitative', title: 'p95 duration', axis: { values: timeTicks(Math.max(0, ...values.map((v) => v.p95))), labelExpr: TIME_LABEL } };
  const y = { field: 'failure', type: 'quantitative', title: 'P(failure)', axis: { format: '%' }, scale: { domain: [0, 1] } };
  return {
    width: WIDTH,
    height: 280,
    layer: [
      {
        data: { values },
        layer: [
          {
            mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
            encoding: {
              x,
              y,
              color: { field: 'status', type: 'nominal', scale: { domain: ['meets the constraints', 'does not'], range: ['#188038', '#c5221f'] }, title: null },
              tooltip: [{ field: 'point' }, { field: 'p95Label', title: 'p95' }, { field: 'failure', title: 'P(failure)', format: '.1%' }, { field: 'within', title: 'inside the window', format: '.1%' }, { field: 'runs' }, { field: 'status' }],
            },
          },
          {
            transform: [{ filter: "datum.role !== 'other'" }],
            mark: { type: 'point', size: 260, strokeWidth: 2, color: '#000000' },
            encoding: { x, y, shape: { field: 'role', type: 'nominal', scale: { domain: ['baseline', 'recommendation'], range: ['square', 'circle'] }, title: null } },
          },
        ],
      },
      {
        data: { values: [{ failure: d.constraints.maxFailureProbability, label: `P(failure) ≤ ${pct(d.constraints.maxFailureProbability)}` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [5, 3], color: '#5f6368' }, encoding: { y: { field: 'failure', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'right', dy: -6, fontSize: 11 }, encoding: { y: { field: 'failure', type: 'quantitative' }, x: { value: WIDTH }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

export function planReport(data: PlanReportData): ReportDocument {
  const d = data.plan;
  const c = d.constraints;
  const b = d.baseline;
  const r = d.recommendation;
  const sections: Section[] = [];

  const summary: Block[] = [];
  if (data.description) summary.push({ kind: 'text', paragraphs: [data.description] });
  summary.push({
    kind: 'text',
    paragraphs: [
      d.feasible ? 'A configuration meets the constraints: the recommendation below.' : 'Nothing the search tried meets the constraints. Below: the best it found, and what still fails.',
      `Searched ${d.axes.map((a) => a.path).join(', ')}: ${d.pointsEvaluated} points, ${d.simulations} simulations, seeds from ${d.seed} (the same at every point, so points differ by their settings, not by noise).`,
    ],
  });
  const col = (f: Figures): string[] => [humanDuration(f.makespanSeconds.p50), humanDuration(f.makespanSeconds.p95), pct(f.withinWindowProbability), pct(f.failureProbability), humanDuration(f.maxDowntimeP95Seconds), String(f.runs), f.feasible ? 'yes' : 'no'];
  const labels = ['p50 duration', 'p95 duration', 'inside the window', 'P(failure)', 'max downtime p95', 'runs', 'meets the constraints'];
  const bc = col(b);
  const rc = col(r);
  summary.push({ kind: 'table', header: ['', BASELINE, RECOMMENDED], numeric: [1, 2], rows: labels.map((l, i) => [l, bc[i]!, rc[i]!]) });
  sections.push({ id: 'summary', title: 'Baseline against the recommendation', blocks: summary });

  sections.push({
    id: 'durations',
    title: 'Duration against the window',
    blocks: [{ kind: 'chart', id: 'chart-plan-durations', spec: planDurationSpec(d), caption: `p50 and p95 of the makespan (first operation's start → last one's end), the scenario as written beside the recommendation; dashed: the ${humanDuration(c.windowSeconds)} window.` }],
  });

  const met = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
  const crows: string[][] = [
    [`inside the window (${humanDuration(c.windowSeconds)})`, `≥ ${pct(c.confidence)} of runs`, pct(b.withinWindowProbability), pct(r.withinWindowProbability), met(r.withinWindowProbability >= c.confidence)],
    ['P(failure)', `≤ ${pct(c.maxFailureProbability)}`, pct(b.failureProbability), pct(r.failureProbability), met(r.failureProbability <= c.maxFailureProbability)],
  ];
  if (c.maxDowntimeSeconds !== null) crows.push(['max downtime p95', `≤ ${humanDuration(c.maxDowntimeSeconds)}`, humanDuration(b.maxDowntimeP95Seconds), humanDuration(r.maxDowntimeP95Seconds), met(r.maxDowntimeP95Seconds <= c.maxDowntimeSeconds)]);
  const cblocks: Block[] = [{ kind: 'table', header: ['constraint', 'asked', BASELINE, RECOMMENDED, 'the recommendation'], rows: crows }];
  if (d.failing.length > 0) cblocks.push({ kind: 'table', caption: 'Still failing', header: ['constraint'], rows: d.failing.map((f) => [f]) });
  sections.push({ id: 'constraints', title: 'Constraints', blocks: cblocks });

  sections.push({ id: 'bounds', title: 'What bounds it', blocks: [{ kind: 'table', header: ['bound'], rows: d.bounds.map((x) => [x]) }] });

  const recBlocks: Block[] = [{ kind: 'text', paragraphs: ['Ready to apply: the KubeVirt CR patch and the MigrationPolicies, one YAML document each. migsim plan --write-scenario FILE writes the scenario with them applied, to verify with migsim forecast.'] }, { kind: 'pre', text: d.yaml, copyId: 'recommendation-yaml' }];
  sections.push({ id: 'recommendation', title: 'Recommendation', blocks: recBlocks });

  if (data.check) sections.push({ id: 'check', title: `Check findings on the scenario as written (${data.check.findings.length})`, blocks: checkBlocks(data.check) });
  else if (data.check === null) sections.push({ id: 'check', title: 'Check findings', blocks: [{ kind: 'text', paragraphs: ['Not run for a scenario this large, where migsim check takes minutes: run `migsim check` on the scenario file for its findings.'] }] });

  const feasibleCount = d.evaluated.filter((e) => e.feasible).length;
  sections.push({
    id: 'evaluated',
    title: `Points evaluated (${d.evaluated.length})`,
    blocks: [
      {
        kind: 'chart',
        id: 'chart-plan-points',
        spec: planScatterSpec(d),
        caption: `Every point the search evaluated, at the most runs it got (early points ran ${Math.min(...d.evaluated.map((e) => e.runs))} runs, the finalists ${Math.max(...d.evaluated.map((e) => e.runs))}): ${feasibleCount} meet the constraints (green). Square: the scenario as written; ringed: the recommendation; dashed: the failure bound. A point where no run finished shows a p95 of 0.`,
      },
      {
        kind: 'table',
        header: ['#', 'point', 'runs', 'p95', 'inside the window', 'P(failure)', 'meets'],
        numeric: [0, 2, 3, 4, 5],
        rows: d.evaluated.map((e, i) => [String(i + 1), describePoint(e), String(e.runs), humanDuration(e.p95), pct(e.withinWindowProbability), pct(e.failureProbability), e.feasible ? 'yes' : 'no']),
      },
    ],
  });

  const subtitle = d.feasible
    ? `Recommendation: p95 ${humanDuration(r.makespanSeconds.p95)} (as written ${humanDuration(b.makespanSeconds.p95)}), ${pct(r.withinWindowProbability)} inside the ${humanDuration(c.windowSeconds)} window, P(failure) ${pct(r.failureProbability)}.`
    : `Nothing meets the constraints; the best found: p95 ${humanDuration(r.makespanSeconds.p95)}, ${pct(r.withinWindowProbability)} inside the ${humanDuration(c.windowSeconds)} window, P(failure) ${pct(r.failureProbability)}.`;
  return { title: `migsim plan: ${d.scenario}`, subtitle, provenance: data.provenance, sections };
}

const pct = (p: number): string => `${(100 * p).toFixed(1)}%`;
