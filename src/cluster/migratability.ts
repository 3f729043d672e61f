// KubeVirt's `LiveMigratable` VMI condition, the migration method (BlockMigration vs LiveMigration)
// and the data sizes the completion timeout is computed on (spec §2.3, §2.8, §6).
// Mirrors virt-handler's calculateLiveMigrationCondition / checkVolumesForMigration
// (pkg/virt-handler/vm.go) and, for the Harvester profile, Harvester's VM live-migrate detector
// (harvester: pkg/util/virtualmachineinstance ValidateVMMigratable).
// Pure functions, no I/O.

import { versionAtLeast } from '../scenario/defaults.js';
import type { KubeVirtSpec, NodeSpec, VmSpec, VolumeSpec, VolumeType } from '../scenario/types.js';

export interface Migratability {
  migratable: boolean;
  /** condition reason, exactly KubeVirt's (or Harvester's for its own rules); null when migratable */
  reason: string | null;
  /** human message, KubeVirt's wording where known; null when migratable */
  message: string | null;
}

/** Reason strings of the LiveMigratable=False condition (staging/src/kubevirt.io/api/core/v1/types.go). */
export const Reason = {
  Interface: 'InterfaceNotLiveMigratable',
  CPUMode: 'CPUModeLiveMigratable',
  VirtIOFS: 'VirtIOFSNotLiveMigratable',
  HostDevice: 'HostDeviceNotLiveMigratable',
  SEV: 'SEVNotLiveMigratable',
  NoTSCFrequency: 'NoTSCFrequencyNotLiveMigratable',
  HypervPassthrough: 'HypervPassthroughNotLiveMigratable',
  Disks: 'DisksNotLiveMigratable',
} as const;

/** Reasons of Harvester's own rules (Harvester returns plain errors; these names are migsim's). */
export const HarvesterReason = {
  NodePinned: 'NodePinned',
  HostDevicesAttached: 'HostDevicesAttached',
  CDROMOrContainerDisk: 'CDROMOrContainerDisk',
} as const;

export const ALLOW_POD_BRIDGE_ANNOTATION = 'kubevirt.io/allow-pod-bridge-network-live-migration';
export const HOST_MODEL_CPU_LABEL_PREFIX = 'host-model-cpu.node.kubevirt.io/';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const VGPU_LIVE_MIGRATION_GATE = 'VGPULiveMigration';

type Check = (vm: VmSpec, sourceNode: NodeSpec | null, kv: KubeVirtSpec) => Migratability | null;


function notMigratable(reason: string, message: string): Migratability {
  return { migratable: false, reason, message };
}

const MIGRATABLE: Migratability = { migratable: true, reason: null, message: null };

// --- the individual checks (each returns the failure or null) -----------------------------------

/** pkg/network/vmispec VerifyVMIMigratable. */
const checkInterfaces: Check = (vm) => {
  switch (vm.podNetworkBinding) {
    case null: // no pod network: nothing to check
    case 'masquerade':
    // Simplification: passt is treated as migratable in every version (spec §6, HEAD). Between
    // v1.1 and the PasstBinding gate it was a binding plugin, migratable only if its config said so.
    case 'passt':
      return null;
    case 'bridge':
      if (Object.hasOwn(vm.annotations, ALLOW_POD_BRIDGE_ANNOTATION)) return null;
      break;
    case 'plugin':
      if (vm.bindingPluginMigratable) return null;
      break;
    case 'sriov':
      break;
  }
  return notMigratable(
    Reason.Interface,
    `cannot migrate VMI which does not use masquerade, bridge with ${ALLOW_POD_BRIDGE_ANNOTATION} VM annotation or a migratable plugin to connect to the pod network`,
  );
};

/** virt-handler isHostModelMigratable: the handler of the node the VMI runs on must know its host model. */
const checkCpuMode: Check = (vm, sourceNode) => {
  if (vm.cpuModel.kind !== 'host-model') return null;
  // A VM not placed yet has no virt-handler to compute the condition: the check cannot fail yet.
  if (sourceNode === null) return null;
  if (Object.keys(sourceNode.labels).some((k) => k.startsWith(HOST_MODEL_CPU_LABEL_PREFIX))) return null;
  return notMigratable(Reason.CPUMode, `the node "${sourceNode.name}" does not allow migration with host-model`);
};

/** v1.0–v1.3 only: any virtiofs filesystem blocks (allowed from v1.4 on). */
const checkVirtiofs: Check = (vm, _node, kv) => {
  if (versionAtLeast(kv.version, 1, 4)) return null;
  if (!vm.volumes.some((v) => v.attachment === 'filesystem')) return null;
  return notMigratable(Reason.VirtIOFS, 'VMI uses virtiofs');
};

/**
 * Host devices (PCI passthrough) always block. GPUs block too, except exactly one mediated GPU when
 * the VGPULiveMigration gate (alpha in v1.8) is on. Simplification: "mediated" stands for "a
 * permitted mediated device"; permittedHostDevices is not modelled.
 */
