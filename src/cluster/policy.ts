// MigrationPolicy selection and the migration configuration it yields (KubeVirt
// pkg/virt-controller/watch/migration/migrationpolicy.go matchPolicy / countMatchingLabels /
// applyMigrationPolicySpec). Pure functions, no I/O.

import { behaviourFor } from '../scenario/versions.js';
import type { Labels, MigrationConfiguration, MigrationPolicySpec } from '../scenario/types.js';


interface Score {
  vmi: number;
  ns: number;
}

/**
 * countMatchingLabels: null when the policy does not match, else its score.
 * - a policy without a `selectors` field never matches;
 * - every key/value of a set selector must match exactly; an empty selector matches with 0;
 * - quirk: both selectors are evaluated only when the VMI's label map is non-nil (KubeVirt tests the
 *   VMI labels, not the namespace's, before the namespace selector). migsim's VmSpec always has a
 *   label object, so an empty `{}` counts as non-nil and the quirk never fires here; a VMI written
 *   without labels would, in KubeVirt, match any policy's selectors with a score of 0.
 */
function countMatchingLabels(
  policy: MigrationPolicySpec,
  vmLabels: Labels | null,
  namespaceLabels: Labels,
): Score | null {
  if (!policy.hasSelectors) return null;
  const count = (selector: Labels, labels: Labels): number | null => {
    let n = 0;
    for (const [k, v] of Object.entries(selector)) {
      if (!Object.hasOwn(labels, k) || labels[k] !== v) return null;
      n++;
    }
    return n;
  };
  let vmi = 0;
  let ns = 0;
  if (policy.virtualMachineInstanceSelector !== null && vmLabels !== null) {
    const c = count(policy.virtualMachineInstanceSelector, vmLabels);
    if (c === null) return null;
    vmi = c;
  }
  if (policy.namespaceSelector !== null && vmLabels !== null) {
    const c = count(policy.namespaceSelector, namespaceLabels);
    if (c === null) return null;
    ns = c;
  }
  return { vmi, ns };
}

/**
 * The policy applied to a VMI: among the matching policies, the highest total of matched labels
 * (VMI + namespace); on equal totals, more matched VMI labels; still tied, the lexicographically
 * smallest name.
 */
export function selectMigrationPolicy(
  policies: readonly MigrationPolicySpec[],
  vmLabels: Labels | null,
  namespaceLabels: Labels,
): MigrationPolicySpec | null {
  if (policies.length === 0) return null;
  // Memoised by identity: the policies, a VMI's labels and a namespace's labels come from the
  // loaded scenario, which does not change, and a VMI migrates many times.
  let byVmi = selected.get(policies);
  if (byVmi === undefined) {
    byVmi = new Map();
    selected.set(policies, byVmi);
  }
  const vmKey = vmLabels ?? NO_LABELS;
  let byNamespace = byVmi.get(vmKey);
  if (byNamespace === undefined) {
    byNamespace = new Map();
    byVmi.set(vmKey, byNamespace);
  }
  let policy = byNamespace.get(namespaceLabels);
  if (policy === undefined) {
    policy = bestPolicy(policies, vmLabels, namespaceLabels);
    byNamespace.set(namespaceLabels, policy);
  }
  return policy;
}

const NO_LABELS: Labels = {};
// Weak only on the policy list (one per loaded scenario): the labels maps below it belong to the
// same scenario, and a WeakMap entry per VMI would make every GC slower (ephemerons).
const selected = new WeakMap<
  readonly MigrationPolicySpec[],
  Map<Labels, Map<Labels, MigrationPolicySpec | null>>
>();

