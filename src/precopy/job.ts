// One QEMU migration job as libvirt drives it: optional disk mirroring (block migration),
// then RAM pre-copy rounds, the stop-and-copy switch-over, or post-copy when asked.
//
// The transfer is a fluid: between two events the job's bandwidth is constant, so the bytes
// sent are rate × elapsed. A bandwidth change mid-round carries the bytes left in the round
// over at the new rate (no round is ever re-run). Rounds follow QEMU's rule: at each bitmap
// sync the pages dirtied during the round become the next round, and the job switches over
// when they fit in bandwidth × downtime limit.
//
// Bytes are counted as they cross the wire (QEMU migration/ram.c, save_normal_page and
// save_zero_page): a normal page is an 8-byte header plus the page, a zero page a header plus one
// flag byte. The rate, the bytes sent and each round's length are wire bytes; the dirty models
// and QEMU's pending size (ram_state_pending_estimate: dirty pages × page size) are guest bytes.
import type { Simulator, Timer } from '../engine/simulator.js';
import type { Fabric, Flow, Link } from '../network/fabric.js';
import type { DirtyModel } from './dirty.js';

export interface AutoConverge {
  /** first throttle step, percent (20) */
  initialPct: number;
  /** later steps, percent (10) */
  incrementPct: number;
  /** cap, percent (99) */
  maxPct: number;
  /** dirtied bytes above this fraction of transferred bytes in a period count as "high" (0.5) */
  triggerThreshold: number;
  /** QEMU 9.2+ forces a bitmap sync when none happened for this long (5 s) */
  syncInterval: number;
}

/** When QEMU may switch over (scenario `spec.hypervisor.switchover`). */
export type SwitchoverMode = 'rounds' | 'qemu';

export interface JobParams {
  id: string;
  /** non-zero guest RAM bytes: round 0 sends these as normal pages */
  memoryBytes: number;
  /** all guest RAM bytes; the rest (guestBytes − memoryBytes) are zero pages */
  guestBytes: number;
  /** guest page size in bytes (TARGET_PAGE_SIZE, 4096 on x86) */
  pageSize: number;
  /**
   * `rounds`: the switch-over test runs at the end of each pass only (the analytic round model);
   * `qemu`: it also runs every 100 ms on the pending size, so a pass can be cut short.
   */
  switchover: SwitchoverMode;
  /** disk bytes mirrored before RAM (block migration), 0 for none */
  diskBytes: number;
  dirty: DirtyModel;
  /** fraction of the throttle that slows dirtying: 1 CPU-bound, 0 wall-clock paced */
  throttleSensitivity: number;
  /** QEMU downtime-limit, seconds */
  downtimeLimit: number;
  /** fixed switch-over cost (device state, activation), seconds */
  switchoverCost: number;
  /** bandwidthPerMigration in bytes/s (Infinity = unlimited); applies while iterating only */
  bandwidthCap: number;
  autoConverge: AutoConverge | null;
  /** libvirt keepalive: interval × (count + 1) seconds without traffic from the peer */
  keepaliveTimeout: number;
  links: readonly Link[];
}

export type JobPhase = 'disk' | 'precopy' | 'stopcopy' | 'postcopy' | 'completed' | 'failed';
export type MigrationMode = 'PreCopy' | 'PostCopy' | 'Paused';

export type JobEvent =
  | { type: 'DiskMirrored'; bytes: number }
  | { type: 'Iteration'; iteration: number; bytes: number; duration: number; dirtied: number; rate: number; threshold: number }
  | { type: 'Throttle'; percent: number }
  | { type: 'StopAndCopy'; bytes: number; rate: number }
  | { type: 'PostCopyStarted'; bytes: number }
  | { type: 'GuestPaused' }
  | { type: 'Stalled' }
  | { type: 'Resumed'; stalledSeconds: number }
  | { type: 'Completed'; result: JobResult }
  | { type: 'Failed'; reason: string; message: string; result: JobResult; vmLost: boolean };

/** What a job has done so far, read without changing it (a migration still running at the end). */
export interface JobProgress {
  phase: JobPhase;
  mode: MigrationMode;
  /** pre-copy passes completed */
  iterations: number;
  /** whole bytes that crossed the wire, including the current partial pass */
  transferredBytes: number;
  /** current auto-converge throttle, percent */
  throttlePercent: number;
  maxThrottlePercent: number;
  /** the job is in a steady state of identical rounds that can never converge by itself */
  steady: boolean;
}

