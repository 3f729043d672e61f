// virt-controller's migration controller (KubeVirt pkg/virt-controller/watch/migration/migration.go):
// VirtualMachineInstanceMigration objects (vmim.ts) and their phases, the Pending queue with its cluster and
// per-node limits checked only at target-pod creation, priorities and re-poll delays, the
// evacuation back-off, the target pod and its timeouts, and the hand-off that freezes the
// migration's configuration. The source virt-handler / virt-launcher that run the job and its
// monitor are migration-source.ts; version-dependent behaviour comes from scenario/versions.ts.
import { mergeLegacyMigrationSelector } from '../cluster/nodeselector.js';
import { resolveMigrationConfiguration, selectMigrationPolicy } from '../cluster/policy.js';
import { schedule } from '../cluster/scheduler.js';
import { targetPodRequirements } from '../cluster/targetpod.js';
import type { EntityStreams } from '../engine/random.js';
import type { Timer } from '../engine/simulator.js';
import type { VmimPhase } from '../log/events.js';
import type { JobResult } from '../precopy/job.js';
import type { Distribution, Labels, MigrationConfiguration } from '../scenario/types.js';
import { kubevirtBehaviour, type KubeVirtBehaviour } from '../scenario/versions.js';
import { migratability, type Context } from './context.js';
import { MigrationSource } from './migration-source.js';
import { CANCELED_BEFORE_HANDOFF, CANCELED_BY_CLIENT, evacuationBackoffUntil, TARGET_POD_REMOVED, targetPodKey, type BackoffEntry, type MigrationRequest, type Vmim } from './vmim.js';
import type { VmLifecycle } from './vm-lifecycle.js';

/** The control-plane latencies a migration draws, by timer label (the stream's purpose is control-plane/<label>). */
const LATENCIES: readonly (readonly [string, 'targetPodStartup' | 'handoff' | 'targetPreparation' | 'migrationStart'])[] = [
  ['target-pod-ready', 'targetPodStartup'],
  ['handoff', 'handoff'],
  ['target-preparation', 'targetPreparation'],
  ['migration-start', 'migrationStart'],
];

export { CANCELED_BEFORE_HANDOFF, CANCELED_BY_CLIENT, evacuationBackoffUntil, Priority, TARGET_POD_REMOVED } from './vmim.js';
export type { BackoffEntry, MigrationRequest, Vmim } from './vmim.js';

export class MigrationController {
  readonly vmims = new Map<string, Vmim>();
  /** migrations counted against the limits: a target pod exists and the migration is not final */
  private running = new Set<Vmim>();
  private outbound = new Map<string, number>();
  /** Pending migrations without a target pod, in creation order */
  private pending = new Set<Vmim>();
  /**
   * Pending migrations waiting at a limit. Their re-polls can only succeed after a migration
   * ends, so instead of one timer per re-poll they sleep, and when capacity frees up the one
   * whose next re-poll on its own grid comes first is woken at that instant (same outcome as
   * polling every 1, 3 or 5 s, without the events).
   */
  private sleepers = new Set<Vmim>();
  private wakeTimer: Timer | null = null;
  private unschedulable = new Set<Vmim>();
  private lastQueueReason = new Map<Vmim, string>();
  private seq = 0;
  private finalListeners: ((m: Vmim) => void)[] = [];
  private readonly source: MigrationSource;

  constructor(
    private readonly ctx: Context,
    private readonly lifecycle: VmLifecycle,
  ) {
    this.source = new MigrationSource(ctx, {
      succeeded: (m, result) => this.succeed(m, result),
      failed: (m, reason, message, result, vmLost) => this.fail(m, reason, message, result, vmLost),
    });
  }

  onFinal(fn: (m: Vmim) => void): void {
    this.finalListeners.push(fn);
  }

  private get config(): MigrationConfiguration {
    return this.ctx.scenario.kubevirt.migrations;
  }

  get runningCount(): number {
    return this.running.size;
  }

  outboundCount(node: string): number {
    return this.outbound.get(node) ?? 0;
  }

  /** VMIMs created so far per VMI: the k in each migration's random entity */
  private attempts = new Map<string, number>();

