// Helper constructors for cluster-layer tests: a plain migratable VM, a plain schedulable node,
// a v1.9 KubeVirt with defaults, and node views for the scheduler. Override what a case needs.

import type {
  KubeVirtSpec,
  MigrationPolicySpec,
  NodeSpec,
  VmSpec,
  VolumeSpec,
} from '../../src/scenario/types.js';
import type { NodeView } from '../../src/cluster/scheduler.js';
import { migrations, vm } from '../helpers/scenario.js';

export const Ki = 2 ** 10;
export const Mi = 2 ** 20;
export const Gi = 2 ** 30;

/** `kubevirt.io/schedulable=true` plus a host model and vendor, like a node virt-handler labelled. */
export function hostLabels(name: string, model = 'Skylake-Client-IBRS', vendor = 'Intel'): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubevirt.io/schedulable': 'true',
    [`host-model-cpu.node.kubevirt.io/${model}`]: 'true',
    [`cpu-model-migration.node.kubevirt.io/${model}`]: 'true',
    [`cpu-vendor.node.kubevirt.io/${vendor}`]: 'true',
  };
}

export function makeNode(name: string, over: Partial<NodeSpec> = {}): NodeSpec {
  return {
    name,
    pool: 'workers',
    cpu: 16,
    memory: 64 * Gi,
    labels: hostLabels(name),
    taints: [],
    unschedulable: false,
    nics: { pod: 1.25e9 },
    rack: null,
    backgroundLoad: [],
    ...over,
  };
}

export function rwxPvc(name = 'root', size = 20 * Gi): VolumeSpec {
  return { name, type: 'persistentVolumeClaim', accessModes: ['ReadWriteMany'], shared: false, attachment: 'disk', readOnly: false, size };
}

export function volume(type: VolumeSpec['type'], over: Partial<VolumeSpec> = {}): VolumeSpec {
  return { name: type, type, accessModes: [], shared: false, attachment: 'disk', readOnly: false, size: Gi, ...over };
}

/** A masquerade, host-model VM on one RWX PVC: migratable, LiveMigration. */
export function makeVm(name = 'vm1', over: Partial<VmSpec> = {}): VmSpec {
  return vm(name, 'node-a', {
    pool: 'vms',
    labels: { app: 'web' },
    cpu: 2,
    usedMemory: 2 * Gi,
    dirty: { kind: 'constant', rate: 0, workingSet: 0 },
    volumes: [rwxPvc()],
    ...over,
  });
}

export const makeMigrationConfig = migrations;

export function makeKv(over: Partial<KubeVirtSpec> & { v?: string } = {}): KubeVirtSpec {
  const { v, ...rest } = over;
  const [major, minor] = (v ?? '1.9').split('.').map(Number);
  return {
    version: { major: major ?? 1, minor: minor ?? 9 },
    migrations: makeMigrationConfig(),
    evictionStrategy: 'None',
    nodeSelectors: {},
    featureGates: [],
    ...rest,
  };
}

export function makeView(spec: NodeSpec, over: Partial<Omit<NodeView, 'spec'>> = {}): NodeView {
  return {
    spec,
    unschedulable: spec.unschedulable,
    taints: spec.taints,
    requested: { cpu: 0, memory: 0 },
    vmiPods: new Set(),
    ...over,
  };
}

export function makePolicy(name: string, over: Partial<MigrationPolicySpec> = {}): MigrationPolicySpec {
  return { name, namespaceSelector: null, virtualMachineInstanceSelector: null, hasSelectors: true, ...over };
}
