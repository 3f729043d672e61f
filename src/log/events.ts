// The event log: everything the simulation did, in order. The simulation hands each event to its
// observers as it happens; metrics and reports read only these events. Nothing is stored unless an
// observer stores it (EventLog, or `--log FILE`).
import type { JobResult, MigrationMode } from '../precopy/job.js';

export type VmimPhase =
  | 'Pending'
  | 'Scheduling'
  | 'Scheduled'
  | 'PreparingTarget'
  | 'TargetReady'
  | 'Running'
  | 'Succeeded'
  | 'Failed';

type E<T extends string, P> = { t: number; type: T } & P;

export type LogEvent =
  | E<'MigrationCreated', { migration: string; vmi: string; sourceNode: string; priority: number; evacuationNode: string | null; apiKind: string; wave: string | null }>
  | E<'MigrationRejected', { migration: string; vmi: string; reason: string; message: string }>
  | E<'MigrationPhase', { migration: string; phase: VmimPhase }>
  | E<'MigrationQueued', { migration: string; reason: string; retryIn: number }>
  | E<'TargetPodCreated', { migration: string }>
  | E<'TargetPodUnschedulable', { migration: string; message: string }>
  | E<'TargetPodScheduled', { migration: string; node: string }>
  | E<'MigrationStarted', {
      migration: string;
      sourceNode: string;
      targetNode: string;
      policy: string | null;
      method: 'BlockMigration' | 'LiveMigration';
      acceptableCompletionTime: number;
      bandwidthPerMigration: number;
    }>
  | E<'Iteration', {
      migration: string;
      iteration: number;
      bytes: number;
      duration: number;
      dirtied: number;
      rate: number;
      /** bytes: the switch-over threshold at this sync, bandwidth × downtime limit (QEMU migration/migration.c, migration_iteration_run) */
      threshold: number;
    }>
  | E<'Throttle', { migration: string; percent: number }>
  | E<'StopAndCopy', { migration: string; bytes: number }>
  | E<'PostCopyStarted', { migration: string; bytes: number }>
  | E<'GuestPaused', { migration: string; acceptableCompletionTime: number }>
  | E<'DowntimeRaised', { migration: string; downtimeLimit: number }>
  | E<'Stalled', { migration: string }>
  | E<'Resumed', { migration: string; stalledSeconds: number }>
  | E<'AbortRequested', { migration: string }>
  | E<'MigrationSucceeded', { migration: string; result: JobResult }>
  | E<'MigrationFailed', { migration: string; reason: string; message: string; result: JobResult | null; vmLost: boolean }>
  | E<'VmiAnalyzed', { vmi: string; migratable: boolean; reason: string | null; message: string | null; migrationMethod: 'BlockMigration' | 'LiveMigration' }>
  | E<'VmiPlaced', { vmi: string; node: string }>
  | E<'VmiMoved', { vmi: string; from: string; to: string }>
  | E<'VmiShutDown', { vmi: string; node: string; reason: string }>
  | E<'VmiLost', { vmi: string; node: string; reason: string }>
  | E<'VmiStarted', { vmi: string; node: string; downtimeSeconds: number }>
  | E<'VmiUnplaceable', { vmi: string; message: string }>
  | E<'NodeCordoned', { node: string }>
  | E<'NodeUncordoned', { node: string }>
  | E<'DrainStarted', { node: string; wave: string | null }>
  | E<'DrainBlocked', { node: string; reason: string; /** the VMI that stays, when one is to blame */ vmi?: string }>
  | E<'DrainCompleted', { node: string }>
  | E<'NodeUpgradeStarted', { node: string; wave: string; duration: number }>
  | E<'NodeUpgraded', { node: string; wave: string }>
  | E<'WaveStarted', { wave: string; nodes: string[] }>
  | E<'WaveCompleted', { wave: string }>
  /** Harvester's upgrade webhook refused the wave: the VMs its detector listed */
  | E<'WaveRefused', { wave: string; message: string; vmis: { vmi: string; reason: string; message: string }[] }>
  /** a Kubernetes Event as KubeVirt emits it (`kubectl get events`): users grep these strings */
  | E<'KubeEvent', { object: string; eventType: 'Normal' | 'Warning'; reason: string; message: string }>
  | E<'OutageStarted', { outage: string; scope: string; duration: number }>
  | E<'OutageEnded', { outage: string }>
  | E<'MigrationUnfinished', { migration: string; phase: VmimPhase; result: JobResult | null; why: string }>
  | E<'SimulationEnded', { horizonReached: boolean }>;

export type LogEventType = LogEvent['type'];

export type { JobResult, MigrationMode };

/** Anything that watches the run: result records, time series, a stored or streamed log. */
export interface Observer {
  record(ev: LogEvent): void;
}

/** The whole log kept in memory: for tests, `--log` and anything that wants to re-read it. */
export class EventLog implements Observer {
  readonly events: LogEvent[] = [];
  record(ev: LogEvent): void {
    this.events.push(ev);
  }
}

/** Hands every event to each observer in turn, in the order they were given. */
export class Observers implements Observer {
  private readonly list: readonly Observer[];
  constructor(list: readonly Observer[]) {
    this.list = list;
  }
  record(ev: LogEvent): void {
    for (const o of this.list) o.record(ev);
  }
}
