// Outages of the migration network (spec §8, §12, docs/model.md §4): a stall while shorter than
// libvirt's keepalive (interval × (count + 1), 5 s × 6 = 30 s by default), ConnectionLost when
// longer, and a lost VM when that happens in post-copy.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/scenario/types.js';
import { node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { constant, events, expectBytes, Gi, K, Mi, migrateTo, one, outage, pair, record } from '../precopy/fixtures.js';

// Base guest: B = 100 MiB/s, M = W = 4 GiB, D = 10 MiB/s (λ = 0.1), threshold 30 MiB.
// A pass over G guest MiB sends k·G MiB (k = 513/512: QEMU's 8-byte page header) in k·G/100 s
// and dirties 10·k·G/100 = q·G, q = 0.1·k. Without an outage: passes 4096 (41.04 s), 410.4
// (4.112 s), 41.12 (0.412 s); round 2 dirties 4.12 ≤ 30 → stop-and-copy.
// T = (k·4096/100)·(1 + q + q² + q³) = 45.6053 s, downtime k·4096·q³/100.
const base = { nic: 100 * Mi, vm: { memory: 4 * Gi, dirty: constant(10 * Mi, 4 * Gi) } };
const q = 0.1 * K;
const reference = ((K * 4096) / 100) * (1 + q + q ** 2 + q ** 3);
/** end of a migration whose round 0 ends at `t0` having dirtied 10·t0 MiB, then passes as above */
const after = (t0: number) => t0 + (K * 10 * t0 * (1 + q + q ** 2)) / 100;

describe('13. outages of the migration network (B = 100 MiB/s, M = 4 GiB, D = 10 MiB/s)', () => {
  it('reference without outage: 45.6053 s', () => {
    const { m, dur } = one(pair(base));
    expect(dur).toBeCloseTo(reference, 6);
    expect(dur).toBeCloseTo(after(41.04), 6);
    expect(dur).toBeCloseTo(45.6053, 4);
    expect(m.stalledSeconds).toBe(0);
    expect(m.outages).toEqual([]);
  });

  it('13a. 10 s outage at t = 20 (mid round 0): +10 s plus the extra dirty data → 56.7177 s', () => {
    // Round 0: 2000 MiB sent by 20, stall 20–30, the other 2104 MiB from 30 → ends 51.04 (+10 s).
    // The guest kept dirtying during the stall: round 0 dirtied 10·51.04 = 510.4 MiB (+100 MiB).
    // Passes 510.4, 510.4·q; round 2 dirties 510.4·q² = 5.12 ≤ 30 → stop-and-copy.
    // T = 51.04 + k·510.4·(1 + q + q²)/100 = 56.7177 s; delay = 10 + k·100·(1 + q + q²)/100
    // = 11.113 s (real QEMU: a 10 s stall added about 11 s).
    const { m, dur, r } = one(pair({ ...base, operations: [outage(20, 10)] }));
    expect(m.phase).toBe('Succeeded');
    expect(dur).toBeCloseTo(after(51.04), 6);
    expect(dur - reference).toBeCloseTo(10 + K * (1 + q + q ** 2), 6);
    expect(m.iterations).toBe(3);
    expect(m.downtimeSeconds).toBeCloseTo((K * 510.4 * q ** 2) / 100, 6);
    expect(m.stalledSeconds).toBeCloseTo(10, 6);
    expect(m.outages).toEqual(['outage-1']);
    expect(events(r, 'Stalled').map((e) => e.t)).toEqual([20]);
    expect(events(r, 'Resumed').map((e) => [e.t, e.stalledSeconds])).toEqual([[30, 10]]);
    expectBytes(m.transferredBytes, (4104 + K * 510.4 * (1 + q + q ** 2)) * Mi);
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
    expectBytes(m.transferredBytes, 2000 * Mi);
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

  it('13c. the same 40 s outage with keepalive count 10 (5 s × 11 = 55 s) only stalls: 90.0549 s', () => {
    // Round 0 ends at 41.04 + 40 = 81.04, dirtied 810.4 MiB → passes 810.4, 810.4·q; round 2
    // dirties 810.4·q² = 8.14 ≤ 30 → stop-and-copy. T = 81.04 + k·810.4·(1 + q + q²)/100 = 90.0549 s.
    const { m, dur } = one(pair({ ...base, keepalive: { interval: 5, count: 10 }, operations: [outage(20, 40)] }));
    expect(m.phase).toBe('Succeeded');
    expect(dur).toBeCloseTo(after(81.04), 6);
    expect(dur).toBeCloseTo(90.0549, 4);
    expect(m.iterations).toBe(3);
    expect(m.stalledSeconds).toBeCloseTo(40, 6);
    expect(m.downtimeSeconds).toBeCloseTo((K * 810.4 * q ** 2) / 100, 6);
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
    // downtimeLimit 10 s → threshold 1000 MiB: round 0 (41.04 s) dirties 410.4 ≤ 1000 → guest
    // paused at 41.04, stop-and-copy of k·410.4 MiB would take 4.112 s. Outage at 42 for 60 s →
    // ConnectionLost at 72; the source resumes: downtime = 72 − 41.04 = 30.96 s. The monitor is
    // off in stop-and-copy, so no progress timeout.
    const { m, dur, r } = one(pair({ ...base, downtimeLimit: 10, operations: [outage(42, 60)] }));
    expect(m.reason).toBe('ConnectionLost');
    expect(dur).toBeCloseTo(72, 6);
    expect(m.iterations).toBe(1);
    expect(m.downtimeSeconds).toBeCloseTo(30.96, 6);
    expect(m.vmLost).toBe(false);
    expect(r.vms.find((v) => v.vmi === 'default/x')!.finalNode).toBe('a');
  });
});

// ---------------------------------------------------------------------------------------------
// 13d. Outages during post-copy. Guest of precopy.test.ts 6.: B = 100 MiB/s, M = 4 GiB, W = 1 GiB,
//      D = 150 MiB/s, allowPostCopy + allowWorkloadDisruption: post-copy starts at 751.2 s with
//      1137.650390625 MiB pending (wire) → 11.37650390625 s → would end at 762.57650390625 s.
//      By 751.2 s 75120 MiB were sent.
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
    expectBytes(m.transferredBytes, (75120 + 380) * Mi);
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

  it('a 10 s outage at 755 s only delays post-copy by 10 s: ends at 772.57650390625 s', () => {
    const { m, dur } = one(pair({ ...pc, operations: [outage(755, 10)] }));
    expect(m.phase).toBe('Succeeded');
    expect(m.mode).toBe('PostCopy');
    expect(dur).toBeCloseTo(772.57650390625, 6);
    expect(m.postCopySeconds).toBeCloseTo(21.37650390625, 6);
    expect(m.vmLost).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Outage scopes: only the migrations whose path is cut stall. x: a → b, 2 GiB, D = 0, 100 MiB/s
// → 2052 MiB on the wire in 20.52 s alone; a 10 s outage that cuts it (from t = 5) makes it 30.52 s.
// ---------------------------------------------------------------------------------------------
describe('outage scopes', () => {
  const nics = { pod: 100 * Mi };
  const cases: { name: string; op: Operation; end: number; stalled: number }[] = [
    { name: 'node b (the target) → stalls', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'node', node: 'b' }, networkName: null }, end: 30.52, stalled: 10 },
    { name: 'node c (uninvolved) → unaffected', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'node', node: 'c' }, networkName: null }, end: 20.52, stalled: 0 },
    { name: 'path b↔a (either direction) → stalls', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'path', from: 'b', to: 'a' }, networkName: null }, end: 30.52, stalled: 10 },
    { name: 'path a↔c → unaffected', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'path', from: 'a', to: 'c' }, networkName: null }, end: 20.52, stalled: 0 },
    { name: 'another network → unaffected', op: { kind: 'outage', at: 5, duration: 10, scope: { kind: 'network' }, networkName: 'storage' }, end: 20.52, stalled: 0 },
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
    // Outage of rack r1 from 5 for 10 s: y stalls (30.52 s), x does not (20.52 s).
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
    expect(record(r, 'default/x').endedAt).toBeCloseTo(20.52, 6);
    expect(record(r, 'default/y').endedAt).toBeCloseTo(30.52, 6);
  });
});