  /**
   * The random streams of a migration, seeded together: its name when it has none, and each
   * control-plane latency that is random.
   */
  private migrationStreams(entity: string, named: boolean): EntityStreams {
    if (this.purposes === null) {
      const cp = this.ctx.scenario.controlPlane;
      const latencies = LATENCIES.filter(([, field]) => cp[field].kind !== 'fixed').map(([label]) => `control-plane/${label}`);
      this.purposes = { named: latencies, unnamed: ['names', ...latencies] };
    }
    return this.ctx.random.entity(named ? this.purposes.named : this.purposes.unnamed, entity);
  }

  /** the purposes of migrationStreams, with and without a name to draw (the scenario is immutable) */
  private purposes: { named: readonly string[]; unnamed: readonly string[] } | null = null;

  private generateName(prefix: string, streams: EntityStreams): string {
    return streams.draw('names', (rng) => {
      const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
      for (;;) {
        let s = prefix;
        for (let i = 0; i < 5; i++) s += alphabet[Math.floor(rng() * alphabet.length)];
        if (!this.vmims.has(s)) return s;
      }
    });
  }

  /** Create a VMIM as the API server would: admission first (virt-api migration-create-admitter.go). */
  create(req: MigrationRequest): Vmim | null {
    const { sim, log, state } = this.ctx;
    const attempt = this.attempts.get(req.vmi) ?? 0;
    this.attempts.set(req.vmi, attempt + 1);
    const entity = `${req.vmi}/${attempt}`;
    const streams = this.migrationStreams(entity, req.name !== null);
    const name = req.name ?? this.generateName(req.evacuationNode !== null ? 'kubevirt-evacuation-' : 'migration-', streams);
    const vmi = state.vmis.get(req.vmi);
    const reject = (reason: string, message: string): null => {
      log.record({ t: sim.now, type: 'MigrationRejected', migration: name, vmi: req.vmi, reason, message });
      return null;
    };
    if (!vmi || !vmi.running || vmi.node === null) return reject('VMINotRunning', `VMI ${req.vmi} is not running`);
    if (this.vmims.has(name)) return reject('AlreadyExists', `migration ${name} already exists`);
    if (vmi.activeMigration !== null) {
      return reject('MigrationInProgress', `in-flight migration detected. Active migration job (${vmi.activeMigration}) is currently already in progress for VMI ${vmi.spec.name}`);
    }
    const m = migratability(this.ctx, vmi);
    if (!m.migratable) {
      return reject(m.reason ?? 'NotLiveMigratable', `Cannot migrate VMI, Reason: ${m.reason}, Message: ${m.message}`);
    }
    if (req.apiKind === 'Migration') {
      // The legacy kind merges its nodeSelector with the VM's; a key with two values cannot be met.
      const merged = mergeLegacyMigrationSelector(vmi.spec.nodeSelector, req.addedNodeSelector);
      if (!merged.ok) return reject('NodeSelectorConflict', merged.message);
    }
    const vmim: Vmim = {
      name,
      seq: this.seq++,
      entity,
      streams,
      vmi,
      priority: req.priority,
      evacuationNode: req.evacuationNode,
      wave: req.wave,
      addedNodeSelector: req.addedNodeSelector,
      createdAt: sim.now,
      phase: 'Pending',
      finalAt: null,
      sourceNode: vmi.node,
      pod: null,
      podCreatedAt: null,
      targetNode: null,
      podReady: false,
      handedOff: false,
      policy: null,
      config: null,
      unschedulable: null,
      abortRequested: false,
      job: null,
      monitor: null,
      timers: [],
      reconcileTimer: null,
      reconcile: null,
      podDeadlineSeq: 0,
      unschedulableArmed: false,
      catchAllArmed: false,
      backoffUntil: 0,
      pollBase: 0,
      pollDelay: 0,
      failureReason: null,
    };
    this.vmims.set(name, vmim);
    vmi.activeMigration = name;
    vmi.migrations.push(name);
    vmim.backoffUntil = this.backoffUntil(vmim);
    log.record({
      t: sim.now,
      type: 'MigrationCreated',
      migration: name,
      vmi: vmi.key,
      sourceNode: vmi.node,
      priority: req.priority,
      evacuationNode: req.evacuationNode,
      apiKind: req.apiKind,
      wave: req.wave,
    });
    log.record({ t: sim.now, type: 'MigrationPhase', migration: name, phase: 'Pending' });
    this.pending.add(vmim);
    this.requeue(vmim, 0);
    return vmim;
  }

