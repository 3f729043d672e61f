// Build normalised scenarios directly in tests (no file parsing), with every latency at 0 and
// the switch-over cost at 0 so that hand-derived closed forms apply exactly.
import { defaultMigrationConfiguration } from '../../src/scenario/defaults.js';
import type { MigrationConfiguration, NodeSpec, Operation, Scenario, VmSpec } from '../../src/scenario/types.js';

export const Ki = 1024;
export const Mi = 1024 * Ki;
export const Gi = 1024 * Mi;

const zero = { kind: 'fixed', value: 0 } as const;

export function node(name: string, over: Partial<NodeSpec> = {}): NodeSpec {
  return {
    name,
    pool: name,
    cpu: 32,
    memory: 128 * Gi,
    labels: {
      'kubernetes.io/hostname': name,
      'kubevirt.io/schedulable': 'true',
      'host-model-cpu.node.kubevirt.io/Skylake-Server': 'true',
      'cpu-model-migration.node.kubevirt.io/Skylake-Server': 'true',
      'cpu-model.node.kubevirt.io/Skylake-Server': 'true',
      'cpu-vendor.node.kubevirt.io/Intel': 'true',
    },
    taints: [],
    unschedulable: false,
    nics: { pod: 10e9 / 8 },
    rack: null,
    backgroundLoad: [],
    ...over,
  };
}

export function vm(name: string, nodeName: string | null, over: Partial<VmSpec> = {}): VmSpec {
  const memory = over.memory ?? 4 * Gi;
  return {
    name,
    namespace: 'default',
    pool: name,
    node: nodeName,
    labels: {},
    annotations: {},
    cpu: 1,
    cpuLimit: 0,
    dedicatedCpus: false,
    memory,
    guestMemory: null,
    usedMemory: memory,
    dirty: { kind: 'constant', rate: 0, workingSet: memory },
    throttleSensitivity: 1,
    nodeSelector: {},
    nodeAffinity: [],
    tolerations: [],
    cpuModel: { kind: 'host-model' },
    cpuFeatures: [],
    volumes: [],
    hostDevices: 0,
    gpus: [],
    sriovInterfaces: 0,
    podNetworkBinding: 'masquerade',
    bindingPluginMigratable: false,
    secureExecution: false,
    hypervPassthrough: false,
    tscFrequencyWithoutHint: false,
    evictionStrategy: null,
    restartTime: 60,
    ...over,
    key: `${over.namespace ?? 'default'}/${name}`,
  };
}

export function migrations(over: Partial<MigrationConfiguration> = {}): MigrationConfiguration {
  return { ...defaultMigrationConfiguration({ major: 1, minor: 9 }), ...over };
}

export interface ScenarioParts {
  nodes: NodeSpec[];
  vms: VmSpec[];
  operations?: Operation[];
  migrations?: Partial<MigrationConfiguration>;
  version?: { major: number; minor: number };
  switchoverCost?: number;
  downtimeLimit?: number;
  switchover?: 'rounds' | 'qemu';
  keepalive?: { interval: number; count: number };
  over?: Partial<Scenario>;
}

export function scenario(p: ScenarioParts): Scenario {
  return {
    source: 'test',
    name: 'test',
    seed: 1,
    horizon: 24 * 3600,
    profile: 'kubevirt',
    harvester: { version: { major: 1, minor: 8 }, restoreVM: false },
    kubevirt: {
      version: p.version ?? { major: 1, minor: 9 },
      migrations: migrations(p.migrations),
      evictionStrategy: 'None',
      nodeSelectors: {},
      featureGates: [],
    },
    hypervisor: {
      downtimeLimit: p.downtimeLimit ?? 0.3,
      switchoverCost: p.switchoverCost ?? 0,
      pageSize: 4096,
      switchover: p.switchover ?? 'rounds',
      keepalive: p.keepalive ?? { interval: 5, count: 5 },
      throttle: { initial: 0.2, increment: 0.1, max: 0.99, triggerThreshold: 0.5 },
    },
    controlPlane: {
      targetPodStartup: zero,
      handoff: zero,
      targetPreparation: zero,
      migrationStart: zero,
      cleanup: zero,
      unschedulablePendingTimeout: 300,
      catchAllPendingTimeout: 900,
    },
    scheduler: { scoring: 'LeastAllocated' },
    nodes: p.nodes,
    racks: [],
    vms: p.vms,
    namespaces: {},
    migrationPolicies: [],
    operations: p.operations ?? [],
    randomOutages: [],
    warnings: [],
    ...p.over,
  };
}

export function migrate(vmi: string, at = 0, name: string | null = null): Operation {
  return { kind: 'migrate', at, vmi, name, addedNodeSelector: {}, apiKind: 'shorthand', annotations: {} };
}
