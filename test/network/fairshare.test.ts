// Max-min fair sharing: unit rows for the water-filling allocator, then whole simulations where
// migrations share a NIC, a rack uplink, or a NIC with background traffic.
import { describe, expect, it } from 'vitest';
import { maxMinFair, type ShareFlow } from '../../src/network/fairshare.js';
import { node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { constant, events, Gi, K, Mi, migrateTo, one, pair, record } from '../precopy/fixtures.js';

const INF = Infinity;
const f = (links: number[], cap = INF): ShareFlow => ({ links, cap });

// ---------------------------------------------------------------------------------------------
// 12. maxMinFair(flows, capacities) rows: every unfrozen flow rises at one level until a link it
//     crosses is full or it reaches its cap.
// ---------------------------------------------------------------------------------------------
const shareRows: { name: string; flows: ShareFlow[]; capacity: number[]; expect: number[] }[] = [
  // level rises to 50: flow 0 hits its cap (50 used, 250 left for 2 flows) → 125 each
  { name: '3 flows on one 300 link, caps 50/∞/∞', flows: [f([0], 50), f([0]), f([0])], capacity: [300], expect: [50, 125, 125] },
  { name: '2 equal flows on one 100 link', flows: [f([0]), f([0])], capacity: [100], expect: [50, 50] },
  // caps above the fair share do not bind: 300/2 = 150 < 200
  { name: 'caps above the fair share', flows: [f([0], 200), f([0], 200)], capacity: [300], expect: [150, 150] },
  // every flow capped below its share: the link is not full
  { name: 'all flows capped below the share', flows: [f([0], 10), f([0], 20)], capacity: [300], expect: [10, 20] },
  // link 0 (100) is the bottleneck for A and B → 50 each; C alone on link 1 gets 300 − 50 = 250
  { name: 'two links: A on L0, B on L0+L1, C on L1 (100, 300)', flows: [f([0]), f([0, 1]), f([1])], capacity: [100, 300], expect: [50, 50, 250] },
  // the classic 2-link line: the long flow and each short flow meet one 10 link each → 5/5/5
  { name: 'line network: long flow L0+L1, short flows on L0 and L1 (10, 10)', flows: [f([0, 1]), f([0]), f([1])], capacity: [10, 10], expect: [5, 5, 5] },
  // a tx and an rx side: two migrations from one source NIC (100) to two targets (100 each)
  { name: 'two migrations a→b, a→c: tx(a) shared', flows: [f([0, 1]), f([0, 2])], capacity: [100, 100, 100], expect: [50, 50] },
  // one source (tx 100) to a slow target (rx 30): that flow freezes at 30, the other gets 70
  { name: 'slow receiver frees capacity for the other flow', flows: [f([0, 1]), f([0, 2])], capacity: [100, 30, 100], expect: [30, 70] },
  // zero-capacity link: its flows get 0 at once; flow B on the other link gets all of it
  { name: 'zero capacity link', flows: [f([0]), f([1]), f([0, 1])], capacity: [0, 100], expect: [0, 100, 0] },
  // a blocked flow (cap 0, an outage) takes nothing
  { name: 'cap 0 (blocked) flow', flows: [f([0], 0), f([0])], capacity: [100], expect: [0, 100] },
  // a flow with no links but a finite cap gets its cap
  { name: 'no link, finite cap', flows: [f([], 42)], capacity: [], expect: [42] },
  { name: 'no flows', flows: [], capacity: [100], expect: [] },
];

describe('12. maxMinFair', () => {
  for (const row of shareRows) {
    it(row.name, () => {
      const got = maxMinFair(row.flows, row.capacity);
      expect(got.length).toBe(row.expect.length);
      got.forEach((r, i) => expect(r).toBeCloseTo(row.expect[i]!, 9));
    });
  }

  it('a flow limited by neither a link nor a cap is an error', () => {
    expect(() => maxMinFair([f([])], [])).toThrow(/neither by a link nor by a cap/);
  });

  it('no link is over-allocated and every flow is bottlenecked (random-ish mesh)', () => {
    const capacity = [100, 40, 70, 10];
    const flows = [f([0, 1]), f([0, 2]), f([1, 2, 3]), f([2], 15), f([0]), f([3])];
    const rate = maxMinFair(flows, capacity);
    const used = capacity.map((_, l) => flows.reduce((a, fl, i) => a + (fl.links.includes(l) ? rate[i]! : 0), 0));
    used.forEach((u, l) => expect(u).toBeLessThanOrEqual(capacity[l]! + 1e-9));
    // max-min: each flow is at its cap or crosses a full link on which it has the largest rate
    flows.forEach((fl, i) => {
      const atCap = rate[i]! >= fl.cap - 1e-9;
      const bottleneck = fl.links.some(
        (l) => used[l]! >= capacity[l]! - 1e-9 && flows.every((g, j) => !g.links.includes(l) || rate[j]! <= rate[i]! + 1e-9),
      );
      expect(atCap || bottleneck).toBe(true);
    });
    // hand-derived water-filling: level 5 fills L3 (flows 2, 5 → 5); level 15 hits flow 3's cap;
    // then L0 (100 − 15 used by 0, 1, 4 at 5 each... = 55 left for 3 flows) fills first at level
    // 15 + 55/3 = 33.33 (L1: 33.33 + 5 = 38.33 ≤ 40; L2: 33.33 + 5 + 15 = 53.33 ≤ 70).
    [100 / 3, 100 / 3, 5, 15, 100 / 3, 5].forEach((v, i) => expect(rate[i]).toBeCloseTo(v, 9));
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Two migrations sharing one NIC. Nodes a, b, c at 100 MiB/s; VMs x and y (2 GiB each, D =
//    5 MiB/s, W = M) on a, x → b and y → c, both at t = 0. tx(a) is shared → 50 MiB/s each
//    (λ = 0.1, threshold 50·0.3 = 15 MiB). A pass over G guest MiB sends k·G (k = 513/512, QEMU's
//    8-byte page header) in k·G/50 s, so G_i = 2048·q^i with q = 0.1·k: passes 2048 (41.04 s),
//    205.2 (4.112 s), 20.56 MiB (0.412 s); round 2 dirties G_3 = 2.06 ≤ 15 → stop-and-copy at the
//    shared 50 MiB/s. Both end at (k·2048/50)·(1 + q + q² + q³) = 45.6053 s, iterations 3.
// ---------------------------------------------------------------------------------------------
const nics = { pod: 100 * Mi };
const three = () => [node('a', { nics }), node('b', { nics }), node('c', { nics })];

describe('8./9. migrations sharing a NIC', () => {
  it('8. two same-size migrations out of node a finish together at half the bandwidth', () => {
    const s = scenario({
      nodes: three(),
      vms: [vm('x', 'a', { memory: 2 * Gi, dirty: constant(5 * Mi, 2 * Gi) }), vm('y', 'a', { memory: 2 * Gi, dirty: constant(5 * Mi, 2 * Gi) })],
      operations: [migrateTo('default/x', 'b'), migrateTo('default/y', 'c')],
    });
    const r = run(s);
    for (const [key, target] of [['default/x', 'b'], ['default/y', 'c']] as const) {
      const m = record(r, key);
      expect(m.targetNode).toBe(target);
      expect(m.phase).toBe('Succeeded');
      expect(m.startedAt).toBe(0);
      const q = 0.1 * K;
      expect(m.endedAt).toBeCloseTo(((K * 2048) / 50) * (1 + q + q ** 2 + q ** 3), 6);
      expect(m.iterations).toBe(3);
      expect(m.downtimeSeconds).toBeCloseTo((K * 2048 * q ** 3) / 50, 6);
      expect(events(r, 'Iteration', m.name).map((e) => e.rate)).toEqual([50 * Mi, 50 * Mi, 50 * Mi]);
    }
    // the same migration alone runs at 100 MiB/s: λ = 0.05, q = 0.05·k, threshold 30 MiB → passes
    // 2048 (20.52 s), 102.6 (1.028 s), which dirties 5.14 ≤ 30 → stop-and-copy →
    // (k·2048/100)·(1 + q + q²) = 21.5532 s, one round fewer than when sharing (the threshold
    // halves with the rate).
    const alone = one(pair({ nic: 100 * Mi, vm: { memory: 2 * Gi, dirty: constant(5 * Mi, 2 * Gi) } }));
    expect(alone.m.iterations).toBe(2);
    const qa = 0.05 * K;
    expect(alone.dur).toBeCloseTo(((K * 2048) / 100) * (1 + qa + qa ** 2), 6);
  });

  // -------------------------------------------------------------------------------------------
  // 9. A rate change mid-round. A (x: 4 GiB, a → b) alone at 100 MiB/s; B (y: 4 GiB, D = 0,
  //    a → c) starts at t0 = 10 s on the same tx(a) → both 50 MiB/s.
  //    A 4 GiB pass is 4104 MiB on the wire (8-byte page headers).
  //    D_A = 0: A has sent 1000 MiB by 10 s; its remaining 3104 MiB carry over at 50 → 62.08 s
  //    → A ends at 72.08. B has sent 62.08·50 = 3104 MiB, its last 1000 go at 100 → B ends 82.08.
  //    (Check: 8208 MiB over one 100 MiB/s NIC, never idle → 82.08 s.)
  // -------------------------------------------------------------------------------------------
  const startingLater = (dirtyA: number) =>
    scenario({
      nodes: three(),
      vms: [vm('x', 'a', { memory: 4 * Gi, dirty: constant(dirtyA, 4 * Gi) }), vm('y', 'a', { memory: 4 * Gi, dirty: constant(0, 4 * Gi) })],
      operations: [migrateTo('default/x', 'b'), migrateTo('default/y', 'c', 10)],
    });

  it('9a. A idle: A ends at 72.08 s, B (started at 10 s) at 82.08 s', () => {
    const r = run(startingLater(0));
    const a = record(r, 'default/x');
    const b = record(r, 'default/y');
    expect(b.startedAt).toBe(10);
    expect(a.iterations).toBe(1);
    expect(a.endedAt).toBeCloseTo(72.08, 6);
    expect(b.endedAt).toBeCloseTo(82.08, 6);
    // A's round 0 spans the rate change: one Iteration of 4104 MiB lasting 72.08 s, ending at 50 MiB/s
    const it0 = events(r, 'Iteration', a.name)[0]!;
    expect(it0.bytes / Mi).toBe(4104);
    expect(it0.duration).toBeCloseTo(72.08, 6);
    expect(it0.rate).toBe(50 * Mi);
  });

  it('9b. A dirtying 10 MiB/s: A ends at 90.1149 s, B later at 91.0974 s', () => {
    // A round 0 ends at 72.08 as above; dirtied 10·72.08 = 720.8 MiB > 50·0.3 = 15 (B still runs,
    // it has 1000 MiB left at 50 MiB/s → would end at 92.08). A's passes at 50 MiB/s cover
    // G_i = 720.8·q^(i−1) guest MiB, q = 0.2·k, and last k·G_i/50 s:
    //   720.8 (14.444 s), 144.44 (2.8946 s), 28.945 (0.58006 s), dirtying G_4 = 5.80 ≤ 15 →
    //   stop-and-copy at 50 (tx(a) still shared) → A ends at 72.08 + k·720.8·(1 + q + q² + q³)/50
    //   = 90.1149 s.
    // The NIC is never idle: B ends when it has carried both 4104 MiB round 0s and A's later
    // passes, (8208 + 50·(A_end − 72.08))/100 = 91.0974 s.
    const r = run(startingLater(10 * Mi));
    const a = record(r, 'default/x');
    const b = record(r, 'default/y');
    expect(a.phase).toBe('Succeeded');
    expect(a.iterations).toBe(4);
    const q = 0.2 * K;
    const aEnd = 72.08 + (K * 720.8 * (1 + q + q ** 2 + q ** 3)) / 50;
    expect(a.endedAt).toBeCloseTo(aEnd, 6);
    expect(a.downtimeSeconds).toBeCloseTo((K * 720.8 * q ** 3) / 50, 6);
    expect(b.endedAt).toBeCloseTo((8208 + 50 * (aEnd - 72.08)) / 100, 6);
    expect(b.endedAt).toBeCloseTo(91.0974, 4);
    expect(b.endedAt!).toBeGreaterThan(a.endedAt!);
  });
});

// ---------------------------------------------------------------------------------------------
// 13e. A rack uplink. a1, a2 in rack r1 (uplink 100 MiB/s per direction), b1, b2 outside any
//      rack; NICs 100 MiB/s. x (2 GiB, D = 0) a1 → b1 and y (2 GiB) a2 → b2 at t = 0: the NICs
//      are separate but both cross rack/r1/up → 50 MiB/s each → both end at 2052/50 = 41.04 s
//      (2 GiB of pages with 8-byte headers = 2052 MiB on the wire). Without the rack each would
//      take 20.52 s.
// ---------------------------------------------------------------------------------------------
describe('13e/f. rack uplink and background load', () => {
  const rackScenario = (rack: string | null) =>
    scenario({
      nodes: [node('a1', { nics, rack }), node('a2', { nics, rack }), node('b1', { nics }), node('b2', { nics })],
      vms: [vm('x', 'a1', { memory: 2 * Gi }), vm('y', 'a2', { memory: 2 * Gi })],
      operations: [migrateTo('default/x', 'b1'), migrateTo('default/y', 'b2')],
      over: { racks: [{ name: 'r1', uplink: 100 * Mi }] },
    });

  it('two migrations leaving rack r1 share its 100 MiB/s uplink: both end at 41.04 s', () => {
    const r = run(rackScenario('r1'));
    for (const key of ['default/x', 'default/y']) {
      const m = record(r, key);
      expect(m.phase).toBe('Succeeded');
      expect(m.endedAt).toBeCloseTo(41.04, 6);
      expect(events(r, 'Iteration', m.name)[0]!.rate).toBe(50 * Mi);
    }
  });

  it('control: the same pair without racks ends at 20.52 s', () => {
    const r = run(rackScenario(null));
    for (const key of ['default/x', 'default/y']) expect(record(r, key).endedAt).toBeCloseTo(20.52, 6);
  });

  it('migration inside the rack does not cross the uplink: a1 → a2 at full NIC speed alongside y', () => {
    // x a1 → a2 (same rack: tx(a1), rx(a2) only), y a2 → b2 (tx(a2), rack/r1/up). No shared link:
    // both at 100 MiB/s → 2052/100 = 20.52 s each.
    const r = run(
      scenario({
        nodes: [node('a1', { nics, rack: 'r1' }), node('a2', { nics, rack: 'r1' }), node('b2', { nics })],
        vms: [vm('x', 'a1', { memory: 2 * Gi }), vm('y', 'a2', { memory: 2 * Gi })],
        operations: [migrateTo('default/x', 'a2'), migrateTo('default/y', 'b2')],
        over: { racks: [{ name: 'r1', uplink: 100 * Mi }] },
      }),
    );
    expect(record(r, 'default/x').endedAt).toBeCloseTo(20.52, 6);
    expect(record(r, 'default/y').endedAt).toBeCloseTo(20.52, 6);
  });

  // 13f. Background load 0.5 on both nodes from t = 0: the pod NICs offer 50 MiB/s → 2052 MiB in 41.04 s.
  it('background load 0.5 on both nodes halves the bandwidth: 2 GiB in 41.04 s', () => {
    const { m, dur, r } = one(pair({ nic: 100 * Mi, vm: { memory: 2 * Gi }, nodeOver: { backgroundLoad: [{ at: 0, fraction: 0.5 }] } }));
    expect(m.phase).toBe('Succeeded');
    expect(dur).toBeCloseTo(41.04, 6);
    expect(events(r, 'Iteration')[0]!.rate).toBe(50 * Mi);
  });

  it('background load 0.5 from t = 10 s: 1000 MiB at 100, then 1052 MiB at 50 → 31.04 s', () => {
    // 2052 MiB on the wire: 0–10 s at 100 MiB/s = 1000 MiB; the remaining 1052 MiB at 50 MiB/s = 21.04 s.
    const { dur } = one(pair({ nic: 100 * Mi, vm: { memory: 2 * Gi }, nodeOver: { backgroundLoad: [{ at: 10, fraction: 0.5 }] } }));
    expect(dur).toBeCloseTo(31.04, 6);
  });

  it('background load only on the target node also halves the bandwidth (rx side)', () => {
    const s = scenario({
      nodes: [node('a', { nics }), node('b', { nics, backgroundLoad: [{ at: 0, fraction: 0.5 }] })],
      vms: [vm('x', 'a', { memory: 2 * Gi })],
      operations: [migrateTo('default/x', 'b')],
    });
    expect(one(s).dur).toBeCloseTo(41.04, 6);
  });
});
