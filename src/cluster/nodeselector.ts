// Label selectors as Kubernetes evaluates them: a pod's `nodeSelector` (exact match of every key)
// and required node affinity (`nodeSelectorTerms`: OR of terms, AND of requirements in a term),
// plus the two ways a migration's extra node selector is merged into the target pod's.
// Pure functions, no I/O.

import type { Labels, NodeSelectorRequirement, VmSpec } from '../scenario/types.js';

/** True when every key of `selector` is on `labels` with the same value (an empty selector matches all). */
export function matchesSelector(labels: Labels, selector: Labels): boolean {
  for (const [key, value] of Object.entries(selector)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return true;
}

const INTEGER = /^[+-]?\d+$/;

/** Go's strconv.ParseInt(s, 10, 64), as labels.Requirement uses for Gt/Lt; null when it would fail. */
function parseInt64(s: string): bigint | null {
  if (!INTEGER.test(s)) return null;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

/**
 * One `matchExpressions` entry. An invalid requirement (In/NotIn without values, Exists/DoesNotExist
 * with values, Gt/Lt without exactly one integer) makes Kubernetes reject the whole term, which then
 * matches nothing; `requirementValid` reports that separately.
 */
function requirementValid(req: NodeSelectorRequirement): boolean {
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      return req.values.length > 0;
    case 'Exists':
    case 'DoesNotExist':
      return req.values.length === 0;
    case 'Gt':
    case 'Lt':
      return req.values.length === 1 && parseInt64(req.values[0] ?? '') !== null;
  }
}

export function matchesRequirement(labels: Labels, req: NodeSelectorRequirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = has ? (labels[req.key] ?? '') : '';
  switch (req.operator) {
    case 'In':
      return has && req.values.includes(value);
    case 'NotIn':
      return !has || !req.values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has) return false;
      const left = parseInt64(value);
      const right = parseInt64(req.values[0] ?? '');
      if (left === null || right === null) return false;
      return req.operator === 'Gt' ? left > right : left < right;
    }
  }
}

/**
 * Required node affinity: OR over terms, AND within a term. An empty list of terms is no constraint;
 * a term with no requirements matches no node (as in Kubernetes' component-helpers
 * MatchNodeSelectorTerms); a term with an invalid requirement matches no node.
 */
export function matchesNodeAffinity(labels: Labels, terms: readonly NodeSelectorRequirement[][]): boolean {
  if (terms.length === 0) return true;
  return terms.some(
    (term) =>
      term.length > 0 && term.every(requirementValid) && term.every((req) => matchesRequirement(labels, req)),
  );
}

export type MergeResult = { ok: true; selector: Labels } | { ok: false; key: string; message: string };

/**
 * Merge a VMIM's `spec.addedNodeSelector` into the selector rendered from the VMI (virt-controller services/nodeselectorrenderer.go): the
 * added selector can only add keys; on a key both set, the VMI's value wins silently (KubeVirt's
 * functional test "trying to override a selector set on the VMI" expects the migration to succeed
 * with the VMI's value). Never fails; the union type keeps one signature with the legacy merge.
 */
export function mergeNodeSelectors(base: Labels, added: Labels): MergeResult {
  const selector: Labels = { ...base };
  for (const [key, value] of Object.entries(added)) {
    if (!Object.hasOwn(selector, key)) selector[key] = value;
  }
  return { ok: true, selector };
}

/**
 * Merge for the legacy `Migration` kind: the same union, but a key set to a different value on both
 * sides is an error instead of being dropped, so a scenario written against the old object says
 * which key it asked for in vain.
 */
export function mergeLegacyMigrationSelector(base: Labels, added: Labels): MergeResult {
  for (const key of Object.keys(added).sort()) {
    const wanted = added[key] ?? '';
    if (Object.hasOwn(base, key) && base[key] !== wanted) {
      const has = base[key] ?? '';
      return {
        ok: false,
        key,
        message: `node selector conflict on key "${key}": the migration asks for "${key}=${wanted}" but the VMI requires "${key}=${has}"`,
      };
    }
  }
  return mergeNodeSelectors(base, added);
}

/**
 * Node label virt-handler sets where the kubelet's static CPU manager runs (dedicatedCpuPlacement
 * needs it): v1.CPUManager = "cpumanager" (staging/src/kubevirt.io/api/core/v1/types.go), no prefix.
 */
export const CPU_MANAGER_LABEL = 'cpumanager';

/**
 * kube-scheduler only says "didn't match Pod's node affinity/selector"; a VM with dedicated CPUs
 * usually fails because no node carries cpumanager=true. Say so, or nothing.
 */
export function cpuManagerHint(vm: VmSpec, nodeLabels: readonly Labels[]): string {
  if (!vm.dedicatedCpus || nodeLabels.some((l) => l[CPU_MANAGER_LABEL] === 'true')) return '';
  return ` (dedicatedCpus needs a node labelled ${CPU_MANAGER_LABEL}=true, where the kubelet runs the static CPU manager: none is)`;
}