  private requeue(m: Vmim, delay: number): void {
    this.sleepers.delete(m);
    this.ctx.sim.cancel(m.reconcileTimer);
    // one closure per VMIM, not per re-queue: a finish re-queues the top pending ones each time
    m.reconcile ??= () => {
      m.reconcileTimer = null;
      this.reconcilePending(m);
    };
    m.reconcileTimer = this.ctx.sim.after(delay, m.reconcile, 'reconcile');
  }

  private get behaviour(): KubeVirtBehaviour {
    return kubevirtBehaviour(this.ctx.scenario.kubevirt);
  }

  /**
   * Re-poll delay at a limit (migration.go handleTargetPodCreation): by priority with the priority
   * queue, else every migration is re-queued after 5 s.
   */
  private limitDelay(m: Vmim): number {
    if (!this.behaviour.priorityQueue) return 5;
    if (m.priority >= 100) return 1;
    if (m.priority >= 50) return 3;
    return 5;
  }

  /** Evacuation back-off over the VMI's VMIMs that garbage collection kept (see evacuationBackoffUntil). */
  private backoffUntil(m: Vmim): number {
    if (m.evacuationNode === null) return 0;
    const history: BackoffEntry[] = [];
    for (const name of m.vmi.migrations) {
      const prev = this.vmims.get(name)!;
      if (prev === m || prev.finalAt === null) continue;
      history.push({ evacuation: prev.evacuationNode !== null, phase: prev.phase, finalAt: prev.finalAt });
    }
    return evacuationBackoffUntil(history);
  }

  private reconcilePending(m: Vmim): void {
    this.sleepers.delete(m);
    if (m.finalAt !== null || m.podCreatedAt !== null) return;
    const { sim, log } = this.ctx;
    if (m.abortRequested) {
      this.fail(m, 'AbortRequested', CANCELED_BEFORE_HANDOFF, null, false);
      return;
    }
    const until = m.backoffUntil;
    if (sim.now < until) {
      log.record({ t: sim.now, type: 'MigrationQueued', migration: m.name, reason: 'MigrationBackoff', retryIn: until - sim.now });
      this.requeueAt(m, until);
      return;
    }
    if (this.running.size >= this.config.parallelMigrationsPerCluster) {
      this.queued(m, 'ParallelMigrationsPerCluster');
      return;
    }
    if (this.outboundCount(m.sourceNode) >= this.config.parallelOutboundMigrationsPerNode) {
      this.queued(m, 'ParallelOutboundMigrationsPerNode');
      return;
    }
    this.createTargetPod(m);
  }

  private requeueAt(m: Vmim, t: number): void {
    this.requeue(m, t - this.ctx.sim.now);
  }

  /** Wait at a limit (logged once per reason, not at every re-poll). */
  private queued(m: Vmim, reason: string): void {
    const delay = this.limitDelay(m);
    const last = this.lastQueueReason.get(m);
    if (last !== reason) {
      this.lastQueueReason.set(m, reason);
      this.ctx.log.record({ t: this.ctx.sim.now, type: 'MigrationQueued', migration: m.name, reason, retryIn: delay });
    }
    this.ctx.sim.cancel(m.reconcileTimer);
    m.reconcileTimer = null;
    m.pollBase = this.ctx.sim.now;
    m.pollDelay = delay;
    this.sleepers.add(m);
  }

