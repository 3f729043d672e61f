import { describe, expect, it } from 'vitest';
import { resolveMigrationConfiguration, selectMigrationPolicy } from '../../src/cluster/policy.js';
import type { Labels, MigrationPolicySpec } from '../../src/scenario/types.js';
import { Mi, makeMigrationConfig, makePolicy } from './fixtures.js';

const vmLabels = { app: 'web', tier: 'front' };
const nsLabels = { team: 'a', env: 'prod' };

const P = {
  noSelectors: makePolicy('a-no-selectors', { hasSelectors: false }),
  empty: makePolicy('z-empty', { namespaceSelector: {}, virtualMachineInstanceSelector: {} }),
  nulls: makePolicy('y-nulls'),
  vmApp: makePolicy('vm-app', { virtualMachineInstanceSelector: { app: 'web' } }),
  vmAppTier: makePolicy('vm-app-tier', { virtualMachineInstanceSelector: { app: 'web', tier: 'front' } }),
  nsTeam: makePolicy('ns-team', { namespaceSelector: { team: 'a' } }),
  nsTeamEnv: makePolicy('ns-team-env', { namespaceSelector: { team: 'a', env: 'prod' } }),
  vmAppNsTeam: makePolicy('both', { virtualMachineInstanceSelector: { app: 'web' }, namespaceSelector: { team: 'a' } }),
  vmAppB: makePolicy('b-vm-app', { virtualMachineInstanceSelector: { app: 'web' } }),
  vmWrong: makePolicy('vm-wrong', { virtualMachineInstanceSelector: { app: 'db' } }),
  nsWrong: makePolicy('ns-wrong', { namespaceSelector: { team: 'b' } }),
};

// score = matched VMI labels + matched namespace labels; ties → more VMI labels → smallest name
const rows: { case: string; policies: MigrationPolicySpec[]; vm?: Labels | null; expect: string | null }[] = [
  { case: 'no policies', policies: [], expect: null },
  { case: 'selectors field absent never matches', policies: [P.noSelectors], expect: null },
  { case: 'empty selectors match everything with score 0', policies: [P.noSelectors, P.empty], expect: 'z-empty' },
  { case: 'unset (null) selectors also match with 0', policies: [P.nulls], expect: 'y-nulls' },
  { case: 'score 0 ties broken by name', policies: [P.empty, P.nulls], expect: 'y-nulls' },
  { case: 'one VMI label beats score 0', policies: [P.empty, P.vmApp], expect: 'vm-app' },
  { case: 'a wrong value excludes the policy', policies: [P.vmWrong, P.nsWrong, P.empty], expect: 'z-empty' },
  { case: 'two VMI labels beat one', policies: [P.vmApp, P.vmAppTier], expect: 'vm-app-tier' },
  { case: 'VMI 1 + namespace 1 (total 2) beats VMI 1', policies: [P.vmApp, P.vmAppNsTeam], expect: 'both' },
  { case: 'namespace 2 beats VMI 1 (totals first)', policies: [P.vmApp, P.nsTeamEnv], expect: 'ns-team-env' },
  { case: 'equal totals: VMI 2 beats namespace 2', policies: [P.nsTeamEnv, P.vmAppTier], expect: 'vm-app-tier' },
  { case: 'equal totals: VMI 2 beats VMI 1 + namespace 1', policies: [P.vmAppNsTeam, P.vmAppTier], expect: 'vm-app-tier' },
  { case: 'equal totals: VMI 1 beats namespace 1', policies: [P.nsTeam, P.vmApp], expect: 'vm-app' },
  { case: 'full tie: lexicographically smallest name', policies: [P.vmApp, P.vmAppB], expect: 'b-vm-app' },
  { case: 'empty VMI label map counts as non-nil: VMI selector must match', policies: [P.vmApp, P.nsTeam], vm: {}, expect: 'ns-team' },
  {
    // KubeVirt quirk: with nil VMI labels neither selector is evaluated, so every policy with
    // selectors matches with score 0 and the name decides
    case: 'nil VMI labels: selectors skipped, name decides',
    policies: [P.vmWrong, P.nsWrong, P.vmAppTier],
    vm: null,
    expect: 'ns-wrong',
  },
];

describe('selectMigrationPolicy', () => {
  it.each(rows)('$case', (row) => {
    const vm = row.vm === undefined ? vmLabels : row.vm;
    expect(selectMigrationPolicy(row.policies, vm, nsLabels)?.name ?? null).toBe(row.expect);
  });
});

describe('resolveMigrationConfiguration', () => {
  const cluster = makeMigrationConfig();
  it.each([
    { case: 'no policy: the cluster configuration', policy: null, v: '1.9', expect: {} },
    { case: 'completionTimeoutPerGiB and auto-converge override', policy: makePolicy('p', { completionTimeoutPerGiB: 300, allowAutoConverge: true }), v: '1.9', expect: { completionTimeoutPerGiB: 300, allowAutoConverge: true } },
    { case: 'allowPostCopy alone: allowWorkloadDisruption follows it', policy: makePolicy('p', { allowPostCopy: true }), v: '1.9', expect: { allowPostCopy: true, allowWorkloadDisruption: true } },
    { case: 'allowPostCopy with explicit allowWorkloadDisruption false', policy: makePolicy('p', { allowPostCopy: true, allowWorkloadDisruption: false }), v: '1.9', expect: { allowPostCopy: true, allowWorkloadDisruption: false } },
    { case: 'allowWorkloadDisruption alone (pause instead of post-copy)', policy: makePolicy('p', { allowWorkloadDisruption: true }), v: '1.5', expect: { allowWorkloadDisruption: true } },
    { case: 'before v1.5 allowWorkloadDisruption does not exist', policy: makePolicy('p', { allowPostCopy: true, allowWorkloadDisruption: true }), v: '1.4', expect: { allowPostCopy: true, allowWorkloadDisruption: false } },
    { case: 'bandwidth rounded to whole MiB/s', policy: makePolicy('p', { bandwidthPerMigration: 64 * Mi + 100 }), v: '1.9', expect: { bandwidthPerMigration: 64 * Mi } },
    { case: 'bandwidth below 1MiB/s becomes 1MiB/s', policy: makePolicy('p', { bandwidthPerMigration: 1000 }), v: '1.9', expect: { bandwidthPerMigration: Mi } },
  ])('$case', ({ policy, v, expect: diff }) => {
    const [major, minor] = v.split('.').map(Number) as [number, number];
    expect(resolveMigrationConfiguration(cluster, policy, { major, minor })).toEqual({ ...cluster, ...diff });
  });

  it('forces allowWorkloadDisruption false before v1.5 even from the cluster', () => {
    const c = makeMigrationConfig({ allowPostCopy: true, allowWorkloadDisruption: true });
    expect(resolveMigrationConfiguration(c, null, { major: 1, minor: 4 }).allowWorkloadDisruption).toBe(false);
  });

  it('never touches cluster-only fields', () => {
    const out = resolveMigrationConfiguration(cluster, makePolicy('p', { allowPostCopy: true }), { major: 1, minor: 9 });
    expect([out.parallelMigrationsPerCluster, out.progressTimeout, out.network]).toEqual([5, 150, null]);
  });
});
