import { describe, expect, it } from 'vitest';
import {
  acceptableCompletionTime,
  blockMigrationDiskBytes,
  liveMigratable,
  migrationDataSize,
  migrationMethod,
} from '../../src/cluster/migratability.js';
import { harvesterDetector, upgradeRefused, type DetectorNode } from '../../src/cluster/harvester.js';
import type { NodeSpec, VmSpec } from '../../src/scenario/types.js';
import { Gi, Mi, makeKv, makeNode, makeVm, rwxPvc, volume } from './fixtures.js';

const nodeA = makeNode('node-a');
/** a node whose virt-handler found no host model (no host-model-cpu.node.kubevirt.io/* label) */
const bareNode = makeNode('node-bare', { labels: { 'kubernetes.io/hostname': 'node-bare', 'kubevirt.io/schedulable': 'true' } });
const rwo = { ...rwxPvc('root'), accessModes: ['ReadWriteOnce'] };
const bridgeMsg =
  'cannot migrate VMI which does not use masquerade, bridge with kubevirt.io/allow-pod-bridge-network-live-migration VM annotation or a migratable plugin to connect to the pod network';

interface Row {
  case: string;
  vm: Partial<VmSpec>;
  node?: NodeSpec | null;
  v?: string;
  gates?: string[];
  reason: string | null;
  message?: string;
}

// Each check on its own (virt-handler vm.go calculateLiveMigrationCondition), on the default v1.9 cluster unless `v` says otherwise.
const single: Row[] = [
  { case: 'masquerade, RWX PVC, host-model on a labelled node', vm: {}, reason: null },
  { case: 'no pod network', vm: { podNetworkBinding: null }, reason: null },
  { case: 'passt on the pod network', vm: { podNetworkBinding: 'passt' }, reason: null },
  { case: 'SR-IOV secondaries do not block (hot-unplugged)', vm: { sriovInterfaces: 2 }, reason: null },
  { case: 'bridge on the pod network', vm: { podNetworkBinding: 'bridge' }, reason: 'InterfaceNotLiveMigratable', message: bridgeMsg },
  {
    case: 'bridge with the allow annotation',
    vm: { podNetworkBinding: 'bridge', annotations: { 'kubevirt.io/allow-pod-bridge-network-live-migration': '' } },
    reason: null,
  },
  { case: 'binding plugin without migration', vm: { podNetworkBinding: 'plugin' }, reason: 'InterfaceNotLiveMigratable' },
  { case: 'binding plugin declaring migration', vm: { podNetworkBinding: 'plugin', bindingPluginMigratable: true }, reason: null },
  { case: 'SR-IOV binding on the pod network', vm: { podNetworkBinding: 'sriov' }, reason: 'InterfaceNotLiveMigratable' },
  {
    case: 'host-model on a node without host-model label',
    vm: {},
    node: bareNode,
    reason: 'CPUModeLiveMigratable',
    message: 'the node "node-bare" does not allow migration with host-model',
  },
  { case: 'named model on a node without host-model label', vm: { cpuModel: { kind: 'named', model: 'Haswell' } }, node: bareNode, reason: null },
  { case: 'host-passthrough', vm: { cpuModel: { kind: 'host-passthrough' } }, node: bareNode, reason: null },
  { case: 'host-model, not placed yet (no handler to ask)', vm: {}, node: null, reason: null },
  { case: 'one PCI host device', vm: { hostDevices: 1 }, reason: 'HostDeviceNotLiveMigratable', message: 'VMI uses a PCI host devices' },
  { case: 'one mediated GPU, no gate', vm: { gpus: [{ name: 'g', mediated: true }] }, reason: 'HostDeviceNotLiveMigratable' },
  { case: 'one mediated GPU, VGPULiveMigration gate, v1.9', vm: { gpus: [{ name: 'g', mediated: true }] }, gates: ['VGPULiveMigration'], reason: null },
  { case: 'one mediated GPU, gate, v1.8 (gate is alpha in v1.8)', vm: { gpus: [{ name: 'g', mediated: true }] }, gates: ['VGPULiveMigration'], v: '1.8', reason: null },
  {
    case: 'one mediated GPU, gate set on v1.7 (gate does not exist yet)',
    vm: { gpus: [{ name: 'g', mediated: true }] },
    gates: ['VGPULiveMigration'],
    v: '1.7',
    reason: 'HostDeviceNotLiveMigratable',
  },
  {
    case: 'two mediated GPUs, gate',
    vm: { gpus: [{ name: 'g1', mediated: true }, { name: 'g2', mediated: true }] },
    gates: ['VGPULiveMigration'],
    reason: 'HostDeviceNotLiveMigratable',
  },
  { case: 'one passthrough GPU, gate', vm: { gpus: [{ name: 'g', mediated: false }] }, gates: ['VGPULiveMigration'], reason: 'HostDeviceNotLiveMigratable' },
  { case: 'SEV / TDX / Secure Execution', vm: { secureExecution: true }, reason: 'SEVNotLiveMigratable', message: 'VMI uses SEV' },
  {
    case: 'TSC frequency required, no topology hint',
    vm: { tscFrequencyWithoutHint: true },
    reason: 'NoTSCFrequencyNotLiveMigratable',
    message:
      'HyperV Reenlightenment VMIs cannot migrate when TSC Frequency is not exposed on the cluster: guest timers might be inconsistent',
  },
  { case: 'Hyper-V passthrough', vm: { hypervPassthrough: true }, reason: 'HypervPassthroughNotLiveMigratable', message: 'VMI uses hyperv passthrough' },
  {
    case: 'RWO PVC',
    vm: { volumes: [rwo] },
    reason: 'DisksNotLiveMigratable',
    message:
      'cannot migrate VMI: PVC root is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)',
  },
  {
    case: 'RWO DataVolume after an RWX PVC (first bad volume named)',
    vm: { volumes: [rwxPvc('root'), { ...volume('dataVolume'), name: 'data', accessModes: ['ReadWriteOnce'] }] },
    reason: 'DisksNotLiveMigratable',
    message:
      'cannot migrate VMI: PVC data is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)',
  },
  { case: 'non-shared hostDisk', vm: { volumes: [volume('hostDisk')] }, reason: 'DisksNotLiveMigratable', message: 'cannot migrate VMI with non-shared HostDisk' },
  { case: 'shared hostDisk', vm: { volumes: [volume('hostDisk', { shared: true })] }, reason: null },
  { case: 'containerDisk + cloud-init (block migration, still migratable)', vm: { volumes: [volume('containerDisk'), volume('cloudInitNoCloud')] }, reason: null },
  { case: 'virtiofs at v1.3', vm: { volumes: [rwxPvc(), volume('configMap', { attachment: 'filesystem' })] }, v: '1.3', reason: 'VirtIOFSNotLiveMigratable', message: 'VMI uses virtiofs' },
  { case: 'virtiofs at v1.4 (allowed)', vm: { volumes: [rwxPvc(), volume('configMap', { attachment: 'filesystem' })] }, v: '1.4', reason: null },
];