export interface JobResult {
  mode: MigrationMode;
  downtimeSeconds: number;
  transferredBytes: number;
  iterations: number;
  maxThrottlePercent: number;
  postCopySeconds: number;
  stalledSeconds: number;
}

const INF = Infinity;

/** QEMU migration/ram.c save_page_header: 8-byte offset|flags word before every page */
export const PAGE_HEADER_BYTES = 8;
/** save_zero_page: a header plus one flag byte */
export const ZERO_PAGE_BYTES = PAGE_HEADER_BYTES + 1;
/** QEMU migration/migration.c BUFFER_DELAY: bandwidth window and pending-size check, seconds */
export const CHECK_INTERVAL = 0.1;
/** at most this many candidate checks are evaluated in one search before a timer takes over */
const SEARCH_LIMIT = 1000;

/** A steady state: identical rounds from `start`, each `bytes` long at `rate`. */
interface Steady {
  start: number;
  bytes: number;
  rate: number;
  period: number;
  iterations: number;
  transferred: number;
  syncCount: number;
}

export class MigrationJob {
  phase: JobPhase = 'disk';
  mode: MigrationMode = 'PreCopy';
  readonly flow: Flow;
  private rate = 0;
  private last: number;
  /** bytes left in the current unit: disk, round, stop-and-copy or post-copy remainder */
  private left: number;
  private transferred = 0;
  private iterations = 0;
  private roundStart = 0;
  /** wire bytes of the current pass */
  private roundBytes = 0;
  /** guest bytes the current pass covers (round 0: all pages, zero ones included) */
  private roundGuest = 0;
  private workInRound = 0;
  /** rate and throttle when the current pass began, and whether either changed during it */
  private roundRate = 0;
  private roundThrottle = 0;
  private roundDisturbed = false;
  private ramStart = 0;
  /** guest bytes → wire bytes for normal pages, (P + 8)/P */
  private readonly wirePerGuest: number;
  /** wire bytes of round 0 (all of RAM) */
  private readonly round0Wire: number;
  private steady: Steady | null = null;
  private throttlePct = 0;
  private maxThrottlePct = 0;
  private guestPaused = false;
  private pausedAt = 0;
  private downtime = 0;
  private postCopyStart = 0;
  private postCopySeconds = 0;
  private stalledAt: number | null = null;
  private stalledSeconds = 0;
  private reachable = true;
  private downtimeLimit: number;
  // auto-converge period statistics
  /** QEMU's dirty_sync_count: 1 after the setup sync, +1 per bitmap sync */
  private syncCount = 0;
  private syncCountAtTick = 0;
  private lastEval = 0;
  private workPeriod = 0;
  private xferPeriod = 0;
  private highCount = 0;
  private doneTimer: Timer | null = null;
  private checkTimer: Timer | null = null;
  // the timers' actions, made once per job: the transfer timer is re-made on every rate change
  private readonly onUnitDone = (): void => this.unitDone();
  private readonly onSwitchCheck = (): void => this.switchCheck();
  private steadyTimer: Timer | null = null;
  private syncTimer: Timer | null = null;
  private keepaliveTimer: Timer | null = null;

  constructor(
    private readonly sim: Simulator,
    private readonly fabric: Fabric,
    readonly params: JobParams,
    private readonly emit: (ev: JobEvent) => void,
  ) {
    this.last = sim.now;
    this.downtimeLimit = params.downtimeLimit;
    this.left = params.diskBytes;
    const p = params.pageSize;
    this.wirePerGuest = (p + PAGE_HEADER_BYTES) / p;
    const zeroBytes = Math.max(0, params.guestBytes - params.memoryBytes);
    this.round0Wire = params.memoryBytes * this.wirePerGuest + (zeroBytes / p) * ZERO_PAGE_BYTES;
    this.flow = {
      id: params.id,
      links: params.links,
      cap: params.bandwidthCap,
      blocked: false,
      rate: 0,
      onRate: (r) => this.setRate(r),
    };
  }

  /** MigrateToURI3: connect and start sending. */
  start(): void {
    this.last = this.sim.now;
    this.fabric.addFlow(this.flow);
    if (this.params.diskBytes <= 0) this.startRam();
    else this.reschedule();
    this.checkStall();
  }

