// Drains and upgrade waves: evacuation migrations, back-off, target-pod timeouts, reservations.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/scenario/types.js';
import { Gi, migrate, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { eventsOf } from '../helpers/log.js';

// 1 GiB of guest pages is 1 GiB·4104/4096 on the wire (QEMU's 8-byte page header), so this NIC
// moves a 1 GiB guest's pages in exactly 1 s.
const nic = { nics: { pod: (1 * Gi * 513) / 512 } };
const live = { evictionStrategy: 'LiveMigrate' as const };
const drain = (n: string, at = 0): Operation => ({ kind: 'drain', at, nodes: { kind: 'names', names: [n] } });
/** A wave over `names` in that order, one node at a time, 600 s per node. */
const upgrade = (name: string, names: string[], style: 'kubectl-drain' | 'harvester'): Operation => ({
  kind: 'upgrade',
  at: 0,
  name,
  nodes: { kind: 'names', names },
  maxUnavailable: 1,
  order: 'listed',
  duration: { kind: 'fixed', value: 600 },
  style,
});

describe('evacuation back-off', () => {
  it('retries a failing evacuation after 20, 40 and 80 s', () => {
    // 1 GiB guest dirtying 2 GiB/s over a 1 GiB working set on a 1 GiB/s link never converges
    // (W > B·d): each attempt aborts at acceptable 150·ceil(1.07) = 300 → poll 301.2 s after start.
    // Attempt k+1 is created when k fails and starts after the back-off of 20·2^(k-1) s.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('v', 'a', { memory: 1 * Gi, dirty: { kind: 'constant', rate: 2 * Gi, workingSet: 1 * Gi }, ...live })],
      operations: [drain('a')],
      over: { horizon: 1100 },
    });
    const r = run(s);
    const tries = r.migrations;
    expect(tries.map((m) => m.reason).slice(0, 3)).toEqual(['CompletionTimeout', 'CompletionTimeout', 'CompletionTimeout']);
    const created = tries.map((m) => m.createdAt);
    const started = tries.map((m) => m.startedAt);
    expect(created[0]).toBe(0);
    expect(started[0]).toBe(0);
    expect(created[1]).toBeCloseTo(301.2, 9);
    expect(started[1]).toBeCloseTo(301.2 + 20, 9);
    expect(created[2]).toBeCloseTo(321.2 + 301.2, 9);
    expect(started[2]).toBeCloseTo(622.4 + 40, 9);
    expect(created[3]).toBeCloseTo(662.4 + 301.2, 9);
    expect(started[3]).toBeCloseTo(963.6 + 80, 9);
    expect(tries.every((m) => m.name.startsWith('kubevirt-evacuation-'))).toBe(true);
    const a = r.nodes.find((n) => n.name === 'a')!;
    expect(a.drainCompletedAt).toBeNull();
    expect(a.blockedReason).toMatch(/CompletionTimeout/);
  });
});