const checkHostDevices: Check = (vm, _node, kv) => {
  let blocked = vm.hostDevices > 0;
  if (!blocked && vm.gpus.length > 0) {
    const gateOn = versionAtLeast(kv.version, 1, 8) && kv.featureGates.includes(VGPU_LIVE_MIGRATION_GATE);
    const oneMediated = vm.gpus.length === 1 && vm.gpus[0]?.mediated === true;
    blocked = !(gateOn && oneMediated);
  }
  return blocked ? notMigratable(Reason.HostDevice, 'VMI uses a PCI host devices') : null;
};

/**
 * SEV / TDX / IBM Secure Execution. VmSpec has one flag for the three, so this always reports
 * KubeVirt's SEV reason and message (TDXNotLiveMigratable / SecureExecutionNotLiveMigratable exist
 * too; splitting the flag would let them be reported).
 */
const checkSecureExecution: Check = (vm) =>
  vm.secureExecution ? notMigratable(Reason.SEV, 'VMI uses SEV') : null;

const checkTsc: Check = (vm) =>
  vm.tscFrequencyWithoutHint
    ? notMigratable(
        Reason.NoTSCFrequency,
        'HyperV Reenlightenment VMIs cannot migrate when TSC Frequency is not exposed on the cluster: guest timers might be inconsistent',
      )
    : null;

const checkHyperv: Check = (vm) =>
  vm.hypervPassthrough ? notMigratable(Reason.HypervPassthrough, 'VMI uses hyperv passthrough') : null;

/**
 * checkVolumesForMigration: the first volume in spec order that cannot be shared fails.
 * PVC/DV: shared only with ReadWriteMany (storage migration, which would exempt it, is not
 * modelled). The volume's name stands for the claim name. hostDisk: shared only with `shared: true`.
 */
const checkDisks: Check = (vm) => {
  for (const vol of vm.volumes) {
    if (vol.type === 'persistentVolumeClaim' || vol.type === 'dataVolume') {
      if (!vol.accessModes.includes('ReadWriteMany')) {
        return notMigratable(
          Reason.Disks,
          `cannot migrate VMI: PVC ${vol.name} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`,
        );
      }
    } else if (vol.type === 'hostDisk' && !vol.shared) {
      return notMigratable(Reason.Disks, 'cannot migrate VMI with non-shared HostDisk');
    }
  }
  return null;
};

/**
 * The order of KubeVirt's checks. HEAD (spec §6) evaluates every non-volume constraint first and
 * the volumes last. Older virt-handlers (read in the v1.0-era to ~v1.7 code) checked the volumes
 * first. Which release moved the volume check is not confirmed; migsim switches at v1.9 (the first
 * release the spec describes as HEAD). The boolean `migratable` is the same either way; only the
 * reported reason differs when several checks fail.
 */
function kubevirtChecks(kv: KubeVirtSpec): Check[] {
  const common: Check[] = [
    checkInterfaces,
    checkCpuMode,
    checkVirtiofs,
    checkHostDevices,
    checkSecureExecution,
    // SCSI persistent reservation (v1.0–v1.8) would come here: not in VmSpec.
    checkTsc,
    checkHyperv,
  ];
  return versionAtLeast(kv.version, 1, 9) ? [...common, checkDisks] : [checkDisks, ...common];
}

// --- Harvester -----------------------------------------------------------------------------------

/**
 * Pinned to a node: a nodeSelector on kubernetes.io/hostname (any value, as Harvester checks), or a
 * required node affinity whose every term restricts kubernetes.io/hostname with `In` to the source
 * node alone. Simplification: Harvester's upgrade path asks whether any *other* schedulable node
 * satisfies the affinity; without the node list this approximates it by the hostname terms.
 */
function pinnedByAffinity(vm: VmSpec, sourceNode: NodeSpec | null): boolean {
  if (vm.nodeAffinity.length === 0) return false;
  return vm.nodeAffinity.every((term) =>
    term.some(
      (req) =>
        req.key === HOSTNAME_LABEL &&
        req.operator === 'In' &&
        req.values.every((v) => sourceNode === null || v === sourceNode.name) &&
        req.values.length <= 1,
    ),
  );
}

function harvesterCheck(vm: VmSpec, sourceNode: NodeSpec | null): Migratability | null {
  const who = `VM ${vm.namespace}/${vm.name}`;
  if ((vm.nodeSelector[HOSTNAME_LABEL] ?? '') !== '') {
    return notMigratable(HarvesterReason.NodePinned, `${who} is not live migratable as node selector is set`);
  }
  if (pinnedByAffinity(vm, sourceNode)) {
    return notMigratable(HarvesterReason.NodePinned, `${who} is not live migratable as node affinity pins it to one node`);
  }
  if (vm.hostDevices > 0) {
    return notMigratable(HarvesterReason.HostDevicesAttached, `${who} is not live migratable as PCIe or USB devices are attached`);
  }
  // Harvester refuses any GPU, even the one mediated vGPU KubeVirt accepts behind VGPULiveMigration.
  if (vm.gpus.length > 0) {
    return notMigratable(HarvesterReason.HostDevicesAttached, `${who} is not live migratable as vGPU devices are attached`);
  }
  if (vm.volumes.some((v) => v.attachment === 'cdrom' || v.type === 'containerDisk')) {
    return notMigratable(HarvesterReason.CDROMOrContainerDisk, `${who} is not live migratable as CD-ROM or container disk is set`);
  }
  return null;
}