  get active(): boolean {
    return this.phase !== 'completed' && this.phase !== 'failed';
  }

  // ---- commands from KubeVirt's monitor -------------------------------------------------

  /** virDomainSuspend: the guest stops dirtying memory (mode Paused). */
  pauseGuest(): void {
    if (!this.active || this.guestPaused) return;
    this.advance();
    this.guestPaused = true;
    this.pausedAt = this.sim.now;
    this.mode = 'Paused';
    this.roundDisturbed = true;
    this.emit({ type: 'GuestPaused' });
    this.reschedule();
  }

  /** VFIO case at HEAD: raise max downtime instead of pausing. */
  setDowntimeLimit(seconds: number): void {
    this.advance();
    this.downtimeLimit = seconds;
    this.mode = 'Paused';
    this.reschedule();
  }

  /** MigrateStartPostCopy: the guest resumes on the target; missing pages follow. */
  startPostCopy(): void {
    if (!this.active || this.phase === 'postcopy' || this.phase === 'stopcopy') return;
    this.advance();
    this.mode = 'PostCopy';
    if (this.phase === 'disk') return; // takes effect when RAM migration starts (see startRam)
    this.enterPostCopy();
  }

  /** AbortJob (timeout or cancel). The guest keeps running on the source. */
  abort(reason: string, message: string): void {
    if (!this.active) return;
    this.fail(reason, message, false);
  }

  /** Connectivity of the peer-to-peer connection and the data path (outages). */
  setReachable(reachable: boolean): void {
    if (!this.active || this.reachable === reachable) return;
    this.reachable = reachable;
    if (reachable) {
      // Traffic back exactly at the keepalive deadline is too late: the connection is closed.
      if (this.keepaliveTimer && this.sim.now >= this.keepaliveTimer.time) {
        this.connectionLost();
        return;
      }
      this.sim.cancel(this.keepaliveTimer);
      this.keepaliveTimer = null;
    } else {
      this.keepaliveTimer = this.sim.after(this.params.keepaliveTimeout, () => this.connectionLost(), 'keepalive');
    }
    this.fabric.setBlocked(this.flow, !reachable);
    this.checkStall();
  }

  // ---- the fluid ------------------------------------------------------------------------

  private guestFactor(): number {
    if (this.guestPaused || this.phase === 'stopcopy' || this.phase === 'postcopy') return 0;
    return 1 - (this.throttlePct / 100) * this.params.throttleSensitivity;
  }

  private advance(): void {
    if (this.steady) this.leaveSteady();
    const now = this.sim.now;
    const dt = now - this.last;
    if (dt <= 0) return;
    if (this.active) {
      const sent = Math.min(this.left, this.rate * dt);
      this.left -= sent;
      this.transferred += sent;
      if (this.phase === 'precopy') {
        this.xferPeriod += sent;
        const f = this.guestFactor();
        if (f > 0) {
          const w = this.params.dirty.work(this.last, now) * f;
          this.workInRound += w;
          this.workPeriod += w;
        }
      }
    }
    this.last = now;
  }

  private setRate(rate: number): void {
    if (!this.active) return;
    this.advance();
    if (rate !== this.roundRate) this.roundDisturbed = true;
    this.rate = rate;
    this.reschedule();
    this.checkStall();
  }

  private checkStall(): void {
    if (!this.active) return;
    const now = this.sim.now;
    if (this.rate === 0 && this.stalledAt === null) {
      this.stalledAt = now;
      this.emit({ type: 'Stalled' });
    } else if (this.rate > 0 && this.stalledAt !== null) {
      const d = now - this.stalledAt;
      this.stalledSeconds += d;
      this.stalledAt = null;
      this.emit({ type: 'Resumed', stalledSeconds: d });
    }
  }

  private reschedule(): void {
    this.sim.cancel(this.doneTimer);
    this.sim.cancel(this.checkTimer);
    this.doneTimer = this.checkTimer = null;
    if (!this.active || this.rate <= 0 || this.steady) return;
    this.doneTimer = this.sim.after(this.left / this.rate, this.onUnitDone, 'transfer');
    if (this.phase === 'precopy' && this.params.switchover === 'qemu' && this.mode !== 'PostCopy') {
      const t = this.nextSwitchCheck();
      if (t !== null) this.checkTimer = this.sim.at(t, this.onSwitchCheck, 'pending-check');
    }
  }