// Several failures at once: the first check in KubeVirt's order wins.
// HEAD (v1.9+): interface, CPU mode, host devices, SEV, TSC, Hyper-V, then disks.
// Before v1.9: disks first, then the same order (virtiofs between CPU mode and host devices, v1.0–v1.3).
const firstFailure: Row[] = [
  { case: 'bridge + RWO PVC, v1.9: interface before disks', vm: { podNetworkBinding: 'bridge', volumes: [rwo] }, reason: 'InterfaceNotLiveMigratable' },
  { case: 'bridge + RWO PVC, v1.8: disks checked first', vm: { podNetworkBinding: 'bridge', volumes: [rwo] }, v: '1.8', reason: 'DisksNotLiveMigratable' },
  { case: 'hyper-V + RWO PVC, v1.9', vm: { hypervPassthrough: true, volumes: [rwo] }, reason: 'HypervPassthroughNotLiveMigratable' },
  { case: 'bridge + bare host-model node', vm: { podNetworkBinding: 'bridge' }, node: bareNode, reason: 'InterfaceNotLiveMigratable' },
  { case: 'bare host-model node + host device', vm: { hostDevices: 1 }, node: bareNode, reason: 'CPUModeLiveMigratable' },
  { case: 'host device + SEV', vm: { hostDevices: 1, secureExecution: true }, reason: 'HostDeviceNotLiveMigratable' },
  { case: 'SEV + TSC', vm: { secureExecution: true, tscFrequencyWithoutHint: true }, reason: 'SEVNotLiveMigratable' },
  { case: 'TSC + Hyper-V', vm: { tscFrequencyWithoutHint: true, hypervPassthrough: true }, reason: 'NoTSCFrequencyNotLiveMigratable' },
  {
    case: 'virtiofs + host device, v1.3: virtiofs comes first',
    vm: { hostDevices: 1, volumes: [rwxPvc(), volume('configMap', { attachment: 'filesystem' })] },
    v: '1.3',
    reason: 'VirtIOFSNotLiveMigratable',
  },
];