describe('target pod scheduling', () => {
  it('fails the migration after 300 s when the target pod stays unschedulable', () => {
    const s = scenario({
      nodes: [node('a'), node('b', { unschedulable: true })],
      vms: [vm('v', 'a')],
      operations: [migrate('default/v')],
    });
    const m = run(s).migrations[0]!;
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('TargetPodUnschedulable');
    expect(m.endedAt).toBe(300);
    expect(m.message).toContain("0/2 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 1 node(s) were unschedulable.");
  });

  it('a host-model VM cannot move when no other node has its CPU model', () => {
    const cascade = {
      'kubernetes.io/hostname': 'b',
      'kubevirt.io/schedulable': 'true',
      'host-model-cpu.node.kubevirt.io/Cascadelake-Server': 'true',
      'cpu-model-migration.node.kubevirt.io/Cascadelake-Server': 'true',
      'cpu-vendor.node.kubevirt.io/Intel': 'true',
    };
    const s = scenario({
      nodes: [node('a'), node('b', { labels: cascade }), node('c', { labels: { ...cascade, 'kubernetes.io/hostname': 'c' } })],
      vms: [vm('v', 'a')],
      operations: [migrate('default/v')],
    });
    const m = run(s).migrations[0]!;
    expect(m.reason).toBe('TargetPodUnschedulable');
    expect(m.message).toContain(
      "0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it('reserves the VM on both nodes while it migrates', () => {
    // a holds v1 and v2 (8 GiB each, a is full at 16 GiB), c is full with v3; b has 12 GiB and
    // takes v1's target pod (4 GiB left). v3 on c wants to move during v1's 8 s migration: neither a nor b has
    // 8 GiB free, so its target pod waits; when v1 ends at 8 s its source pod leaves a and v3's
    // pod is scheduled there at that instant.
    const s = scenario({
      nodes: [node('a', { memory: 16 * Gi, ...nic }), node('b', { memory: 12 * Gi, ...nic }), node('c', { memory: 8 * Gi, ...nic })],
      vms: [vm('v1', 'a', { memory: 8 * Gi }), vm('v2', 'a', { memory: 8 * Gi }), vm('v3', 'c', { memory: 8 * Gi })],
      operations: [migrate('default/v1', 0), migrate('default/v3', 1)],
    });
    const r = run(s);
    const unsched = eventsOf(r.sim.log.events, 'TargetPodUnschedulable');
    expect(unsched).toHaveLength(1);
    // NodeResourcesFit runs before InterPodAffinity, so the full source node c reports memory too.
    expect(unsched[0]!.message).toBe('0/3 nodes are available: 3 Insufficient memory.');
    const scheduled = eventsOf(r.sim.log.events, 'TargetPodScheduled');
    expect(scheduled.map((e) => [e.t, e.node])).toEqual([
      [0, 'b'],
      [8, 'a'],
    ]);
  });
});

describe('legacy Migration and cancel', () => {
  it('rejects a legacy Migration whose nodeSelector conflicts with the VM', () => {
    // a carries disk=ssd: a VM pinned with `node:` still has to match its nodeSelector there.
    const ssd = node('a');
    ssd.labels = { ...ssd.labels, disk: 'ssd' };
    const s = scenario({
      nodes: [ssd, node('b')],
      vms: [vm('v', 'a', { nodeSelector: { disk: 'ssd' } })],
      operations: [{ kind: 'migrate', at: 0, vmi: 'default/v', name: 'm1', addedNodeSelector: { disk: 'hdd' }, apiKind: 'Migration', annotations: {} }],
    });
    const m = run(s).migrations[0]!;
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('NodeSelectorConflict');
    expect(m.message).toContain('disk');
  });

  it.each([
    // Deleted while Running at 2 s: AbortJob, the VM stays on a.
    { at: 2, startup: 0, expectStarted: true },
    // Deleted before hand-off (the target pod takes 5 s to start): Failed at once, never runs.
    { at: 2, startup: 5, expectStarted: false },
  ])('cancel at $at s with pod startup $startup s', ({ at, startup, expectStarted }) => {
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('v', 'a', { memory: 8 * Gi })],
      operations: [migrate('default/v', 0, 'm1'), { kind: 'cancel', at, migration: 'm1' }],
    });
    s.controlPlane.targetPodStartup = { kind: 'fixed', value: startup };
    const r = run(s);
    const m = r.migrations[0]!;
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('AbortRequested');
    expect(m.endedAt).toBe(at);
    expect(m.startedAt !== null).toBe(expectStarted);
    expect(r.vms[0]!.finalNode).toBe('a');
  });
});