  private unitDone(): void {
    this.doneTimer = null;
    this.advance();
    this.left = 0; // absorb rounding
    switch (this.phase) {
      case 'disk':
        this.emit({ type: 'DiskMirrored', bytes: this.params.diskBytes });
        this.startRam();
        break;
      case 'precopy':
        this.roundEnd();
        break;
      case 'stopcopy':
      case 'postcopy':
        this.finish();
        break;
      default:
        break;
    }
  }

  private startRam(): void {
    this.phase = 'precopy';
    this.syncCount = 1; // the setup sync
    this.syncCountAtTick = 1;
    this.lastEval = this.sim.now;
    this.ramStart = this.sim.now;
    this.startRound(this.round0Wire, this.params.guestBytes);
    if (this.mode === 'PostCopy') {
      this.enterPostCopy();
      return;
    }
    this.armSyncTimer();
    this.reschedule();
  }

  private startRound(wire: number, guest: number): void {
    this.roundStart = this.sim.now;
    this.roundBytes = wire;
    this.roundGuest = guest;
    this.left = wire;
    this.workInRound = 0;
    this.roundRate = this.rate;
    this.roundThrottle = this.throttlePct;
    this.roundDisturbed = false;
  }

  /** Guest bytes dirtied in the current pass so far (never more than the guest's non-zero memory). */
  private dirtiedInRound(): number {
    return Math.min(this.params.dirty.dirtied(this.workInRound), this.params.memoryBytes);
  }

  /**
   * A bitmap sync at the end of a pass: the dirtied pages become the next pass, or we switch over.
   * QEMU's threshold is the measured wire bandwidth × downtime-limit (migration.c,
   * migration_update_counters); the pending size it is compared with is dirty pages × page size
   * (ram.c, ram_state_pending_exact), so headers count through the bandwidth, not the pending size.
   */
  private roundEnd(): void {
    const now = this.sim.now;
    this.iterations++;
    const dirtied = this.dirtiedInRound();
    const threshold = this.rate * this.downtimeLimit;
    this.emitIteration(now, this.roundBytes, dirtied, threshold);
    this.sync();
    if (dirtied <= threshold) {
      this.enterStopAndCopy(dirtied * this.wirePerGuest);
      return;
    }
    const ended = { bytes: this.roundBytes, start: this.roundStart, throttle: this.roundThrottle, disturbed: this.roundDisturbed };
    this.startRound(dirtied * this.wirePerGuest, dirtied);
    if (this.iterations >= 2 && this.canStaySteady(ended)) this.enterSteady();
    else this.reschedule();
  }

  private emitIteration(now: number, bytes: number, dirtied: number, threshold: number): void {
    this.emit({ type: 'Iteration', iteration: this.iterations, bytes, duration: now - this.roundStart, dirtied, rate: this.rate, threshold });
  }

  // ---- QEMU's pending-size check (switchover: qemu) -------------------------------------

  /**
   * QEMU's pending size at `t` in the current pass under the current rate: the unsent pages of the
   * pass plus those dirtied since it began (migration.c migration_iteration_run with
   * ram_state_pending_estimate). In round 0 the unsent part includes zero pages, at guest size.
   */
  private pendingAt(t: number): number {
    const unsentWire = Math.max(0, this.left - this.rate * (t - this.last));
    const unsentGuest = this.roundBytes > 0 ? (unsentWire * this.roundGuest) / this.roundBytes : 0;
    const f = this.guestFactor();
    const work = this.workInRound + (f > 0 && t > this.last ? this.params.dirty.work(this.last, t) * f : 0);
    const dirtied = Math.min(this.params.dirty.dirtied(work), this.params.memoryBytes);
    return Math.min(this.params.guestBytes, unsentGuest + dirtied);
  }

  /** First check instant (ramStart + 0.1·k) strictly after `t`. */
  private gridAfter(t: number): number {
    const k = Math.floor((t - this.ramStart) / CHECK_INTERVAL + 1e-9) + 1;
    return this.ramStart + k * CHECK_INTERVAL;
  }

