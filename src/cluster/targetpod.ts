// What the virt-controller's migration controller renders for a migration target pod, as far as
// the scheduler cares: requests, node selector, affinity and tolerations (KubeVirt
// services/nodeselectorrenderer.go and watch/migration createTargetPod / host-model helpers).
// Pure functions, no I/O.
//
// Simplifications:
// - memory request = the VM's memory request; the launcher's memory overhead is ignored (on both
//   the source and the target pod, so reservations stay comparable);
// - selectors not modelled: kubernetes.io/arch, machine-type, TSC frequency, hyperv, realtime and
//   SEV/TDX/SecureExecution labels (VmSpec carries none of that information);
// - on a key set twice while rendering, the later source overwrites the earlier one, except the
//   VMIM's addedNodeSelector, which can only add keys.

import { kubevirtBehaviour } from '../scenario/versions.js';
import type { KubeVirtSpec, Labels, NodeSpec, VmSpec } from '../scenario/types.js';
import { HOST_MODEL_CPU_LABEL_PREFIX } from './migratability.js';
import { mergeNodeSelectors } from './nodeselector.js';
import type { PodRequirements } from './scheduler.js';

export type { PodRequirements } from './scheduler.js';

export const SCHEDULABLE_LABEL = 'kubevirt.io/schedulable';
export const CPU_MODEL_LABEL_PREFIX = 'cpu-model.node.kubevirt.io/';
export const CPU_FEATURE_LABEL_PREFIX = 'cpu-feature.node.kubevirt.io/';
export const CPU_MANAGER_LABEL = 'kubevirt.io/cpumanager';
export const HOST_MODEL_REQUIRED_FEATURES_LABEL_PREFIX = 'host-model-required-features.node.kubevirt.io/';
export const SUPPORTED_HOST_MODEL_MIGRATION_CPU_PREFIX = 'cpu-model-migration.node.kubevirt.io/';
export const CPU_VENDOR_LABEL_PREFIX = 'cpu-vendor.node.kubevirt.io/';

export type TargetPodResult =
  | { ok: true; pod: PodRequirements }
  | { ok: false; reason: string; message: string };


/** Keys of `labels` starting with `prefix`, sorted (Go map order is random; migsim's is not). */
function keysWithPrefix(labels: Labels, prefix: string): string[] {
  return Object.keys(labels)
    .filter((k) => k.startsWith(prefix))
    .sort();
}

/**
 * The selector of the VM's own virt-launcher pod, in the renderer's order:
 * kubevirt.io/schedulable=true, the cluster's developerConfiguration.nodeSelectors, the VMI's
 * nodeSelector, cpu-model…/<model>=true for a named model, cpu-feature…/<f>=true for each required
 * feature (whatever the model, host-model included), kubevirt.io/cpumanager=true for dedicated CPUs.
 */
export function launcherNodeSelector(vm: VmSpec, kv: KubeVirtSpec): Labels {
  const sel: Labels = { [SCHEDULABLE_LABEL]: 'true' };
  Object.assign(sel, kv.nodeSelectors);
  Object.assign(sel, vm.nodeSelector);
  if (vm.cpuModel.kind === 'named') sel[CPU_MODEL_LABEL_PREFIX + vm.cpuModel.model] = 'true';
  for (const f of vm.cpuFeatures) sel[CPU_FEATURE_LABEL_PREFIX + f] = 'true';
  if (vm.dedicatedCpus) sel[CPU_MANAGER_LABEL] = 'true';
  return sel;
}

/** The VM's own launcher pod (initial placement, restart). */
export function launcherPodRequirements(vm: VmSpec, kv: KubeVirtSpec): PodRequirements {
  return {
    cpu: vm.cpu,
    memory: vm.memory,
    nodeSelector: launcherNodeSelector(vm, kv),
    nodeAffinity: vm.nodeAffinity,
    tolerations: vm.tolerations,
  };
}

/**
 * Host-model selectors for the target pod (prepareNodeSelectorForHostCpuModel /
 * getHostCpuModelFromMap). If the source pod's selector already holds `cpu-model-migration…` or
 * `cpu-feature…` keys they are copied ("migrated at least once"); otherwise they are derived from
 * the source node's host-model labels, and a node without one makes target pod creation fail.
 */
