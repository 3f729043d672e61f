// The true end state: what a run leaves unfinished is reported with its progress and the reason,
// VMs not running at the end say so, every drain of a node is kept, and "how long" has one
// definition per span. Every latency is 0 and the switch-over costs nothing (test/helpers), so
// the instants below follow from the link rate alone.
import { describe, expect, it } from 'vitest';
import { warningsRecorder } from '../../src/metrics/warnings.js';
import { simulate } from '../../src/sim/simulation.js';
import type { Operation, Scenario } from '../../src/scenario/types.js';
import { Gi, migrate, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';

/**
 * A pod network of 1 GiB/s of guest pages: each 4 KiB page crosses the wire with an 8-byte header
 * (QEMU's save_page_header), so 1 GiB of pages is 1 GiB·513/512 on the wire, and a 4 GiB guest
 * that dirties nothing copies in exactly 4 s.
 */
const nic = { nics: { pod: (1 * Gi * 513) / 512 } };
const live = { evictionStrategy: 'LiveMigrate' as const };
/** a ReadWriteOnce PVC: not live-migratable (DisksNotLiveMigratable) */
const rwo = { name: 'root', type: 'persistentVolumeClaim' as const, accessModes: ['ReadWriteOnce'], shared: false, attachment: 'disk' as const, readOnly: false, size: 10 * Gi };
const drain = (n: string, at = 0): Operation => ({ kind: 'drain', at, nodes: { kind: 'names', names: [n] } });
const upgrade = (name: string, names: string[], at = 0): Operation => ({
  kind: 'upgrade',
  at,
  name,
  nodes: { kind: 'names', names },
  maxUnavailable: 1,
  order: 'listed',
  duration: { kind: 'fixed', value: 600 },
  style: 'kubectl-drain',
});

function warningsOf(s: Scenario) {
  const w = warningsRecorder(s);
  const sim = simulate(s, { observers: [w] });
  return { results: sim.results!, warnings: w.finish() };
}

describe('a migration the horizon cuts', () => {
  it('shows its rounds and bytes so far and why it has not finished', () => {
    // 4 GiB guest dirtying 0.5 GiB/s (working set = all of it) on 1 GiB/s:
    //   round 1: 4 GiB in 4 s (0–4), dirties 2 GiB
    //   round 2: 2 GiB in 2 s (4–6), dirties 1 GiB
    //   round 3: 1 GiB in 1 s (6–7) — the horizon at 6.5 s cuts it.
    // So far: 2 rounds done and half of the third, 6.5 s at the link rate on the wire
    // (6.5 · 1 GiB · 513/512 = 6,992,953,344 B); the migration is Running, still pre-copying.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('v', 'a', { memory: 4 * Gi, dirty: { kind: 'constant', rate: 0.5 * Gi, workingSet: 4 * Gi } })],
      operations: [migrate('default/v')],
      over: { horizon: 6.5 },
    });
    const r = run(s);
    const m = r.migrations[0]!;
    expect(m.phase).toBe('Running');
    expect(m.iterations).toBe(2);
    expect(m.transferredBytes).toBe(6_992_953_344);
    expect(m.unfinishedReason).toBe('Running: copying memory (pre-copy), not converged yet');
    expect(m.endedAt).toBeNull();
    // queued 0 s (no latency), copying from 0 to the end of the run
    expect(m.queuedSeconds).toBe(0);
    expect(m.copySeconds).toBe(6.5);
    expect(r.summary).toMatchObject({ unfinished: 1, horizonReached: true, simulatedSeconds: 6.5, makespanSeconds: 6.5 });
    const ev = r.sim.log.events.find((e) => e.type === 'MigrationUnfinished')!;
    expect(ev).toMatchObject({ t: 6.5, migration: m.name, phase: 'Running' });

    const { warnings } = warningsOf(s);
    expect(warnings).toEqual([
      {
        code: 'HorizonReached',
        field: 'spec.horizon',
        message: 'the horizon (6.5s) ended the run with 1 migration(s) unfinished (1 copying): raise spec.horizon to see how they end',
        vms: ['default/v'],
      },
    ]);
  });

  it('says a migration cut while stalled by an outage has been stalled since when, and by what', () => {
    // 4 GiB on 1 GiB/s; node b is cut off from 1 s to 11 s (keepalive gives up only after
    // 5 × 5 s), the horizon at 6 s ends the run mid-stall: stalled 6 − 1 = 5 s so far.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('v', 'a')],
      operations: [migrate('default/v'), { kind: 'outage', at: 1, duration: 10, scope: { kind: 'node', node: 'b' }, networkName: null }],
      over: { horizon: 6 },
    });
    const m = run(s).migrations[0]!;
    expect(m.unfinishedReason).toBe('Running: copying memory (pre-copy), not converged yet; stalled since 1s (outage-1)');
    expect(m.stalledSeconds).toBe(5);
    expect(m.outages).toEqual(['outage-1']);
  });

  it('says a migration waits at a limit of 0 for ever, and warns that it never finishes', () => {
    // parallelMigrationsPerCluster 0: the migration is queued at creation and nothing wakes it,
    // so the run ends at t = 0 with it Pending (no horizon involved).
    const s = scenario({
      nodes: [node('a'), node('b')],
      vms: [vm('v', 'a')],
      operations: [migrate('default/v')],
      migrations: { parallelMigrationsPerCluster: 0 },
    });
    const r = run(s);
    expect(r.migrations[0]).toMatchObject({ phase: 'Pending', iterations: 0, transferredBytes: 0, startedAt: null, copySeconds: null });
    expect(r.migrations[0]!.unfinishedReason).toBe('Pending: queued at parallelMigrationsPerCluster (0 running in the cluster)');
    expect(r.summary).toMatchObject({ unfinished: 1, horizonReached: false, endTime: 0 });
    expect(warningsOf(s).warnings.map((w) => w.code)).toEqual(['MigrationsNeverFinish']);
  });
});

