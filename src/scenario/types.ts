// The validated, normalised scenario: what the loader hands to the simulation.
// Every size is in bytes, every duration in seconds, every rate in bytes per second.
// Field names follow KubeVirt's own where a KubeVirt field exists.
import type { Warning } from './warnings.js';

import type { Uncertainty } from './uncertain.js';

export type Labels = Record<string, string>;

/** A random or fixed duration (seconds), drawn from a named seeded stream. */
export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; stddev: number; min: number }
  | { kind: 'lognormal'; median: number; sigma: number }
  | { kind: 'exponential'; mean: number };

/** KubeVirt `spec.configuration.migrations`, resolved (defaults filled in for the chosen version). */
export interface MigrationConfiguration {
  parallelMigrationsPerCluster: number;
  parallelOutboundMigrationsPerNode: number;
  /** bytes/s; 0 = unlimited. Already rounded to whole MiB/s as virt-launcher does (§2.6). */
  bandwidthPerMigration: number;
  completionTimeoutPerGiB: number;
  /** seconds; 0 disables the progress timeout */
  progressTimeout: number;
  allowAutoConverge: boolean;
  allowPostCopy: boolean;
  /** resolved: an unset value copies allowPostCopy (v1.5+); always false before v1.5 */
  allowWorkloadDisruption: boolean;
  unsafeMigrationOverride: boolean;
  disableTLS: boolean;
  /** name of a NetworkAttachmentDefinition for a dedicated migration network; null = pod network */
  network: string | null;
  nodeDrainTaintKey: string;
  maxDowntimeMs: number;
  utilityVolumesTimeout: number;
  matchSELinuxLevelOnMigration: boolean | null;
}

/** The subset a MigrationPolicy may override (§1.3). */
export interface MigrationPolicySpec {
  name: string;
  namespaceSelector: Labels | null;
  virtualMachineInstanceSelector: Labels | null;
  /** null when the `selectors` field itself is absent: such a policy never matches */
  hasSelectors: boolean;
  allowAutoConverge?: boolean;
  bandwidthPerMigration?: number;
  completionTimeoutPerGiB?: number;
  allowPostCopy?: boolean;
  allowWorkloadDisruption?: boolean;
}

export type EvictionStrategy = 'LiveMigrate' | 'LiveMigrateIfPossible' | 'None' | 'External';

export interface KubeVirtSpec {
  /** "1.9" style: major.minor */
  version: { major: number; minor: number };
  migrations: MigrationConfiguration;
  /** cluster-wide `spec.configuration.evictionStrategy` (default None) */
  evictionStrategy: EvictionStrategy;
  /** `developerConfiguration.nodeSelectors` merged into every launcher pod */
  nodeSelectors: Labels;
  featureGates: string[];
}

export interface HypervisorSpec {
  /** QEMU downtime-limit, seconds (default 0.3) */
  downtimeLimit: number;
  /** fixed cost of the stop-and-copy switch (device state, activation), seconds (default 0.001) */
  switchoverCost: number;
  /** guest page size in bytes (4096); each page also carries QEMU's 8-byte header on the wire */
  pageSize: number;
  /** `rounds`: switch-over tested at the end of each pass; `qemu`: also every 100 ms on the pending size */
  switchover: 'rounds' | 'qemu';
  /** libvirt keepalive on the peer-to-peer connection */
  keepalive: { interval: number; count: number };
  /** auto-converge knobs (QEMU defaults) */
  throttle: { initial: number; increment: number; max: number; triggerThreshold: number };
}

/** Control-plane latencies of one migration (spec §3.1, §11: magnitudes unmeasured, so parameters). */
export interface ControlPlaneSpec {
  /** target pod creation → pod Ready (scheduling, image pull, container start) */
  targetPodStartup: Distribution;
  /** pod Ready → VMI shows targetNode (hand-off) */
  handoff: Distribution;
  /** hand-off → target virt-handler published its address (TargetReady) */
  targetPreparation: Distribution;
  /** TargetReady → source starts MigrateToURI3 (Running) */
  migrationStart: Distribution;
  /** success → source pod completed, VMI's nodeName flipped, resources released */
  cleanup: Distribution;
  /** unschedulable target pod timeout (s), default 300 */
  unschedulablePendingTimeout: number;
  /** catch-all pending target pod timeout (s), default 900 */
  catchAllPendingTimeout: number;
}

