// Builds normalised Scenario objects in code (no file parsing), adapted from
// test/helpers/scenario.ts (not imported: bench/ must not depend on test/).
// Unlike the test builder, control-plane latencies and the switch-over cost are parameters
// with realistic defaults rather than 0.
import { defaultMigrationConfiguration } from '../dist/scenario/defaults.js';

export const Ki = 1024;
export const Mi = 1024 * Ki;
export const Gi = 1024 * Mi;

/** @param {string} name @param {Partial<import('../dist/scenario/types.js').NodeSpec>} over */
export function node(name, over = {}) {
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

export function vm(name, nodeName, over = {}) {
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

/** The migration configuration KubeVirt fills in for `version` (v1.9 by default), with overrides. */
export function migrations(over = {}, version = { major: 1, minor: 9 }) {
  return { ...defaultMigrationConfiguration(version), ...over };
}

const fixed = (value) => ({ kind: 'fixed', value });

/** Realistic control-plane latencies (seconds). */
export const REALISTIC_CONTROL_PLANE = {
  targetPodStartup: fixed(5),
  handoff: fixed(1),
  targetPreparation: fixed(2),
  migrationStart: fixed(1),
  cleanup: fixed(2),
  unschedulablePendingTimeout: 300,
  catchAllPendingTimeout: 900,
};

/**
 * @param {{nodes: any[], vms: any[], operations?: any[], migrations?: object, version?: {major:number,minor:number},
 *          switchoverCost?: number, downtimeLimit?: number, horizon?: number, controlPlane?: object, over?: object}} p
 * @returns {import('../dist/scenario/types.js').Scenario}
 */
export function scenario(p) {
  return {
    source: 'bench',
    name: 'bench',
    seed: 1,
    horizon: p.horizon ?? 24 * 3600,
    profile: 'kubevirt',
    kubevirt: {
      version: p.version ?? { major: 1, minor: 9 },
      migrations: migrations(p.migrations, p.version),
      evictionStrategy: 'None',
      nodeSelectors: {},
      featureGates: [],
    },
    hypervisor: {
      downtimeLimit: p.downtimeLimit ?? 0.3,
      switchoverCost: p.switchoverCost ?? 0.2,
      pageSize: 4096,
      keepalive: { interval: 5, count: 5 },
      throttle: { initial: 0.2, increment: 0.1, max: 0.99, triggerThreshold: 0.5 },
    },
    controlPlane: { ...REALISTIC_CONTROL_PLANE, ...p.controlPlane },
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
