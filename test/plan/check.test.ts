// `migsim check`: each kind of finding on a scenario built for it, and a healthy one that passes.
import { describe, expect, it } from 'vitest';
import { check } from '../../src/plan/check.js';
import { convergence } from '../../src/plan/convergence.js';
import type { Operation, Scenario } from '../../src/scenario/types.js';
import { Gi, Mi, migrate, node, scenario, vm } from '../helpers/scenario.js';

const drain = (...names: string[]): Operation => ({ kind: 'drain', at: 0, nodes: { kind: 'names', names } });
const upgrade = (maxUnavailable: number, ...names: string[]): Operation => ({
  kind: 'upgrade', at: 0, name: 'w', nodes: { kind: 'names', names }, maxUnavailable, order: 'listed',
  duration: { kind: 'fixed', value: 60 }, style: 'kubectl-drain',
});
const live = { evictionStrategy: 'LiveMigrate' } as const;
const codes = (s: Scenario) => check(s).findings.map((f) => [f.code, f.severity, f.vms, f.nodes]);

describe('closed-form convergence (the round model)', () => {
  it.each([
    // 4 GiB at 64 MiB/s dirtying 16 MiB/s: rounds of 64, 16, 4, 1 s; round 3 dirties 16 MiB ≤ 19.2 MiB
    // (64 MiB/s × 300 ms), sent in 0.25 s: 85.25 s, 4 rounds
    { memory: 4 * Gi, bandwidth: 64 * Mi, dirtyRate: 16 * Mi, workingSet: 4 * Gi, expect: { converges: true, seconds: 85.25, rounds: 4 } },
    // a working set under the threshold converges after the first pass: 1 GiB/64 MiB/s = 16 s + 16 MiB/64 = 0.25 s
    { memory: Gi, bandwidth: 64 * Mi, dirtyRate: 500 * Mi, workingSet: 16 * Mi, expect: { converges: true, seconds: 16.25, rounds: 1 } },
    // D ≥ B with a working set above B·d never converges
    { memory: Gi, bandwidth: 64 * Mi, dirtyRate: 64 * Mi, workingSet: Gi, expect: { converges: false, seconds: Infinity, rounds: 0 } },
  ])('$memory B at $bandwidth B/s dirtying $dirtyRate B/s', ({ expect: e, ...x }) => {
    const v = convergence({ ...x, disk: 0, downtimeLimit: 0.3, autoConverge: null });
    expect(v).toEqual({ ...e, throttled: false });
  });

  it('auto-converge at 99 % rescues a guest dirtying 2× the bandwidth (floor 0.02·B < B), not 200× (2·B)', () => {
    const ac = { initial: 0.2, increment: 0.1, max: 0.99, triggerThreshold: 0.5, sensitivity: 1 };
    const base = { memory: Gi, disk: 0, bandwidth: 64 * Mi, workingSet: Gi, downtimeLimit: 0.3, autoConverge: ac };
    const twice = convergence({ ...base, dirtyRate: 128 * Mi });
    expect(twice.converges).toBe(true);
    expect(twice.throttled).toBe(true);
    expect(convergence({ ...base, dirtyRate: 200 * 64 * Mi }).converges).toBe(false);
  });
});

