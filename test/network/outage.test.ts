// Outages of the migration network (spec §8, §12, docs/model.md §4): a stall while shorter than
// libvirt's keepalive (interval × (count + 1), 5 s × 6 = 30 s by default), ConnectionLost when
// longer, and a lost VM when that happens in post-copy.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/scenario/types.js';
import { node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { constant, events, Gi, Mi, migrateTo, one, outage, pair, record } from '../precopy/fixtures.js';

// Base guest: B = 100 MiB/s, M = W = 4 GiB, D = 10 MiB/s (λ = 0.1), threshold 30 MiB.
// Without an outage: rounds 4096 (40.96 s), 409.6 (4.096 s), 40.96 (0.4096 s); round 2 dirties
// 4.096 ≤ 30 → stop-and-copy 0.04096 s. T = 40.96·1.111 = 45.50656 s, downtime 0.04096 s.
const base = { nic: 100 * Mi, vm: { memory: 4 * Gi, dirty: constant(10 * Mi, 4 * Gi) } };

describe('13. outages of the migration network (B = 100 MiB/s, M = 4 GiB, D = 10 MiB/s)', () => {
  it('reference without outage: 45.50656 s', () => {
    const { m, dur } = one(pair(base));
    expect(dur).toBeCloseTo(45.50656, 6);
    expect(m.stalledSeconds).toBe(0);
    expect(m.outages).toEqual([]);
  });

  it('13a. 10 s outage at t = 20 (mid round 0): +10 s plus the extra dirty data → 56.61656 s', () => {
    // Round 0: 2000 MiB sent by 20, stall 20–30, the other 2096 MiB from 30 → ends 50.96 (+10 s).
    // The guest kept dirtying during the stall: round 0 dirtied 10·50.96 = 509.6 MiB (+100 MiB).
    // Rounds 509.6 (5.096 s), 50.96 (0.5096 s), dirties 5.096 ≤ 30 → stop-and-copy 0.05096 s.
    // T = 50.96 + 5.096 + 0.5096 + 0.05096 = 56.61656 s; delay = 10 + 100 MiB·(1 + 0.1 + 0.01 +
    // 0.001)/100 MiB/s = 10 + 1.111 = 11.11 s (spec §12: "a 10 s stall about 11 s").
    const { m, dur, r } = one(pair({ ...base, operations: [outage(20, 10)] }));
    expect(m.phase).toBe('Succeeded');
    expect(dur).toBeCloseTo(56.61656, 6);
    expect(dur - 45.50656).toBeCloseTo(11.11, 6);
    expect(m.iterations).toBe(3);
    expect(m.downtimeSeconds).toBeCloseTo(0.05096, 6);
    expect(m.stalledSeconds).toBeCloseTo(10, 6);
    expect(m.outages).toEqual(['outage-1']);
    expect(events(r, 'Stalled').map((e) => e.t)).toEqual([20]);
    expect(events(r, 'Resumed').map((e) => [e.t, e.stalledSeconds])).toEqual([[30, 10]]);
    expect(m.transferredBytes / Mi).toBeCloseTo(4096 + 509.6 + 50.96 + 5.096, 6);
  });

  it('13b. 40 s outage at t = 20: ConnectionLost exactly 30 s after it began; the VM stays on a', () => {
    // keepalive 5 s × (5 + 1) = 30 s < 40 s → fails at 50. Sent: 2000 MiB. stalled 20–50 = 30 s.
    const { m, dur, r } = one(pair({ ...base, operations: [outage(20, 40)] }));
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('ConnectionLost');
    expect(m.message).toBe('Lost connection to destination host');
    expect(dur).toBeCloseTo(50, 6);
    expect(m.vmLost).toBe(false);
    expect(m.stalledSeconds).toBeCloseTo(30, 6);
    expect(m.outages).toEqual(['outage-1']);
    expect(m.downtimeSeconds).toBe(0);
    expect(m.transferredBytes / Mi).toBeCloseTo(2000, 6);
    const x = r.vms.find((v) => v.vmi === 'default/x')!;
    expect(x.finalNode).toBe('a');
    expect(x.lost).toBe(false);
    expect(r.summary.lostVms).toBe(0);
  });

  it('13b\'. a 20 s outage with keepalive 2 s × (4 + 1) = 10 s fails at t = 30', () => {
    const { m, dur } = one(pair({ ...base, keepalive: { interval: 2, count: 4 }, operations: [outage(20, 20)] }));
    expect(m.reason).toBe('ConnectionLost');
    expect(dur).toBeCloseTo(30, 6);
  });

  it('13c. the same 40 s outage with keepalive count 10 (5 s × 11 = 55 s) only stalls: 89.94656 s', () => {
    // Round 0 ends at 40.96 + 40 = 80.96, dirtied 809.6 MiB → 8.096 s, 80.96 → 0.8096 s,
    // dirties 8.096 ≤ 30 → stop-and-copy 0.08096 s. T = 80.96·1.111 = 89.94656 s.
    const { m, dur } = one(pair({ ...base, keepalive: { interval: 5, count: 10 }, operations: [outage(20, 40)] }));
    expect(m.phase).toBe('Succeeded');
    expect(dur).toBeCloseTo(89.94656, 6);
    expect(m.iterations).toBe(3);
    expect(m.stalledSeconds).toBeCloseTo(40, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.08096, 6);
  });

  it('13c\'. an outage lasting exactly the keepalive timeout (30 s) fails the migration at t = 50', () => {
    // Rule (brief, docs/model.md §4 "when no traffic reaches the peer for interval × (count + 1)"):
    // the migration fails when the outage lasts ≥ interval × (count + 1). At t = 50 the outage ends
    // and the keepalive expires at the same instant; ≥ means ConnectionLost at 50.
    // The outage-end event runs before the keepalive timer at t = 50 (it was scheduled first);
    // traffic returning exactly at the deadline is too late, whichever order the events run in.
    const { m, dur } = one(pair({ ...base, operations: [outage(20, 30)] }));
    expect(m.reason).toBe('ConnectionLost');
    expect(dur).toBeCloseTo(50, 6);
  });

  it('outage during stop-and-copy: ConnectionLost, the pause counts as downtime', () => {
    // downtimeLimit 10 s → threshold 1000 MiB: round 0 (40.96 s) dirties 409.6 ≤ 1000 → guest
    // paused at 40.96, stop-and-copy 409.6 MiB would take 4.096 s. Outage at 42 for 60 s →
    // ConnectionLost at 72; the source resumes: downtime = 72 − 40.96 = 31.04 s. The monitor is
    // off in stop-and-copy, so no progress timeout.
    const { m, dur, r } = one(pair({ ...base, downtimeLimit: 10, operations: [outage(42, 60)] }));
    expect(m.reason).toBe('ConnectionLost');
    expect(dur).toBeCloseTo(72, 6);
    expect(m.iterations).toBe(1);
    expect(m.downtimeSeconds).toBeCloseTo(31.04, 6);
    expect(m.vmLost).toBe(false);
    expect(r.vms.find((v) => v.vmi === 'default/x')!.finalNode).toBe('a');
  });
});

// ---------------------------------------------------------------------------------------------
// 13d. Outages during post-copy. Guest of precopy.test §6: B = 100 MiB/s, M = 4 GiB, W = 1 GiB,
//      D = 150 MiB/s, allowPostCopy + allowWorkloadDisruption: post-copy starts at 751.2 s with
//      1208 MiB pending → 12.08 s → would end at 763.28 s. By 751.2 s 75120 MiB were sent.
// ---------------------------------------------------------------------------------------------
describe('13d. outages during post-copy', () => {
  const pc = {
    nic: 100 * Mi,
    vm: { memory: 4 * Gi, dirty: constant(150 * Mi, Gi), restartTime: 60 },
    migrations: { allowPostCopy: true, allowWorkloadDisruption: true },
  };

  it('a 60 s outage at 755 s loses the VM at 785 s (ConnectionLost in post-copy), restarted at 845 s', () => {
    // Stall at 755 (3.8 s of post-copy done, 380 MiB), keepalive 30 s → fails at 785, vmLost.
    // postCopySeconds = 785 − 751.2 = 33.8. The VMI is Failed; the VM controller restarts it after
    // restartTime 60 s → VmiStarted at 845 with 60 s of downtime.
    const { m, dur, r } = one(pair({ ...pc, operations: [outage(755, 60)] }));
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('ConnectionLost');
    expect(m.mode).toBe('PostCopy');
    expect(m.vmLost).toBe(true);
    expect(dur).toBeCloseTo(785, 6);
    expect(m.postCopySeconds).toBeCloseTo(33.8, 6);
    expect(m.stalledSeconds).toBeCloseTo(30, 6);
    expect(m.transferredBytes / Mi).toBeCloseTo(75120 + 380, 6);
    expect(r.summary.lostVms).toBe(1);
    expect(events(r, 'VmiLost').map((e) => e.t)).toEqual([expect.closeTo(785, 6)]);
    const started = events(r, 'VmiStarted');
    expect(started.length).toBe(1);
    expect(started[0]!.t).toBeCloseTo(845, 6);
    expect(started[0]!.downtimeSeconds).toBeCloseTo(60, 6);
    const x = r.vms.find((v) => v.vmi === 'default/x')!;
    expect(x.lost).toBe(true);
    expect(x.finalNode).not.toBeNull();
    expect(x.downtimeSeconds).toBeCloseTo(60, 6);
  });

  it('a 10 s outage at 755 s only delays post-copy: ends at 773.28 s, postCopySeconds 22.08', () => {
    const { m, dur } = one(pair({ ...pc, operations: [outage(755, 10)] }));
    expect(m.phase).toBe('Succeeded');
    expect(m.mode).toBe('PostCopy');
    expect(dur).toBeCloseTo(773.28, 6);
    expect(m.postCopySeconds).toBeCloseTo(22.08, 6);
    expect(m.vmLost).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Outage scopes: only the migrations whose path is cut stall. x: a → b, 2 GiB, D = 0, 100 MiB/s
// → 20.48 s alone; a 10 s outage that cuts it (from t = 5) makes it 30.48 s.
// ---------------------------------------------------------------------------------------------
describe('outage scopes', () => {
  const nics = { pod: 100 * Mi };
  const cases: { name: string; op: Operation; end: number; stalled: number }[] = [
    { name: 'node b (the target) → stalls', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'node', node: 'b' }, networkName: null }, end: 30.48, stalled: 10 },
    { name: 'node c (uninvolved) → unaffected', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'node', node: 'c' }, networkName: null }, end: 20.48, stalled: 0 },
    { name: 'path b↔a (either direction) → stalls', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'path', from: 'b', to: 'a' }, networkName: null }, end: 30.48, stalled: 10 },
    { name: 'path a↔c → unaffected', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'path', from: 'a', to: 'c' }, networkName: null }, end: 20.48, stalled: 0 },
    { name: 'another network → unaffected', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'network' }, networkName: 'storage' }, end: 20.48, stalled: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run(
        scenario({
          nodes: [node('a', { nics }), node('b', { nics }), node('c', { nics })],
          vms: [vm('x', 'a', { memory: 2 * Gi })],
          operations: [migrateTo('default/x', 'b'), c.op],
        }),
      );
      const m = record(r, 'default/x');
      expect(m.phase).toBe('Succeeded');
      expect(m.endedAt).toBeCloseTo(c.end, 6);
      expect(m.stalledSeconds).toBeCloseTo(c.stalled, 6);
      expect(m.outages).toEqual(c.stalled > 0 ? ['outage-1'] : []);
    });
  }

  it('rack outage: a migration leaving the rack stalls, one inside it does not', () => {
    // a1, a2 in r1; b outside. x a1 → a2 (inside r1), y a2 → b (crosses r1's uplink).
    // Outage of rack r1 from 5 for 10 s: y stalls (30.48 s), x does not (20.48 s).
    const r = run(
      scenario({
        nodes: [node('a1', { nics, rack: 'r1' }), node('a2', { nics, rack: 'r1' }), node('b', { nics })],
        vms: [vm('x', 'a1', { memory: 2 * Gi }), vm('y', 'a2', { memory: 2 * Gi })],
        operations: [
          migrateTo('default/x', 'a2'),
          migrateTo('default/y', 'b'),
          { kind: 'outage', at: 5, duration: 10, scope: { kind: 'rack', rack: 'r1' }, networkName: null },
        ],
        over: { racks: [{ name: 'r1', uplink: 1e12 }] },
      }),
    );
    expect(record(r, 'default/x').endedAt).toBeCloseTo(20.48, 6);
    expect(record(r, 'default/y').endedAt).toBeCloseTo(30.48, 6);
  });
});