function bestPolicy(
  policies: readonly MigrationPolicySpec[],
  vmLabels: Labels | null,
  namespaceLabels: Labels,
): MigrationPolicySpec | null {
  let best: { policy: MigrationPolicySpec; score: Score } | null = null;
  for (const policy of policies) {
    const score = countMatchingLabels(policy, vmLabels, namespaceLabels);
    if (score === null) continue;
    if (best === null) {
      best = { policy, score };
      continue;
    }
    const total = score.vmi + score.ns;
    const bestTotal = best.score.vmi + best.score.ns;
    const better =
      total > bestTotal ||
      (total === bestTotal && score.vmi > best.score.vmi) ||
      (total === bestTotal && score.vmi === best.score.vmi && policy.name < best.policy.name);
    if (better) best = { policy, score };
  }
  return best?.policy ?? null;
}

const MiB = 2 ** 20;

/** virt-launcher's QuantityToMebiByte: 0 stays 0 (unlimited), below 1 MiB → 1 MiB, else nearest MiB. */
export function roundBandwidthToMiB(bytesPerSecond: number): number {
  if (bytesPerSecond <= 0) return 0;
  if (bytesPerSecond < MiB) return MiB;
  return Math.round(bytesPerSecond / MiB) * MiB;
}

/**
 * The configuration frozen into the VMI at hand-off: the cluster's, with the policy's fields
 * overriding (allowAutoConverge, bandwidthPerMigration, completionTimeoutPerGiB, allowPostCopy,
 * allowWorkloadDisruption). A policy setting allowPostCopy but not allowWorkloadDisruption makes the
 * latter follow allowPostCopy. Before v1.5 allowWorkloadDisruption does not exist: always false.
 * The policy's bandwidth is rounded to whole MiB/s like the cluster's (idempotent if already so).
 * Not modelled: the policy's maxDowntimeMs and experimental options (v1.9+), absent from
 * MigrationPolicySpec.
 */
export function resolveMigrationConfiguration(
  cluster: MigrationConfiguration,
  policy: MigrationPolicySpec | null,
  version: { major: number; minor: number },
): Readonly<MigrationConfiguration> {
  // Memoised by identity (all three come from the loaded scenario, which does not change); the
  // result is shared, so it is frozen.
  let byPolicy = resolved.get(cluster);
  if (byPolicy === undefined) {
    byPolicy = new Map();
    resolved.set(cluster, byPolicy);
  }
  const policyKey = policy ?? NO_POLICY;
  let entry = byPolicy.get(policyKey);
  if (entry === undefined || entry.version !== version) {
    entry = { version, config: Object.freeze(resolve(cluster, policy, version)) };
    byPolicy.set(policyKey, entry);
  }
  return entry.config;
}

const NO_POLICY = {} as MigrationPolicySpec;
const resolved = new WeakMap<
  MigrationConfiguration,
  Map<MigrationPolicySpec, { version: { major: number; minor: number }; config: Readonly<MigrationConfiguration> }>
>();

function resolve(
  cluster: MigrationConfiguration,
  policy: MigrationPolicySpec | null,
  version: { major: number; minor: number },
): MigrationConfiguration {
  const out: MigrationConfiguration = { ...cluster };
  if (policy !== null) {
    if (policy.allowWorkloadDisruption === undefined && policy.allowPostCopy !== undefined) {
      out.allowWorkloadDisruption = policy.allowPostCopy;
    }
    if (policy.allowAutoConverge !== undefined) out.allowAutoConverge = policy.allowAutoConverge;
    if (policy.bandwidthPerMigration !== undefined) {
      out.bandwidthPerMigration = roundBandwidthToMiB(policy.bandwidthPerMigration);
    }
    if (policy.completionTimeoutPerGiB !== undefined) out.completionTimeoutPerGiB = policy.completionTimeoutPerGiB;
    if (policy.allowPostCopy !== undefined) out.allowPostCopy = policy.allowPostCopy;
    if (policy.allowWorkloadDisruption !== undefined) out.allowWorkloadDisruption = policy.allowWorkloadDisruption;
  }
  if (!behaviourFor(version, []).workloadDisruption) out.allowWorkloadDisruption = false;
  return out;
}
