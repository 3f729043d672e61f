// KubeVirt's source-side migration monitor (virt-launcher, legacy path:
// pkg/virt-launcher/virtwrap/live-migration-source.go, migrationMonitor).
// It polls libvirt every 400 ms from the moment it starts; rather than simulate every poll we
// schedule only the polls at which a decision can change: the first poll past the completion
// deadline, and, while the transfer is stalled, the first poll past the progress timeout.
// Both tests are strict and in whole seconds: floor(elapsed) > limit.
import type { Simulator, Timer } from '../engine/simulator.js';
import type { MigrationJob } from '../precopy/job.js';
import type { KubeVirtBehaviour } from '../scenario/versions.js';

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
  behaviour: Pick<KubeVirtBehaviour, 'workloadDisruption' | 'vfioRaisesDowntime' | 'asyncAbortMessages'>;
}

/**
 * The failure reason the monitor's abort leaves on the VMI / VMIM. Up to v1.8 the monitor wrote
 * the cause; v1.9's asynchronous AbortJob (cancelMigration) reports the same text for every cause.
 */
export function abortMessage(
  cause: 'ProgressTimeout' | 'CompletionTimeout',
  seconds: number,
  behaviour: Pick<KubeVirtBehaviour, 'asyncAbortMessages'>,
): string {
  if (behaviour.asyncAbortMessages) return 'Live migration has been aborted';
  return cause === 'ProgressTimeout'
    ? `Live migration stuck for ${seconds} seconds and has been aborted`
    : `Live migration is not completed after ${seconds} seconds and has been aborted`;
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
  /** poll at which the completion test first passes, or null (disabled) */
  private completionPoll: number | null = null;
  /** poll at which the progress test first passes while stalled, or null */
  private progressPoll: number | null = null;
  private lastEvaluated = -1;
  private timer: Timer | null = null;
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
    this.completionPoll = this.acceptable > 0 ? firstPollAfter(this.acceptable) : null;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.sim.cancel(this.timer);
    this.timer = null;
  }

  private pollTime(k: number): number {
    return this.start + (k * POLL_MS) / 1000;
  }

  /** One timer at the next poll where a test can pass; a poll is evaluated once. */
  private arm(): void {
    this.sim.cancel(this.timer);
    this.timer = null;
    if (this.stopped) return;
    let k = Infinity;
    if (this.completionPoll !== null) k = Math.min(k, this.completionPoll);
    if (this.progressPoll !== null) k = Math.min(k, this.progressPoll);
    if (k === Infinity) return;
    k = Math.max(k, this.lastEvaluated + 1);
    this.timer = this.sim.at(this.pollTime(k), () => {
      this.timer = null;
      this.evaluate(k);
    }, 'monitor-poll');
  }

  /**
   * The transfer stopped moving. DataRemaining still fell at the first poll at or after this
   * instant (bytes moved since the previous poll); from then on no poll sees progress.
   */
  stalled(): void {
    if (this.stopped || this.params.progressTimeout <= 0) return;
    const k = Math.max(0, Math.ceil(((this.sim.now - this.start) * 1000) / POLL_MS - 1e-9));
    this.lastProgressPoll = k;
    this.progressPoll = firstPollAfter(this.params.progressTimeout, k);
    this.arm();
  }

  /** Bytes move again: the next poll sees DataRemaining fall, so the progress clock resets. */
  resumed(): void {
    this.progressPoll = null;
    this.arm();
  }

  /** One poll, in the order of the monitor's `switch`: only the first matching case acts. */
  private evaluate(k: number): void {
    this.lastEvaluated = k;
    if (this.stopped || !this.job.active) return;
    if (this.job.mode === 'PostCopy') return; // 1. no timeouts after the switch
    const elapsed = Math.floor((k * POLL_MS) / 1000);
    const completionExceeded = this.acceptable > 0 && elapsed > this.acceptable;
    const progressExceeded = this.progressPoll !== null && k >= this.progressPoll;
    const b = this.params.behaviour;
    // VFIO is checked on this path only from v1.9.0: before, post-copy starts whatever the devices.
    const postCopy = this.params.allowPostCopy && !(b.vfioRaisesDowntime && this.params.hasVfio);
    if (completionExceeded && b.workloadDisruption && this.params.allowWorkloadDisruption && this.job.mode !== 'Paused') {
      // 2. allowWorkloadDisruption: post-copy, or (VFIO, v1.9+) a raised downtime, or pause.
      if (postCopy) {
        this.act({ type: 'PostCopySwitch' });
        this.job.startPostCopy();
        this.stop();
        return;
      }
      if (this.params.hasVfio && b.vfioRaisesDowntime) {
        // max downtime = min(2 × acceptable × 1000 ms, 2,000,000 ms), in seconds here
        const limit = Math.min(2 * this.acceptable, 2000);
        this.acceptable *= 2;
        this.act({ type: 'DowntimeRaised', downtimeLimit: limit, newAcceptableCompletionTime: this.acceptable });
        this.job.setDowntimeLimit(limit);
      } else {
        this.acceptable *= 2;
        this.act({ type: 'GuestPaused', newAcceptableCompletionTime: this.acceptable });
        this.job.pauseGuest();
      }
      this.completionPoll = firstPollAfter(this.acceptable);
      this.arm();
      return;
    }
    if (completionExceeded && !b.workloadDisruption && this.params.allowPostCopy) {
      // Before v1.5: the deadline switches to post-copy when allowed, else aborts.
      this.act({ type: 'PostCopySwitch' });
      this.job.startPostCopy();
      this.stop();
      return;
    }
    if (progressExceeded) {
      const stuck = Math.floor(((k - this.lastProgressPoll) * POLL_MS) / 1000);
      this.abort('ProgressTimeout', abortMessage('ProgressTimeout', stuck, this.params.behaviour));
      return;
    }
    if (completionExceeded) {
      this.abort('CompletionTimeout', abortMessage('CompletionTimeout', this.acceptable, this.params.behaviour));
      return;
    }
    this.arm();
  }

  private abort(reason: 'ProgressTimeout' | 'CompletionTimeout', message: string): void {
    this.act({ type: 'Abort', reason, message });
    this.stop();
    this.job.abort(reason, message);
  }
}
