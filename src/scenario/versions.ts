// Everything that depends on the KubeVirt release, in one table: one row per behaviour, with the
// first release that has it (and the feature gate that brings it earlier, where one exists).
// Controllers and cluster checks ask `kubevirtBehaviour(kv)` instead of comparing versions, so
// a behaviour changes in one place and each row names the upstream code that decides it.
import type { KubeVirtSpec } from './types.js';

export type KubeVirtVersion = { major: number; minor: number };

export function versionAtLeast(v: KubeVirtVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export function formatVersion(v: KubeVirtVersion): string {
  return `v${v.major}.${v.minor}`;
}

/** The newest release whose behaviour migsim models; later versions run with its behaviour. */
export const NEWEST_MODELLED_VERSION: KubeVirtVersion = { major: 1, minor: 9 };

/** Feature gate of the priority queue (alpha in v1.7, beta off by default in v1.8, GA in v1.9). */
export const MIGRATION_PRIORITY_QUEUE_GATE = 'MigrationPriorityQueue';
/** Feature gate for one live-migratable mediated vGPU (alpha from v1.8). */
export const VGPU_LIVE_MIGRATION_GATE = 'VGPULiveMigration';

export interface KubeVirtBehaviour {
  /** bandwidthPerMigration defaults to 0 (unlimited) instead of 64Mi (v0.44.0, virt-config.go) */
  unlimitedBandwidthDefault: boolean;
  /** completionTimeoutPerGiB defaults to 150 instead of 800 (v1.4.0, virt-config.go) */
  shortCompletionTimeoutDefault: boolean;
  /** virtiofs filesystems no longer block LiveMigratable (v1.4; VirtIOFSNotLiveMigratable before) */
  virtiofsMigratable: boolean;
  /** allowWorkloadDisruption exists; the deadline may pause the guest (v1.5.0, live-migration-source.go) */
  workloadDisruption: boolean;
  /** one mediated vGPU may migrate when the VGPULiveMigration gate is on (v1.8) */
  vgpuLiveMigrationGate: boolean;
  /** the target pod pins the source node's CPU vendor label (v1.8, migration.go createTargetPod) */
  pinCpuVendor: boolean;
  /**
   * The migration controller's priority queue (migration.go, priorityqueue): 1/3/5 s re-polls by
   * priority, freed slots re-offered at once to the top pending migrations, and the evacuation
   * controller creating every migration at once. GA in v1.9; behind MigrationPriorityQueue in
   * v1.7–v1.8; absent before.
   */
  priorityQueue: boolean;
  /**
   * With allowWorkloadDisruption, a VM with a VFIO device gets a raised max downtime and a doubled
   * deadline instead of post-copy or a pause (v1.9.0, commit a5df18ac57, live-migration-source.go).
   * Before, VFIO is not checked on that path: post-copy is started whatever the devices.
   */
  vfioRaisesDowntime: boolean;
  /** virt-handler checks the volumes last (v1.9 / HEAD calculateLiveMigrationCondition), first before */
  volumesCheckedLast: boolean;
  /**
   * Failure messages of the monitor's aborts: v1.9's asynchronous AbortJob reports
   * "Live migration has been aborted" for every cause; up to v1.8 the monitor wrote the cause.
   */
  asyncAbortMessages: boolean;
}

type Row = { [K in keyof KubeVirtBehaviour]: { since: KubeVirtVersion; gate?: { name: string; from: KubeVirtVersion } } };

/** The table: first release with each behaviour. */
export const BEHAVIOUR_SINCE: Row = {
  unlimitedBandwidthDefault: { since: { major: 0, minor: 44 } },
  shortCompletionTimeoutDefault: { since: { major: 1, minor: 4 } },
  virtiofsMigratable: { since: { major: 1, minor: 4 } },
  workloadDisruption: { since: { major: 1, minor: 5 } },
  vgpuLiveMigrationGate: { since: { major: 1, minor: 8 } },
  pinCpuVendor: { since: { major: 1, minor: 8 } },
  priorityQueue: { since: { major: 1, minor: 9 }, gate: { name: MIGRATION_PRIORITY_QUEUE_GATE, from: { major: 1, minor: 7 } } },
  vfioRaisesDowntime: { since: { major: 1, minor: 9 } },
  volumesCheckedLast: { since: { major: 1, minor: 9 } },
  asyncAbortMessages: { since: { major: 1, minor: 9 } },
};

/** The behaviour of a version with the given feature gates. */
export function behaviourFor(version: KubeVirtVersion, featureGates: readonly string[]): KubeVirtBehaviour {
  const out = {} as Record<keyof KubeVirtBehaviour, boolean>;
  for (const key of Object.keys(BEHAVIOUR_SINCE) as (keyof KubeVirtBehaviour)[]) {
    const row = BEHAVIOUR_SINCE[key];
    const gated = row.gate !== undefined && versionAtLeast(version, row.gate.from.major, row.gate.from.minor) && featureGates.includes(row.gate.name);
    out[key] = versionAtLeast(version, row.since.major, row.since.minor) || gated;
  }
  return out;
}

const cache = new WeakMap<KubeVirtSpec, KubeVirtBehaviour>();

/** The behaviour of the scenario's KubeVirt (computed once per KubeVirt spec). */
export function kubevirtBehaviour(kv: KubeVirtSpec): KubeVirtBehaviour {
  let b = cache.get(kv);
  if (b === undefined) {
    b = behaviourFor(kv.version, kv.featureGates);
    cache.set(kv, b);
  }
  return b;
}

/**
 * What changes past the newest modelled release that migsim does not model, for the warning on a
 * newer version: only what is known to differ, nothing more.
 */
export const UNMODELLED_AFTER_NEWEST = 'such as the alpha downtime tuning, MigrationDowntimeTuning, of KubeVirt main';

/** Remarks about feature gates the given version does not have or no longer needs. */
export function featureGateRemarks(version: KubeVirtVersion, featureGates: readonly string[]): { index: number; message: string }[] {
  const out: { index: number; message: string }[] = [];
  featureGates.forEach((g, index) => {
    if (g === MIGRATION_PRIORITY_QUEUE_GATE) {
      if (!versionAtLeast(version, 1, 7)) out.push({ index, message: `${g} does not exist before KubeVirt v1.7 (scenario uses ${formatVersion(version)}): ignored` });
      else if (versionAtLeast(version, 1, 9)) out.push({ index, message: `${g} is GA from KubeVirt v1.9 and always on: the gate changes nothing` });
    } else if (g === VGPU_LIVE_MIGRATION_GATE && !versionAtLeast(version, 1, 8)) {
      out.push({ index, message: `${g} does not exist before KubeVirt v1.8 (scenario uses ${formatVersion(version)}): ignored` });
    }
  });
  return out;
}