function hostModelSelectors(
  sourcePodSelector: Labels,
  sourceNode: NodeSpec,
): { ok: true; selector: Labels } | { ok: false; message: string } {
  const copied: Labels = {};
  for (const key of Object.keys(sourcePodSelector).sort()) {
    // KubeVirt tests with strings.Contains, not HasPrefix
    if (key.includes(CPU_FEATURE_LABEL_PREFIX) || key.includes(SUPPORTED_HOST_MODEL_MIGRATION_CPU_PREFIX)) {
      copied[key] = sourcePodSelector[key] ?? '';
    }
  }
  if (Object.keys(copied).length > 0) return { ok: true, selector: copied };

  const derived: Labels = {};
  const models = keysWithPrefix(sourceNode.labels, HOST_MODEL_CPU_LABEL_PREFIX);
  for (const key of keysWithPrefix(sourceNode.labels, HOST_MODEL_REQUIRED_FEATURES_LABEL_PREFIX)) {
    derived[CPU_FEATURE_LABEL_PREFIX + key.slice(HOST_MODEL_REQUIRED_FEATURES_LABEL_PREFIX.length)] =
      sourceNode.labels[key] ?? '';
  }
  // A node carries one host model; with several, KubeVirt keeps whichever its map iteration saw last.
  const modelKey = models[models.length - 1];
  if (modelKey === undefined) {
    return {
      ok: false,
      message: `unable to locate host cpu model, does not contain label "${HOST_MODEL_CPU_LABEL_PREFIX}" with information`,
    };
  }
  derived[SUPPORTED_HOST_MODEL_MIGRATION_CPU_PREFIX + modelKey.slice(HOST_MODEL_CPU_LABEL_PREFIX.length)] =
    sourceNode.labels[modelKey] ?? '';
  return { ok: true, selector: derived };
}

/**
 * The target pod of a migration.
 *
 * `previousMigrationSelectors`: the node selector of the pod the VMI runs in now, when that pod was
 * itself a migration target (null when the VMI never migrated; its pod is then the launcher pod
 * rendered from the VMI). Quirk kept from KubeVirt [derived]: a host-model VM with required
 * `cpuFeatures` has `cpu-feature…` keys on its very first launcher pod, which KubeVirt reads as
 * "migrated before", so it copies those and never adds a `cpu-model-migration…` selector.
 *
 * Failure (`ok: false`, reason "FailedCreate" as the controller's event): host-model CPU and the
 * source node has no `host-model-cpu.node.kubevirt.io/*` label.
 */
export function targetPodRequirements(
  vm: VmSpec,
  sourceNode: NodeSpec,
  kv: KubeVirtSpec,
  addedNodeSelector: Labels,
  previousMigrationSelectors: Labels | null,
): TargetPodResult {
  const sel = launcherNodeSelector(vm, kv);

  if (vm.cpuModel.kind === 'host-model') {
    const hm = hostModelSelectors(previousMigrationSelectors ?? sel, sourceNode);
    if (!hm.ok) return { ok: false, reason: 'FailedCreate', message: hm.message };
    Object.assign(sel, hm.selector);
  }

  // v1.8+: pin the CPU vendor of the source node unless a vendor selector is already there.
  if (kubevirtBehaviour(kv).pinCpuVendor && keysWithPrefix(sel, CPU_VENDOR_LABEL_PREFIX).length === 0) {
    const vendor = keysWithPrefix(sourceNode.labels, CPU_VENDOR_LABEL_PREFIX)[0];
    if (vendor !== undefined) sel[vendor] = 'true';
  }

  const merged = mergeNodeSelectors(sel, addedNodeSelector);
  if (!merged.ok) return { ok: false, reason: 'FailedCreate', message: merged.message };

  return {
    ok: true,
    pod: {
      cpu: vm.cpu,
      memory: vm.memory,
      nodeSelector: merged.selector,
      nodeAffinity: vm.nodeAffinity,
      tolerations: vm.tolerations,
    },
  };
}