  /** Wake the sleeper that would re-poll first and now passes both limits, at that re-poll. */
  private scheduleWake(): void {
    const { sim } = this.ctx;
    sim.cancel(this.wakeTimer);
    this.wakeTimer = null;
    const cfg = this.config;
    if (this.running.size >= cfg.parallelMigrationsPerCluster) return;
    const perNode = cfg.parallelOutboundMigrationsPerNode;
    const now = sim.now;
    let best: Vmim | null = null;
    let bestAt = Infinity;
    // every sleeper, at every final: kept to plain field reads
    for (const m of this.sleepers) {
      if ((this.outbound.get(m.sourceNode) ?? 0) >= perNode) continue;
      const k = Math.max(1, Math.ceil((now - m.pollBase) / m.pollDelay - 1e-9));
      const at = m.pollBase + k * m.pollDelay;
      if (at < bestAt || (at === bestAt && best !== null && m.seq < best.seq)) {
        best = m;
        bestAt = at;
      }
    }
    if (best === null) return;
    const m = best;
    this.wakeTimer = sim.at(bestAt, () => {
      this.wakeTimer = null;
      this.reconcilePending(m);
      this.scheduleWake();
    }, 'reconcile');
  }

  private createTargetPod(m: Vmim): void {
    const { sim, log, state, scenario } = this.ctx;
    this.lastQueueReason.delete(m);
    const source = state.node(m.sourceNode).spec;
    const req = targetPodRequirements(m.vmi.spec, source, scenario.kubevirt, m.addedNodeSelector, m.vmi.migrationSelectors);
    if (!req.ok) {
      this.fail(m, req.reason, req.message, null, false);
      return;
    }
    m.pod = req.pod;
    m.podCreatedAt = sim.now;
    this.pending.delete(m);
    this.running.add(m);
    this.outbound.set(m.sourceNode, this.outboundCount(m.sourceNode) + 1);
    log.record({ t: sim.now, type: 'TargetPodCreated', migration: m.name });
    this.setPhase(m, 'Scheduling');
    // The two pending-pod timeouts run from now. Most target pods are scheduled at once and ready
    // long before either, so their timers are armed only once one could fire (armPodDeadlines),
    // in the places in the event order they take now: same instants, same order among ties.
    m.podDeadlineSeq = sim.reserveSeq();
    sim.reserveSeq();
    this.trySchedule(m);
  }

  /**
   * Arms the pending-pod timeouts that can still fire: the unschedulable one while the pod is
   * unschedulable (a scheduled target pod stays scheduled until the migration is final), the
   * catch-all while the pod may not be ready by its deadline (`readyAt`: when the pod-ready timer
   * runs; null while unschedulable).
   */
  private armPodDeadlines(m: Vmim, readyAt: number | null): void {
    const { sim } = this.ctx;
    const cp = this.ctx.scenario.controlPlane;
    const created = m.podCreatedAt!;
    if (readyAt === null && !m.unschedulableArmed) {
      m.unschedulableArmed = true;
      m.timers.push(sim.atReserved(m.podDeadlineSeq, created + cp.unschedulablePendingTimeout, () => this.unschedulableTimeout(m), 'unschedulable-timeout'));
    }
    const catchAllAt = created + cp.catchAllPendingTimeout;
    // at a tie the timeout runs first: its place in the order was taken before the pod-ready timer's
    if (!m.catchAllArmed && (readyAt === null || readyAt >= catchAllAt)) {
      m.catchAllArmed = true;
      m.timers.push(sim.atReserved(m.podDeadlineSeq + 1, catchAllAt, () => this.catchAllTimeout(m), 'pending-timeout'));
    }
  }

  private trySchedule(m: Vmim): boolean {
    const { sim, log, state } = this.ctx;
    const res = schedule({ pod: m.pod!, vmiKey: m.vmi.key, antiAffinity: true, podNodes: m.vmi.podNodes }, state.nodeList, this.ctx.scenario.scheduler.scoring, state.scheduler);
    if (res.node === null) {
      if (m.unschedulable !== res.message) {
        log.record({ t: sim.now, type: 'TargetPodUnschedulable', migration: m.name, message: res.message });
        this.event(m, 'Warning', 'migrationTargetPodUnschedulable', res.message);
      }
      m.unschedulable = res.message;
      this.unschedulable.add(m);
      this.armPodDeadlines(m, null);
      return false;
    }
    this.unschedulable.delete(m);
    m.unschedulable = null;
    m.targetNode = res.node;
    state.reserve(res.node, m.vmi);
    log.record({ t: sim.now, type: 'TargetPodScheduled', migration: m.name, node: res.node });
    const readyAt = this.after(m, this.ctx.scenario.controlPlane.targetPodStartup, 'target-pod-ready', () => this.podReady(m));
    this.armPodDeadlines(m, readyAt);
    return true;
  }