describe('queue time and copy time', () => {
  it('splits a migration that waited for the cluster limit', () => {
    // parallelMigrationsPerCluster 1, two 4 GiB guests migrated at 0 on 1 GiB/s links: the first
    // copies 0–4 s; the second waits until the first is final at 4 s (v1.9 re-offers the slot at
    // once) and copies 4–8 s.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('v1', 'a'), vm('v2', 'a')],
      operations: [migrate('default/v1'), migrate('default/v2')],
      migrations: { parallelMigrationsPerCluster: 1 },
    });
    const r = run(s);
    expect(r.migrations.map((m) => [m.vmi, m.queuedSeconds, m.copySeconds])).toEqual([
      ['default/v1', 0, 4],
      ['default/v2', 4, 4],
    ]);
    // migration activity: first created (0) → last final (8)
    expect(r.summary).toMatchObject({ makespanSeconds: 8, migrationActivityFrom: 0, migrationActivityTo: 8, simulatedSeconds: 8 });
  });
});

describe('moves and attempts', () => {
  it('counts a failed migration as an attempt, not a move', () => {
    // "stuck": 1 GiB dirtying 2 GiB/s on 1 GiB/s never converges and fails on CompletionTimeout
    // (150 s/GiB · ceil(1.07 GB) = 300 s, seen at the 301.2 s poll); "easy" moves in 4 s.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('stuck', 'a', { memory: 1 * Gi, dirty: { kind: 'constant', rate: 2 * Gi, workingSet: 1 * Gi } }), vm('easy', 'a')],
      operations: [migrate('default/stuck'), migrate('default/easy')],
    });
    const r = run(s);
    const byVm = Object.fromEntries(r.vms.map((v) => [v.vmi, [v.attempts, v.moves, v.initialNode, v.finalNode]]));
    expect(byVm).toEqual({ 'default/stuck': [1, 0, 'a', 'a'], 'default/easy': [1, 1, 'a', 'b'] });
  });
});

describe('VMs not running at the end', () => {
  it('a VM shut down by a drain and never restarted is still down at end, with the reason', () => {
    // One node: the drain evicts v (cluster-wide strategy None), its restart after 60 s finds
    // the only node cordoned; nothing else happens, so the run ends at 60 s with v down.
    const s = scenario({ nodes: [node('a')], vms: [vm('v', 'a', { restartTime: 60 })], operations: [drain('a')] });
    const r = run(s);
    const v = r.vms[0]!;
    expect(v.stillDownAtEnd).toBe(true);
    expect(v.downtimeSeconds).toBe(60);
    expect(v.finalNode).toBeNull();
    expect(v.notRunningReason).toMatch(/^shut down on a at 0s: evicted: eviction strategy None; not restarted: 0\/1 nodes are available/);
    expect(r.summary.vmsNotRunning).toBe(1);

    // the run-time warning points at the cluster-wide field
    const w = warningsOf(s).warnings.find((x) => x.code === 'EvictionStrategyNone')!;
    expect(w).toEqual({
      code: 'EvictionStrategyNone',
      field: 'spec.kubevirt.configuration.evictionStrategy',
      message:
        "the drain at 0s shut down 1 VM(s) instead of migrating them: their effective eviction strategy is None, KubeVirt's default " +
        'when spec.kubevirt.configuration.evictionStrategy is unset (most distributions set LiveMigrate; spec.profile: openshift does)',
      vms: ['default/v'],
      nodes: ['a'],
    });
  });

  it('names the wave that shut VMs down because of the default strategy None', () => {
    // wave w drains a: v is evicted (strategy None by default) and restarts on b after 60 s.
    const s = scenario({ nodes: [node('a'), node('b')], vms: [vm('v', 'a')], operations: [upgrade('w', ['a'])] });
    const w = warningsOf(s).warnings;
    expect(w.map((x) => [x.code, x.vms, x.nodes])).toEqual([['EvictionStrategyNone', ['default/v'], ['a']]]);
    expect(w[0]!.message).toMatch(/^upgrade wave w shut down 1 VM\(s\) instead of migrating them/);
  });

  it('does not warn about strategy None for a VM that chose it itself', () => {
    const s = scenario({ nodes: [node('a')], vms: [vm('v', 'a', { evictionStrategy: 'None' })], operations: [drain('a')] });
    expect(warningsOf(s).warnings.map((w) => w.code)).not.toContain('EvictionStrategyNone');
  });

  it('a VM that could not be placed at start is still down at end and warned about', () => {
    // 200 GiB does not fit a 128 GiB node; "small" migrates a → b in 4 s, which ends the run.
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('big', null, { memory: 200 * Gi }), vm('small', 'a')],
      operations: [migrate('default/small')],
    });
    const r = run(s);
    const big = r.vms.find((v) => v.vmi === 'default/big')!;
    expect(big).toMatchObject({ stillDownAtEnd: true, downtimeSeconds: 4, initialNode: null, finalNode: null });
    expect(big.notRunningReason).toMatch(/^never placed: 0\/2 nodes are available: 2 Insufficient memory/);
    const w = warningsOf(s).warnings;
    expect(w.map((x) => [x.code, x.vms])).toEqual([['VmUnplaceable', ['default/big']]]);
    expect(w[0]!.message).toMatch(/^1 VM\(s\) could not be placed at start and never ran: 0\/2 nodes are available/);
  });
});

