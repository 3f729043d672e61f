// One QEMU migration job as libvirt drives it: optional disk mirroring (block migration),
// then RAM pre-copy rounds, the stop-and-copy switch-over, or post-copy when asked.
//
// The transfer is a fluid: between two events the job's bandwidth is constant, so the bytes
// sent are rate × elapsed. A bandwidth change mid-round carries the bytes left in the round
// over at the new rate (no round is ever re-run). Rounds follow QEMU's rule: at each bitmap
// sync the pages dirtied during the round become the next round, and the job switches over
// when they fit in bandwidth × downtime limit.
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

export interface JobParams {
  id: string;
  /** RAM bytes sent by round 0 (non-zero pages) */
  memoryBytes: number;
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
  private roundBytes = 0;
  private workInRound = 0;
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
    this.emit({ type: 'GuestPaused' });
  }

  /** VFIO case at HEAD: raise max downtime instead of pausing. */
  setDowntimeLimit(seconds: number): void {
    this.downtimeLimit = seconds;
    this.mode = 'Paused';
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
    this.doneTimer = null;
    if (!this.active || this.rate <= 0) return;
    this.doneTimer = this.sim.after(this.left / this.rate, () => this.unitDone(), 'transfer');
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
    this.startRound(this.params.memoryBytes);
    if (this.mode === 'PostCopy') {
      this.enterPostCopy();
      return;
    }
    this.armSyncTimer();
    this.reschedule();
  }

  private startRound(bytes: number): void {
    this.roundStart = this.sim.now;
    this.roundBytes = bytes;
    this.left = bytes;
    this.workInRound = 0;
  }

  /** A bitmap sync at the end of a pass: the dirtied pages become the next pass, or we switch over. */
  private roundEnd(): void {
    const now = this.sim.now;
    this.iterations++;
    const dirtied = Math.min(this.params.dirty.dirtied(this.workInRound), this.params.memoryBytes);
    const threshold = this.rate * this.downtimeLimit;
    this.emit({
      type: 'Iteration',
      iteration: this.iterations,
      bytes: this.roundBytes,
      duration: now - this.roundStart,
      dirtied,
      rate: this.rate,
      threshold,
    });
    this.sync();
    if (dirtied <= threshold) {
      this.enterStopAndCopy(dirtied);
      return;
    }
    this.startRound(dirtied);
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
    // QEMU lifts max-bandwidth for the final pass (spec §12).
    this.fabric.setCap(this.flow, INF);
    this.reschedule();
  }

  private enterPostCopy(): void {
    this.sim.cancel(this.syncTimer);
    // Pages not yet valid on the target: the rest of this pass and what was dirtied during it.
    const pending = Math.min(this.params.memoryBytes, this.left + this.params.dirty.dirtied(this.workInRound));
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
    this.sim.cancel(this.syncTimer);
    this.sim.cancel(this.keepaliveTimer);
    this.doneTimer = this.syncTimer = this.keepaliveTimer = null;
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
  private armSyncTimer(): void {
    const ac = this.params.autoConverge;
    if (!ac) return;
    this.syncTimer = this.sim.after(
      ac.syncInterval,
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
        this.throttlePct = this.throttlePct === 0 ? ac.initialPct : Math.min(ac.maxPct, this.throttlePct + ac.incrementPct);
        this.maxThrottlePct = Math.max(this.maxThrottlePct, this.throttlePct);
        this.emit({ type: 'Throttle', percent: this.throttlePct });
      }
      this.lastEval = now;
      this.workPeriod = 0;
      this.xferPeriod = 0;
    }
  }

  result(): JobResult {
    return {
      mode: this.mode,
      downtimeSeconds: this.downtime,
      transferredBytes: this.transferred,
      iterations: this.iterations,
      maxThrottlePercent: this.maxThrottlePct,
      postCopySeconds: this.postCopySeconds,
      stalledSeconds: this.stalledSeconds,
    };
  }
}