  /** Resources were freed or nodes changed: the scheduler retries pending target pods. */
  clusterChanged(): void {
    if (this.unschedulable.size === 0) return;
    for (const m of [...this.unschedulable].sort((a, b) => a.seq - b.seq)) {
      if (m.finalAt === null && m.targetNode === null) this.trySchedule(m);
    }
  }

  /**
   * The pending target-pod timeouts (migration.go, handlePendingPodTimeout): the pod is deleted
   * with a SuccessfulDelete event naming the timeout, and the migration, past Pending without its
   * pod, fails with the FailedMigration warning.
   */
  private unschedulableTimeout(m: Vmim): void {
    if (m.finalAt !== null || m.targetNode !== null || m.unschedulable === null) return;
    const s = this.ctx.scenario.controlPlane.unschedulablePendingTimeout;
    this.podTimedOut(m, 'TargetPodUnschedulable', `unschedulable pod ${targetPodKey(m)} timeout period exceeded`, `target pod was unschedulable for ${s}s: ${m.unschedulable}`);
  }

  private catchAllTimeout(m: Vmim): void {
    if (m.finalAt !== null || m.podReady) return;
    const s = this.ctx.scenario.controlPlane.catchAllPendingTimeout;
    this.podTimedOut(m, 'TargetPodPendingTimeout', `pending pod ${targetPodKey(m)} timeout period exceeded`, `target pod was pending for ${s}s`);
  }

  /** `why` omits the pod's name, so that repeated failures of the same kind read the same. */
  private podTimedOut(m: Vmim, reason: string, deleted: string, why: string): void {
    this.event(m, 'Normal', 'SuccessfulDelete', deleted);
    this.event(m, 'Warning', 'FailedMigration', TARGET_POD_REMOVED);
    this.fail(m, reason, `${TARGET_POD_REMOVED} (${why})`, null, false);
  }

  private event(m: Vmim, eventType: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.log.record({
      t: this.ctx.sim.now,
      type: 'KubeEvent',
      object: `VirtualMachineInstanceMigration ${m.vmi.spec.namespace}/${m.name}`,
      eventType,
      reason,
      message,
    });
  }

  /** What a VMIM deleted while Running reports once AbortJob returns. */
  private cancelMessage(): string {
    return this.behaviour.asyncAbortMessages ? 'Live migration has been aborted' : CANCELED_BY_CLIENT;
  }

  /** Runs `fn` after a control-plane latency unless the migration is final by then; returns when. */
  private after(m: Vmim, d: Distribution, label: string, fn: () => void): number {
    const delay = m.streams.sample(d, `control-plane/${label}`);
    const timer = this.ctx.sim.after(delay, () => {
      if (m.finalAt === null) fn();
    }, label);
    m.timers.push(timer);
    return timer.time;
  }

  private podReady(m: Vmim): void {
    m.podReady = true;
    this.setPhase(m, 'Scheduled');
    if (m.abortRequested) {
      this.fail(m, 'AbortRequested', CANCELED_BEFORE_HANDOFF, null, false);
      return;
    }
    this.after(m, this.ctx.scenario.controlPlane.handoff, 'handoff', () => this.handOff(m));
  }

  private handOff(m: Vmim): void {
    if (m.abortRequested) {
      this.fail(m, 'AbortRequested', CANCELED_BEFORE_HANDOFF, null, false);
      return;
    }
    // The hand-off patches migrationState with the resolved policy and configuration: a later
    // change does not reach this migration (migration.go, handleMigrationHandoff / migrationpolicy.go).
    const { scenario } = this.ctx;
    const vm = m.vmi.spec;
    m.policy = selectMigrationPolicy(scenario.migrationPolicies, vm.labels, scenario.namespaces[vm.namespace] ?? {});
    m.config = resolveMigrationConfiguration(scenario.kubevirt.migrations, m.policy, scenario.kubevirt.version);
    m.handedOff = true;
    this.setPhase(m, 'PreparingTarget');
    this.after(m, this.ctx.scenario.controlPlane.targetPreparation, 'target-preparation', () => {
      this.setPhase(m, 'TargetReady');
      this.after(m, this.ctx.scenario.controlPlane.migrationStart, 'migration-start', () => {
        this.setPhase(m, 'Running');
        this.source.start(m);
        if (m.abortRequested) this.source.abort(m, this.cancelMessage());
      });
    });
  }

