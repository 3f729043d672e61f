import { describe, expect, it } from 'vitest';
import { launcherPodRequirements, targetPodRequirements } from '../../src/cluster/targetpod.js';
import type { Labels, NodeSpec, VmSpec } from '../../src/scenario/types.js';
import { Gi, hostLabels, makeKv, makeNode, makeVm } from './fixtures.js';

const SKY = 'cpu-model-migration.node.kubevirt.io/Skylake-Client-IBRS';
const INTEL = 'cpu-vendor.node.kubevirt.io/Intel';
const SCHED = 'kubevirt.io/schedulable';

const nodeA = makeNode('node-a');
const nodeWithFeatures = makeNode('node-f', {
  labels: {
    ...hostLabels('node-f'),
    'host-model-required-features.node.kubevirt.io/ssbd': 'true',
    'host-model-required-features.node.kubevirt.io/vmx': 'true',
  },
});
const bareNode = makeNode('node-bare', { labels: { 'kubernetes.io/hostname': 'node-bare', [SCHED]: 'true' } });

interface Row {
  case: string;
  vm?: Partial<VmSpec>;
  node?: NodeSpec;
  v?: string;
  kvSelectors?: Labels;
  added?: Labels;
  previous?: Labels | null;
  expect: Labels;
}

// The merged selector, in the renderer's order (nodeselectorrenderer.go); v1.9 unless stated.
const rows: Row[] = [
  {
    // schedulable + host model of the source (value copied) + the source's vendor (v1.8+)
    case: 'host-model, first migration: derived from the source node',
    expect: { [SCHED]: 'true', [SKY]: 'true', [INTEL]: 'true' },
  },
  {
    case: 'host-model: required features of the source become cpu-feature selectors',
    node: nodeWithFeatures,
    expect: {
      [SCHED]: 'true',
      [SKY]: 'true',
      'cpu-feature.node.kubevirt.io/ssbd': 'true',
      'cpu-feature.node.kubevirt.io/vmx': 'true',
      [INTEL]: 'true',
    },
  },
  { case: 'v1.7: no vendor selector', v: '1.7', expect: { [SCHED]: 'true', [SKY]: 'true' } },
  {
    // the earlier target pod's keys are copied; the current node's host model is not consulted
    case: 'host-model, migrated before: selectors copied from the previous target pod',
    previous: { [SCHED]: 'true', 'cpu-model-migration.node.kubevirt.io/Haswell': 'true', 'cpu-feature.node.kubevirt.io/aes': 'true', zone: 'x' },
    expect: { [SCHED]: 'true', 'cpu-model-migration.node.kubevirt.io/Haswell': 'true', 'cpu-feature.node.kubevirt.io/aes': 'true', [INTEL]: 'true' },
  },
  {
    // KubeVirt quirk: the launcher pod's own cpu-feature keys read as "migrated before"
    case: 'host-model with required cpuFeatures: no cpu-model-migration selector',
    vm: { cpuFeatures: ['pcid'] },
    expect: { [SCHED]: 'true', 'cpu-feature.node.kubevirt.io/pcid': 'true', [INTEL]: 'true' },
  },
  {
    case: 'named model, features, dedicated CPUs (no host-model label needed)',
    vm: { cpuModel: { kind: 'named', model: 'Haswell' }, cpuFeatures: ['aes', 'avx2'], dedicatedCpus: true },
    node: bareNode,
    expect: {
      [SCHED]: 'true',
      'cpu-model.node.kubevirt.io/Haswell': 'true',
      'cpu-feature.node.kubevirt.io/aes': 'true',
      'cpu-feature.node.kubevirt.io/avx2': 'true',
      'cpumanager': 'true',
    },
  },
  {
    case: 'cluster nodeSelectors and the VMI nodeSelector',
    vm: { nodeSelector: { zone: 'east' } },
    kvSelectors: { 'node-role.kubernetes.io/worker': '' },
    expect: { [SCHED]: 'true', 'node-role.kubernetes.io/worker': '', zone: 'east', [SKY]: 'true', [INTEL]: 'true' },
  },
  {
    case: 'addedNodeSelector adds a key, cannot override the VMI',
    vm: { nodeSelector: { zone: 'east' } },
    added: { zone: 'west', 'kubernetes.io/hostname': 'node-c' },
    expect: { [SCHED]: 'true', zone: 'east', [SKY]: 'true', [INTEL]: 'true', 'kubernetes.io/hostname': 'node-c' },
  },
  {
    case: 'a vendor selector already on the VMI: the source vendor is not added',
    vm: { nodeSelector: { 'cpu-vendor.node.kubevirt.io/AMD': 'true' } },
    expect: { [SCHED]: 'true', 'cpu-vendor.node.kubevirt.io/AMD': 'true', [SKY]: 'true' },
  },
];

describe('targetPodRequirements: node selector', () => {
  it.each(rows)('$case', (row) => {
    const kv = makeKv({ v: row.v ?? '1.9', nodeSelectors: row.kvSelectors ?? {} });
    const res = targetPodRequirements(makeVm('vm1', row.vm ?? {}), row.node ?? nodeA, kv, row.added ?? {}, row.previous ?? null);
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.pod.nodeSelector).toEqual(row.expect);
  });
});

describe('targetPodRequirements: failure and resources', () => {
  it('host-model and no host-model label on the source: target pod creation fails', () => {
    const res = targetPodRequirements(makeVm('vm1'), bareNode, makeKv(), {}, null);
    expect(res).toEqual({
      ok: false,
      reason: 'FailedCreate',
      message: 'unable to locate host cpu model, does not contain label "host-model-cpu.node.kubevirt.io/" with information',
    });
  });

  it('requests the VM’s cpu and memory (launcher overhead ignored), keeps affinity and tolerations', () => {
    const vm = makeVm('vm1', {
      cpu: 3,
      memory: 6 * Gi,
      nodeAffinity: [[{ key: 'zone', operator: 'In', values: ['east'] }]],
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'vm', effect: 'NoSchedule' }],
    });
    const res = targetPodRequirements(vm, nodeA, makeKv(), {}, null);
    expect(res.ok && res.pod).toMatchObject({ cpu: 3, memory: 6 * Gi, nodeAffinity: vm.nodeAffinity, tolerations: vm.tolerations });
  });

  it('the launcher pod (initial placement) has no migration selectors', () => {
    expect(launcherPodRequirements(makeVm('vm1'), makeKv()).nodeSelector).toEqual({ [SCHED]: 'true' });
  });
});