describe('liveMigratable', () => {
  for (const [title, rows] of [
    ['single checks', single],
    ['first failure wins', firstFailure],
  ] as const) {
    describe(title, () => {
      it.each(rows)('$case', (row) => {
        const kv = makeKv({ v: row.v ?? '1.9', featureGates: row.gates ?? [] });
        const node = row.node === undefined ? nodeA : row.node;
        const got = liveMigratable(makeVm('vm1', row.vm), node, kv);
        expect(got.reason).toBe(row.reason);
        expect(got.migratable).toBe(row.reason === null);
        if (row.message !== undefined) expect(got.message).toBe(row.message);
        if (row.reason === null) expect(got.message).toBeNull();
      });
    });
  }
});

// Volume by volume (live-migration-source.go classifyVolumesForMigration; vm.go migration method). Sizes: 1Gi unless stated.
const methodRows: { case: string; volumes: VmSpec['volumes']; method: 'BlockMigration' | 'LiveMigration'; bytes: number }[] = [
  { case: 'RWX PVC', volumes: [rwxPvc()], method: 'LiveMigration', bytes: 0 },
  { case: 'RWX DataVolume', volumes: [{ ...rwxPvc(), type: 'dataVolume' }], method: 'LiveMigration', bytes: 0 },
  { case: 'shared hostDisk', volumes: [volume('hostDisk', { shared: true })], method: 'LiveMigration', bytes: 0 },
  { case: 'containerDisk disk (overlay copied)', volumes: [volume('containerDisk', { size: 2 * Gi })], method: 'BlockMigration', bytes: 2 * Gi },
  { case: 'containerDisk read-only CD-ROM', volumes: [volume('containerDisk', { attachment: 'cdrom', readOnly: true })], method: 'LiveMigration', bytes: 0 },
  { case: 'containerDisk writable CD-ROM: block, but CD-ROMs are never copied', volumes: [volume('containerDisk', { attachment: 'cdrom' })], method: 'BlockMigration', bytes: 0 },
  { case: 'cloudInitNoCloud disk', volumes: [volume('cloudInitNoCloud', { size: Mi })], method: 'BlockMigration', bytes: Mi },
  { case: 'cloudInitConfigDrive disk', volumes: [volume('cloudInitConfigDrive', { size: Mi })], method: 'BlockMigration', bytes: Mi },
  { case: 'configMap read-only disk (generated: copied anyway)', volumes: [volume('configMap', { readOnly: true, size: Mi })], method: 'BlockMigration', bytes: Mi },
  { case: 'secret disk', volumes: [volume('secret', { size: Mi })], method: 'BlockMigration', bytes: Mi },
  { case: 'serviceAccount disk', volumes: [volume('serviceAccount', { size: Mi })], method: 'BlockMigration', bytes: Mi },
  { case: 'downwardAPI disk', volumes: [volume('downwardAPI', { size: Mi })], method: 'BlockMigration', bytes: Mi },
  { case: 'emptyDisk', volumes: [volume('emptyDisk', { size: 10 * Gi })], method: 'BlockMigration', bytes: 10 * Gi },
  { case: 'ephemeral', volumes: [volume('ephemeral', { size: 3 * Gi })], method: 'BlockMigration', bytes: 3 * Gi },
  { case: 'read-only emptyDisk: block, not generated so not copied', volumes: [volume('emptyDisk', { readOnly: true })], method: 'BlockMigration', bytes: 0 },
  { case: 'configMap through virtiofs', volumes: [volume('configMap', { attachment: 'filesystem' })], method: 'LiveMigration', bytes: 0 },
  {
    // 2Gi + 1Mi copied; the PVC is shared, the ISO is a CD-ROM
    case: 'PVC + containerDisk + cloud-init + ISO CD-ROM',
    volumes: [rwxPvc(), volume('containerDisk', { size: 2 * Gi }), volume('cloudInitNoCloud', { size: Mi }), volume('containerDisk', { name: 'iso', attachment: 'cdrom', readOnly: true, size: 5 * Gi })],
    method: 'BlockMigration',
    bytes: 2 * Gi + Mi,
  },
];