export type Taint = { key: string; value: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' };

export interface NodeSpec {
  name: string;
  /** the pool (entry in `nodes`) it came from */
  pool: string;
  /** allocatable CPU in cores (millicores / 1000) */
  cpu: number;
  /** allocatable memory, bytes */
  memory: number;
  labels: Labels;
  taints: Taint[];
  unschedulable: boolean;
  /** NIC bandwidth per network, bytes/s: key 'pod' is the pod network, other keys are migration networks */
  nics: Record<string, number>;
  /** rack (shared uplink group) name, or null */
  rack: string | null;
  /** background traffic on the pod network: a fraction of the link in [0,1), changing over time */
  backgroundLoad: { at: number; fraction: number }[];
}

export interface RackSpec {
  name: string;
  /** uplink capacity, bytes/s, per direction */
  uplink: number;
}

/** How a guest dirties memory. `dirtied(window)` is in bytes. */
export type DirtyModelSpec =
  /** dirtied in a window t = min(rate·t, workingSet) */
  | { kind: 'constant'; rate: number; workingSet: number }
  /** rate changes at scenario-time instants (seconds from start); still capped by workingSet */
  | { kind: 'phases'; phases: { at: number; rate: number }[]; workingSet: number }
  /** measured dirty-set growth curve w(t): points (window seconds → bytes), interpolated, saturating */
  | { kind: 'curve'; points: { t: number; bytes: number }[] };

export type VolumeType =
  | 'persistentVolumeClaim'
  | 'dataVolume'
  | 'containerDisk'
  | 'cloudInitNoCloud'
  | 'cloudInitConfigDrive'
  | 'configMap'
  | 'secret'
  | 'serviceAccount'
  | 'downwardAPI'
  | 'emptyDisk'
  | 'ephemeral'
  | 'hostDisk';

export interface VolumeSpec {
  name: string;
  type: VolumeType;
  /** PVC / DataVolume access modes, e.g. ['ReadWriteMany'] */
  accessModes: string[];
  /** hostDisk `shared: true` */
  shared: boolean;
  /** how the volume is attached to the guest */
  attachment: 'disk' | 'cdrom' | 'lun' | 'filesystem';
  readOnly: boolean;
  /** bytes copied if this volume is block-migrated (apparent size of the local file) */
  size: number;
  /** PVC / DataVolume bound to a local PersistentVolume: its data is on one node only */
  local?: boolean;
}

export type CpuModel = { kind: 'host-model' } | { kind: 'host-passthrough' } | { kind: 'named'; model: string };

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values: string[];
}

export interface VmSpec {
  name: string;
  namespace: string;
  /** "namespace/name" */
  key: string;
  /** the pool (entry in `vms`) it came from */
  pool: string;
  /** initial node; null = placed by the scheduler at start */
  node: string | null;
  labels: Labels;
  annotations: Labels;
  /** CPU request in cores */
  cpu: number;
  /** non-zero CPU limit disables multifd (§2.5) */
  cpuLimit: number;
  dedicatedCpus: boolean;
  /** memory request, bytes (what the scheduler reserves) */
  memory: number;
  /** spec.domain.memory.guest, bytes, or null */
  guestMemory: number | null;
  /** bytes of guest memory that are not zero pages: round 0 sends these */
  usedMemory: number;
  dirty: DirtyModelSpec;
  /** how much CPU throttling slows the dirtying: 1 = CPU-bound writer, 0 = wall-clock-paced writer */
  throttleSensitivity: number;
  nodeSelector: Labels;
  /** required node affinity: OR of terms, each an AND of requirements */
  nodeAffinity: NodeSelectorRequirement[][];
  tolerations: { key: string; operator: 'Exists' | 'Equal'; value: string; effect: string | null }[];
  cpuModel: CpuModel;
  /** CPU features with policy require (or unset) */
  cpuFeatures: string[];
  volumes: VolumeSpec[];
  /** number of PCI host devices (hostDevices) */
  hostDevices: number;
  /** GPUs: mediated devices may be live-migratable with the VGPULiveMigration gate */
  gpus: { name: string; mediated: boolean }[];
  sriovInterfaces: number;
  /** binding of the pod-network interface; null = no pod network */
  podNetworkBinding: 'masquerade' | 'bridge' | 'passt' | 'sriov' | 'plugin' | null;
  /** name of the binding plugin, and whether its config declares `migration` */
  bindingPluginMigratable: boolean;
  /** SEV / TDX / Secure Execution, Hyper-V passthrough, TSC requirement without topology hint */
  secureExecution: boolean;
  hypervPassthrough: boolean;
  tscFrequencyWithoutHint: boolean;
  evictionStrategy: EvictionStrategy | null;
  /** seconds needed to boot the VM again after a shut-down (restart is counted as downtime) */
  restartTime: number;
}

