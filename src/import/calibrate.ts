// Calibration against the cluster's own migration history: every finished
// VirtualMachineInstanceMigration (its status.migrationState: start and end timestamps, mode,
// failure) is replayed alone in migsim — the VM on its source node, the target forced by hostname,
// the cluster's KubeVirt configuration and policies, the VM's workload figures — and the prediction
// is compared with what happened. Optionally the effective bandwidth of each migration is fitted
// by bisection (predicted duration falls as bandwidth grows) and summarised per source node.
//
// Observed figures: KubeVirt's migrationState timestamps are metav1.Time, serialised in RFC 3339
// with whole seconds, so an observed duration is known to ±1 s. Bytes come only from monitoring
// (kubevirt_vmi_migration_data_processed_bytes); the API objects do not carry them.

import type { MigrationRecord } from '../metrics/results.js';
import { parseScenario } from '../scenario/load.js';
import { simulate } from '../sim/simulation.js';
import type { Dump, KubeObject } from './kube.js';
import { get, objectName } from './kube.js';
import { METRIC, quantile, type MetricSet } from './metrics.js';
import type { VmWorkload } from './workload.js';

export interface PastMigration {
  name: string;
  vmi: string;
  sourceNode: string;
  targetNode: string;
  /** unix seconds */
  start: number;
  end: number;
  outcome: 'Succeeded' | 'Failed';
  mode: string | null;
  failureReason: string | null;
  /** kubevirt_vmi_migration_data_processed_bytes at the end of the migration, when monitored */
  bytes: number | null;
}

export interface Prediction {
  outcome: 'Succeeded' | 'Failed' | 'Unfinished';
  durationSeconds: number | null;
  bytes: number;
  reason: string | null;
  mode: string;
  /** highest auto-converge throttle the replay applied, percent */
  maxThrottlePercent: number;
}

export interface CalibratedMigration {
  name: string;
  vmi: string;
  sourceNode: string;
  targetNode: string;
  observed: { outcome: string; durationSeconds: number; bytes: number | null; mode: string | null; failureReason: string | null };
  predicted: Prediction;
  /** (predicted − observed) / observed; null when either did not finish */
  durationError: number | null;
  bytesError: number | null;
  wrong: boolean;
  likelyCause: string | null;
  /** bytes/s of the source node's and target node's NIC at which the prediction matches, when fitted */
  fittedBandwidth: number | null;
}

export interface CalibrationReport {
  migrations: CalibratedMigration[];
  skipped: { name: string; why: string }[];
  summary: {
    replayed: number;
    outcomesAgreeing: number;
    medianAbsDurationError: number | null;
    p90AbsDurationError: number | null;
    medianAbsBytesError: number | null;
    p90AbsBytesError: number | null;
    wrong: number;
  };
  /** per source node: median fitted bandwidth (bytes/s) and the number of migrations behind it */
  fittedBandwidth: Record<string, { bytesPerSecond: number; migrations: number }>;
  /** control-plane latencies measured from the VMIMs' phase transitions (seconds) */
  controlPlane: LatencyFigure[];
}

/** A prediction is "wrong" past this relative duration error, or when the outcome differs. */
export const WRONG_DURATION_ERROR = 0.25;

const time = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t / 1000 : null;
};

/** Finished migrations from the VMIMs' status.migrationState. */
export function pastMigrations(dump: Dump, metrics: MetricSet | null, skip: (name: string, why: string) => void): PastMigration[] {
  const out: PastMigration[] = [];
  for (const m of dump.migrations) {
    const name = objectName(m);
    const phase = get(m, 'status', 'phase');
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      skip(name, `not finished (phase ${String(phase ?? 'unset')})`);
      continue;
    }
    const state = get(m, 'status', 'migrationState') ?? vmiStateFor(dump, m);
    const start = time(get(state, 'startTimestamp'));
    const end = time(get(state, 'endTimestamp'));
    const source = get(state, 'sourceNode');
    const target = get(state, 'targetNode');
    if (start === null || end === null || typeof source !== 'string' || typeof target !== 'string') {
      skip(name, 'no migrationState with startTimestamp, endTimestamp, sourceNode and targetNode (it failed before it started?)');
      continue;
    }
    const vmi = `${m.metadata?.namespace ?? 'default'}/${String(get(m, 'spec', 'vmiName'))}`;
    const processed = metrics?.get(METRIC.dataProcessed)?.get(vmi)?.filter((s) => s.t >= start - 1 && s.t <= end + 10) ?? [];
    out.push({
      name,
      vmi,
      sourceNode: source,
      targetNode: target,
      start,
      end,
      outcome: phase,
      mode: typeof get(state, 'mode') === 'string' ? (get(state, 'mode') as string) : null,
      failureReason: typeof get(state, 'failureReason') === 'string' ? (get(state, 'failureReason') as string) : null,
      bytes: processed.length > 0 ? Math.max(...processed.map((s) => s.v)) : null,
    });
  }
  return out.sort((a, b) => a.start - b.start || a.name.localeCompare(b.name));
}