describe('drains', () => {
  it('blocks on a non-migratable LiveMigrate VM and shuts down a None one', () => {
    const rwo = { name: 'root', type: 'persistentVolumeClaim' as const, accessModes: ['ReadWriteOnce'], shared: false, attachment: 'disk' as const, readOnly: false, size: 10 * Gi };
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [
        vm('pinned', 'a', { memory: 1 * Gi, volumes: [rwo], ...live }),
        vm('batch', 'a', { memory: 1 * Gi, volumes: [rwo], evictionStrategy: 'None' }),
        vm('web', 'a', { memory: 1 * Gi, ...live }),
      ],
      operations: [drain('a')],
      over: { horizon: 3600 },
    });
    const r = run(s);
    const a = r.nodes.find((n) => n.name === 'a')!;
    expect(a.drainCompletedAt).toBeNull();
    expect(a.blockedReason).toMatch(/default\/pinned is not live-migratable \(DisksNotLiveMigratable\)/);
    expect(a.vmsShutDown).toBe(1);
    expect(a.migrationsOut).toBe(1);
    const batch = r.vms.find((v) => v.vmi === 'default/batch')!;
    // shut down at 0, restarted on b after its 60 s boot
    expect(batch.finalNode).toBe('b');
    expect(batch.downtimeSeconds).toBe(60);
    expect(r.vms.find((v) => v.vmi === 'default/web')!.finalNode).toBe('b');
  });

});

describe('evacuation of three VMs with parallelOutboundMigrationsPerNode 2, by version', () => {
  // Three 1 GiB VMs on a, 1 GiB/s NICs: x and y get target pods at 0 and share a's NIC (2 s
  // each); z runs alone for 1 s once it has a slot.
  // - v1.9, or v1.8 with MigrationPriorityQueue: every VMIM at 0; z waits at the node limit and
  //   gets the slot re-offered at once when x and y end at 2 → drain at 3.
  // - v1.8 default: the evacuation controller counts only migrations at phase ≥ Scheduling, and
  //   the VMIMs it just created are Pending, so z's VMIM is over-created at 0 too; z then waits
  //   on the migration controller's 5 s re-poll grid (0, 5, …): target pod at 5, drain at 6.
  //   (Before this change z was created when a slot freed at 2 and started at once: drain at 3.)
  it.each([
    { name: 'v1.9', version: { major: 1, minor: 9 }, gates: [], zPod: 2, drained: 3 },
    { name: 'v1.8 + MigrationPriorityQueue (beta)', version: { major: 1, minor: 8 }, gates: ['MigrationPriorityQueue'], zPod: 2, drained: 3 },
    { name: 'v1.7 + MigrationPriorityQueue (alpha)', version: { major: 1, minor: 7 }, gates: ['MigrationPriorityQueue'], zPod: 2, drained: 3 },
    { name: 'v1.8 default', version: { major: 1, minor: 8 }, gates: [], zPod: 5, drained: 6 },
    { name: 'v1.6 + the gate, which it does not have', version: { major: 1, minor: 6 }, gates: ['MigrationPriorityQueue'], zPod: 5, drained: 6 },
  ])('$name: z target pod at $zPod, drain done at $drained', ({ version, gates, zPod, drained }) => {
    const s = scenario({
      nodes: [node('a', nic), node('b', nic), node('c', nic), node('d', nic)],
      vms: ['x', 'y', 'z'].map((n) => vm(n, 'a', { memory: 1 * Gi, ...live })),
      operations: [drain('a')],
      version,
    });
    s.kubevirt.featureGates = gates;
    const r = run(s);
    expect(r.migrations.map((m) => m.createdAt)).toEqual([0, 0, 0]);
    const pods = eventsOf(r.sim.log.events, 'TargetPodCreated').map((e) => e.t);
    expect(pods).toEqual([0, 0, zPod]);
    expect(r.nodes.find((n) => n.name === 'a')!.drainCompletedAt).toBeCloseTo(drained, 9);
  });

  it('v1.8: a drain that finds no free spot re-syncs 5 s later, and a success does not re-sync the drained node', () => {
    // parallelMigrationsPerCluster 1. User migration of w (on c, 1 GiB alone: 0–1 s) holds the only
    // slot when a is drained at 0.5: no free spot → re-sync at 5.5. w's success at 1 re-queues
    // w's new node, not a, so x's VMIM is created only at 5.5 and runs 5.5–6.5.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic), node('c', nic)],
      vms: [vm('x', 'a', { memory: 1 * Gi, ...live }), vm('w', 'c', { memory: 1 * Gi })],
      operations: [migrate('default/w', 0), drain('a', 0.5)],
      version: { major: 1, minor: 8 },
      migrations: { parallelMigrationsPerCluster: 1 },
    });
    const r = run(s);
    expect(r.migrations.map((m) => [m.vmi, m.createdAt])).toEqual([
      ['default/w', 0],
      ['default/x', 5.5],
    ]);
    expect(r.nodes.find((n) => n.name === 'a')!.drainCompletedAt).toBeCloseTo(6.5, 9);
  });
});

