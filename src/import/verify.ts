// Cross-check of an imported scenario against what the cluster itself said: migsim's
// LiveMigratable verdict (virt-handler calculateLiveMigrationCondition, mirrored in
// src/cluster/migratability.ts) and migration method, VMI by VMI.

import { liveMigratable, migrationMethod } from '../cluster/migratability.js';
import type { Scenario } from '../scenario/types.js';
import type { VmiFacts } from './inventory.js';

export interface Verdict {
  vmi: string;
  cluster: { migratable: boolean; reason: string | null } | null;
  migsim: { migratable: boolean; reason: string | null };
  clusterMethod: string | null;
  migsimMethod: string;
  /** null when both agree */
  disagreement: string | null;
}

export function compareVerdicts(scenario: Scenario, facts: readonly VmiFacts[]): Verdict[] {
  const vms = new Map(scenario.vms.map((v) => [v.key, v]));
  const nodes = new Map(scenario.nodes.map((n) => [n.name, n]));
  const out: Verdict[] = [];
  for (const f of facts) {
    const vm = vms.get(f.key);
    if (!vm) continue;
    // The condition is KubeVirt's own, the same on Harvester (whose detector is not part of it).
    const m = liveMigratable(vm, vm.node ? (nodes.get(vm.node) ?? null) : null, scenario.kubevirt);
    const method = migrationMethod(vm);
    const problems: string[] = [];
    if (f.condition && f.condition.status !== m.migratable) {
      problems.push(
        `the cluster says LiveMigratable=${f.condition.status ? 'True' : `False (${f.condition.reason ?? 'no reason'})`}, migsim says ${m.migratable ? 'migratable' : `not migratable (${m.reason})`}`,
      );
    } else if (f.condition && !f.condition.status && f.condition.reason !== m.reason) {
      problems.push(`both say not migratable, but for different reasons: cluster ${f.condition.reason ?? '(none)'}, migsim ${m.reason}`);
    }
    if (f.migrationMethod && f.migrationMethod !== method) problems.push(`status.migrationMethod is ${f.migrationMethod}, migsim computes ${method}`);
    out.push({
      vmi: f.key,
      cluster: f.condition ? { migratable: f.condition.status, reason: f.condition.reason } : null,
      migsim: { migratable: m.migratable, reason: m.reason },
      clusterMethod: f.migrationMethod,
      migsimMethod: method,
      disagreement: problems.length > 0 ? problems.join('; ') : null,
    });
  }
  return out;
}
