// Table-driven checks of the pre-copy fluid model against hand-derived closed forms.
// Every scenario is normalised (control-plane latencies 0, switchoverCost 0 unless a row says
// otherwise), so the migration starts at t = 0 and the monitor's poll grid is 0, 0.4, 0.8, …
// Units: Mi = 2^20 bytes, Gi = 2^30 bytes; B = bytes/s on the NIC, D = dirty rate, W = working set,
// d = downtime limit (0.3 s), threshold = B·d.
import { describe, expect, it } from 'vitest';
import { node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { constant, events, Gi, Mi, migrateTo, one, pair, record, TEN_GBIT } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// 1. models-and-users.md §1.1: M = 8 GiB, B = 10 Gb/s = 1.25e9 B/s, d = 0.3 s → threshold 3.75e8 B.
//    V_i = M·λ^i, T_i = (M/B)·λ^i. The model stops at the end of round k when the bytes dirtied
//    during it, V_{k+1} = M·λ^{k+1}, are ≤ B·d; those go in the stop-and-copy pass.
//    The table's n is the index of that last (stop-and-copy) round, so the pre-copy passes are
//    rounds 0..n−1 and `iterations` (round 0 counts 1) = n: no off-by-one in this model's counting.
//    (QEMU's own dirty-sync-count would be larger: it also counts the setup and final syncs, §12.)
//    T_mig = (M/B)·(1−λ^{n+1})/(1−λ), V_mig = M·(1−λ^{n+1})/(1−λ), T_down = (M/B)·λ^n.
//    n = first i with M·λ^i ≤ 3.75e8, i.e. λ^i ≤ 0.0436557:
//      λ=0.1 : 0.1^2 = 0.01                         → n = 2  (V_1 = 8.59e8 > 3.75e8)
//      λ=0.5 : ln(0.04366)/ln(0.5)  = 4.52          → n = 5
//      λ=0.8 : ln(0.04366)/ln(0.8)  = 14.03         → n = 15 (V_14 = 3.778e8, just above)
//      λ=0.95: ln(0.04366)/ln(0.95) = 61.05         → n = 62 (V_61 = 3.759e8, just above)
//    Exact values (M/B = 6.8719476736 s):
//      λ=0.1 : T_mig = 6.8719476736·1.11      = 7.627861917696 s, V = 8.88 GiB,   T_down = 0.068719476736 s
//      λ=0.5 : T_mig = 6.8719476736·1.96875   = 13.5291469824 s,  V = 15.75 GiB,  T_down = 0.2147483648 s
//      λ=0.8 : T_mig = 6.8719476736·4.85926   = 33.39259771 s,    V = 38.8741 GiB, T_down = 0.24178516 s
//      λ=0.95: T_mig = 6.8719476736·19.21002  = 132.01023934 s,   V = 153.6801 GiB, T_down = 0.28572180 s
//    All agree with the §1.1 table within its rounding (7.63, 13.53, 33.39, 132.0; 8.88, 15.75,
//    38.87, 153.7; 0.069, 0.215, 0.242, 0.286).
// ---------------------------------------------------------------------------------------------
const M8 = 8 * Gi;
const geometric = [
  { lambda: 0.1, table: { n: 2, tMig: [7.63, 2], vMigGiB: [8.88, 2], tDown: [0.069, 3] } },
  { lambda: 0.5, table: { n: 5, tMig: [13.53, 2], vMigGiB: [15.75, 2], tDown: [0.215, 3] } },
  { lambda: 0.8, table: { n: 15, tMig: [33.39, 2], vMigGiB: [38.87, 2], tDown: [0.242, 3] } },
  { lambda: 0.95, table: { n: 62, tMig: [132.0, 1], vMigGiB: [153.7, 1], tDown: [0.286, 3] } },
] as const;

describe('1. geometric series (models-and-users §1.1, M = 8 GiB, B = 10 Gb/s, d = 0.3 s)', () => {
  for (const row of geometric) {
    it(`λ = ${row.lambda}: n = ${row.table.n}`, () => {
      const B = TEN_GBIT;
      const l = row.lambda;
      const n = row.table.n;
      const { m, dur } = one(pair({ nic: B, vm: { memory: M8, dirty: constant(l * B, M8) } }));
      // closed forms (see the derivation above)
      const series = (1 - l ** (n + 1)) / (1 - l);
      const tMig = (M8 / B) * series;
      const vMig = M8 * series;
      const tDown = (M8 / B) * l ** n;
      expect(m.phase).toBe('Succeeded');
      expect(m.startedAt).toBe(0);
      expect(m.iterations).toBe(n);
      expect(dur).toBeCloseTo(tMig, 6);
      expect(m.transferredBytes / Gi).toBeCloseTo(vMig / Gi, 6);
      expect(m.downtimeSeconds).toBeCloseTo(tDown, 6);
      // …and the published table, to its printed precision
      expect(dur).toBeCloseTo(row.table.tMig[0], row.table.tMig[1]);
      expect(m.transferredBytes / Gi).toBeCloseTo(row.table.vMigGiB[0], row.table.vMigGiB[1]);
      expect(m.downtimeSeconds).toBeCloseTo(row.table.tDown[0], row.table.tDown[1]);
    });
  }

  it('the Iteration events are the geometric rounds V_i = M·λ^i (λ = 0.5)', () => {
    const B = TEN_GBIT;
    const { r } = one(pair({ nic: B, vm: { memory: M8, dirty: constant(0.5 * B, M8) } }));
    const it5 = events(r, 'Iteration');
    expect(it5.map((e) => e.iteration)).toEqual([1, 2, 3, 4, 5]);
    it5.forEach((e, i) => {
      expect(e.bytes / M8).toBeCloseTo(0.5 ** i, 9);
      expect(e.duration).toBeCloseTo((M8 / B) * 0.5 ** i, 9);
      expect(e.dirtied / M8).toBeCloseTo(0.5 ** (i + 1), 9);
    });
    // V_5 = 8 GiB/32 = 256 MiB ≤ 3.75e8 → StopAndCopy of 256 MiB
    const sc = events(r, 'StopAndCopy');
    expect(sc.length).toBe(1);
    expect(sc[0]!.bytes / Mi).toBeCloseTo(256, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Limits: λ → 0 and working-set saturation.
// ---------------------------------------------------------------------------------------------
describe('2. λ → 0 and working-set saturation (B = 1.25e9 B/s, d = 0.3 s → B·d = 3.75e8 B)', () => {
  it('idle guest (D = 0): 1 round, T = M/B, V = M, downtime 0', () => {
    // Round 0 sends 8 GiB in 8·2^30/1.25e9 = 6.8719476736 s; it dirtied 0 ≤ 3.75e8 → stop-and-copy of 0 B.
    const { m, dur, r } = one(pair({ nic: TEN_GBIT, vm: { memory: M8, dirty: constant(0, M8) } }));
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(1);
    expect(dur).toBeCloseTo(6.8719476736, 6);
    expect(m.transferredBytes).toBe(M8);
    expect(m.downtimeSeconds).toBe(0);
    expect(events(r, 'StopAndCopy').map((e) => e.bytes)).toEqual([0]);
  });

  it('usedMemory (non-zero pages) is what round 0 sends: 8 GiB guest, 1 GiB used → 0.8589934592 s', () => {
    // V_0 = usedMemory = 2^30 B; 2^30/1.25e9 = 0.8589934592 s.
    const { m, dur } = one(pair({ nic: TEN_GBIT, vm: { memory: M8, usedMemory: Gi, dirty: constant(0, Gi) } }));
    expect(m.iterations).toBe(1);
    expect(dur).toBeCloseTo(0.8589934592, 6);
    expect(m.transferredBytes).toBe(Gi);
  });

  // λ = D/B = 1.5 (D = 1.875e9 B/s). The window dirtied in any round of ≥ 0.2 s is min(D·T, W) = W,
  // so from round 1 on every round is V = W with T = W/B, and the test "W ≤ B·d" decides all.
  const sat = [
    {
      // W = 3.7e8 ≤ 3.75e8: round 0 (4 GiB, 3.4359738368 s) dirties min(6.44e9, W) = 3.7e8 ≤ 3.75e8
      // → stop-and-copy of 3.7e8 B at 1.25e9 → 0.296 s. T = 3.4359738368 + 0.296 = 3.7319738368 s.
      name: 'W = 0.37e9 just below B·d: converges after round 0',
      W: 3.7e8,
      expect: { phase: 'Succeeded', iterations: 1, dur: 3.7319738368, downtime: 0.296, reason: null },
    },
    {
      // W = 3.8e8 > 3.75e8: every round dirties W again → never converges. 4Gi → acceptable
      // 150·ceil(4.295) = 750 s; fires at the first poll with floor(t) > 750: ceil(751/0.4)·0.4 = 751.2 s.
      // Rounds completed by then: round 0 (3.4359738368 s) + floor((751.2 − 3.4359738368)/0.304)
      // = floor(2459.75) = 2459 more → iterations 2460. The link is never idle: bytes = 1.25e9·751.2 = 9.39e11.
      name: 'W = 0.38e9 just above B·d: never converges → CompletionTimeout at 751.2 s',
      W: 3.8e8,
      expect: { phase: 'Failed', iterations: 2460, dur: 751.2, downtime: 0, reason: 'CompletionTimeout', bytes: 9.39e11 },
    },
  ] as const;
  for (const row of sat) {
    it(row.name, () => {
      const { m, dur } = one(pair({ nic: TEN_GBIT, vm: { memory: 4 * Gi, dirty: constant(1.5 * TEN_GBIT, row.W) } }));
      expect(m.phase).toBe(row.expect.phase);
      expect(m.reason).toBe(row.expect.reason);
      expect(m.iterations).toBe(row.expect.iterations);
      expect(dur).toBeCloseTo(row.expect.dur, 6);
      expect(m.downtimeSeconds).toBeCloseTo(row.expect.downtime, 6);
      if ('bytes' in row.expect) expect(m.transferredBytes / 1e9).toBeCloseTo(row.expect.bytes / 1e9, 6);
      expect(m.mode).toBe('PreCopy');
    });
  }

  it('raising the downtime limit to 1 s makes the W = 0.38e9 guest converge (spec §12)', () => {
    // threshold = 1.25e9·1 = 1.25e9 ≥ W → stop after round 0; downtime = 3.8e8/1.25e9 = 0.304 s.
    const { m, dur } = one(
      pair({ nic: TEN_GBIT, downtimeLimit: 1, vm: { memory: 4 * Gi, dirty: constant(1.5 * TEN_GBIT, 3.8e8) } }),
    );
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(1);
    expect(dur).toBeCloseTo(3.4359738368 + 0.304, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.304, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Auto-converge. B = 100 MiB/s, M = W = 4 GiB (4096 MiB), D = 150 MiB/s (λ = 1.5), d = 0.3 s
//    → threshold 30 MiB. Without auto-converge every round is 4096 MiB / 40.96 s and dirties
//    min(150·40.96, 4096) = 4096 MiB again: CompletionTimeout at 751.2 s, after floor(751.2/40.96)
//    = 18 rounds (18·40.96 = 737.28).
//    With auto-converge (throttleSensitivity 1), as QEMU 9.2 does it: a bitmap sync at every round
//    end, plus a tick every 5 s from the start that forces a sync when none happened since the
//    previous tick, except during round 0 (dirty_sync_count ≤ 1). A sync evaluates the throttle
//    when more than 1 s passed since the last evaluation; a period is "high" when
//    dirtied > 0.5 × transferred, i.e. D_eff > 50 MiB/s.
//      round 0 (0 → 40.96): ticks at 5 … 40 skipped (round 0). Round end 40.96: period [0, 40.96]
//        dirtied min(6144, 4096) = 4096 > 2048 → high(1). Round 1 = 4096 MiB (→ 81.92).
//      tick 45: a sync happened since tick 40 → none. Tick 50: sync, [40.96, 50] 1356 > 452 →
//        high(2) → 20 % (D_eff 120). 55 high(1), 60 → 30 % (105), 65 (1), 70 → 40 % (90), 75 (1),
//        80 → 50 % (75). Round end 81.92: 1.92 s, 144 > 96 → high(1). Work in round 1 =
//        1356 + 1200 + 1050 + 900 + 144 = 4650 → 4096 MiB again: round 2 (→ 122.88).
//      tick 85: none (round-end sync since 80). 90: [81.92, 90] 606 > 404 → high(2) → 60 % (60);
//        95 (1); 100 → 70 % (45). Then 45 < 50: no period is high any more.
//        Work in round 2 = 606 + 600 + 45·22.88 = 2235.6 MiB → round 3 = 2235.6 MiB.
//      From here λ_eff = 0.45: rounds 3…8 = 2235.6·0.45^(k−3) (2235.6, 1006.02, 452.709, 203.71905,
//        91.6735725, 41.253107625); round 8 dirties 18.5638984 ≤ 30 → stop-and-copy.
//        iterations = 9, downtime = 0.1856389843 s, T = 122.88 + 2235.6·(1 − 0.45^6)/0.55/100
//        + 0.1856389843 = 163.3753862856 s.
// ---------------------------------------------------------------------------------------------
describe('5. auto-converge (B = 100 MiB/s, M = W = 4 GiB, D = 150 MiB/s)', () => {
  const base = { nic: 100 * Mi, vm: { memory: 4 * Gi, dirty: constant(150 * Mi, 4 * Gi) } };

  it('without auto-converge: CompletionTimeout at 751.2 s after 18 rounds', () => {
    const { m, dur, r } = one(pair(base));
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('CompletionTimeout');
    expect(dur).toBeCloseTo(751.2, 6);
    expect(m.iterations).toBe(18);
    expect(m.maxThrottlePercent).toBe(0);
    expect(events(r, 'Throttle')).toEqual([]);
    expect(m.transferredBytes / Mi).toBeCloseTo(75120, 6); // 100 MiB/s · 751.2 s
  });

  it('with auto-converge (sensitivity 1): throttle 20…70 %, converges at 163.3753862856 s', () => {
    const { m, dur, r } = one(pair({ ...base, migrations: { allowAutoConverge: true } }));
    const steps = events(r, 'Throttle').map((e) => [e.t, e.percent] as const);
    const want: [number, number][] = [[50, 20], [60, 30], [70, 40], [80, 50], [90, 60], [100, 70]];
    expect(steps.length).toBe(want.length);
    steps.forEach(([t, p], i) => {
      expect(t).toBeCloseTo(want[i]![0], 6);
      expect(p).toBe(want[i]![1]);
    });
    expect(steps[0]![0]).toBeCloseTo(50, 9); // first step at the first tick after round 0 with no sync since the last
    expect(m.phase).toBe('Succeeded');
    expect(m.maxThrottlePercent).toBe(70);
    expect(m.iterations).toBe(9);
    expect(dur).toBeCloseTo(122.88 + (2235.6 * (1 - 0.45 ** 6)) / 0.55 / 100 + 0.1856389843, 6);
    expect(dur).toBeCloseTo(163.3753862856, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.1856389843, 6);
    const rounds = events(r, 'Iteration').map((e) => e.bytes / Mi);
    const wantRounds = [4096, 4096, 4096, 2235.6, 1006.02, 452.709, 203.71905, 91.6735725, 41.253107625];
    rounds.forEach((v, i) => expect(v).toBeCloseTo(wantRounds[i]!, 6));
  });

  it('throttleSensitivity 0 (wall-clock-paced writer): throttle climbs to 99 % and it never converges', () => {
    // D stays 150 MiB/s: every evaluated period is high, a step every second evaluation. As above:
    // high(1) at 40.96, 20 @50, 30 @60, 40 @70, 50 @80; round end 81.92 high(1), tick 85 none,
    // 60 @90, 70 @100, 80 @110, 90 @120; round end 122.88 high(1), tick 125 none, 99 @130
    // (min(99, 100)). Rounds stay 4096 MiB / 40.96 s
    // → CompletionTimeout at 751.2 s after 18 rounds, as without auto-converge.
    const { m, dur, r } = one(pair({ ...base, vm: { ...base.vm, throttleSensitivity: 0 }, migrations: { allowAutoConverge: true } }));
    const steps = events(r, 'Throttle').map((e) => [e.t, e.percent] as const);
    const want: [number, number][] = [[50, 20], [60, 30], [70, 40], [80, 50], [90, 60], [100, 70], [110, 80], [120, 90], [130, 99]];
    want.forEach(([t, p], i) => {
      expect(steps[i]![0]).toBeCloseTo(t, 6);
      expect(steps[i]![1]).toBe(p);
    });
    expect(steps.every(([, p]) => p <= 99)).toBe(true);
    expect(m.maxThrottlePercent).toBe(99);
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('CompletionTimeout');
    expect(dur).toBeCloseTo(751.2, 6);
    expect(m.iterations).toBe(18);
  });
});

// ---------------------------------------------------------------------------------------------
// 6./7. The completion deadline with allowWorkloadDisruption. B = 100 MiB/s, M = 4 GiB,
//    W = 1 GiB, D = 150 MiB/s: round 0 = 40.96 s dirtying min(6144, 1024) = 1024 MiB; rounds k ≥ 1
//    are 1024 MiB / 10.24 s dirtying min(1536, 1024) = 1024 > 30 MiB → never converges.
//    Deadline: acceptable 750 → the poll at 751.2 s. At 751.2: (751.2 − 40.96)/10.24 = 69.359375
//    → 69 rounds after round 0 (iterations 70) and the current round started at 747.52:
//    3.68 s into it, 368 MiB sent, left 656 MiB, work so far 150·3.68 = 552 MiB.
// ---------------------------------------------------------------------------------------------
describe('6./7. completion deadline with allowWorkloadDisruption (B = 100 MiB/s, M = 4 GiB, W = 1 GiB, D = 150 MiB/s)', () => {
  const base = { nic: 100 * Mi, vm: { memory: 4 * Gi, dirty: constant(150 * Mi, Gi) } };

  it('6. post-copy: switch at 751.2 s, 1208 MiB pending, 12.08 s of post-copy, downtime = switchoverCost', () => {
    // pending = min(M, left + dirtied) = min(4096, 656 + 552) = 1208 MiB, sent uncapped at
    // 100 MiB/s → postCopySeconds 12.08, end at 763.28. Downtime = switchoverCost = 0.05 s (the
    // cost does not delay the end in post-copy). Bytes = 100 MiB/s · 763.28 s = 76328 MiB.
    const { m, dur, r } = one(
      pair({ ...base, switchoverCost: 0.05, migrations: { allowPostCopy: true, allowWorkloadDisruption: true } }),
    );
    const pc = events(r, 'PostCopyStarted');
    expect(pc.length).toBe(1);
    expect(pc[0]!.t).toBeCloseTo(751.2, 6);
    expect(pc[0]!.bytes / Mi).toBeCloseTo(1208, 6);
    expect(m.phase).toBe('Succeeded');
    expect(m.mode).toBe('PostCopy');
    expect(m.iterations).toBe(70);
    expect(m.downtimeSeconds).toBeCloseTo(0.05, 9);
    expect(m.postCopySeconds).toBeCloseTo(12.08, 6);
    expect(dur).toBeCloseTo(763.28, 6);
    expect(m.transferredBytes / Mi).toBeCloseTo(76328, 6);
    expect(r.vms.find((v) => v.vmi === 'default/x')!.finalNode).toBe('b');
  });

  it('6b. post-copy is uncapped: cap 50 MiB/s on a 100 MiB/s link, M = 2 GiB, W = 512 MiB, D = 100 MiB/s', () => {
    // Pre-copy at the cap 50 MiB/s (threshold 15 MiB): round 0 = 2048/50 = 40.96 s, rounds k ≥ 1 =
    // 512/50 = 10.24 s each dirtying min(1024, 512) = 512. 2Gi → acceptable 150·ceil(2.147) = 450 →
    // poll at 451.2: (451.2 − 40.96)/10.24 = 40.0625 → iterations 41, 0.64 s into the round
    // (32 MiB sent, left 480, work 64) → pending 544 MiB at the link's 100 MiB/s = 5.44 s → end 456.64.
    // bytes = 2048 + 40·512 + 32 + 544 = 23104 MiB.
    const { m, dur } = one(
      pair({
        nic: 100 * Mi,
        vm: { memory: 2 * Gi, dirty: constant(100 * Mi, 512 * Mi) },
        migrations: { allowPostCopy: true, allowWorkloadDisruption: true, bandwidthPerMigration: 50 * Mi },
      }),
    );
    expect(m.mode).toBe('PostCopy');
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(41);
    expect(m.postCopySeconds).toBeCloseTo(5.44, 6);
    expect(dur).toBeCloseTo(456.64, 6);
    expect(m.transferredBytes / Mi).toBeCloseTo(23104, 6);
    expect(m.downtimeSeconds).toBe(0);
  });

  it('7. pause: guest paused at 751.2 s, deadline doubled to 1500, converges at 763.28 s with 12.08 s downtime', () => {
    // At 751.2 the guest stops dirtying. The current round finishes its 656 MiB (→ 757.76) having
    // dirtied 552 MiB > 30 → one more round of 552 MiB (5.52 s → 763.28) dirtying 0 → stop-and-copy
    // of 0 B. iterations = 70 + 2 = 72; downtime = 763.28 − 751.2 = 12.08 s; mode Paused; success
    // long before the doubled deadline (1500 → 1501.2 s).
    const { m, dur, r } = one(pair({ ...base, migrations: { allowPostCopy: false, allowWorkloadDisruption: true } }));
    const gp = events(r, 'GuestPaused');
    expect(gp.length).toBe(1);
    expect(gp[0]!.t).toBeCloseTo(751.2, 6);
    expect(gp[0]!.acceptableCompletionTime).toBe(1500);
    expect(m.phase).toBe('Succeeded');
    expect(m.mode).toBe('Paused');
    expect(m.iterations).toBe(72);
    expect(dur).toBeCloseTo(763.28, 6);
    expect(m.downtimeSeconds).toBeCloseTo(12.08, 6);
    expect(events(r, 'StopAndCopy').map((e) => e.bytes)).toEqual([0]);
    expect(events(r, 'PostCopyStarted')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 10. bandwidthPerMigration: the threshold uses the capped rate; the stop-and-copy goes at link speed.
//     Link 1.25e9 B/s, cap 100 MiB/s, M = W = 4 GiB, D = 25 MiB/s (λ = 0.25 at the cap), threshold
//     100·0.3 = 30 MiB. Rounds 4096, 1024, 256, 64 MiB (40.96 + 10.24 + 2.56 + 0.64 s), round 3
//     dirties 16 ≤ 30 → stop-and-copy 16 MiB at 1.25e9 → 16·2^20/1.25e9 = 0.0134217728 s.
//     T = 54.4 + 0.0134217728 = 54.4134217728 s, iterations 4. (Had the threshold used the link
//     rate, 3.75e8 B, it would have stopped after round 1 because 256 MiB = 2.68e8 B ≤ 3.75e8.)
// ---------------------------------------------------------------------------------------------
describe('10. bandwidthPerMigration cap', () => {
  it('cap 100 MiB/s on a 10 Gb/s link: 4 rounds at the cap, 16 MiB stop-and-copy at link speed', () => {
    const { m, dur, r } = one(
      pair({ nic: TEN_GBIT, vm: { memory: 4 * Gi, dirty: constant(25 * Mi, 4 * Gi) }, migrations: { bandwidthPerMigration: 100 * Mi } }),
    );
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(4);
    expect(events(r, 'Iteration').map((e) => e.rate)).toEqual([100 * Mi, 100 * Mi, 100 * Mi, 100 * Mi]);
    expect(dur).toBeCloseTo(54.4134217728, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.0134217728, 9);
    expect(m.transferredBytes / Mi).toBeCloseTo(4096 + 1024 + 256 + 64 + 16, 6);
  });

  it('a cap above the link speed changes nothing (λ = 0.1 row of §1.1 with cap 2e9 B/s)', () => {
    const B = TEN_GBIT;
    const { m, dur } = one(pair({ nic: B, vm: { memory: M8, dirty: constant(0.1 * B, M8) }, migrations: { bandwidthPerMigration: 2e9 } }));
    expect(m.iterations).toBe(2);
    expect(dur).toBeCloseTo(7.627861917696, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// 11. Block migration: a containerDisk of 1 GiB is mirrored first at the migration rate, then RAM.
//     B = 100 MiB/s, M = 4 GiB, D = 10 MiB/s (W = M), threshold 30 MiB.
//     Disk: 1024 MiB / 100 = 10.24 s (no RAM rounds yet). RAM from 10.24: rounds 4096 (40.96 s),
//     409.6 (4.096 s), 40.96 (0.4096 s), round 2 dirties 4.096 ≤ 30 → stop-and-copy 0.04096 s.
//     T = 10.24 + 45.50656 = 55.74656 s, iterations 3, bytes 1024 + 4096 + 409.6 + 40.96 + 4.096.
//     acceptable = 150·ceil((4 + 1)·2^30/1e9) = 150·ceil(5.3687) = 900 s.
// ---------------------------------------------------------------------------------------------
const containerDisk = { name: 'cd', type: 'containerDisk', accessModes: [], shared: false, attachment: 'disk', readOnly: false, size: 1 * Gi } as const;

describe('11. block migration (containerDisk 1 GiB)', () => {
  it('disk first, then RAM; acceptable completion time counts disk bytes (900 s)', () => {
    const { m, dur, r } = one(
      pair({ nic: 100 * Mi, vm: { memory: 4 * Gi, volumes: [{ ...containerDisk, accessModes: [] }], dirty: constant(10 * Mi, 4 * Gi) } }),
    );
    expect(m.migrationMethod).toBe('BlockMigration');
    expect(m.acceptableCompletionTime).toBe(900);
    const disk = events(r, 'Iteration');
    expect(disk[0]!.t).toBeCloseTo(10.24 + 40.96, 6); // round 0 ends after the disk and 4 GiB of RAM
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(3);
    expect(dur).toBeCloseTo(55.74656, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.04096, 6);
    expect(m.transferredBytes / Mi).toBeCloseTo(1024 + 4096 + 409.6 + 40.96 + 4.096, 6);
  });

  it('non-converging block migration aborts at ceil(901/0.4)·0.4 = 901.2 s (not 751.2)', () => {
    // same guest with D = 150 MiB/s, W = M: RAM rounds never converge.
    const { m, dur } = one(
      pair({ nic: 100 * Mi, vm: { memory: 4 * Gi, volumes: [{ ...containerDisk, accessModes: [] }], dirty: constant(150 * Mi, 4 * Gi) } }),
    );
    expect(m.reason).toBe('CompletionTimeout');
    expect(dur).toBeCloseTo(901.2, 6);
    // disk 10.24 s, then floor((901.2 − 10.24)/40.96) = floor(21.75) = 21 RAM rounds
    expect(m.iterations).toBe(21);
  });
});

// ---------------------------------------------------------------------------------------------
// Other dirty models (B = 100 MiB/s, M = 4 GiB, threshold 30 MiB).
// ---------------------------------------------------------------------------------------------
describe('dirty models: phases and curve', () => {
  it('phases: idle until t = 30, then 20 MiB/s → 3 rounds, 43.67808 s', () => {
    // work integrates the rate over scenario time. Round 0 (0–40.96): 20·10.96 = 219.2 MiB > 30;
    // round 1 (2.192 s, to 43.152): 20·2.192 = 43.84 > 30; round 2 (0.4384 s): 8.768 ≤ 30 →
    // stop-and-copy 0.08768 s. T = 40.96 + 2.192 + 0.4384 + 0.08768 = 43.67808 s.
    const { m, dur } = one(
      pair({
        nic: 100 * Mi,
        vm: { memory: 4 * Gi, dirty: { kind: 'phases', phases: [{ at: 0, rate: 0 }, { at: 30, rate: 20 * Mi }], workingSet: 4 * Gi } },
      }),
    );
    expect(m.iterations).toBe(3);
    expect(dur).toBeCloseTo(43.67808, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.08768, 6);
  });

  it('curve: w(t) through (0,0), (1 s, 50 MiB), (10 s, 200 MiB) → 4 rounds, 44.12666… s', () => {
    // Round 0 (40.96 s): w = 200 MiB (flat after 10 s) → round 1 of 2 s: w(2) = 50 + 150/9 =
    // 66.667 > 30 → round 2 of 0.66667 s: w = 33.333 > 30 → round 3 of 0.33333 s: w = 16.667 ≤ 30
    // → stop-and-copy 0.16667 s. T = 40.96 + 2 + 2/3 + 1/3 + 1/6 = 44.1266667 s.
    const { m, dur } = one(
      pair({
        nic: 100 * Mi,
        vm: { memory: 4 * Gi, dirty: { kind: 'curve', points: [{ t: 0, bytes: 0 }, { t: 1, bytes: 50 * Mi }, { t: 10, bytes: 200 * Mi }] } },
      }),
    );
    expect(m.iterations).toBe(4);
    expect(dur).toBeCloseTo(40.96 + 2 + 2 / 3 + 1 / 3 + 1 / 6, 6);
    expect(m.downtimeSeconds).toBeCloseTo(1 / 6, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism: the same scenario run twice gives the identical log.
// ---------------------------------------------------------------------------------------------
describe('determinism', () => {
  it('two runs of a busy scenario (auto-converge, sharing, an outage) give identical logs', () => {
    const nics = { pod: 100 * Mi };
    const s = scenario({
      nodes: [node('a', { nics }), node('b', { nics }), node('c', { nics })],
      vms: [
        vm('x', 'a', { memory: 4 * Gi, dirty: constant(150 * Mi, 4 * Gi) }),
        vm('y', 'a', { memory: 2 * Gi, dirty: constant(20 * Mi, Gi) }),
      ],
      operations: [
        migrateTo('default/x', 'b'),
        migrateTo('default/y', 'c', 7),
        { kind: 'outage', at: 15, duration: 8, scope: { kind: 'network' }, networkName: null },
      ],
      migrations: { allowAutoConverge: true },
    });
    const a = run(s);
    const b = run(s);
    expect(JSON.stringify(b.sim.log.events)).toBe(JSON.stringify(a.sim.log.events));
    expect(a.sim.log.events.length).toBeGreaterThan(20);
    expect(record(a, 'default/x').phase).toBe(record(b, 'default/x').phase);
  });
});