describe('migrationMethod and blockMigrationDiskBytes', () => {
  it.each(methodRows)('$case', (row) => {
    const vm = makeVm('vm1', { volumes: row.volumes });
    expect(migrationMethod(vm)).toBe(row.method);
    expect(blockMigrationDiskBytes(vm)).toBe(row.bytes);
  });
});

describe('migrationDataSize (getVMIMigrationDataSize)', () => {
  // memory.guest replaces the request; for BlockMigration only the ephemeral-disk directory
  // (container-disk / ephemeral overlays, cloud-init ISOs, CD-ROM or not) is added, never the
  // emptyDisk, configMap/secret/serviceAccount/downwardAPI or hostDisk that block migration copies.
  it.each([
    { case: '4Gi request, live', vm: {}, method: 'LiveMigration', bytes: 4 * Gi },
    { case: 'memory.guest 8Gi wins over 4Gi request', vm: { guestMemory: 8 * Gi }, method: 'LiveMigration', bytes: 8 * Gi },
    { case: '4Gi + 2Gi containerDisk, block', vm: { volumes: [volume('containerDisk', { size: 2 * Gi })] }, method: 'BlockMigration', bytes: 6 * Gi },
    { case: '4Gi + 100Gi emptyDisk: memory only', vm: { volumes: [volume('emptyDisk', { size: 100 * Gi })] }, method: 'BlockMigration', bytes: 4 * Gi },
    { case: '4Gi + 3Gi ephemeral overlay', vm: { volumes: [volume('ephemeral', { size: 3 * Gi })] }, method: 'BlockMigration', bytes: 7 * Gi },
    {
      case: '4Gi + cloud-init 1Mi + configMap 1Mi + secret 1Mi: only the cloud-init ISO',
      vm: { volumes: [volume('cloudInitNoCloud', { size: Mi }), volume('configMap', { name: 'c', size: Mi }), volume('secret', { name: 's', size: Mi })] },
      method: 'BlockMigration',
      bytes: 4 * Gi + Mi,
    },
    {
      case: '4Gi + non-shared hostDisk 20Gi + 5Gi container-disk CD-ROM: the ISO overlay counts, the hostDisk does not',
      vm: { volumes: [volume('hostDisk', { size: 20 * Gi }), volume('containerDisk', { name: 'iso', attachment: 'cdrom', size: 5 * Gi })] },
      method: 'BlockMigration',
      bytes: 9 * Gi,
    },
    { case: 'a LiveMigration adds nothing', vm: { volumes: [volume('containerDisk', { attachment: 'cdrom', readOnly: true, size: 5 * Gi })] }, method: 'LiveMigration', bytes: 4 * Gi },
  ] as const)('$case', (row) => {
    const vm = makeVm('vm1', row.vm as Partial<VmSpec>);
    expect(migrationDataSize(vm, row.method)).toBe(row.bytes);
  });

  it('feeds acceptableCompletionTime: 6Gi = 6.44 GB → 7 → 1050 s at 150', () => {
    const vm = makeVm('vm1', { volumes: [volume('containerDisk', { size: 2 * Gi })] });
    expect(acceptableCompletionTime(150, migrationDataSize(vm, migrationMethod(vm)))).toBe(1050);
  });
});

describe('acceptableCompletionTime = perGiB × ceil(bytes / 1e9)', () => {
  it.each([
    { bytes: 1 * Gi, perGiB: 150, expect: 300 }, //  1.07 GB → 2
    { bytes: 2 * Gi, perGiB: 150, expect: 450 }, //  2.15 GB → 3
    { bytes: 4 * Gi, perGiB: 150, expect: 750 }, //  4.29 GB → 5
    { bytes: 8 * Gi, perGiB: 150, expect: 1350 }, //  8.59 GB → 9
    { bytes: 16 * Gi, perGiB: 150, expect: 2700 }, // 17.18 GB → 18
    { bytes: 1 * Gi, perGiB: 800, expect: 1600 }, // v1.3 default 800: 2 × 800
    { bytes: 4 * Gi, perGiB: 800, expect: 4000 }, // 5 × 800
    { bytes: 2e9, perGiB: 150, expect: 300 }, //  exactly 2 GB → 2
    { bytes: 2e9 + 1, perGiB: 150, expect: 450 }, // one byte over → 3
    { bytes: 4 * Gi, perGiB: 0, expect: 0 }, //  0 disables the timeout
    { bytes: 0, perGiB: 150, expect: 0 },
  ])('$bytes bytes at $perGiB → $expect s', ({ bytes, perGiB, expect: want }) => {
    expect(acceptableCompletionTime(perGiB, bytes)).toBe(want);
  });
});

