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
/** v1.CPUManager (staging/src/kubevirt.io/api/core/v1/types.go): the label has no kubevirt.io/ prefix */
export const CPU_MANAGER_LABEL = 'cpumanager';
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
 * feature (whatever the model, host-model included), cpumanager=true for dedicated CPUs.
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

/**
 * What a migration needs of a VMI's launcher pod, kept per VMI spec and KubeVirt configuration
 * (a loaded scenario does not change, so object identity is the key): the selector, whether it
 * pins a CPU vendor, and its host-model keys (what a first migration copies).
 */
interface LauncherFacts {
  selector: Readonly<Labels>;
  hasVendor: boolean;
  hostModelCopy: Readonly<Labels>;
}
// Keyed by the KubeVirt configuration (one entry per loaded scenario), then by VMI spec in a plain
// Map that lives as long as that configuration: a WeakMap entry per VMI would make every GC
// slower (V8 processes each entry of a WeakMap as an ephemeron).
const launcherFacts = new WeakMap<KubeVirtSpec, Map<VmSpec, LauncherFacts>>();

function launcherFactsOf(vm: VmSpec, kv: KubeVirtSpec): LauncherFacts {
  let byVm = launcherFacts.get(kv);
  if (byVm === undefined) {
    byVm = new Map();
    launcherFacts.set(kv, byVm);
  }
  let facts = byVm.get(vm);
  if (facts === undefined) {
    const selector = Object.freeze(launcherNodeSelector(vm, kv));
    facts = {
      selector,
      hasVendor: keysWithPrefix(selector, CPU_VENDOR_LABEL_PREFIX).length > 0,
      hostModelCopy: Object.freeze(copiedHostModelKeys(selector)),
    };
    byVm.set(vm, facts);
  }
  return facts;
}

/** The VM's own launcher pod (initial placement, restart). The selector is shared: read only. */
export function launcherPodRequirements(vm: VmSpec, kv: KubeVirtSpec): PodRequirements {
  return {
    cpu: vm.cpu,
    memory: vm.memory,
    nodeSelector: launcherFactsOf(vm, kv).selector,
    nodeAffinity: vm.nodeAffinity,
    tolerations: vm.tolerations,
  };
}

/** The keys a migration copies from the pod the VMI runs in ("migrated at least once"). */
function copiedHostModelKeys(sourcePodSelector: Readonly<Labels>): Labels {
  const copied: Labels = {};
  for (const key of Object.keys(sourcePodSelector).sort()) {
    // KubeVirt tests with strings.Contains, not HasPrefix
    if (key.includes(CPU_FEATURE_LABEL_PREFIX) || key.includes(SUPPORTED_HOST_MODEL_MIGRATION_CPU_PREFIX)) {
      copied[key] = sourcePodSelector[key] ?? '';
    }
  }
  return copied;
}

type HostModelResult = { ok: true; selector: Readonly<Labels> } | { ok: false; message: string };

/** What a node's labels give a target pod leaving it: host-model selectors and CPU vendor key. */
interface SourceNodeFacts {
  hostModel: HostModelResult;
  vendor: string | undefined;
}
const sourceNodeFacts = new WeakMap<NodeSpec, SourceNodeFacts>();

function sourceNodeFactsOf(node: NodeSpec): SourceNodeFacts {
  let facts = sourceNodeFacts.get(node);
  if (facts === undefined) {
    const hostModel = derivedHostModelSelectors(node);
    if (hostModel.ok) Object.freeze(hostModel.selector);
    facts = { hostModel, vendor: keysWithPrefix(node.labels, CPU_VENDOR_LABEL_PREFIX)[0] };
    sourceNodeFacts.set(node, facts);
  }
  return facts;
}

/**
 * Host-model selectors derived from the source node's labels (getHostCpuModelFromMap), for a
 * VMI whose pod has none to copy; a node without a host model makes target pod creation fail.
 */
function derivedHostModelSelectors(sourceNode: NodeSpec): HostModelResult {
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
 * Host-model selectors for the target pod (prepareNodeSelectorForHostCpuModel /
 * getHostCpuModelFromMap). If the source pod's selector already holds `cpu-model-migration…` or
 * `cpu-feature…` keys they are copied ("migrated at least once"); otherwise they are derived from
 * the source node's host-model labels, and a node without one makes target pod creation fail.
 */
function hostModelSelectors(copied: Readonly<Labels>, sourceNode: NodeSpec): HostModelResult {
  for (const _ in copied) return { ok: true, selector: copied };
  return sourceNodeFactsOf(sourceNode).hostModel;
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
 *
 * What depends only on the VMI spec or only on the source node is computed once per object
 * (`launcherFactsOf`, `sourceNodeFactsOf`); a call builds just the merged selector.
 */
export function targetPodRequirements(
  vm: VmSpec,
  sourceNode: NodeSpec,
  kv: KubeVirtSpec,
  addedNodeSelector: Labels,
  previousMigrationSelectors: Labels | null,
): TargetPodResult {
  const launcher = launcherFactsOf(vm, kv);
  const sel: Labels = {};
  for (const key in launcher.selector) sel[key] = launcher.selector[key]!;
  let hasVendor = launcher.hasVendor;

  if (vm.cpuModel.kind === 'host-model') {
    const copied = previousMigrationSelectors === null ? launcher.hostModelCopy : copiedHostModelKeys(previousMigrationSelectors);
    const hm = hostModelSelectors(copied, sourceNode);
    if (!hm.ok) return { ok: false, reason: 'FailedCreate', message: hm.message };
    for (const key in hm.selector) {
      sel[key] = hm.selector[key]!;
      if (key.startsWith(CPU_VENDOR_LABEL_PREFIX)) hasVendor = true;
    }
  }

  // v1.8+: pin the CPU vendor of the source node unless a vendor selector is already there.
  if (kubevirtBehaviour(kv).pinCpuVendor && !hasVendor) {
    const vendor = sourceNodeFactsOf(sourceNode).vendor;
    if (vendor !== undefined) sel[vendor] = 'true';
  }

  let selector = sel;
  for (const _ in addedNodeSelector) {
    const merged = mergeNodeSelectors(sel, addedNodeSelector);
    if (!merged.ok) return { ok: false, reason: 'FailedCreate', message: merged.message };
    selector = merged.selector;
    break;
  }

  return {
    ok: true,
    pod: {
      cpu: vm.cpu,
      memory: vm.memory,
      nodeSelector: selector,
      nodeAffinity: vm.nodeAffinity,
      tolerations: vm.tolerations,
    },
  };
}
