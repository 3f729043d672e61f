// Harvester's own list of VMs that cannot live-migrate, as its upgrade uses it
// (harvester pkg/util/virtualmachineinstance GetAllNonLiveMigratableVMINames, called by the
// upgrade webhook's checkNonLiveMigratableVMs and by upgrade_node.sh's pre-drain detector).
// It never consults KubeVirt's LiveMigratable condition, and KubeVirt never consults it: a plain
// drain of a Harvester node migrates what KubeVirt considers migratable. Pure functions, no I/O.
import { matchesNodeAffinity } from './nodeselector.js';
import type { NodeSpec, VmSpec } from '../scenario/types.js';
import { versionAtLeast, type KubeVirtVersion } from '../scenario/versions.js';

/** Harvester releases, "v1.6" style. */
export type HarvesterVersion = KubeVirtVersion;

/** The newest Harvester release whose detector rules are modelled. */
export const NEWEST_MODELLED_HARVESTER: HarvesterVersion = { major: 1, minor: 8 };

/** Why the detector lists a VM (Harvester returns bare names; these names are migsim's). */
export const DetectorReason = {
  SingleNode: 'SingleNodeCluster',
  NodeSelector: 'NodeSelector',
  NodeAffinity: 'NodeAffinity',
  HostDevices: 'HostDevices',
  CDROMOrContainerDisk: 'CDROMOrContainerDisk',
} as const;

export interface DetectorFinding {
  reason: string;
  message: string;
}

/** What the detector sees of the other nodes: their labels and whether they take new pods. */
export interface DetectorNode {
  spec: NodeSpec;
  unschedulable: boolean;
}

/**
 * The detector's verdict for one running VM on `node`, or null when it may migrate. Rules by
 * Harvester version: any nodeSelector; host devices (vGPUs counted from v1.8); a required node
 * affinity no other schedulable node satisfies; CD-ROMs and container disks up to v1.7; and every
 * VM of a single-node cluster.
 */
export function harvesterDetector(
  vm: VmSpec,
  node: string,
  nodes: readonly DetectorNode[],
  version: HarvesterVersion,
): DetectorFinding | null {
  const who = `VM ${vm.key}`;
  if (nodes.length <= 1) {
    return { reason: DetectorReason.SingleNode, message: `${who} cannot be live-migrated: single-node cluster` };
  }
  if (Object.keys(vm.nodeSelector).length > 0) {
    return { reason: DetectorReason.NodeSelector, message: `${who} has a nodeSelector` };
  }
  if (vm.nodeAffinity.length > 0) {
    const elsewhere = nodes.some((n) => n.spec.name !== node && !n.unschedulable && matchesNodeAffinity(n.spec.labels, vm.nodeAffinity));
    if (!elsewhere) return { reason: DetectorReason.NodeAffinity, message: `${who} has a required node affinity no other schedulable node matches` };
  }
  const vgpus = versionAtLeast(version, 1, 8) ? vm.gpus.length : 0;
  if (vm.hostDevices > 0 || vgpus > 0) {
    return { reason: DetectorReason.HostDevices, message: `${who} has host devices attached` };
  }
  if (!versionAtLeast(version, 1, 8) && vm.volumes.some((v) => v.attachment === 'cdrom' || v.type === 'containerDisk')) {
    return { reason: DetectorReason.CDROMOrContainerDisk, message: `${who} has a CD-ROM or container disk` };
  }
  return null;
}

/**
 * The upgrade webhook (pkg/webhook/resources/upgrade/validator.go, checkNonLiveMigratableVMs):
 * refuse when the detector lists a running VM, unless upgrade-config's restoreVM is true on
 * Harvester v1.6 or later (before v1.6 the check refuses whatever restoreVM says).
 */
export function upgradeRefused(restoreVM: boolean, version: HarvesterVersion, listed: number): boolean {
  if (listed === 0) return false;
  return !restoreVM || !versionAtLeast(version, 1, 6);
}
