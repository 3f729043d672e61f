// The migration controller's queue: limits checked at target-pod creation (migration.go handleTargetPodCreation),
// freed slots re-offered at once from v1.9, 5 s re-polls before (priority queue: scenario/versions.ts).
import { describe, expect, it } from 'vitest';
import { Gi, migrate, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { eventsOf } from '../helpers/log.js';

// Every VM is 1 GiB of non-zero memory that never dirties, every NIC moves 1 GiB/s:
// alone on its links a migration takes exactly 1 s, two sharing a NIC take 2 s each.
// 1 GiB of guest pages is 1 GiB·4104/4096 on the wire (QEMU's 8-byte page header), so this NIC
// moves a 1 GiB guest's pages in exactly 1 s.
const nic = { nics: { pod: (1 * Gi * 513) / 512 } };
const idle = (name: string, on: string) => vm(name, on, { memory: 1 * Gi });

function cluster(sources: Record<string, string[]>, targets: number) {
  const nodes = Object.keys(sources).map((n) => node(n, nic));
  for (let i = 0; i < targets; i++) nodes.push(node(`t${i}`, nic));
  const vms = Object.entries(sources).flatMap(([n, names]) => names.map((v) => idle(v, n)));
  return { nodes, vms };
}

describe('parallelMigrationsPerCluster', () => {
  // Six VMs on six nodes, six empty targets: five start at 0 and end at 1 s; the sixth waits.
  const base = cluster({ s0: ['v0'], s1: ['v1'], s2: ['v2'], s3: ['v3'], s4: ['v4'], s5: ['v5'] }, 6);
  const ops = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5'].map((v) => migrate(`default/${v}`));
  it.each([
    // v1.9: the first final migration re-offers its slot at once → the sixth starts at 1 s.
    { version: { major: 1, minor: 9 }, sixthStart: 1 },
    // v1.8: every waiting migration re-polls each 5 s → it starts at the 5 s poll.
    { version: { major: 1, minor: 8 }, sixthStart: 5 },
  ])('v$version.major.$version.minor: sixth migration starts at $sixthStart s', ({ version, sixthStart }) => {
    const r = run(scenario({ ...base, operations: ops, version }));
    const started = r.migrations.map((m) => m.startedAt);
    expect(started.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(started[5]).toBe(sixthStart);
    expect(r.migrations[5]!.endedAt).toBeCloseTo(sixthStart + 1, 9);
    const q = eventsOf(r.sim.log.events, 'MigrationQueued');
    expect(q.map((e) => [e.migration, e.reason])).toEqual([[r.migrations[5]!.name, 'ParallelMigrationsPerCluster']]);
  });
});

describe('parallelOutboundMigrationsPerNode', () => {
  it("a node's third outbound migration waits while another node's starts", () => {
    // a1, a2 share a's NIC (2 s each); b1 is alone (1 s); a3 waits for a slot on a, starts at 2 s, ends at 3 s.
    const c = cluster({ a: ['a1', 'a2', 'a3'], b: ['b1'] }, 4);
    const r = run(scenario({ ...c, operations: ['a1', 'a2', 'a3', 'b1'].map((v) => migrate(`default/${v}`)) }));
    const byVm = Object.fromEntries(r.migrations.map((m) => [m.vmi.split('/')[1], m]));
    expect([byVm.a1!.startedAt, byVm.a2!.startedAt, byVm.b1!.startedAt]).toEqual([0, 0, 0]);
    expect(byVm.a1!.endedAt).toBeCloseTo(2, 9);
    expect(byVm.b1!.endedAt).toBeCloseTo(1, 9);
    expect(byVm.a3!.startedAt).toBeCloseTo(2, 9);
    expect(byVm.a3!.endedAt).toBeCloseTo(3, 9);
    const q = eventsOf(r.sim.log.events, 'MigrationQueued');
    expect(q.map((e) => e.reason)).toEqual(['ParallelOutboundMigrationsPerNode']);
  });

  it('evacuations take the freed slot first: priority 100 beats a user migration created earlier', () => {
    // Cluster limit 1. x (user, priority 0) and the evacuation of node a's VM both wait for the
    // running migration of w; when it ends at 1 s the evacuation goes first.
    const nodes = [node('a', nic), node('b', nic), node('c', nic), node('d', nic)];
    const vms = [idle('w', 'c'), idle('x', 'b'), vm('e', 'a', { memory: 1 * Gi, evictionStrategy: 'LiveMigrate' })];
    const r = run(
      scenario({
        nodes,
        vms,
        migrations: { parallelMigrationsPerCluster: 1 },
        operations: [migrate('default/w', 0), migrate('default/x', 0.5), { kind: 'drain', at: 0.5, nodes: { kind: 'names', names: ['a'] } }],
      }),
    );
    const order = r.migrations.filter((m) => m.startedAt !== null).sort((p, q) => p.startedAt! - q.startedAt!);
    expect(order.map((m) => m.vmi)).toEqual(['default/w', 'default/e', 'default/x']);
    expect(order.map((m) => m.startedAt)).toEqual([0, 1, 2]);
  });
});