  /** Outages changed: the source handlers re-check the path of every running job. */
  connectivityChanged(): void {
    this.source.connectivityChanged(this.running);
  }

  /** Deleting the VMIM (virtctl migrate-cancel): migration.go, the finalizer kubevirt.io/migrationJobFinalize. */
  cancel(name: string): void {
    const { sim, log } = this.ctx;
    const m = this.vmims.get(name);
    if (!m || m.finalAt !== null) return;
    log.record({ t: sim.now, type: 'AbortRequested', migration: name });
    m.abortRequested = true;
    if (!m.handedOff) {
      this.fail(m, 'AbortRequested', CANCELED_BEFORE_HANDOFF, null, false);
    } else {
      this.source.abort(m, this.cancelMessage());
    }
    // PreparingTarget / TargetReady: the abort happens once Running starts. Post-copy cannot be cancelled.
  }

  private setPhase(m: Vmim, phase: VmimPhase): void {
    m.phase = phase;
    this.ctx.log.record({ t: this.ctx.sim.now, type: 'MigrationPhase', migration: m.name, phase });
  }

  private finalize(m: Vmim, phase: 'Succeeded' | 'Failed'): void {
    const { sim } = this.ctx;
    m.finalAt = sim.now;
    m.monitor?.stop();
    for (const t of m.timers) sim.cancel(t);
    sim.cancel(m.reconcileTimer);
    m.timers = [];
    this.unschedulable.delete(m);
    this.pending.delete(m);
    this.sleepers.delete(m);
    this.lastQueueReason.delete(m);
    if (this.running.delete(m)) this.outbound.set(m.sourceNode, this.outboundCount(m.sourceNode) - 1);
    if (m.vmi.activeMigration === m.name) m.vmi.activeMigration = null;
    this.setPhase(m, phase);
    // Nothing reads a final migration's job or monitor (its result is in the log event): the
    // VMIM stays for its name and back-off history, the job's objects can die young.
    m.job = null;
    m.monitor = null;
  }

  private succeed(m: Vmim, result: JobResult): void {
    const { sim, log, state } = this.ctx;
    this.finalize(m, 'Succeeded');
    const vmi = m.vmi;
    state.release(m.sourceNode, vmi);
    state.setNode(vmi, m.targetNode);
    vmi.evacuationNodeName = null;
    const sel: Labels = {};
    for (const [k, v] of Object.entries(m.pod!.nodeSelector)) {
      if (k.startsWith('cpu-model-migration.node.kubevirt.io/') || k.startsWith('cpu-feature.node.kubevirt.io/')) sel[k] = v;
    }
    vmi.migrationSelectors = sel;
    log.record({ t: sim.now, type: 'MigrationSucceeded', migration: m.name, result });
    log.record({ t: sim.now, type: 'VmiMoved', vmi: vmi.key, from: m.sourceNode, to: m.targetNode! });
    this.afterFinal(m);
  }

  private fail(m: Vmim, reason: string, message: string, result: JobResult | null, vmLost: boolean): void {
    const { sim, log, state } = this.ctx;
    this.finalize(m, 'Failed');
    m.failureReason = reason;
    if (m.targetNode !== null) state.release(m.targetNode, m.vmi);
    log.record({ t: sim.now, type: 'MigrationFailed', migration: m.name, reason, message, result, vmLost });
    if (vmLost) {
      // virt-handler marks the VMI Failed; the VirtualMachine controller starts it again elsewhere.
      this.lifecycle.stop(m.vmi, `post-copy migration ${m.name} failed: ${message}`, {
        lost: true,
        restartAfter: m.vmi.spec.restartTime,
      });
      if (m.targetNode !== null) state.release(m.targetNode, m.vmi);
    }
    this.afterFinal(m);
  }

