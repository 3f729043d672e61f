// KubeVirt's source-side migration monitor (virt-launcher, legacy path, spec §2.1–2.4).
// It polls libvirt every 400 ms from the moment it starts; rather than simulate every poll we
// schedule only the polls at which a decision can change: the first poll past the completion
// deadline, and, while the transfer is stalled, the first poll past the progress timeout.
// Both tests are strict and in whole seconds: floor(elapsed) > limit.
import type { Simulator, Timer } from '../engine/simulator.js';
import type { MigrationJob } from '../precopy/job.js';

export const POLL_MS = 400;

export interface MonitorParams {
  /** completionTimeoutPerGiB × ceil(bytes / 1e9); 0 disables */
  acceptableCompletionTime: number;
  /** seconds; 0 disables */
  progressTimeout: number;
  allowWorkloadDisruption: boolean;
  allowPostCopy: boolean;
  /** a VFIO device (e.g. a mediated GPU) is attached */
  hasVfio: boolean;
  version: { major: number; minor: number };
}

export type MonitorAction =
  | { type: 'PostCopySwitch' }
  | { type: 'GuestPaused'; newAcceptableCompletionTime: number }
  | { type: 'DowntimeRaised'; downtimeLimit: number; newAcceptableCompletionTime: number }
  | { type: 'Abort'; reason: 'ProgressTimeout' | 'CompletionTimeout'; message: string };

/** First poll index k (poll at start + 0.4·k) with floor(0.4·k − offset) > limit, for offset on the grid. */
export function firstPollAfter(limitSeconds: number, fromPoll = 0): number {
  // floor(0.4·(k − from)) > L  ⇔  0.4·(k − from) ≥ floor(L) + 1  ⇔  k − from ≥ ceil((floor(L)+1)·10/4)
  return fromPoll + Math.ceil(((Math.floor(limitSeconds) + 1) * 1000) / POLL_MS);
}

export class MigrationMonitor {
  private start = 0;
  private acceptable: number;
  private lastProgressPoll = 0;
  private completionTimer: Timer | null = null;
  private progressTimer: Timer | null = null;
  private stopped = false;

  constructor(
    private readonly sim: Simulator,
    private readonly job: MigrationJob,
    private readonly params: MonitorParams,
    private readonly act: (a: MonitorAction) => void,
  ) {
    this.acceptable = params.acceptableCompletionTime;
  }

  get acceptableCompletionTime(): number {
    return this.acceptable;
  }

  /** The monitor starts just before MigrateToURI3, so the deadline covers setup and disk copy. */
  begin(): void {
    this.start = this.sim.now;
    this.lastProgressPoll = 0;
    this.armCompletion();
  }

  stop(): void {
    this.stopped = true;
    this.sim.cancel(this.completionTimer);
    this.sim.cancel(this.progressTimer);
  }

  private pollTime(k: number): number {
    return this.start + (k * POLL_MS) / 1000;
  }

  private armCompletion(): void {
    this.sim.cancel(this.completionTimer);
    this.completionTimer = null;
    if (this.acceptable <= 0) return;
    const k = firstPollAfter(this.acceptable);
    this.completionTimer = this.sim.at(this.pollTime(k), () => this.evaluate(k), 'completion-timeout');
  }

  /** The transfer stopped moving: DataRemaining last fell at the last poll at or before now. */
  stalled(): void {
    if (this.stopped || this.params.progressTimeout <= 0) return;
    const k = Math.max(0, Math.floor(((this.sim.now - this.start) * 1000) / POLL_MS + 1e-9));
    this.lastProgressPoll = k;
    const fire = firstPollAfter(this.params.progressTimeout, k);
    this.sim.cancel(this.progressTimer);
    this.progressTimer = this.sim.at(this.pollTime(fire), () => this.evaluate(fire), 'progress-timeout');
  }

  /** Bytes move again: the next poll sees DataRemaining fall, so the progress clock resets. */
  resumed(): void {
    this.sim.cancel(this.progressTimer);
    this.progressTimer = null;
  }

  /** One poll, in the decision order of spec §2.4: only the first matching case acts. */
  private evaluate(k: number): void {
    if (this.stopped || !this.job.active) return;
    if (this.job.mode === 'PostCopy') return; // 1. no timeouts after the switch
    const elapsed = Math.floor((k * POLL_MS) / 1000);
    const completionExceeded = this.acceptable > 0 && elapsed > this.acceptable;
    const progressExceeded =
      this.progressTimer !== null &&
      this.params.progressTimeout > 0 &&
      Math.floor(((k - this.lastProgressPoll) * POLL_MS) / 1000) > this.params.progressTimeout;
    const v = this.params.version;
    const hasDisruption = v.major > 1 || v.minor >= 5;
    if (completionExceeded && hasDisruption && this.params.allowWorkloadDisruption && this.job.mode !== 'Paused') {
      // 2. allowWorkloadDisruption: post-copy, or (VFIO at HEAD) a raised downtime, or pause.
      if (this.params.allowPostCopy && !this.params.hasVfio) {
        this.act({ type: 'PostCopySwitch' });
        this.job.startPostCopy();
        this.stop();
        return;
      }
      const head = v.major > 1 || v.minor >= 10;
      if (this.params.hasVfio && head) {
        const limit = Math.min(2 * this.acceptable, 2000);
        this.acceptable *= 2;
        this.act({ type: 'DowntimeRaised', downtimeLimit: limit, newAcceptableCompletionTime: this.acceptable });
        this.job.setDowntimeLimit(limit);
      } else {
        this.acceptable *= 2;
        this.act({ type: 'GuestPaused', newAcceptableCompletionTime: this.acceptable });
        this.job.pauseGuest();
      }
      this.armCompletion();
      return;
    }
    if (completionExceeded && !hasDisruption && this.params.allowPostCopy && !this.params.hasVfio) {
      // Before v1.5: the deadline switches to post-copy when allowed, else aborts.
      this.act({ type: 'PostCopySwitch' });
      this.job.startPostCopy();
      this.stop();
      return;
    }
    if (progressExceeded) {
      const stuck = Math.floor(((k - this.lastProgressPoll) * POLL_MS) / 1000);
      this.abort('ProgressTimeout', `Live migration stuck for ${stuck} sec and has been aborted`);
      return;
    }
    if (completionExceeded) {
      this.abort('CompletionTimeout', `Live migration is not completed after ${this.acceptable} sec and has been aborted`);
    }
  }

  private abort(reason: 'ProgressTimeout' | 'CompletionTimeout', message: string): void {
    this.act({ type: 'Abort', reason, message });
    this.stop();
    this.job.abort(reason, message);
  }
}
