// Every default of the scenario format, in one place, so the loader and docs/scenario.md cite
// the same numbers. KubeVirt defaults follow pkg/virt-config/virt-config.go and
// configuration.go (defaultClusterConfig); which release changed what is in versions.ts.

import type {
  ControlPlaneSpec,
  EvictionStrategy,
  HypervisorSpec,
  MigrationConfiguration,
  VolumeType,
} from './types.js';
import type { PathSegment } from './errors.js';
import { GiB, MiB } from './units.js';
import { behaviourFor, formatVersion, NEWEST_MODELLED_VERSION, type KubeVirtVersion } from './versions.js';

export { formatVersion, versionAtLeast, type KubeVirtVersion } from './versions.js';

export const DEFAULT_KUBEVIRT_VERSION: KubeVirtVersion = { major: 1, minor: 9 };
/** The newest version whose behaviour is modelled (versions.ts); later versions run with it. */
export const NEWEST_KNOWN_VERSION: KubeVirtVersion = NEWEST_MODELLED_VERSION;

// --- scenario -------------------------------------------------------------------------------

export const SCENARIO_DEFAULTS = {
  seed: 1,
  /** seconds (24h) */
  horizon: 24 * 3600,
  profile: 'kubevirt' as Profile,
} as const;

/**
 * Whose defaults a scenario starts from: plain KubeVirt, Harvester, or OpenShift Virtualization
 * (KubeVirt configured by the HyperConverged Cluster Operator).
 */
export type Profile = 'kubevirt' | 'harvester' | 'openshift';

/**
 * OpenShift Virtualization's cluster-wide eviction strategy when the HyperConverged CR leaves it
 * unset: LiveMigrate with more than one worker node, None on a single-node cluster
 * (kubevirt/hyperconverged-cluster-operator api/v1beta1/hyperconverged_types.go,
 * HyperConvergedSpec.EvictionStrategy). Its liveMigrationConfig defaults (5 per cluster, 2
 * outbound per node, 150 s/GiB, progress timeout 150 s, no auto-converge, no post-copy) are
 * KubeVirt's own.
 */
export function openshiftEvictionStrategy(nodeCount: number): EvictionStrategy {
  return nodeCount > 1 ? 'LiveMigrate' : 'None';
}

// --- KubeVirt CR: spec.configuration ----------------------------------------------------------

export const MIGRATION_DEFAULTS = {
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
  /** bytes/s; 0 = unlimited (v0.44.0 and later) */
  bandwidthPerMigration: 0,
  /** bytes/s; 64Mi before v0.44.0 */
  bandwidthPerMigrationBeforeV0_44: 64 * MiB,
  /** seconds per GiB, v1.4.0 and later */
  completionTimeoutPerGiB: 150,
  /** seconds per GiB before v1.4.0 */
  completionTimeoutPerGiBBeforeV1_4: 800,
  progressTimeout: 150,
  allowAutoConverge: false,
  allowPostCopy: false,
  unsafeMigrationOverride: false,
  disableTLS: false,
  network: null as string | null,
  nodeDrainTaintKey: 'kubevirt.io/drain',
  maxDowntimeMs: 900,
  /** accepted range of maxDowntimeMs (QEMUMaxMigrationDowntimeMS) */
  maxDowntimeMsRange: [1, 2_000_000] as const,
  utilityVolumesTimeout: 150,
  matchSELinuxLevelOnMigration: null as boolean | null,
} as const;

export const EVICTION_STRATEGY_DEFAULT: EvictionStrategy = 'None';

/** `spec.configuration.migrations` with nothing set, as the given KubeVirt version fills it in. */
export function defaultMigrationConfiguration(version: KubeVirtVersion): MigrationConfiguration {
  const d = MIGRATION_DEFAULTS;
  const b = behaviourFor(version, []);
  return {
    parallelMigrationsPerCluster: d.parallelMigrationsPerCluster,
    parallelOutboundMigrationsPerNode: d.parallelOutboundMigrationsPerNode,
    bandwidthPerMigration: b.unlimitedBandwidthDefault ? d.bandwidthPerMigration : d.bandwidthPerMigrationBeforeV0_44,
    completionTimeoutPerGiB: b.shortCompletionTimeoutDefault ? d.completionTimeoutPerGiB : d.completionTimeoutPerGiBBeforeV1_4,
    progressTimeout: d.progressTimeout,
    allowAutoConverge: d.allowAutoConverge,
    allowPostCopy: d.allowPostCopy,
    allowWorkloadDisruption: d.allowPostCopy,
    unsafeMigrationOverride: d.unsafeMigrationOverride,
    disableTLS: d.disableTLS,
    network: d.network,
    nodeDrainTaintKey: d.nodeDrainTaintKey,
    maxDowntimeMs: d.maxDowntimeMs,
    utilityVolumesTimeout: d.utilityVolumesTimeout,
    matchSELinuxLevelOnMigration: d.matchSELinuxLevelOnMigration,
  };
}

/** What the file set in `migrations` (already unit-normalised); absent = not set. */
export type GivenMigrationConfiguration = Partial<Omit<MigrationConfiguration, 'allowWorkloadDisruption'>> & {
  allowWorkloadDisruption?: boolean | null;
  experimental?: unknown;
};

export interface Remark {
  /** relative to the object being resolved */
  path: PathSegment[];
  message: string;
}

/** allowWorkloadDisruption appeared in v1.5.0 (versions.ts). */
export function workloadDisruptionSupported(version: KubeVirtVersion): boolean {
  return behaviourFor(version, []).workloadDisruption;
}