describe('drains and waves', () => {
  it('keeps every drain of a node drained twice', () => {
    // drain 1 at 0: v moves a → b in 4 s, the drain completes at 4 s (cleanup 0).
    // drain 2 at 100: a is empty, so it completes at once.
    const s = scenario({ nodes: [node('a', nic), node('b', nic)], vms: [vm('v', 'a', live)], operations: [drain('a'), drain('a', 100)] });
    const r = run(s);
    const a = r.nodes.find((n) => n.name === 'a')!;
    expect(a.drains).toEqual([
      { wave: null, startedAt: 0, completedAt: 4, durationSeconds: 4, upgradeCompletedAt: null, migrationsOut: 1, vmsShutDown: 0, blockedReason: null },
      { wave: null, startedAt: 100, completedAt: 100, durationSeconds: 0, upgradeCompletedAt: null, migrationsOut: 0, vmsShutDown: 0, blockedReason: null },
    ]);
    // the per-node fields are the last drain's (and the counts are totals)
    expect(a).toMatchObject({ drainStartedAt: 100, drainCompletedAt: 100, migrationsOut: 1 });
    expect(r.summary).toMatchObject({ drains: 2, drainsCompleted: 2, drainsUnfinished: 0 });
  });

  it('counts a drain and a wave that never finish, with the reason', () => {
    // "pinned" has a ReadWriteOnce PVC (not live-migratable) and strategy LiveMigrate: the
    // eviction webhook refuses for ever, so node a's drain and the wave never end.
    const s = scenario({
      nodes: [node('a'), node('b')],
      vms: [vm('pinned', 'a', { ...live, volumes: [rwo] })],
      operations: [upgrade('w', ['a', 'b'])],
    });
    const r = run(s);
    expect(r.summary).toMatchObject({ drains: 1, drainsCompleted: 0, drainsUnfinished: 1, waves: 1, wavesCompleted: 0, wavesUnfinished: 1 });
    expect(r.nodes[0]!.drains[0]!.blockedReason).toMatch(/VMI default\/pinned is not live-migratable \(DisksNotLiveMigratable\)/);
    expect(r.waves[0]!.unfinishedReason).toBe('1 node(s) never drained: a');
    // the run ends by itself (nothing left to happen), so the warning says it can never finish
    expect(warningsOf(s).warnings).toEqual([
      {
        code: 'DrainsNeverFinish',
        message:
          '1 drain(s) can never finish: a: VMI default/pinned is not live-migratable (DisksNotLiveMigratable) and its eviction strategy is LiveMigrate: eviction denied (429) (see each node\'s blockedReason)',
        nodes: ['a'],
      },
    ]);
  });

  it('warns when the horizon ends the run in the middle of a wave', () => {
    // a and b are empty: each drain completes at once, each upgrade takes 600 s, so the wave
    // ends at 1200 s; the 900 s horizon cuts it while b is being upgraded.
    const s = scenario({ nodes: [node('a'), node('b')], vms: [], operations: [upgrade('w', ['a', 'b'])], over: { horizon: 900 } });
    expect(warningsOf(s).warnings).toEqual([
      {
        code: 'HorizonReached',
        field: 'spec.horizon',
        message: 'the horizon (15m) ended the run with upgrade wave(s) w unfinished: raise spec.horizon to see how they end',
      },
    ]);
  });

  it('warns when a wave starts while another is running', () => {
    // wave x drains a at 0 and keeps it out for 600 s; wave y starts at 10 over a and b.
    const s = scenario({ nodes: [node('a'), node('b'), node('c')], vms: [], operations: [upgrade('x', ['a']), upgrade('y', ['a', 'b'], 10)] });
    const w = warningsOf(s).warnings;
    expect(w.map((x) => [x.code, x.nodes])).toEqual([['OverlappingWaves', ['a']]]);
    expect(w[0]!.message).toMatch(/^upgrade wave y starts at 10s while wave x is still running/);
  });
});