  /** First check instant at or after `t`. */
  private gridFrom(t: number): number {
    const k = Math.max(1, Math.ceil((t - this.ramStart) / CHECK_INTERVAL - 1e-9));
    return this.ramStart + k * CHECK_INTERVAL;
  }

  /**
   * The first check before the pass ends at which pending ≤ threshold, or null if none. The
   * unsent part shrinks at the rate and dirtying only adds, so pending(t) − threshold is a lower
   * bound on the guest bytes still to drain: the search jumps over checks that cannot pass. If the
   * search is cut short, the returned instant is a check that will search again from there.
   */
  private nextSwitchCheck(): number | null {
    const rate = this.rate;
    if (rate <= 0 || this.roundBytes <= 0) return null;
    const threshold = rate * this.downtimeLimit;
    const end = this.last + this.left / rate;
    const drain = (rate * this.roundGuest) / this.roundBytes;
    let t = this.gridAfter(this.last);
    for (let i = 0; i < SEARCH_LIMIT && t < end; i++) {
      const p = this.pendingAt(t);
      if (p <= threshold) return t;
      t = Math.max(this.gridAfter(t), this.gridFrom(t + (p - threshold) / drain));
    }
    return t < end ? t : null;
  }

  /** A 100 ms check inside a pass: switch over with the unsent rest and the dirty pages. */
  private switchCheck(): void {
    this.checkTimer = null;
    this.advance();
    const now = this.sim.now;
    const threshold = this.rate * this.downtimeLimit;
    if (this.phase !== 'precopy' || this.pendingAt(now) > threshold) {
      this.reschedule();
      return;
    }
    // The cut-short pass counts as an iteration; QEMU's final sync ends it.
    this.iterations++;
    const dirtied = this.dirtiedInRound();
    this.emitIteration(now, this.roundBytes - this.left, dirtied, threshold);
    this.sync();
    this.enterStopAndCopy(Math.min(this.round0Wire, this.left + dirtied * this.wirePerGuest));
  }

  // ---- the steady state of a migration that cannot converge ----------------------------

  /**
   * The pass that just ended and the one starting now are identical (same bytes, same rate, same
   * guest speed, a dirty model that no longer changes with time, a throttle that can no longer
   * change, and in `qemu` mode no instant of the pass that could pass the check), so every later
   * pass is too until something outside the job changes: a rate change, a monitor command, an
   * outage. Nothing inside the job can end it.
   */
  private canStaySteady(ended: { bytes: number; start: number; throttle: number; disturbed: boolean }): boolean {
    if (ended.bytes !== this.roundBytes || ended.disturbed || this.rate <= 0) return false;
    if (this.guestPaused || ended.start < this.params.dirty.stationaryFrom) return false;
    const ac = this.params.autoConverge;
    if (ac && (this.throttlePct < ac.maxPct || ended.throttle !== this.throttlePct)) return false;
    if (this.params.switchover === 'qemu' && !this.noCheckCanPass()) return false;
    return true;
  }

  /** No instant of the current pass (not only the 100 ms grid) has pending ≤ threshold. */
  private noCheckCanPass(): boolean {
    const threshold = this.rate * this.downtimeLimit;
    const end = this.last + this.left / this.rate;
    const drain = (this.rate * this.roundGuest) / this.roundBytes;
    let t = this.last;
    for (let i = 0; i < SEARCH_LIMIT; i++) {
      const p = this.pendingAt(t);
      if (p <= threshold) return false;
      const step = (p - threshold) / drain;
      if (t + step >= end) return true;
      t += step;
    }
    return false;
  }

  private enterSteady(): void {
    const now = this.sim.now;
    this.steady = {
      start: now,
      bytes: this.roundBytes,
      rate: this.rate,
      period: this.roundBytes / this.rate,
      iterations: this.iterations,
      transferred: this.transferred,
      syncCount: this.syncCount,
    };
    this.sim.cancel(this.doneTimer);
    this.sim.cancel(this.checkTimer);
    this.sim.cancel(this.syncTimer); // syncs in a steady state change nothing (throttle at its cap)
    this.doneTimer = this.checkTimer = this.syncTimer = null;
    // No event of its own until something else happens, but the migration is still running:
    // this foreground timer never fires and keeps the run going to its horizon.
    this.steadyTimer = this.sim.at(INF, () => undefined, 'precopy-steady-state');
  }

