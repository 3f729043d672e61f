// The default search space of `migsim plan`: the cluster-wide fields of KubeVirt's
// migrationConfiguration that set how fast a wave can go, and each wave's maxUnavailable. The
// fields that change what a migration may do to a guest (allowAutoConverge, allowPostCopy,
// allowWorkloadDisruption) are not loosened cluster-wide by default: the planner offers them as
// MigrationPolicies for the VMs that need them (policies.ts). `--vary` replaces this grid.
import type { Scenario } from '../scenario/types.js';
import type { Axis } from './grid.js';

export const MIGRATIONS = 'spec.kubevirt.configuration.migrations';
const MiB = 2 ** 20;

/** Values around the current one, deduplicated, in increasing order. */
function around(current: number, candidates: number[]): string[] {
  return [...new Set([...candidates, current])].sort((a, b) => a - b).map(String);
}

export function defaultAxes(scenario: Scenario): Axis[] {
  const m = scenario.kubevirt.migrations;
  const vmCount = scenario.vms.length;
  const cluster = around(m.parallelMigrationsPerCluster, [5, 10, 20, 40, 80].filter((v) => v <= Math.max(5, vmCount)));
  const bandwidth = [...new Set([0, 64, 128, 256, 512, 1024, m.bandwidthPerMigration / MiB])]
    .sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b)) // unlimited (0) last: the loosest
    .map((v) => (v === 0 ? '0' : `${v}Mi`));
  const axes: Axis[] = [
    { path: `${MIGRATIONS}.parallelMigrationsPerCluster`, values: cluster },
    { path: `${MIGRATIONS}.parallelOutboundMigrationsPerNode`, values: around(m.parallelOutboundMigrationsPerNode, [1, 2, 3, 4, 6, 8]) },
    { path: `${MIGRATIONS}.bandwidthPerMigration`, values: bandwidth },
    { path: `${MIGRATIONS}.completionTimeoutPerGiB`, values: around(m.completionTimeoutPerGiB, [150, 300, 600]) },
  ];
  scenario.operations.forEach((op, i) => {
    if (op.kind !== 'upgrade') return;
    const nodes = scenario.nodes.length;
    const values = around(op.maxUnavailable, [1, 2, 3, 4, 6, 8].filter((v) => v <= Math.max(1, Math.floor(nodes / 2))));
    if (op.style === 'harvester') return; // Harvester upgrades one node at a time
    axes.push({ path: `spec.operations[${i}].upgrade.maxUnavailable`, values });
  });
  return axes;
}