describe('upgrade wave', () => {
  it('rolls three nodes one at a time with an exact makespan', () => {
    // n0: v0 → n1 (tie with n2 broken by name), 1 s; drained at 1, upgraded at 601.
    // n1: v0 and v1 → n0 (empty, then tie with n2 again by name), sharing n1's NIC: 2 s → 603; upgraded 1203.
    // n2: v2 → n1 (now empty), 1 s → 1204; upgraded 1804. v0 moved twice in the wave.
    const s = scenario({
      nodes: ['n0', 'n1', 'n2'].map((n) => node(n, nic)),
      vms: ['v0', 'v1', 'v2'].map((n, i) => vm(n, `n${i}`, { memory: 1 * Gi, ...live })),
      operations: [
        upgrade('w', ['n0', 'n1', 'n2'], 'kubectl-drain'),
      ],
    });
    const r = run(s);
    const w = r.waves[0]!;
    expect(w.completedAt).toBeCloseTo(1804, 9);
    expect(w.makespanSeconds).toBeCloseTo(1804, 9);
    expect(w.failedMigrations).toBe(0);
    expect(r.nodes.map((n) => n.drainCompletedAt)).toEqual([1, 603, 1204].map((x) => expect.closeTo(x, 9)));
    expect(r.nodes.map((n) => n.upgradeCompletedAt)).toEqual([601, 1203, 1804].map((x) => expect.closeTo(x, 9)));
    const v0 = r.vms.find((v) => v.vmi === 'default/v0')!;
    expect(v0.migrationsPerWave).toEqual({ w: 2 });
    expect(w.maxMigrationsPerVm).toBe(2);
    expect(r.vms.map((v) => v.finalNode)).toEqual(['n0', 'n0', 'n1']);
  });
});

describe('scheduler scoring', () => {
  it.each([
    // a's VM moves; b already runs one VM, c is empty.
    { scoring: 'LeastAllocated' as const, target: 'c' },
    { scoring: 'MostAllocated' as const, target: 'b' },
  ])('$scoring sends the target pod to $target', ({ scoring, target }) => {
    const s = scenario({
      nodes: [node('a'), node('b'), node('c')],
      vms: [vm('v', 'a'), vm('w', 'b')],
      operations: [migrate('default/v')],
      over: { scheduler: { scoring } },
    });
    expect(run(s).migrations[0]!.targetNode).toBe(target);
  });
});

describe('blocked wave', () => {
  it('reports the node and the reason, and the run still ends', () => {
    // n1's VM sits on a ReadWriteOnce PVC with eviction strategy LiveMigrate: the eviction is
    // refused for ever, so the wave (maxUnavailable 1) never gets past n1; n0 is done at 601.
    const rwo = { name: 'root', type: 'persistentVolumeClaim' as const, accessModes: ['ReadWriteOnce'], shared: false, attachment: 'disk' as const, readOnly: false, size: 10 * Gi };
    const s = scenario({
      nodes: ['n0', 'n1', 'n2'].map((n) => node(n, nic)),
      vms: [vm('ok', 'n0', { memory: 1 * Gi, ...live }), vm('stuck', 'n1', { memory: 1 * Gi, volumes: [rwo], ...live })],
      operations: [
        upgrade('w', ['n0', 'n1', 'n2'], 'kubectl-drain'),
      ],
      over: { horizon: 7200 },
    });
    const r = run(s);
    const w = r.waves[0]!;
    expect(w.completedAt).toBeNull();
    expect(w.makespanSeconds).toBeNull();
    expect(w.blockedNodes).toEqual([
      { node: 'n1', reason: 'VMI default/stuck is not live-migratable (DisksNotLiveMigratable) and its eviction strategy is LiveMigrate: eviction denied (429)' },
    ]);
    expect(r.nodes.map((n) => n.upgradeCompletedAt)).toEqual([expect.closeTo(601, 9), null, null]);
    expect(r.vms.find((v) => v.vmi === 'default/stuck')).toMatchObject({ migratable: false, notMigratableReason: 'DisksNotLiveMigratable', finalNode: 'n1' });
  });
});