  /** Whole passes of the steady state completed by `t`, and the time into the current one. */
  private steadyAt(s: Steady, t: number): { n: number; into: number } {
    const n = Math.max(0, Math.floor((t - s.start) / s.period));
    return { n, into: Math.max(0, t - s.start - n * s.period) };
  }

  /** Bring the skipped passes into the job's state, as if they had run one by one. */
  private leaveSteady(): void {
    const s = this.steady!;
    this.steady = null;
    this.sim.cancel(this.steadyTimer);
    this.steadyTimer = null;
    const now = this.sim.now;
    const { n, into } = this.steadyAt(s, now);
    this.iterations = s.iterations + n;
    this.syncCount = s.syncCount + n;
    this.syncCountAtTick = this.syncCount;
    const start = s.start + n * s.period;
    const sent = Math.min(s.bytes, s.rate * into);
    this.transferred = s.transferred + n * s.bytes + sent;
    this.startRound(s.bytes, this.roundGuest);
    this.roundStart = start;
    this.left = s.bytes - sent;
    const f = this.guestFactor();
    this.workInRound = f > 0 ? this.params.dirty.work(start, now) * f : 0;
    if (n > 0) {
      this.lastEval = start;
      this.workPeriod = this.workInRound;
      this.xferPeriod = sent;
    }
    this.last = now;
    const ac = this.params.autoConverge;
    if (ac) {
      const next = this.ramStart + ac.syncInterval * (Math.floor((now - this.ramStart) / ac.syncInterval) + 1);
      this.armSyncTimer(next - now);
    }
    this.reschedule();
  }

  private enterStopAndCopy(bytes: number): void {
    this.sim.cancel(this.syncTimer);
    if (!this.guestPaused) {
      this.guestPaused = true;
      this.pausedAt = this.sim.now;
    }
    this.phase = 'stopcopy';
    this.left = bytes;
    this.emit({ type: 'StopAndCopy', bytes, rate: this.rate });
    // QEMU lifts max-bandwidth for the final pass: migration.c migration_completion stops the
    // guest and migration_rate_set(RATE_LIMIT_DISABLED) before the last ram_save_complete.
    this.fabric.setCap(this.flow, INF);
    this.reschedule();
  }

  private enterPostCopy(): void {
    this.sim.cancel(this.syncTimer);
    // Pages not yet valid on the target: the rest of this pass and what was dirtied during it.
    const pending = Math.min(this.round0Wire, this.left + this.dirtiedInRound() * this.wirePerGuest);
    this.phase = 'postcopy';
    this.mode = 'PostCopy';
    this.left = pending;
    this.postCopyStart = this.sim.now;
    if (this.guestPaused) {
      this.downtime += this.sim.now - this.pausedAt;
      this.guestPaused = false;
    }
    // The guest stops only for the switch (device state), then runs on the target.
    this.downtime += this.params.switchoverCost;
    this.emit({ type: 'PostCopyStarted', bytes: pending });
    this.fabric.setCap(this.flow, INF);
    this.reschedule();
  }

  private finish(): void {
    const now = this.sim.now;
    this.fabric.removeFlow(this.flow);
    this.clearTimers();
    if (this.phase === 'postcopy') {
      this.postCopySeconds = now - this.postCopyStart;
      this.phase = 'completed';
      this.emit({ type: 'Completed', result: this.result() });
      return;
    }
    // stop-and-copy: the guest was paused since pausedAt; the switch costs a fixed time more.
    this.downtime += now - this.pausedAt + this.params.switchoverCost;
    this.phase = 'completed';
    const cost = this.params.switchoverCost;
    if (cost > 0) this.sim.after(cost, () => this.emit({ type: 'Completed', result: this.result() }), 'switchover');
    else this.emit({ type: 'Completed', result: this.result() });
  }

  private connectionLost(): void {
    this.keepaliveTimer = null;
    if (!this.active) return;
    if (this.phase === 'postcopy') {
      this.fail('ConnectionLost', 'Lost connection to destination host during post-copy: the VMI is irrecoverable', true);
    } else {
      this.fail('ConnectionLost', 'Lost connection to destination host', false);
    }
  }