/** Older VMIMs do not copy migrationState: the VMI's (its latest migration) if the UID matches. */
function vmiStateFor(dump: Dump, m: KubeObject): unknown {
  const uid = get(m, 'metadata', 'uid');
  const vmi = dump.vmis.find((v) => v.metadata?.namespace === m.metadata?.namespace && v.metadata?.name === get(m, 'spec', 'vmiName'));
  const state = get(vmi, 'status', 'migrationState');
  return uid !== undefined && get(state, 'migrationUid') === uid ? state : undefined;
}

export type RawScenario = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

/** The one-migration scenario of a past migration, or why it cannot be built. */
export function replayScenario(base: RawScenario, past: PastMigration, bandwidth: number | string | null): RawScenario | string {
  const nodes = base.spec['nodes'] as Record<string, unknown>[];
  const vms = base.spec['vms'] as Record<string, unknown>[];
  const source = nodes.find((n) => n['name'] === past.sourceNode);
  const target = nodes.find((n) => n['name'] === past.targetNode);
  const vm = vms.find((v) => `${String(v['namespace'])}/${String(v['name'])}` === past.vmi);
  if (!source) return `source node ${past.sourceNode} is not in the dump`;
  if (!target) return `target node ${past.targetNode} is not in the dump`;
  if (!vm) return `VMI ${past.vmi} is not a running VMI in the dump`;
  // The target took the pod then: whatever cordon or taint it has now does not apply.
  const replayTarget: Record<string, unknown> = { ...structuredClone(target), unschedulable: false, taints: [] };
  const replaySource = structuredClone(source);
  if (bandwidth !== null) {
    // the NIC the migration uses: the migration network's when one is configured
    const field = migrationNetworkConfigured(base) ? 'migrationNetwork' : 'network';
    replaySource[field] = bandwidth;
    replayTarget[field] = bandwidth;
  }
  // The target is forced by hostname; today's selectors and affinity need not match the past.
  const replayVm: Record<string, unknown> = { ...structuredClone(vm), node: past.sourceNode };
  for (const k of ['nodeSelector', 'affinity', 'tolerations']) delete replayVm[k];
  const [ns, name] = past.vmi.split('/') as [string, string];
  const spec: Record<string, unknown> = {
    ...structuredClone(base.spec),
    nodes: past.sourceNode === past.targetNode ? [replaySource] : [replaySource, replayTarget],
    vms: [replayVm],
    operations: [{ at: '0s', migrate: { vmi: `${ns}/${name}`, name: 'replay', addedNodeSelector: { 'kubernetes.io/hostname': past.targetNode } } }],
  };
  delete spec['faults'];
  return { apiVersion: base.apiVersion, kind: base.kind, metadata: { name: `replay-${past.name.replace(/\//g, '-')}` }, spec };
}

/** `spec.kubevirt.configuration.migrations.network` is set: migrations use the nodes' migrationNetwork. */
export function migrationNetworkConfigured(doc: RawScenario): boolean {
  return typeof get(doc.spec, 'kubevirt', 'configuration', 'migrations', 'network') === 'string';
}

/** Runs one replay; the record of its single migration. */
export function predict(doc: RawScenario): MigrationRecord {
  const scenario = parseScenario(JSON.stringify(doc), `${doc.metadata.name}.json`, 'json');
  return simulate(scenario).results!.migrations.find((m) => m.name === 'replay')!;
}

function toPrediction(r: MigrationRecord): Prediction {
  const finished = r.phase === 'Succeeded' || r.phase === 'Failed';
  return {
    outcome: finished ? (r.phase as 'Succeeded' | 'Failed') : 'Unfinished',
    durationSeconds: finished && r.startedAt !== null && r.endedAt !== null ? r.endedAt - r.startedAt : null,
    bytes: r.transferredBytes,
    reason: r.reason === null ? null : `${r.reason}${r.message ? `: ${r.message}` : ''}`,
    mode: r.mode,
    maxThrottlePercent: r.maxThrottlePercent,
  };
}