/** Fills the unset fields with the version's defaults and resolves allowWorkloadDisruption. */
export function resolveMigrationConfiguration(
  version: KubeVirtVersion,
  given: GivenMigrationConfiguration,
): { config: MigrationConfiguration; warnings: Remark[] } {
  const warnings: Remark[] = [];
  const { experimental, allowWorkloadDisruption, ...set } = given;
  const config: MigrationConfiguration = { ...defaultMigrationConfiguration(version) };
  for (const [key, value] of Object.entries(set)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  if (!workloadDisruptionSupported(version)) {
    // Before v1.5 a completion timeout either switched to post-copy or aborted: no pause.
    if (allowWorkloadDisruption !== undefined && allowWorkloadDisruption !== null) {
      warnings.push({
        path: ['allowWorkloadDisruption'],
        message: `field does not exist before KubeVirt v1.5 (scenario uses ${formatVersion(version)}): ignored, treated as false`,
      });
    }
    config.allowWorkloadDisruption = false;
  } else {
    // An unset value copies allowPostCopy (pkg/virt-config).
    config.allowWorkloadDisruption = allowWorkloadDisruption ?? config.allowPostCopy;
  }
  if (experimental !== undefined) {
    warnings.push({ path: ['experimental'], message: 'accepted but not modelled (alpha stall detector, downtime tuning, compression)' });
  }
  return { config, warnings };
}

// --- hypervisor and control plane --------------------------------------------------------------

/**
 * QEMU / libvirt defaults: QEMU migration/options.c (DEFAULT_MIGRATE_SET_DOWNTIME 300 ms, the
 * cpu-throttle-* values), libvirt qemu.conf keepalive_interval/keepalive_count. The switch-over
 * cost is what real QEMU runs showed: downtime ≈ 1 ms + the final bytes at link speed (docs/model.md §2.3).
 */
export const HYPERVISOR_DEFAULTS: Readonly<{
  downtimeLimit: number;
  switchoverCost: number;
  pageSize: number;
  switchover: HypervisorSpec['switchover'];
  keepalive: Readonly<HypervisorSpec['keepalive']>;
  /** auto-converge, in percent as QEMU takes them */
  autoConvergePercent: Readonly<{ initial: number; increment: number; max: number; triggerThreshold: number }>;
}> = {
  downtimeLimit: 0.3,
  switchoverCost: 0.001,
  pageSize: 4096,
  switchover: 'rounds',
  keepalive: { interval: 5, count: 5 },
  autoConvergePercent: { initial: 20, increment: 10, max: 99, triggerThreshold: 50 },
};

/** Control-plane latencies (never measured upstream, see docs/model.md): fixed values in seconds. */
export const CONTROL_PLANE_DEFAULTS: Readonly<ControlPlaneSpec> = {
  targetPodStartup: { kind: 'fixed', value: 5 },
  handoff: { kind: 'fixed', value: 1 },
  targetPreparation: { kind: 'fixed', value: 2 },
  migrationStart: { kind: 'fixed', value: 1 },
  cleanup: { kind: 'fixed', value: 2 },
  unschedulablePendingTimeout: 300,
  catchAllPendingTimeout: 900,
};

// --- cluster -------------------------------------------------------------------------------------

export const NODE_DEFAULTS = {
  /** cores */
  cpu: 32,
  /** bytes */
  memory: 128 * GiB,
  /** bytes/s (10 Gbit/s) */
  network: 10e9 / 8,
  cpuModel: { hostModel: 'Skylake-Server', vendor: 'Intel' },
} as const;

/** Node labels every node gets, and the CPU-model label prefixes virt-handler's node labeller sets. */
export const NODE_LABELS = {
  hostname: 'kubernetes.io/hostname',
  schedulable: 'kubevirt.io/schedulable',
  hostModelCpu: 'host-model-cpu.node.kubevirt.io/',
  cpuModelMigration: 'cpu-model-migration.node.kubevirt.io/',
  cpuModel: 'cpu-model.node.kubevirt.io/',
  cpuVendor: 'cpu-vendor.node.kubevirt.io/',
  hostModelRequiredFeatures: 'host-model-required-features.node.kubevirt.io/',
  cpuFeature: 'cpu-feature.node.kubevirt.io/',
} as const;

/** Namespaces carry their own name as a label (Kubernetes ≥ 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export const VM_DEFAULTS = {
  namespace: 'default',
  /** cores */
  cpu: 1,
  cpuLimit: 0,
  throttleSensitivity: 1,
  /** seconds */
  restartTime: 60,
  podNetwork: 'masquerade',
  cpuModel: 'host-model',
} as const;

/**
 * Size of a volume when the file does not give one: the bytes a block migration would copy.
 * null = the file must say (an emptyDisk has no natural size).
 */
export const VOLUME_SIZE_DEFAULTS: Readonly<Record<VolumeType, number | null>> = {
  persistentVolumeClaim: 10 * GiB,
  dataVolume: 10 * GiB,
  containerDisk: 1 * GiB,
  // an ephemeral volume is a local copy-on-write overlay, like a containerDisk's
  ephemeral: 1 * GiB,
  cloudInitNoCloud: 1 * MiB,
  cloudInitConfigDrive: 1 * MiB,
  configMap: 1 * MiB,
  secret: 1 * MiB,
  serviceAccount: 1 * MiB,
  downwardAPI: 1 * MiB,
  emptyDisk: null,
  hostDisk: 10 * GiB,
};

/** Harvester: the newest release modelled, and upgrade-config's default (restoreVM false, v1.4+). */
export const HARVESTER_DEFAULTS = {
  version: { major: 1, minor: 8 },
  restoreVM: false,
} as const;

export const UPGRADE_DEFAULTS = {
  maxUnavailable: 1,
  order: 'listed',
  /** seconds a node takes to upgrade once drained */
  duration: 600,
} as const;