describe('per-migration configuration', () => {
  it('a MigrationPolicy caps the bandwidth of the VMs it selects and is recorded', () => {
    // 1 GiB idle guest (1026 MiB on the wire), 1026 MiB/s link: 1 s alone; the policy's 256Mi cap
    // makes it 1026/256 = 4.0078125 s.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('slow', 'a', { memory: 1 * Gi, labels: { tier: 'batch' } }), vm('fast', 'a', { memory: 1 * Gi })],
      operations: [migrate('default/slow'), migrate('default/fast', 10)],
      over: {
        migrationPolicies: [
          { name: 'batch', namespaceSelector: null, virtualMachineInstanceSelector: { tier: 'batch' }, hasSelectors: true, bandwidthPerMigration: 256 * 1024 * 1024 },
        ],
      },
    });
    const [slow, fast] = run(s).migrations;
    expect(slow).toMatchObject({ policy: 'batch', startedAt: 0 });
    expect(slow!.endedAt).toBeCloseTo(4.0078125, 9);
    expect(fast).toMatchObject({ policy: null, startedAt: 10 });
    expect(fast!.endedAt).toBeCloseTo(11, 9);
  });

  it('a target pod still not ready after 900 s is deleted (catch-all timeout)', () => {
    const s = scenario({ nodes: [node('a'), node('b')], vms: [vm('v', 'a')], operations: [migrate('default/v')] });
    s.controlPlane.targetPodStartup = { kind: 'fixed', value: 1000 };
    const m = run(s).migrations[0]!;
    expect(m).toMatchObject({ phase: 'Failed', reason: 'TargetPodPendingTimeout', startedAt: null, endedAt: 900 });
  });
});

describe('initial placement', () => {
  it('spreads VMs without a node, and reports one that fits nowhere once', () => {
    const s = scenario({
      nodes: [node('a', { memory: 8 * Gi }), node('b', { memory: 8 * Gi })],
      vms: [vm('x', null, { memory: 4 * Gi }), vm('y', null, { memory: 4 * Gi }), vm('huge', null, { memory: 16 * Gi })],
    });
    const r = run(s);
    expect(eventsOf(r.sim.log.events, 'VmiPlaced').map((e) => [e.vmi, e.node])).toEqual([
      ['default/x', 'a'],
      ['default/y', 'b'],
    ]);
    expect(eventsOf(r.sim.log.events, 'VmiUnplaceable').map((e) => e.message)).toEqual(['0/2 nodes are available: 2 Insufficient memory.']);
    expect(r.vms.find((v) => v.vmi === 'default/huge')!.finalNode).toBeNull();
  });
});

