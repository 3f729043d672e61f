// virt-controller's migration controller (spec §3): VirtualMachineInstanceMigration objects,
// the Pending queue with its cluster and per-node limits checked only at target-pod creation,
// priorities and re-poll delays, evacuation back-off, target-pod timeouts, the hand-off, and
// the virt-handler / virt-launcher side that runs the job and its monitor.
import {
  acceptableCompletionTime,
  blockMigrationDiskBytes,
  migrationDataSize,
  migrationMethod,
} from '../cluster/migratability.js';
import { mergeLegacyMigrationSelector } from '../cluster/nodeselector.js';
import { resolveMigrationConfiguration, selectMigrationPolicy } from '../cluster/policy.js';
import { schedule } from '../cluster/scheduler.js';
import type { VmiState } from '../cluster/state.js';
import { targetPodRequirements, type PodRequirements } from '../cluster/targetpod.js';
import type { Timer } from '../engine/simulator.js';
import type { VmimPhase } from '../log/events.js';
import { dirtyModel } from '../precopy/dirty.js';
import { MigrationJob, type JobEvent, type JobResult } from '../precopy/job.js';
import type { Distribution, Labels, MigrationConfiguration } from '../scenario/types.js';
import { versionAtLeast } from '../scenario/defaults.js';
import { migratability, type Context } from './context.js';
import { MigrationMonitor, type MonitorAction } from './monitor.js';
import type { VmLifecycle } from './vm-lifecycle.js';

/** spec.priority → queue priority (spec §3.4) */
export const Priority = { running: 1000, systemCritical: 100, userTriggered: 50, systemMaintenance: 20, user: 0 } as const;

export interface MigrationRequest {
  name: string | null;
  vmi: string;
  priority: number;
  /** kubevirt.io/evacuationMigration=<node> */
  evacuationNode: string | null;
  addedNodeSelector: Labels;
  apiKind: string;
  wave: string | null;
}