describe('migsim check findings', () => {
  it('passes a healthy drain: migratable VMs, room elsewhere, converging copies', () => {
    const s = scenario({
      nodes: [node('a'), node('b')],
      vms: [vm('x', 'a', { ...live, dirty: { kind: 'constant', rate: 10 * Mi, workingSet: Gi } })],
      operations: [drain('a')],
    });
    expect(check(s).findings).toEqual([]);
  });

  it('a non-migratable VM with LiveMigrate blocks the drain; with None it is shut down', () => {
    const rwo = { volumes: [{ name: 'root', type: 'persistentVolumeClaim' as const, accessModes: ['ReadWriteOnce'], shared: false, attachment: 'disk' as const, readOnly: false, size: 0 }] };
    const s = (strategy: 'LiveMigrate' | 'None') =>
      scenario({ nodes: [node('a'), node('b')], vms: [vm('x', 'a', { ...rwo, evictionStrategy: strategy })], operations: [drain('a')] });
    expect(codes(s('LiveMigrate'))).toEqual([['drain-blocked-not-migratable', 'block', ['default/x'], ['a']]]);
    expect(codes(s('None'))).toEqual([['vms-shut-down-on-drain', 'warning', ['default/x'], ['a']]]);
  });

  it("the cluster default None is named as the cause", () => {
    const s = scenario({ nodes: [node('a'), node('b')], vms: [vm('x', 'a')], operations: [drain('a')] });
    const [f] = check(s).findings;
    expect(f!.code).toBe('vms-shut-down-on-drain');
    expect(f!.remedy).toMatch(/spec\.kubevirt\.configuration\.evictionStrategy is unset/);
  });

  it('no compatible target: the only other node lacks the VM\'s named CPU model', () => {
    const s = scenario({
      nodes: [node('a', { labels: { ...node('a').labels, 'cpu-model.node.kubevirt.io/Cascadelake-Server': 'true' } }), node('b')],
      vms: [vm('x', 'a', { ...live, cpuModel: { kind: 'named', model: 'Cascadelake-Server' } })],
      operations: [drain('a')],
    });
    const [f] = check(s).findings;
    expect([f!.code, f!.severity, f!.vms]).toEqual(['no-compatible-target', 'block', ['default/x']]);
    // a is cordoned, b does not match: kube-scheduler's own words
    expect(f!.message).toContain("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable.");
  });

  it('insufficient capacity: b has 128 GiB, 100 GiB taken; of two 20 GiB VMs from a the first fits, the second not', () => {
    const s = scenario({
      nodes: [node('a'), node('b')],
      vms: [vm('big', 'b', { memory: 100 * Gi }), vm('x', 'a', { ...live, memory: 20 * Gi }), vm('y', 'a', { ...live, memory: 20 * Gi })],
      operations: [drain('a')],
    });
    expect(codes(s)).toEqual([['insufficient-capacity', 'block', ['default/y'], ['a']]]);
  });

  it('a wave with maxUnavailable 2 lacks the room each node alone has', () => {
    // a and b hold 80 GiB each; c is empty (128 GiB): either node alone fits on c (plus the other),
    // both at once need 160 GiB on c alone
    const s = scenario({
      nodes: [node('a'), node('b'), node('c')],
      vms: [vm('x', 'a', { ...live, memory: 80 * Gi }), vm('y', 'b', { ...live, memory: 80 * Gi })],
      operations: [upgrade(2, 'a', 'b')],
    });
    expect(codes(s)).toEqual([['wave-capacity', 'block', ['default/y'], ['a', 'b']]]);
    expect(codes({ ...s, operations: [upgrade(1, 'a', 'b')] })).toEqual([]);
  });

  it('will not converge: 200 MiB/s dirtied against a 64 MiB/s cap; a post-copy policy makes it a warning', () => {
    const s = scenario({
      nodes: [node('a'), node('b')],
      vms: [vm('db', 'a', { ...live, labels: { app: 'db' }, memory: 8 * Gi, dirty: { kind: 'constant', rate: 200 * Mi, workingSet: 2 * Gi } })],
      operations: [drain('a')],
      migrations: { bandwidthPerMigration: 64 * Mi },
    });
    const [f] = check(s).findings;
    expect([f!.code, f!.severity]).toEqual(['will-not-converge', 'block']);
    // 1.25 × 200 MiB/s = 250Mi; downtime limit W/B = 2048/64 s = 32 s
    expect(f!.remedy).toBe(
      'raise bandwidthPerMigration to ≥ 250Mi in a MigrationPolicy selecting this VM; allow auto-converge in a MigrationPolicy selecting this VM; allow post-copy in a MigrationPolicy selecting this VM; or a downtime limit ≥ 32000 ms',
    );
    const withPolicy: Scenario = {
      ...s,
      migrationPolicies: [{ name: 'db', namespaceSelector: null, virtualMachineInstanceSelector: { app: 'db' }, hasSelectors: true, allowPostCopy: true }],
    };
    const [g] = check(withPolicy).findings;
    expect([g!.code, g!.severity]).toEqual(['will-not-converge', 'warning']);
    expect(g!.message).toContain('completes only by post-copy');
  });

  it('exceeds the completion deadline: 8 GiB at 8 MiB/s takes 1024 s, the deadline is 100 × 9 = 900 s', () => {
    const s = scenario({
      nodes: [node('a'), node('b')],
      vms: [vm('x', 'a', { ...live, memory: 8 * Gi })],
      operations: [drain('a')],
      migrations: { bandwidthPerMigration: 8 * Mi, completionTimeoutPerGiB: 100 },
    });
    const [f] = check(s).findings;
    expect([f!.code, f!.severity]).toEqual(['exceeds-completion-deadline', 'block']);
    expect(f!.message).toContain('needs about 1024 s to copy (1 rounds at 8.0 MiB/s');
    // ceil(1.2 × 1024 / 9) = ceil(136.5) = 137
    expect(f!.remedy).toBe('raise completionTimeoutPerGiB to ≥ 137 in a MigrationPolicy selecting this VM, or give it more bandwidth');
    // at 150 s/GiB the deadline is 1350 s: it fits
    expect(check({ ...s, kubevirt: { ...s.kubevirt, migrations: { ...s.kubevirt.migrations, completionTimeoutPerGiB: 150 } } }).findings).toEqual([]);
  });

  it('a VM that cannot be placed at start is reported, and an explicit migration of a VM counts without a drain', () => {
    const s = scenario({
      nodes: [node('a'), node('b')],
      vms: [vm('huge', null, { memory: 200 * Gi }), vm('x', 'a', { memory: 8 * Gi })],
      operations: [migrate('default/x')],
      migrations: { bandwidthPerMigration: 8 * Mi, completionTimeoutPerGiB: 100 },
    });
    // x's effective strategy is the cluster default None: the implied drain of a would shut it down
    expect(codes(s).map((c) => c[0])).toEqual(['exceeds-completion-deadline', 'vm-unplaceable', 'vms-shut-down-on-drain', 'no-drain-in-scenario']);
  });
});