// Harvester's detector (GetAllNonLiveMigratableVMINames), by Harvester version. Two schedulable
// nodes a and b unless stated; the VM runs on a.
const hvNodes = (n = 2, cordonB = false): DetectorNode[] =>
  ['node-a', 'node-b', 'node-c'].slice(0, n).map((name) => ({ spec: makeNode(name, { labels: { 'kubernetes.io/hostname': name, zone: name === 'node-a' ? 'x' : 'y' } }), unschedulable: cordonB && name === 'node-b' }));
const cdrom = volume('containerDisk', { name: 'iso', attachment: 'cdrom', readOnly: true });

describe('harvesterDetector', () => {
  it.each([
    { case: 'plain VM', vm: {}, reason: null },
    { case: 'any nodeSelector, even on another key', vm: { nodeSelector: { disk: 'ssd' } }, reason: 'NodeSelector' },
    { case: 'required affinity another node matches', vm: { nodeAffinity: [[{ key: 'zone', operator: 'In' as const, values: ['x', 'y'] }]] }, reason: null },
    { case: 'required affinity only the source matches', vm: { nodeAffinity: [[{ key: 'zone', operator: 'In' as const, values: ['x'] }]] }, reason: 'NodeAffinity' },
    { case: 'affinity matched only by a cordoned node', vm: { nodeAffinity: [[{ key: 'zone', operator: 'In' as const, values: ['y'] }]] }, cordonB: true, reason: 'NodeAffinity' },
    { case: 'a PCI host device', vm: { hostDevices: 1 }, reason: 'HostDevices' },
    { case: 'a vGPU on v1.8: counted', vm: { gpus: [{ name: 'g', mediated: true }] }, reason: 'HostDevices' },
    { case: 'a vGPU on v1.7: not checked', vm: { gpus: [{ name: 'g', mediated: true }] }, hv: { major: 1, minor: 7 }, reason: null },
    { case: 'a CD-ROM on v1.7', vm: { volumes: [cdrom] }, hv: { major: 1, minor: 7 }, reason: 'CDROMOrContainerDisk' },
    { case: 'a container disk on v1.7', vm: { volumes: [volume('containerDisk')] }, hv: { major: 1, minor: 7 }, reason: 'CDROMOrContainerDisk' },
    { case: 'a CD-ROM on v1.8: no longer listed', vm: { volumes: [cdrom] }, reason: null },
    { case: 'a single-node cluster lists every VM', vm: {}, n: 1, reason: 'SingleNodeCluster' },
    // never KubeVirt's LiveMigratable: an RWO PVC is not the detector's business
    { case: 'RWO PVC (KubeVirt says no, the detector does not)', vm: { volumes: [rwo] }, reason: null },
  ])('$case', (row) => {
    const r = harvesterDetector(makeVm('vm1', row.vm as Partial<VmSpec>), 'node-a', hvNodes(row.n ?? 2, row.cordonB ?? false), row.hv ?? { major: 1, minor: 8 });
    expect(r?.reason ?? null).toBe(row.reason);
  });

  it('a CD-ROM VM KubeVirt can migrate is LiveMigratable (plain drains use KubeVirt)', () => {
    const vm = makeVm('vm1', { volumes: [rwxPvc(), cdrom] });
    expect(liveMigratable(vm, nodeA, makeKv({ v: '1.8' })).migratable).toBe(true);
    expect(harvesterDetector(vm, 'node-a', hvNodes(), { major: 1, minor: 7 })?.reason).toBe('CDROMOrContainerDisk');
  });
});

describe('Harvester upgrade admission (checkNonLiveMigratableVMs)', () => {
  it.each([
    { restoreVM: false, hv: { major: 1, minor: 6 }, listed: 1, refused: true },
    { restoreVM: true, hv: { major: 1, minor: 6 }, listed: 1, refused: false },
    { restoreVM: true, hv: { major: 1, minor: 5 }, listed: 1, refused: true }, // before v1.6: always
    { restoreVM: false, hv: { major: 1, minor: 5 }, listed: 0, refused: false },
  ])('restoreVM $restoreVM on v$hv.major.$hv.minor with $listed listed → refused $refused', (row) => {
    expect(upgradeRefused(row.restoreVM, row.hv, row.listed)).toBe(row.refused);
  });
});
