// MigrationPolicies for the few VMs that drive a plan's result: rather than loosening the whole
// cluster's migrationConfiguration, give the VMs that fail a policy of their own, selected by a
// label they share and no other VM has (KubeVirt selects policies by VMI and namespace labels,
// pkg/virt-controller/watch/migration/... MigrationPolicy matching).
import type { Scenario, VmSpec } from '../scenario/types.js';
import { check, dirtyFigures } from './check.js';
import type { Evaluated, PolicyPatch } from './search.js';

/** The label the planner adds when the failing VMs share none of their own. */
export const CLASS_LABEL = 'migsim.io/migration-class';
/** check's findings that a MigrationPolicy can change */
const CONVERGENCE = new Set(['will-not-converge', 'exceeds-completion-deadline']);
const MiB = 2 ** 20;

/** A selector matching exactly `vms` among all VMs: a label they all share and no other VM has. */
export function selectorFor(vms: readonly VmSpec[], all: readonly VmSpec[]): Record<string, string> | null {
  const keys = new Set(vms.map((v) => v.key));
  const others = all.filter((v) => !keys.has(v.key));
  const first = vms[0];
  if (!first) return null;
  const candidates = Object.entries(first.labels)
    .filter(([k, v]) => vms.every((x) => x.labels[k] === v) && !others.some((x) => x.labels[k] === v))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const pick = candidates[0];
  return pick ? { [pick[0]]: pick[1] } : null;
}

/**
 * Policy variants for the VMs that failed in `failing`: auto-converge, post-copy, enough
 * bandwidth for their dirty rate, and a longer completion timeout — each alone, then the
 * auto-converge + bandwidth pair. One policy for all of them, named after the plan.
 */
export function policyCandidates(scenario: Scenario, failing: Evaluated): PolicyPatch[][] {
  const byKey = new Map(scenario.vms.map((v) => [v.key, v]));
  // The VMs that failed in the runs, and those check's closed form says cannot converge or finish
  // in time: a wave stuck on its first nodes only shows the first few of a class failing.
  const predicted = check(scenario).findings.filter((f) => CONVERGENCE.has(f.code)).flatMap((f) => f.vms);
  const failed = failing.stats.vms
    .filter((v) => v.failureProbability > 0 && byKey.has(v.vmi))
    .sort((a, b) => b.failureProbability - a.failureProbability || (a.vmi < b.vmi ? -1 : 1))
    .map((v) => v.vmi);
  const drivers = [...new Set([...failed, ...predicted])].filter((k) => byKey.has(k)).map((k) => byKey.get(k)!);
  if (drivers.length === 0) return [];
  const selector = selectorFor(drivers, scenario.vms) ?? { [CLASS_LABEL]: 'migsim-plan' };
  const patch = (spec: PolicyPatch['spec']): PolicyPatch[] => [{ name: 'migsim-plan', selector, vms: drivers.map((v) => v.key), spec }];
  const rate = Math.max(...drivers.map((v) => dirtyFigures(v.dirty).rate));
  const bandwidth = `${Math.max(64, Math.ceil((rate * 1.25) / MiB / 64) * 64)}Mi`;
  const perGiB = Math.max(300, scenario.kubevirt.migrations.completionTimeoutPerGiB * 2);
  return [
    patch({ allowAutoConverge: true }),
    patch({ bandwidthPerMigration: bandwidth }),
    patch({ allowAutoConverge: true, bandwidthPerMigration: bandwidth }),
    patch({ completionTimeoutPerGiB: perGiB }),
    patch({ allowPostCopy: true }),
  ];
}

/** The MigrationPolicy manifest (migrations.kubevirt.io/v1alpha1) of a patch. */
export function policyManifest(p: PolicyPatch): Record<string, unknown> {
  return {
    apiVersion: 'migrations.kubevirt.io/v1alpha1',
    kind: 'MigrationPolicy',
    metadata: { name: p.name },
    spec: { selectors: { virtualMachineInstanceSelector: p.selector }, ...p.spec },
  };
}

/** Whether the VMs must be given the planner's class label for the policy to select them. */
export function needsClassLabel(p: PolicyPatch): boolean {
  return CLASS_LABEL in p.selector;
}