describe('VMs bound to one node', () => {
  const hostDisk = { name: 'data', type: 'hostDisk' as const, accessModes: [], shared: false, attachment: 'disk' as const, readOnly: false, size: 10 * Gi };

  it.each([
    // a has 8 GiB: x (6 GiB) fits, y (4 GiB) pinned there too would overcommit it → not placed.
    { case: 'capacity', nodeA: { memory: 8 * Gi }, vmY: { memory: 4 * Gi }, message: 'placed by spec.node on a, where it does not fit: 0/1 nodes are available: 1 Insufficient memory.' },
    { case: 'selector', nodeA: {}, vmY: { nodeSelector: { gpu: 'true' } }, message: "placed by spec.node on a, where it does not fit: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." },
    {
      case: 'taint',
      nodeA: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' as const }] },
      vmY: {},
      message: "placed by spec.node on a, where it does not fit: 0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}.",
    },
    {
      case: 'dedicated CPUs without a CPU-manager node',
      nodeA: {},
      vmY: { dedicatedCpus: true },
      message:
        "placed by spec.node on a, where it does not fit: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. (dedicatedCpus needs a node labelled cpumanager=true, where the kubelet runs the static CPU manager: none is)",
    },
  ])('a VM pinned with node: that does not fit there ($case) is reported, not placed', ({ nodeA, vmY, message }) => {
    const s = scenario({
      nodes: [node('a', nodeA), node('b')],
      vms: [vm('x', 'a', { memory: 6 * Gi, tolerations: [{ key: 'dedicated', operator: 'Exists', value: '', effect: null }] }), vm('y', 'a', vmY)],
    });
    const r = run(s);
    expect(eventsOf(r.sim.log.events, 'VmiPlaced').map((e) => [e.vmi, e.node])).toEqual([['default/x', 'a']]);
    expect(eventsOf(r.sim.log.events, 'VmiUnplaceable').map((e) => [e.vmi, e.message])).toEqual([['default/y', message]]);
    expect(r.vms.find((v) => v.vmi === 'default/y')!).toMatchObject({ finalNode: null, stillDownAtEnd: true, notRunningReason: `never placed: ${message}` });
  });

  const localPv = { name: 'data', type: 'persistentVolumeClaim' as const, accessModes: ['ReadWriteOnce'], shared: false, attachment: 'disk' as const, readOnly: false, size: 10 * Gi, local: true };
  it.each([
    { disk: 'a non-shared hostDisk', volume: hostDisk },
    { disk: 'a claim on a local PV', volume: localPv },
  ])('a VM whose disk is local ($disk) restarts only on its node', ({ volume }) => {
    // d (eviction strategy None, its disk on a) lives on a. Draining a shuts it down at 0;
    // its restart after 60 s cannot go to b (the disk is on a) and a is cordoned: it waits, and
    // starts on a when a is uncordoned after the 600 s upgrade: down 600 s.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('d', 'a', { memory: 1 * Gi, volumes: [volume], evictionStrategy: 'None' })],
      operations: [upgrade('w', ['a'], 'kubectl-drain')],
    });
    const r = run(s);
    expect(eventsOf(r.sim.log.events, 'VmiUnplaceable').map((e) => [e.t, e.message])).toEqual([
      [60, 'its disk is local to a, where it does not fit: 0/1 nodes are available: 1 node(s) were unschedulable.'],
    ]);
    expect(r.vms[0]!).toMatchObject({ finalNode: 'a', downtimeSeconds: 600, stillDownAtEnd: false });
  });
});

describe('a VMI whose migration lands on a node being drained', () => {
  it.each([
    ['v1.9', { major: 1, minor: 9 }],
    ['v1.8', { major: 1, minor: 8 }],
  ])('is evacuated again (%s): the VMI update re-queues the node it is on now', (_v, version) => {
    // x copies a → b from 0 s (4 GiB: 4 s); b's drain starts at 1 s, while y is still on it.
    // When x lands on b at 4 s, b is cordoned and draining: x must leave again, and the drain ends.
    const toB: Operation = { kind: 'migrate', at: 0, vmi: 'default/x', name: 'to-b', addedNodeSelector: { 'kubernetes.io/hostname': 'b' }, apiKind: 'shorthand', annotations: {} };
    const r = run(
      scenario({
        nodes: [node('a', nic), node('b', nic), node('c', nic)],
        vms: [vm('x', 'a', { ...live, memory: 4 * Gi }), vm('y', 'b', { ...live, memory: 8 * Gi })],
        operations: [toB, drain('b', 1)],
        version,
      }),
    );
    const x = r.migrations.filter((m) => m.vmi === 'default/x' && m.phase === 'Succeeded');
    expect(x.map((m) => [m.sourceNode, m.targetNode])).toEqual([['a', 'b'], ['b', x[1]!.targetNode]]);
    expect(x[1]!.targetNode).not.toBe('b');
    expect(x[1]!.evacuationNode).toBe('b');
    const b = r.nodes.find((n) => n.name === 'b')!;
    expect(b.drainCompletedAt).not.toBeNull();
    expect(r.vms.filter((v) => v.finalNode === 'b')).toEqual([]);
  });
});