export interface Vmim {
  name: string;
  seq: number;
  /** `<namespace/name>/<k>` for the VMI's k-th migration: names its random draws */
  entity: string;
  vmi: VmiState;
  priority: number;
  evacuationNode: string | null;
  wave: string | null;
  addedNodeSelector: Labels;
  createdAt: number;
  phase: VmimPhase;
  finalAt: number | null;
  sourceNode: string;
  pod: PodRequirements | null;
  podCreatedAt: number | null;
  targetNode: string | null;
  podReady: boolean;
  handedOff: boolean;
  unschedulable: string | null;
  abortRequested: boolean;
  job: MigrationJob | null;
  monitor: MigrationMonitor | null;
  timers: Timer[];
  reconcileTimer: Timer | null;
  /** end of the evacuation back-off (fixed at creation: the earlier VMIMs are all final) */
  backoffUntil: number;
  /** while waiting at a limit: the re-poll grid is pollBase + k·pollDelay */
  pollBase: number;
  pollDelay: number;
  failureReason: string | null;
}

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

  constructor(
    private readonly ctx: Context,
    private readonly lifecycle: VmLifecycle,
  ) {}

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

  private generateName(prefix: string, entity: string): string {
    const rng = this.ctx.random.stream('names', entity);
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    for (;;) {
      let s = prefix;
      for (let i = 0; i < 5; i++) s += alphabet[Math.floor(rng() * alphabet.length)];
      if (!this.vmims.has(s)) return s;
    }
  }

  /** Create a VMIM as the API server would: admission first (spec §6, last paragraph). */
  create(req: MigrationRequest): Vmim | null {
    const { sim, log, state } = this.ctx;
    const attempt = this.attempts.get(req.vmi) ?? 0;
    this.attempts.set(req.vmi, attempt + 1);
    const entity = `${req.vmi}/${attempt}`;
    const name = req.name ?? this.generateName(req.evacuationNode !== null ? 'kubevirt-evacuation-' : 'migration-', entity);
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
      unschedulable: null,
      abortRequested: false,
      job: null,
      monitor: null,
      timers: [],
      reconcileTimer: null,
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
    m.reconcileTimer = this.ctx.sim.after(delay, () => {
      m.reconcileTimer = null;
      this.reconcilePending(m);
    }, 'reconcile');
  }

  /** Re-poll delay at a limit, by priority (spec §3.3). */
  private limitDelay(m: Vmim): number {
    if (!versionAtLeast(this.ctx.scenario.kubevirt.version, 1, 9)) return 5;
    if (m.priority >= 100) return 1;
    if (m.priority >= 50) return 3;
    return 5;
  }

  /** Evacuation back-off: 20 s doubling per earlier failed evacuation VMIM, up to the last success (§3.7). */
  private backoffUntil(m: Vmim): number {
    if (m.evacuationNode === null) return 0;
    const names = m.vmi.migrations;
    let failed = 0;
    let lastFailedAt = 0;
    // Garbage collection keeps the newest 5 finalized VMIMs per VMI.
    let finalized = 0;
    for (let i = names.length - 1; i >= 0 && finalized < 5; i--) {
      const prev = this.vmims.get(names[i]!)!;
      if (prev === m || prev.evacuationNode === null || prev.finalAt === null) continue;
      finalized++;
      if (prev.phase === 'Succeeded') break;
      if (failed === 0) lastFailedAt = prev.finalAt;
      failed++;
    }
    if (failed === 0) return 0;
    return lastFailedAt + 20 * 2 ** (failed - 1);
  }

  private reconcilePending(m: Vmim): void {
    this.sleepers.delete(m);
    if (m.finalAt !== null || m.podCreatedAt !== null) return;
    const { sim, log } = this.ctx;
    if (m.abortRequested) {
      this.fail(m, 'AbortRequested', 'migration was deleted before hand-off', null, false);
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
    if (this.running.size >= this.config.parallelMigrationsPerCluster) return;
    let best: Vmim | null = null;
    let bestAt = Infinity;
    for (const m of this.sleepers) {
      if (this.outboundCount(m.sourceNode) >= this.config.parallelOutboundMigrationsPerNode) continue;
      const k = Math.max(1, Math.ceil((sim.now - m.pollBase) / m.pollDelay - 1e-9));
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
    const cp = scenario.controlPlane;
    m.timers.push(sim.after(cp.unschedulablePendingTimeout, () => this.unschedulableTimeout(m), 'unschedulable-timeout'));
    m.timers.push(sim.after(cp.catchAllPendingTimeout, () => this.catchAllTimeout(m), 'pending-timeout'));
    this.trySchedule(m);
  }

  private trySchedule(m: Vmim): boolean {
    const { sim, log, state } = this.ctx;
    const res = schedule({ pod: m.pod!, vmiKey: m.vmi.key, antiAffinity: true, podNodes: m.vmi.podNodes }, state.nodeList, this.ctx.scenario.scheduler.scoring, state.scheduler);
    if (res.node === null) {
      if (m.unschedulable !== res.message) {
        log.record({ t: sim.now, type: 'TargetPodUnschedulable', migration: m.name, message: res.message });
      }
      m.unschedulable = res.message;
      this.unschedulable.add(m);
      return false;
    }
    this.unschedulable.delete(m);
    m.unschedulable = null;
    m.targetNode = res.node;
    state.reserve(res.node, m.vmi);
    log.record({ t: sim.now, type: 'TargetPodScheduled', migration: m.name, node: res.node });
    this.after(m, this.ctx.scenario.controlPlane.targetPodStartup, 'target-pod-ready', () => this.podReady(m));
    return true;
  }

  /** Resources were freed or nodes changed: the scheduler retries pending target pods. */
  clusterChanged(): void {
    for (const m of [...this.unschedulable].sort((a, b) => a.seq - b.seq)) {
      if (m.finalAt === null && m.targetNode === null) this.trySchedule(m);
    }
  }

  private unschedulableTimeout(m: Vmim): void {
    if (m.finalAt !== null || m.targetNode !== null || m.unschedulable === null) return;
    const s = this.ctx.scenario.controlPlane.unschedulablePendingTimeout;
    this.fail(m, 'TargetPodUnschedulable', `target pod was unschedulable for ${s}s and was deleted: ${m.unschedulable}`, null, false);
  }

  private catchAllTimeout(m: Vmim): void {
    if (m.finalAt !== null || m.podReady) return;
    const s = this.ctx.scenario.controlPlane.catchAllPendingTimeout;
    this.fail(m, 'TargetPodPendingTimeout', `target pod was pending for ${s}s and was deleted`, null, false);
  }

  private after(m: Vmim, d: Distribution, label: string, fn: () => void): void {
    const delay = this.ctx.random.sample(d, `control-plane/${label}`, m.entity);
    m.timers.push(this.ctx.sim.after(delay, () => {
      if (m.finalAt === null) fn();
    }, label));
  }

  private podReady(m: Vmim): void {
    m.podReady = true;
    this.setPhase(m, 'Scheduled');
    if (m.abortRequested) {
      this.fail(m, 'AbortRequested', 'migration was deleted before hand-off', null, false);
      return;
    }
    this.after(m, this.ctx.scenario.controlPlane.handoff, 'handoff', () => this.handOff(m));
  }

  private handOff(m: Vmim): void {
    if (m.abortRequested) {
      this.fail(m, 'AbortRequested', 'migration was deleted before hand-off', null, false);
      return;
    }
    m.handedOff = true;
    this.setPhase(m, 'PreparingTarget');
    this.after(m, this.ctx.scenario.controlPlane.targetPreparation, 'target-preparation', () => {
      this.setPhase(m, 'TargetReady');
      this.after(m, this.ctx.scenario.controlPlane.migrationStart, 'migration-start', () => this.startMigration(m));
    });
  }

  /** The source virt-handler starts the launcher's migration: policy frozen at hand-off, monitor, job. */
  private startMigration(m: Vmim): void {
    const { sim, log, scenario, fabric, topology } = this.ctx;
    const vm = m.vmi.spec;
    const policy = selectMigrationPolicy(scenario.migrationPolicies, vm.labels, scenario.namespaces[vm.namespace] ?? {});
    const cfg = resolveMigrationConfiguration(scenario.kubevirt.migrations, policy, scenario.kubevirt.version);
    const method = migrationMethod(vm);
    const acceptable = acceptableCompletionTime(cfg.completionTimeoutPerGiB, migrationDataSize(vm, method));
    this.setPhase(m, 'Running');
    log.record({
      t: sim.now,
      type: 'MigrationStarted',
      migration: m.name,
      sourceNode: m.sourceNode,
      targetNode: m.targetNode!,
      policy: policy?.name ?? null,
      method,
      acceptableCompletionTime: acceptable,
      bandwidthPerMigration: cfg.bandwidthPerMigration,
    });
    const hv = scenario.hypervisor;
    const job = new MigrationJob(
      sim,
      fabric,
      {
        id: m.name,
        memoryBytes: vm.usedMemory,
        guestBytes: vm.guestMemory ?? vm.memory,
        pageSize: hv.pageSize,
        switchover: hv.switchover,
        diskBytes: method === 'BlockMigration' ? blockMigrationDiskBytes(vm) : 0,
        dirty: dirtyModel(vm.dirty),
        throttleSensitivity: vm.throttleSensitivity,
        downtimeLimit: hv.downtimeLimit,
        switchoverCost: hv.switchoverCost,
        bandwidthCap: cfg.bandwidthPerMigration > 0 ? cfg.bandwidthPerMigration : Infinity,
        autoConverge: cfg.allowAutoConverge
          ? {
              initialPct: hv.throttle.initial * 100,
              incrementPct: hv.throttle.increment * 100,
              maxPct: hv.throttle.max * 100,
              triggerThreshold: hv.throttle.triggerThreshold,
              syncInterval: 5,
            }
          : null,
        keepaliveTimeout: hv.keepalive.interval * (hv.keepalive.count + 1),
        links: topology.links(m.sourceNode, m.targetNode!),
      },
      (ev) => this.onJobEvent(m, ev),
    );
    m.job = job;
    m.monitor = new MigrationMonitor(
      sim,
      job,
      {
        acceptableCompletionTime: acceptable,
        progressTimeout: cfg.progressTimeout,
        allowWorkloadDisruption: cfg.allowWorkloadDisruption,
        allowPostCopy: cfg.allowPostCopy,
        hasVfio: vm.gpus.length > 0 || vm.hostDevices > 0,
        version: scenario.kubevirt.version,
      },
      (a) => this.onMonitorAction(m, a),
    );
    m.monitor.begin();
    job.start();
    if (!topology.reachable({ from: m.sourceNode, to: m.targetNode!, network: topology.migrationNetwork })) {
      job.setReachable(false);
    }
    if (m.abortRequested) job.abort('AbortRequested', 'migration was deleted: AbortJob');
  }

  /** Outages changed: tell every running job whether its path is reachable. */
  connectivityChanged(): void {
    const { topology } = this.ctx;
    this.ctx.fabric.batch(() => {
      for (const m of this.running) {
        if (m.job && m.job.active) {
          m.job.setReachable(topology.reachable({ from: m.sourceNode, to: m.targetNode!, network: topology.migrationNetwork }));
        }
      }
    });
  }

  private onMonitorAction(m: Vmim, a: MonitorAction): void {
    const { sim, log } = this.ctx;
    if (a.type === 'GuestPaused') {
      log.record({ t: sim.now, type: 'GuestPaused', migration: m.name, acceptableCompletionTime: a.newAcceptableCompletionTime });
    } else if (a.type === 'DowntimeRaised') {
      log.record({ t: sim.now, type: 'DowntimeRaised', migration: m.name, downtimeLimit: a.downtimeLimit });
    }
    // PostCopySwitch and Abort are logged from the job's own events.
  }

  private onJobEvent(m: Vmim, ev: JobEvent): void {
    const { sim, log } = this.ctx;
    const t = sim.now;
    switch (ev.type) {
      case 'Iteration':
        log.record({ t, type: 'Iteration', migration: m.name, iteration: ev.iteration, bytes: ev.bytes, duration: ev.duration, dirtied: ev.dirtied, rate: ev.rate, threshold: ev.threshold });
        break;
      case 'Throttle':
        log.record({ t, type: 'Throttle', migration: m.name, percent: ev.percent });
        break;
      case 'StopAndCopy':
        m.monitor?.stop();
        log.record({ t, type: 'StopAndCopy', migration: m.name, bytes: ev.bytes });
        break;
      case 'PostCopyStarted':
        log.record({ t, type: 'PostCopyStarted', migration: m.name, bytes: ev.bytes });
        break;
      case 'Stalled':
        m.monitor?.stalled();
        log.record({ t, type: 'Stalled', migration: m.name });
        break;
      case 'Resumed':
        m.monitor?.resumed();
        log.record({ t, type: 'Resumed', migration: m.name, stalledSeconds: ev.stalledSeconds });
        break;
      case 'Completed':
        this.succeed(m, ev.result);
        break;
      case 'Failed':
        this.fail(m, ev.reason, ev.message, ev.result, ev.vmLost);
        break;
      default:
        break;
    }
  }

  /** Deleting the VMIM (virtctl migrate-cancel), spec §3.6. */
  cancel(name: string): void {
    const { sim, log } = this.ctx;
    const m = this.vmims.get(name);
    if (!m || m.finalAt !== null) return;
    log.record({ t: sim.now, type: 'AbortRequested', migration: name });
    m.abortRequested = true;
    if (!m.handedOff) {
      this.fail(m, 'AbortRequested', 'migration was deleted before hand-off', null, false);
    } else if (m.job && m.job.active && m.job.mode !== 'PostCopy') {
      m.job.abort('AbortRequested', 'migration was deleted: AbortJob');
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
    // v1.9+: a finished migration re-offers its slot at once to the top pending ones by priority.
    if (versionAtLeast(this.ctx.scenario.kubevirt.version, 1, 9)) {
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
