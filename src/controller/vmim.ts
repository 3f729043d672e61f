// The VirtualMachineInstanceMigration object as the migration controller keeps it, and the
// plain rules about it that need no controller: queue priorities, KubeVirt's failure texts, the
// target pod's name, and the evacuation back-off over the VMIMs garbage collection kept.
import type { VmiState } from '../cluster/state.js';
import type { PodRequirements } from '../cluster/targetpod.js';
import type { EntityStreams } from '../engine/random.js';
import type { Timer } from '../engine/simulator.js';
import type { VmimPhase } from '../log/events.js';
import type { MigrationJob } from '../precopy/job.js';
import type { Labels, MigrationConfiguration, MigrationPolicySpec } from '../scenario/types.js';
import type { MigrationMonitor } from './monitor.js';

/** spec.priority → queue priority (pkg/util/migrations/migrations.go) */
export const Priority = { running: 1000, systemCritical: 100, userTriggered: 50, systemMaintenance: 20, user: 0 } as const;

/** Failure of a VMIM deleted before hand-off (migration.go; condition AbortRequested). */
export const CANCELED_BEFORE_HANDOFF = 'Migration failed due to being canceled';
/** Up to v1.8: libvirt's error for an AbortJob, as the monitor passes it on. */
export const CANCELED_BY_CLIENT = 'Live migration failed: operation aborted: migration out job: canceled by client';
/** The FailedMigration warning of a migration whose target pod was deleted (migration.go). */
export const TARGET_POD_REMOVED = 'Migration target pod was removed during active migration.';

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
  /** its random streams (name, control-plane latencies), seeded together at creation */
  streams: EntityStreams;
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
  /** MigrationPolicy and merged configuration, frozen at hand-off into migrationState */
  policy: MigrationPolicySpec | null;
  config: MigrationConfiguration | null;
  unschedulable: string | null;
  abortRequested: boolean;
  job: MigrationJob | null;
  monitor: MigrationMonitor | null;
  timers: Timer[];
  reconcileTimer: Timer | null;
  /** the reconcile timer's action, made once */
  reconcile: (() => void) | null;
  /**
   * The pending target-pod timeouts, armed lazily (see MigrationController.armPodDeadline): their
   * places in the event order, taken when the pod was created (unschedulable, then catch-all), and
   * whether each is armed.
   */
  podDeadlineSeq: number;
  unschedulableArmed: boolean;
  catchAllArmed: boolean;
  /** end of the evacuation back-off (fixed at creation: the earlier VMIMs are all final) */
  backoffUntil: number;
  /** while waiting at a limit: the re-poll grid is pollBase + k·pollDelay */
  pollBase: number;
  pollDelay: number;
  failureReason: string | null;
}

/** The target pod's namespace/name: virt-launcher-<vm>-<suffix>, the suffix derived from the VMIM's name. */
export function targetPodKey(m: Vmim): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = 2166136261;
  for (let i = 0; i < m.name.length; i++) h = Math.imul(h ^ m.name.charCodeAt(i), 16777619) >>> 0;
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length);
  }
  return `${m.vmi.spec.namespace}/virt-launcher-${m.vmi.spec.name}-${suffix}`;
}

/** A finalized VMIM of the VMI, oldest first, as the back-off sees it. */
export interface BackoffEntry {
  /** carries kubevirt.io/evacuationMigration (or workloadUpdateMigration) */
  evacuation: boolean;
  phase: VmimPhase;
  finalAt: number;
}

/** Garbage collection keeps the newest 5 finalized VMIMs of a VMI, whatever created them (migration.go). */
export const FINALIZED_VMIMS_KEPT = 5;

/**
 * End of the back-off of a new evacuation VMIM (migration.go, the migration back-off): over the
 * VMIMs garbage collection kept, newest first, the evacuation ones up to the first Succeeded one;
 * the first Failed one gives 20 s after its failure, each further Failed one doubles it. User
 * VMIMs count against the window but give no back-off. 0 when there is none.
 */
export function evacuationBackoffUntil(history: readonly BackoffEntry[]): number {
  const kept = history.slice(-FINALIZED_VMIMS_KEPT);
  let failed = 0;
  let lastFailedAt = 0;
  for (let i = kept.length - 1; i >= 0; i--) {
    const prev = kept[i]!;
    if (!prev.evacuation) continue;
    if (prev.phase === 'Succeeded') break;
    if (failed === 0) lastFailedAt = prev.finalAt;
    failed++;
  }
  return failed === 0 ? 0 : lastFailedAt + 20 * 2 ** (failed - 1);
}