/**
 * The bandwidth (bytes/s, both NICs) at which the replay takes `observed` seconds: bisection on a
 * log scale between 1 MiB/s and 100 GiB/s, 40 steps (a relative width of 2^-40·ln(100·1024) ≈ 1e-11).
 * A replay that fails or does not finish counts as too slow. null when even 100 GiB/s is slower,
 * or 1 MiB/s already faster.
 */
export function fitBandwidth(base: RawScenario, past: PastMigration, observed: number): number | null {
  const duration = (bw: number): number => {
    const doc = replayScenario(base, past, bw);
    if (typeof doc === 'string') return Number.NaN;
    const p = toPrediction(predict(doc));
    return p.outcome === 'Succeeded' && p.durationSeconds !== null ? p.durationSeconds : Number.POSITIVE_INFINITY;
  };
  let lo = Math.log(1024 ** 2);
  let hi = Math.log(100 * 1024 ** 3);
  if (!(duration(Math.exp(hi)) <= observed) || duration(Math.exp(lo)) <= observed) return null;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (duration(Math.exp(mid)) > observed) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Other past migrations sharing the source's or the target's NIC at the same time. */
function overlapping(past: PastMigration, all: readonly PastMigration[]): PastMigration[] {
  const nodes = new Set([past.sourceNode, past.targetNode]);
  return all.filter((o) => o !== past && o.start < past.end && o.end > past.start && (nodes.has(o.sourceNode) || nodes.has(o.targetNode)));
}

export interface CalibrateInput {
  base: RawScenario;
  /** measured control-plane latencies, reported as they are */
  controlPlane?: LatencyFigure[];
  past: PastMigration[];
  workloads: Map<string, VmWorkload>;
  fit: boolean;
}

export function calibrate(input: CalibrateInput, skipped: { name: string; why: string }[] = []): CalibrationReport {
  const migrations: CalibratedMigration[] = [];
  for (const past of input.past) {
    const doc = replayScenario(input.base, past, null);
    if (typeof doc === 'string') {
      skipped.push({ name: past.name, why: doc });
      continue;
    }
    const predicted = toPrediction(predict(doc));
    const observedDuration = past.end - past.start;
    const durationError = predicted.durationSeconds !== null && past.outcome === 'Succeeded' && predicted.outcome === 'Succeeded' && observedDuration > 0
      ? (predicted.durationSeconds - observedDuration) / observedDuration
      : null;
    const bytesError = past.bytes !== null && past.bytes > 0 ? (predicted.bytes - past.bytes) / past.bytes : null;
    const fitted = input.fit && past.outcome === 'Succeeded' && observedDuration > 0 ? fitBandwidth(input.base, past, observedDuration) : null;
    const outcomeWrong = predicted.outcome !== past.outcome;
    const wrong = outcomeWrong || (durationError !== null && Math.abs(durationError) > WRONG_DURATION_ERROR);
    migrations.push({
      name: past.name,
      vmi: past.vmi,
      sourceNode: past.sourceNode,
      targetNode: past.targetNode,
      observed: { outcome: past.outcome, durationSeconds: observedDuration, bytes: past.bytes, mode: past.mode, failureReason: past.failureReason },
      predicted,
      durationError,
      bytesError,
      wrong,
      likelyCause: wrong ? likelyCause(past, predicted, durationError, input, fitted) : null,
      fittedBandwidth: fitted,
    });
  }

  const absDur = migrations.map((m) => m.durationError).filter((e): e is number => e !== null).map(Math.abs);
  const absBytes = migrations.map((m) => m.bytesError).filter((e): e is number => e !== null).map(Math.abs);
  const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
  const fittedBandwidth: CalibrationReport['fittedBandwidth'] = {};
  const byNode = new Map<string, number[]>();
  for (const m of migrations) if (m.fittedBandwidth !== null) byNode.set(m.sourceNode, [...(byNode.get(m.sourceNode) ?? []), m.fittedBandwidth]);
  for (const [node, list] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) fittedBandwidth[node] = { bytesPerSecond: quantile(list, 0.5), migrations: list.length };
  return {
    migrations,
    skipped,
    summary: {
      replayed: migrations.length,
      outcomesAgreeing: migrations.filter((m) => m.predicted.outcome === m.observed.outcome).length,
      medianAbsDurationError: orNull(quantile(absDur, 0.5)),
      p90AbsDurationError: orNull(quantile(absDur, 0.9)),
      medianAbsBytesError: orNull(quantile(absBytes, 0.5)),
      p90AbsBytesError: orNull(quantile(absBytes, 0.9)),
      wrong: migrations.filter((m) => m.wrong).length,
    },
    fittedBandwidth,
    controlPlane: input.controlPlane ?? [],
  };
}

function likelyCause(past: PastMigration, predicted: Prediction, durationError: number | null, input: CalibrateInput, fitted: number | null): string {
  const causes: string[] = [];
  const w = input.workloads.get(past.vmi);
  const guessed = w && (w.dirtySource === 'namespace' || w.dirtySource === 'cluster' || w.dirtySource === 'default');
  if (predicted.outcome !== past.outcome) {
    if (past.outcome === 'Failed') causes.push(`the cluster failed it (${past.failureReason ?? 'no reason recorded'}), migsim predicted ${predicted.outcome}`);
    else causes.push(`migsim predicted ${predicted.outcome}${predicted.reason ? ` (${predicted.reason})` : ''}, the cluster succeeded`);
  }
  if (past.outcome === 'Failed' && predicted.outcome === 'Succeeded' && predicted.maxThrottlePercent > 0) {
    causes.push(`the replay converged only by throttling the guest to ${predicted.maxThrottlePercent}% (auto-converge): the guest may slow down less under throttling than modelled (workload.throttleSensitivity)`);
  }
  if (predicted.mode === 'PostCopy' && past.mode !== 'PostCopy') causes.push(`the replay switched to post-copy, the cluster ended in ${past.mode ?? 'an unknown mode'}`);
  if (guessed) causes.push(`dirty rate guessed (${w.dirtySource}) instead of measured for this VM`);
  const others = overlapping(past, input.past);
  if (others.length > 0) causes.push(`NIC shared with ${others.length} concurrent migration(s): ${others.map((o) => o.name).join(', ')}`);
  if (durationError !== null && durationError < -WRONG_DURATION_ERROR && others.length === 0) {
    causes.push('slower than the assumed NIC allows: a NIC shared with other traffic, or the bandwidth assumption is too high');
  }
  if (durationError !== null && durationError > WRONG_DURATION_ERROR) causes.push('faster than predicted: the bandwidth assumption is too low, or the dirty rate too high');
  if (fitted !== null) causes.push(`fitted effective bandwidth ${(fitted * 8 / 1e9).toFixed(2)} Gbit/s`);
  return causes.join('; ');
}

// --- control-plane latencies ------------------------------------------------------------------------

/**
 * The control-plane latencies, measured directly from the VMIMs' status.phaseTransitionTimestamps
 * (virt-controller's migration controller records one per phase change): each is the time between
 * two consecutive phases, named after the scenario's `controlPlane` fields.
 */
export const CONTROL_PLANE_PHASES = [
  { field: 'targetPodStartup', from: 'Scheduling', to: 'Scheduled' }, // target pod created → Ready
  { field: 'handoff', from: 'Scheduled', to: 'PreparingTarget' }, // pod Ready → VMI shows the target
  { field: 'targetPreparation', from: 'PreparingTarget', to: 'TargetReady' }, // → target handler ready
  { field: 'migrationStart', from: 'TargetReady', to: 'Running' }, // → source starts the migration
] as const;

export interface LatencyFigure {
  field: (typeof CONTROL_PLANE_PHASES)[number]['field'];
  samples: number;
  median: number;
  p90: number;
}

export function controlPlaneLatencies(dump: Dump): LatencyFigure[] {
  const samples = new Map<string, number[]>(CONTROL_PLANE_PHASES.map((p) => [p.field, []]));
  for (const m of dump.migrations) {
    const at = new Map<string, number>();
    for (const t of Array.isArray(get(m, 'status', 'phaseTransitionTimestamps')) ? (get(m, 'status', 'phaseTransitionTimestamps') as unknown[]) : []) {
      const phase = get(t, 'phase');
      const when = time(get(t, 'phaseTransitionTimestamp'));
      if (typeof phase === 'string' && when !== null) at.set(phase, when);
    }
    for (const p of CONTROL_PLANE_PHASES) {
      const a = at.get(p.from);
      const b = at.get(p.to);
      if (a !== undefined && b !== undefined && b >= a) samples.get(p.field)!.push(b - a);
    }
  }
  return CONTROL_PLANE_PHASES.filter((p) => samples.get(p.field)!.length > 0).map((p) => {
    const s = samples.get(p.field)!;
    return { field: p.field, samples: s.length, median: quantile(s, 0.5), p90: quantile(s, 0.9) };
  });
}