export type NodeTarget =
  | { kind: 'names'; names: string[] }
  | { kind: 'selector'; matchLabels: Labels };

export type OutageScope =
  | { kind: 'network' }
  | { kind: 'node'; node: string }
  | { kind: 'path'; from: string; to: string }
  | { kind: 'rack'; rack: string };

export type Operation =
  | {
      kind: 'migrate';
      at: number;
      /** "namespace/name" */
      vmi: string;
      /** VMIM name; generated when absent */
      name: string | null;
      addedNodeSelector: Labels;
      /** source document kind, for the record */
      apiKind: 'VirtualMachineInstanceMigration' | 'Migration' | 'shorthand';
      annotations: Labels;
    }
  | { kind: 'cancel'; at: number; migration: string }
  | { kind: 'drain'; at: number; nodes: NodeTarget }
  | {
      kind: 'upgrade';
      at: number;
      name: string;
      nodes: NodeTarget;
      maxUnavailable: number;
      order: 'listed' | 'name' | 'fewest-vms' | 'most-vms' | 'random';
      duration: Distribution;
      /** `kubectl-drain`: what cluster tooling does with `kubectl drain`; `harvester`: Harvester's upgrade */
      style: WaveStyle;
    }
  | { kind: 'outage'; at: number; duration: number; scope: OutageScope; networkName: string | null };

export type WaveStyle = 'kubectl-drain' | 'harvester';

/** Harvester (spec.harvester): its release and the `upgrade-config` setting. */
export interface HarvesterSpec {
  /** "v1.6" style: major.minor */
  version: { major: number; minor: number };
  /** upgrade-config `restoreVM` (default false): stop the detector's VMs and start them after the node's upgrade */
  restoreVM: boolean;
}

export interface RandomOutages {
  /** outages per hour (Poisson process) */
  ratePerHour: number;
  duration: Distribution;
  scope: OutageScope;
  networkName: string | null;
}

export interface Scenario {
  /** path of the file it came from (for messages) */
  source: string;
  name: string;
  seed: number;
  /** simulated seconds after which the run stops, default 24 h */
  horizon: number;
  profile: 'kubevirt' | 'harvester' | 'openshift';
  harvester: HarvesterSpec;
  kubevirt: KubeVirtSpec;
  hypervisor: HypervisorSpec;
  controlPlane: ControlPlaneSpec;
  scheduler: { scoring: 'LeastAllocated' | 'MostAllocated' | 'BalancedAllocation' };
  nodes: NodeSpec[];
  racks: RackSpec[];
  vms: VmSpec[];
  namespaces: Record<string, Labels>;
  migrationPolicies: MigrationPolicySpec[];
  operations: Operation[];
  randomOutages: RandomOutages[];
  /** non-fatal remarks from loading (fields accepted but not modelled) */
  warnings: string[];
  /** load-time warnings with a code and the field they concern (src/scenario/warnings.ts) */
  loadWarnings?: Warning[];
  /**
   * Fields written as distributions (absent or empty: none). The values above are their nominal
   * values; simulate() draws them per run (src/scenario/realize.ts).
   */
  uncertainty?: Uncertainty;
}