  private afterFinal(m: Vmim): void {
    // Priority queue: a finished migration re-offers its slot at once to the top pending ones by
    // priority. Without it the waiting migrations find the slot on their own 5 s re-poll grid.
    if (this.behaviour.priorityQueue) {
      for (const p of this.topPending(this.config.parallelMigrationsPerCluster)) this.requeue(p, 0);
    }
    this.scheduleWake();
    for (const fn of this.finalListeners) fn(m);
    this.clusterChanged();
    this.lifecycle.clusterChanged();
  }

  /**
   * End of the run: one MigrationUnfinished per migration that is not final, with its copy so far
   * and the state that holds it, so that a report never shows 0 rounds and 0 bytes for a migration
   * that was still copying when the horizon ended the run.
   */
  reportUnfinished(at: number): void {
    const { log } = this.ctx;
    for (const m of this.vmims.values()) {
      if (m.finalAt !== null) continue;
      log.record({ t: at, type: 'MigrationUnfinished', migration: m.name, phase: m.phase, result: progressSoFar(m, at), why: this.whyUnfinished(m) });
    }
  }

  /** What a migration that is not final is waiting for, in KubeVirt's words. */
  private whyUnfinished(m: Vmim): string {
    const cfg = this.config;
    if (m.podCreatedAt === null) {
      if (this.inBackoff(m)) return `Pending: evacuation back-off after failed migrations of this VMI, until ${Math.round(m.backoffUntil * 1000) / 1000}s`;
      const reason = this.lastQueueReason.get(m);
      if (reason === 'ParallelMigrationsPerCluster') {
        return `Pending: queued at parallelMigrationsPerCluster (${cfg.parallelMigrationsPerCluster} running in the cluster)`;
      }
      if (reason === 'ParallelOutboundMigrationsPerNode') {
        return `Pending: queued at parallelOutboundMigrationsPerNode (${cfg.parallelOutboundMigrationsPerNode} running from ${m.sourceNode})`;
      }
      return 'Pending: no target pod created yet';
    }
    if (m.targetNode === null) return `Scheduling: target pod unschedulable: ${m.unschedulable ?? 'not scheduled yet'}`;
    if (!m.podReady) return 'Scheduling: target pod starting';
    if (m.job === null) return `${m.phase}: handing off to the source virt-handler`;
    switch (m.job.phase) {
      case 'disk':
        return 'Running: copying disks (block migration)';
      case 'precopy':
        return 'Running: copying memory (pre-copy), not converged yet';
      case 'stopcopy':
        return 'Running: guest paused for stop-and-copy';
      case 'postcopy':
        return 'Running: post-copy, guest running on the target';
      default:
        return `Running: ${m.job.phase}`;
    }
  }

  private inBackoff(m: Vmim): boolean {
    return this.ctx.sim.now < m.backoffUntil;
  }

  /** The n highest-priority pending migrations not in back-off, oldest first among equals. */
  private topPending(n: number): Vmim[] {
    const top: Vmim[] = [];
    for (const p of this.pending) {
      // `pending` is in creation order, so a later one goes only before lower priorities.
      let i = top.length;
      while (i > 0 && top[i - 1]!.priority < p.priority) i--;
      if (i >= n || this.inBackoff(p)) continue;
      top.splice(i, 0, p);
      if (top.length > n) top.pop();
    }
    return top;
  }

}

/**
 * The copy so far of a migration that is not final. The single call site for the job's progress:
 * switch to `MigrationJob.progress(now)` (which also counts the current partial round) once the
 * pre-copy branch lands.
 */
/**
 * The copy so far: the job's counts up to `at`, including the current partial pass and the passes
 * of a steady state skipped in closed form. Stalled seconds are those of closed stalls; the
 * results add a stall still open at the end.
 */
function progressSoFar(m: Vmim, at: number): JobResult | null {
  if (!m.job) return null;
  const p = m.job.progress(at);
  return { ...m.job.result(), iterations: p.iterations, transferredBytes: p.transferredBytes, maxThrottlePercent: p.maxThrottlePercent };
}