  private fail(reason: string, message: string, vmLost: boolean): void {
    this.advance();
    const now = this.sim.now;
    if (this.stalledAt !== null) {
      this.stalledSeconds += now - this.stalledAt;
      this.stalledAt = null;
    }
    if (this.guestPaused && this.phase !== 'postcopy') {
      // libvirt resumes the source guest after a failed or aborted pre-copy.
      this.downtime += now - this.pausedAt;
      this.guestPaused = false;
    }
    if (this.phase === 'postcopy') this.postCopySeconds = now - this.postCopyStart;
    this.phase = 'failed';
    this.fabric.removeFlow(this.flow);
    this.clearTimers();
    this.emit({ type: 'Failed', reason, message, result: this.result(), vmLost });
  }

  private clearTimers(): void {
    this.sim.cancel(this.doneTimer);
    this.sim.cancel(this.checkTimer);
    this.sim.cancel(this.steadyTimer);
    this.sim.cancel(this.syncTimer);
    this.sim.cancel(this.keepaliveTimer);
    this.doneTimer = this.checkTimer = this.steadyTimer = this.syncTimer = this.keepaliveTimer = null;
    if (this.stalledAt !== null) {
      this.stalledSeconds += this.sim.now - this.stalledAt;
      this.stalledAt = null;
    }
  }

  // ---- auto-converge ------------------------------------------------------------------

  /**
   * QEMU ≥ 9.2 with auto-converge ticks every 5 s from the start of RAM migration; a tick forces
   * a bitmap sync when none happened since the previous tick, except during round 0
   * (dirty_sync_count ≤ 1), which copies all memory anyway (cpu_throttle_dirty_sync_timer_tick).
   */
  private armSyncTimer(delay?: number): void {
    const ac = this.params.autoConverge;
    if (!ac) return;
    this.syncTimer = this.sim.after(
      delay ?? ac.syncInterval,
      () => {
        this.syncTimer = null;
        if (this.phase !== 'precopy') return;
        if (this.syncCount > 1 && this.syncCount === this.syncCountAtTick) {
          this.advance();
          this.sync();
        }
        this.syncCountAtTick = this.syncCount;
        this.armSyncTimer();
      },
      'dirty-sync-tick',
    );
  }

  /** migration_bitmap_sync: evaluates the throttle once more than 1 s has passed since the last period. */
  private sync(): void {
    const now = this.sim.now;
    this.syncCount++;
    const ac = this.params.autoConverge;
    if (ac && now - this.lastEval > 1) {
      const dirtied = this.params.dirty.dirtied(this.workPeriod);
      if (dirtied > ac.triggerThreshold * this.xferPeriod && ++this.highCount >= 2) {
        this.highCount = 0;
        const pct = this.throttlePct === 0 ? ac.initialPct : Math.min(ac.maxPct, this.throttlePct + ac.incrementPct);
        // At the cap QEMU sets the same throttle again (mig_throttle_guest_down): nothing changes.
        if (pct !== this.throttlePct) {
          this.throttlePct = pct;
          this.maxThrottlePct = Math.max(this.maxThrottlePct, pct);
          this.roundDisturbed = true;
          this.emit({ type: 'Throttle', percent: pct });
        }
      }
      this.lastEval = now;
      this.workPeriod = 0;
      this.xferPeriod = 0;
    }
  }

  /** Progress at `now` (≥ the last event the job saw) without changing the job. */
  progress(now: number = this.sim.now): JobProgress {
    let iterations = this.iterations;
    let transferred = this.transferred;
    const s = this.steady;
    if (s) {
      const { n, into } = this.steadyAt(s, now);
      iterations = s.iterations + n;
      transferred = s.transferred + n * s.bytes + Math.min(s.bytes, s.rate * into);
    } else if (this.active && now > this.last) {
      transferred += Math.min(this.left, this.rate * (now - this.last));
    }
    return {
      phase: this.phase,
      mode: this.mode,
      iterations,
      transferredBytes: Math.round(transferred),
      throttlePercent: this.throttlePct,
      maxThrottlePercent: this.maxThrottlePct,
      steady: s !== null,
    };
  }

  result(): JobResult {
    return {
      mode: this.mode,
      downtimeSeconds: this.downtime,
      // whole bytes: the fluid moves fractions of a page between events
      transferredBytes: Math.round(this.transferred),
      iterations: this.iterations,
      maxThrottlePercent: this.maxThrottlePct,
      postCopySeconds: this.postCopySeconds,
      stalledSeconds: this.stalledSeconds,
    };
  }
}