/**
 * KubeVirt's `LiveMigratable` condition: checks in KubeVirt's order, the first failure wins.
 *
 * `profile: 'harvester'` adds Harvester's VM live-migrate detector rules (node-pinned VMs, PCIe /
 * vGPU devices, CD-ROM or containerDisk volumes). Harvester's validator runs its own rules first
 * and consults KubeVirt's condition last, so for a VM failing both, the Harvester reason is reported.
 */
export function liveMigratable(
  vm: VmSpec,
  sourceNode: NodeSpec | null,
  kv: KubeVirtSpec,
  profile: 'kubevirt' | 'harvester' | 'openshift',
): Migratability {
  if (profile === 'harvester') {
    const h = harvesterCheck(vm, sourceNode);
    if (h !== null) return h;
  }
  for (const check of kubevirtChecks(kv)) {
    const failure = check(vm, sourceNode, kv);
    if (failure !== null) return failure;
  }
  return MIGRATABLE;
}

// --- migration method and sizes ---------------------------------------------------------------

export type MigrationMethod = 'BlockMigration' | 'LiveMigration';

const SHARED_CAPABLE: ReadonlySet<VolumeType> = new Set(['persistentVolumeClaim', 'dataVolume', 'hostDisk']);

/** Volumes KubeVirt generates into the launcher's ephemeral directory (always copied if a disk). */
const GENERATED: ReadonlySet<VolumeType> = new Set([
  'containerDisk',
  'cloudInitNoCloud',
  'cloudInitConfigDrive',
  'configMap',
  'secret',
  'serviceAccount',
  'downwardAPI',
]);

function isReadOnlyCdrom(v: VolumeSpec): boolean {
  return v.attachment === 'cdrom' && v.readOnly;
}

/**
 * `status.migrationMethod` (spec §6): BlockMigration as soon as any volume other than a PVC, DV or
 * hostDisk is neither shared through virtiofs nor used by a read-only CD-ROM. Storage migration
 * (`migratedVolumes`) is not modelled.
 */
export function migrationMethod(vm: VmSpec): MigrationMethod {
  for (const v of vm.volumes) {
    if (SHARED_CAPABLE.has(v.type)) continue;
    if (v.attachment === 'filesystem') continue;
    if (isReadOnlyCdrom(v)) continue;
    return 'BlockMigration';
  }
  return 'LiveMigration';
}

/**
 * Bytes libvirt's NBD drive-mirror copies in a block migration (spec §2.8): generated volumes
 * (even read-only), non-shared hostDisks and other file-backed disks (emptyDisk, ephemeral) are
 * copied; CD-ROMs never; shared volumes (PVC/DV, shared hostDisk) never; read-only non-generated
 * disks never; virtiofs filesystems are not disks. 0 for a LiveMigration (no NON_SHARED_INC flag).
 */
export function blockMigrationDiskBytes(vm: VmSpec): number {
  if (migrationMethod(vm) !== 'BlockMigration') return 0;
  let bytes = 0;
  for (const v of vm.volumes) {
    if (v.attachment === 'cdrom' || v.attachment === 'filesystem') continue;
    if (v.type === 'persistentVolumeClaim' || v.type === 'dataVolume') continue;
    if (v.type === 'hostDisk') {
      if (!v.shared) bytes += v.size;
      continue;
    }
    if (GENERATED.has(v.type) || !v.readOnly) bytes += v.size;
  }
  return bytes;
}

/**
 * Bytes the completion timeout is computed on (spec §2.3): guest memory (`memory.guest`, else the
 * memory request), plus for a BlockMigration the copied disk bytes. Simplification: KubeVirt adds
 * the apparent size of the whole ephemeral-disk directory, which can also hold CD-ROM ISOs;
 * migsim adds the bytes it actually copies.
 */
export function migrationDataSize(vm: VmSpec, method: MigrationMethod): number {
  const memory = vm.guestMemory ?? vm.memory;
  return memory + (method === 'BlockMigration' ? blockMigrationDiskBytes(vm) : 0);
}

/**
 * completionTimeoutPerGiB × size in *decimal* GB rounded up (Quantity.ScaledValue(Giga)), despite
 * the field's name: 4Gi → ceil(4.29) = 5 → 750 s at 150.
 */
export function acceptableCompletionTime(perGiB: number, bytes: number): number {
  if (bytes <= 0) return 0;
  return perGiB * Math.ceil(bytes / 1e9);
}
