// KubeVirt's `LiveMigratable` VMI condition, the migration method (BlockMigration vs LiveMigration)
// and the data sizes the completion timeout is computed on.
// Mirrors virt-handler's calculateLiveMigrationCondition / checkVolumesForMigration
// (pkg/virt-handler/vm.go), virt-launcher's classifyVolumesForMigration (live-migration-source.go)
// and getVMIMigrationDataSize (pkg/virt-launcher/virtwrap/manager.go). Harvester's own detector
// (used only by Harvester's upgrade) is in harvester.ts. Pure functions, no I/O.

import type { KubeVirtSpec, NodeSpec, VmSpec, VolumeSpec, VolumeType } from '../scenario/types.js';
import { kubevirtBehaviour, VGPU_LIVE_MIGRATION_GATE } from '../scenario/versions.js';

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

export const ALLOW_POD_BRIDGE_ANNOTATION = 'kubevirt.io/allow-pod-bridge-network-live-migration';
export const HOST_MODEL_CPU_LABEL_PREFIX = 'host-model-cpu.node.kubevirt.io/';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export { VGPU_LIVE_MIGRATION_GATE };

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
    // Simplification: passt is treated as migratable in every version (as at HEAD). Between
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
  if (kubevirtBehaviour(kv).virtiofsMigratable) return null;
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
    const gateOn = kubevirtBehaviour(kv).vgpuLiveMigrationGate && kv.featureGates.includes(VGPU_LIVE_MIGRATION_GATE);
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
 * The order of KubeVirt's checks. HEAD evaluates every non-volume constraint first and
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
  return kubevirtBehaviour(kv).volumesCheckedLast ? [...common, checkDisks] : [checkDisks, ...common];
}

/**
 * KubeVirt's `LiveMigratable` condition: checks in KubeVirt's order, the first failure wins.
 * Harvester clusters use the same condition for drains: Harvester's detector is consulted only by
 * its upgrade (harvester.ts).
 */
export function liveMigratable(vm: VmSpec, sourceNode: NodeSpec | null, kv: KubeVirtSpec): Migratability {
  for (const check of kubevirtChecks(kv)) {
    const failure = check(vm, sourceNode, kv);
    if (failure !== null) return failure;
  }
  return MIGRATABLE;
}

/** A disk that exists on one node only: a hostDisk not marked shared, or a claim on a local PV. */
export function hasLocalDisk(vm: VmSpec): boolean {
  return vm.volumes.some((v) => (v.type === 'hostDisk' && !v.shared) || v.local === true);
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
 * `status.migrationMethod` (virt-handler, vm.go): BlockMigration as soon as any volume other than a PVC, DV or
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
 * Bytes libvirt's NBD drive-mirror copies in a block migration (getDiskTargetsForMigration,
 * live-migration-source.go): generated volumes
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
 * Volumes whose files live in virt-launcher's ephemeral-disk directory
 * /var/run/kubevirt-ephemeral-disks: container-disk and ephemeral-volume overlays, cloud-init /
 * ignition ISOs. emptyDisk images (/var/run/libvirt/empty-disks), configMap / secret /
 * serviceAccount / downwardAPI ISOs (/var/run/kubevirt-private) and hostDisks live elsewhere.
 */
const EPHEMERAL_DIRECTORY: ReadonlySet<VolumeType> = new Set(['containerDisk', 'ephemeral', 'cloudInitNoCloud', 'cloudInitConfigDrive']);

/** Apparent size of the ephemeral-disk directory: every volume kept there, CD-ROM or not. */
export function ephemeralDirectoryBytes(vm: VmSpec): number {
  let bytes = 0;
  for (const v of vm.volumes) if (EPHEMERAL_DIRECTORY.has(v.type)) bytes += v.size;
  return bytes;
}

/**
 * Bytes the completion timeout is computed on (getVMIMigrationDataSize, virtwrap/manager.go,
 * v1.3–v1.9): guest memory (`memory.guest`, else the memory request), plus for a BlockMigration
 * the apparent size of the ephemeral-disk directory only. Block migration still copies emptyDisks,
 * configMap/secret/serviceAccount/downwardAPI ISOs and non-shared hostDisks
 * (blockMigrationDiskBytes), so an emptyDisk-heavy VM keeps a memory-only deadline and can be
 * aborted before its disks are copied.
 */
export function migrationDataSize(vm: VmSpec, method: MigrationMethod): number {
  const memory = vm.guestMemory ?? vm.memory;
  return memory + (method === 'BlockMigration' ? ephemeralDirectoryBytes(vm) : 0);
}

/**
 * completionTimeoutPerGiB × size in *decimal* GB rounded up (Quantity.ScaledValue(Giga)), despite
 * the field's name: 4Gi → ceil(4.29) = 5 → 750 s at 150.
 */
export function acceptableCompletionTime(perGiB: number, bytes: number): number {
  if (bytes <= 0) return 0;
  return perGiB * Math.ceil(bytes / 1e9);
}
