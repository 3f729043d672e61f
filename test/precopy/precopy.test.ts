// Table-driven checks of the pre-copy fluid model against hand-derived closed forms.
// Every scenario is normalised (control-plane latencies 0, switchoverCost 0 unless a row says
// otherwise), so the migration starts at t = 0 and the monitor's poll grid is 0, 0.4, 0.8, …
// Units: Mi = 2^20 bytes, Gi = 2^30 bytes; B = bytes/s on the NIC, D = dirty rate, W = working set,
// d = downtime limit (0.3 s), threshold = B·d.
import { describe, expect, it } from 'vitest';
import { node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { constant, events, expectBytes, Gi, K, Mi, migrateTo, one, pair, record, TEN_GBIT, ZERO_PAGE } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// 1. The geometric series of the uniform-dirty-rate model (Liu et al., HPDC 2011; Akoush et al.,
//    MASCOTS 2010 "AVG"): M = 8 GiB, B = 10 Gb/s = 1.25e9 B/s, d = 0.3 s → threshold B·d = 3.75e8 B.
//    On the wire every page carries QEMU's 8-byte header, so a pass over G guest bytes sends
//    k·G bytes (k = 513/512) and lasts k·G/B; the guest dirties D·k·G/B during it. With λ = D/B
//    the guest bytes of pass i are G_i = M·q^i with q = k·λ. QEMU compares the dirty pages × page
//    size (guest bytes) with the wire rate × d (migration.c migration_update_counters), so the
//    model stops at the end of pass n−1 when G_n ≤ 3.75e8, and G_n goes in the stop-and-copy.
//    `iterations` = n (passes 0..n−1), and
//      T_mig = (k·M/B)·(1−q^{n+1})/(1−q), V_mig = k·M·(1−q^{n+1})/(1−q), T_down = k·M·q^n/B.
//    n = first i with q^i ≤ 3.75e8/2^33 = 0.0436557 (ln = −3.131410):
//      λ=0.1 : q = 0.1001953125, ln q = −2.300634 → 1.361 → n = 2
//      λ=0.5 : q = 0.5009765625, ln q = −0.691196 → 4.530 → n = 5
//      λ=0.8 : q = 0.8015625,    ln q = −0.221195 → 14.157 → n = 15
//      λ=0.95: q = 0.9518554688, ln q = −0.049343 → 63.462 → n = 64
//    Without headers (k = 1) the same series gives the published table (7.63 s, 13.53 s, 33.39 s,
//    132.0 s; n = 2, 5, 15, 62): the headers add 0.2 % per pass, which compounds on slowly
//    converging guests (λ = 0.95 needs two more passes).
// ---------------------------------------------------------------------------------------------
const M8 = 8 * Gi;
const geometric = [
  { lambda: 0.1, n: 2 },
  { lambda: 0.5, n: 5 },
  { lambda: 0.8, n: 15 },
  { lambda: 0.95, n: 64 },
] as const;

describe('1. geometric series (M = 8 GiB, B = 10 Gb/s, d = 0.3 s, 8-byte page headers)', () => {
  for (const row of geometric) {
    it(`λ = ${row.lambda}: n = ${row.n}`, () => {
      const B = TEN_GBIT;
      const l = row.lambda;
      const n = row.n;
      const q = K * l;
      const { m, dur } = one(pair({ nic: B, vm: { memory: M8, dirty: constant(l * B, M8) } }));
      // closed forms (see the derivation above)
      const series = (1 - q ** (n + 1)) / (1 - q);
      expect(m.phase).toBe('Succeeded');
      expect(m.startedAt).toBe(0);
      expect(m.iterations).toBe(n);
      expect(M8 * q ** n).toBeLessThanOrEqual(3.75e8);
      expect(M8 * q ** (n - 1)).toBeGreaterThan(3.75e8);
      expect(dur).toBeCloseTo(((K * M8) / B) * series, 6);
      expectBytes(m.transferredBytes, K * M8 * series);
      expect(m.downtimeSeconds).toBeCloseTo((K * M8 * q ** n) / B, 6);
    });
  }

  it('the Iteration events are the geometric passes: k·M·q^i wire bytes, q = 0.5·513/512', () => {
    const B = TEN_GBIT;
    const q = 0.5 * K;
    const { r } = one(pair({ nic: B, vm: { memory: M8, dirty: constant(0.5 * B, M8) } }));
    const it5 = events(r, 'Iteration');
    expect(it5.map((e) => e.iteration)).toEqual([1, 2, 3, 4, 5]);
    it5.forEach((e, i) => {
      expect(e.bytes / M8).toBeCloseTo(K * q ** i, 9); // wire bytes
      expect(e.duration).toBeCloseTo(((K * M8) / B) * q ** i, 9);
      expect(e.dirtied / M8).toBeCloseTo(q ** (i + 1), 9); // guest bytes
    });
    // G_5 = 8 GiB·q^5 = 258.5 MiB ≤ 3.75e8 B → StopAndCopy of k·G_5 wire bytes
    const sc = events(r, 'StopAndCopy');
    expect(sc.length).toBe(1);
    expect(sc[0]!.bytes / Mi).toBeCloseTo(8192 * K * q ** 5, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Limits: λ → 0 and working-set saturation.
// ---------------------------------------------------------------------------------------------
describe('2. λ → 0 and working-set saturation (B = 1.25e9 B/s, d = 0.3 s → B·d = 3.75e8 B)', () => {
  it('idle guest (D = 0): 1 round, T = k·M/B, V = k·M, downtime 0', () => {
    // Round 0 sends 8 GiB as 2^21 pages of 4104 B = 8606711808 B in 8606711808/1.25e9 =
    // 6.8853694464 s; it dirtied 0 ≤ 3.75e8 → stop-and-copy of 0 B.
    const { m, dur, r } = one(pair({ nic: TEN_GBIT, vm: { memory: M8, dirty: constant(0, M8) } }));
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(1);
    expect(dur).toBeCloseTo(6.8853694464, 9);
    expect(m.transferredBytes).toBe(8606711808);
    expect(m.downtimeSeconds).toBe(0);
    expect(events(r, 'StopAndCopy').map((e) => e.bytes)).toEqual([0]);
  });

  it('zero pages cost 9 B each: 8 GiB guest, 1 GiB used → 1092354048 B in 0.8738832384 s', () => {
    // Non-zero: 2^18 pages · 4104 B = 1075838976 B; zero: 7 GiB = 1835008 pages · 9 B = 16515072 B.
    // V_0 = 1092354048 B; /1.25e9 = 0.8738832384 s (the guest's size alone would take 6.87 s).
    const { m, dur } = one(pair({ nic: TEN_GBIT, vm: { memory: M8, usedMemory: Gi, dirty: constant(0, Gi) } }));
    expect(m.iterations).toBe(1);
    expect(Gi * K + (7 * Gi / 4096) * ZERO_PAGE).toBe(1092354048);
    expect(dur).toBeCloseTo(0.8738832384, 9);
    expect(m.transferredBytes).toBe(1092354048);
  });

  // λ = D/B = 1.5 (D = 1.875e9 B/s). The window dirtied in any round of ≥ 0.2 s is min(D·T, W) = W,
  // so from round 1 on every round is k·W wire bytes with T = k·W/B, and "W ≤ B·d" decides all
  // (QEMU compares the dirty pages' guest bytes with wire rate × d).
  const sat = [
    {
      // W = 3.7e8 ≤ 3.75e8: round 0 (4 GiB·k = 4303355904 B, 3.4426847232 s) dirties min(6.4e9, W)
      // = 3.7e8 ≤ 3.75e8 → stop-and-copy of 3.7e8·k B at 1.25e9 → 0.296·k = 0.296578125 s.
      // T = 3.4426847232 + 0.296578125 = 3.7392628482 s.
      name: 'W = 0.37e9 just below B·d: converges after round 0',
      W: 3.7e8,
      expect: { phase: 'Succeeded', iterations: 1, dur: 3.7392628482, downtime: 0.296578125, reason: null },
    },
    {
      // W = 3.8e8 > 3.75e8: every round dirties W again → never converges. 4Gi → acceptable
      // 150·ceil(4.295) = 750 s; fires at the first poll with floor(t) > 750: ceil(751/0.4)·0.4 = 751.2 s.
      // Rounds completed by then: round 0 (3.4426847232 s) + floor((751.2 − 3.4426847232)/0.30459375)
      // = floor(2454.93) = 2454 more → iterations 2455. The link is never idle: bytes = 1.25e9·751.2 = 9.39e11.
      name: 'W = 0.38e9 just above B·d: never converges → CompletionTimeout at 751.2 s',
      W: 3.8e8,
      expect: { phase: 'Failed', iterations: 2455, dur: 751.2, downtime: 0, reason: 'CompletionTimeout', bytes: 9.39e11 },
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
      if ('bytes' in row.expect) expectBytes(m.transferredBytes, row.expect.bytes);
      expect(m.mode).toBe('PreCopy');
    });
  }

  it('raising the downtime limit to 1 s makes the W = 0.38e9 guest converge', () => {
    // threshold = 1.25e9·1 = 1.25e9 ≥ W → stop after round 0; downtime = 3.8e8·k/1.25e9 = 0.30459375 s.
    const { m, dur } = one(
      pair({ nic: TEN_GBIT, downtimeLimit: 1, vm: { memory: 4 * Gi, dirty: constant(1.5 * TEN_GBIT, 3.8e8) } }),
    );
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(1);
    expect(dur).toBeCloseTo(3.4426847232 + 0.30459375, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.30459375, 9);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Auto-converge. B = 100 MiB/s, M = W = 4 GiB (4096 MiB), D = 150 MiB/s (λ = 1.5), d = 0.3 s
//    → threshold 30 MiB. A full pass is 4096·k = 4104 MiB on the wire (k = 513/512), 41.04 s.
//    Without auto-converge every round is 4104 MiB / 41.04 s and dirties min(150·41.04, 4096) =
//    4096 MiB again: CompletionTimeout at 751.2 s, after floor(751.2/41.04) = 18 rounds (738.72).
//    With auto-converge (throttleSensitivity 1), as QEMU 9.2 does it: a bitmap sync at every round
//    end, plus a tick every 5 s from the start that forces a sync when none happened since the
//    previous tick, except during round 0 (dirty_sync_count ≤ 1). A sync evaluates the throttle
//    when more than 1 s passed since the last evaluation; a period is "high" when
//    dirtied > 0.5 × transferred (wire bytes, 100 MiB/s), i.e. D_eff > 50 MiB/s.
//      round 0 (0 → 41.04): ticks at 5 … 40 skipped (round 0). Round end 41.04: period [0, 41.04]
//        dirtied min(6156, 4096) = 4096 > 2052 → high(1). Round 1 = 4104 MiB (→ 82.08).
//      tick 45: a sync happened since tick 40 → none. Tick 50: sync, [41.04, 50] 1344 > 448 →
//        high(2) → 20 % (D_eff 120). 55 high(1), 60 → 30 % (105), 65 (1), 70 → 40 % (90), 75 (1),
//        80 → 50 % (75). Round end 82.08: 2.08 s, 156 > 104 → high(1). Work in round 1 =
//        1344 + 1200 + 1050 + 900 + 156 = 4650 → 4096 MiB again: round 2 (→ 123.12).
//      tick 85: none (round-end sync since 80). 90: [82.08, 90] 594 > 396 → high(2) → 60 % (60);
//        95 (1); 100 → 70 % (45). Then 45 < 50: no period is high any more.
//        Work in round 2 = 594 + 600 + 45·23.12 = 2234.4 MiB → round 3 covers G_3 = 2234.4 MiB.
//      From here each pass of G guest MiB lasts k·G/100 s and dirties 45·k·G/100: q = 0.45·k =
//        0.45087890625, G_j = 2234.4·q^(j−3) (2234.4, 1007.44, 454.23, 204.80, 92.34, 41.63);
//        round 8 dirties G_9 = 18.77 ≤ 30 → stop-and-copy of k·G_9 MiB at 100 MiB/s.
//        iterations = 9, downtime = k·G_9/100, T = 123.12 + k·2234.4·(1 − q^7)/(1 − q)/100.
// ---------------------------------------------------------------------------------------------
describe('5. auto-converge (B = 100 MiB/s, M = W = 4 GiB, D = 150 MiB/s)', () => {
  const base = { nic: 100 * Mi, vm: { memory: 4 * Gi, dirty: constant(150 * Mi, 4 * Gi) } };

  it('without auto-converge: CompletionTimeout at 751.2 s after 18 rounds of 41.04 s', () => {
    const { m, dur, r } = one(pair(base));
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('CompletionTimeout');
    expect(dur).toBeCloseTo(751.2, 6);
    expect(m.iterations).toBe(18);
    expect(m.maxThrottlePercent).toBe(0);
    expect(events(r, 'Throttle')).toEqual([]);
    expectBytes(m.transferredBytes, 75120 * Mi); // 100 MiB/s · 751.2 s
  });

  it('with auto-converge (sensitivity 1): throttle 20…70 %, converges after 9 passes', () => {
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
    const q = 0.45 * K;
    expect(dur).toBeCloseTo(123.12 + (K * 2234.4 * (1 - q ** 7)) / (1 - q) / 100, 6);
    expect(m.downtimeSeconds).toBeCloseTo((K * 2234.4 * q ** 6) / 100, 6);
    const rounds = events(r, 'Iteration').map((e) => e.bytes / Mi);
    const wantRounds = [4104, 4104, 4104, ...[0, 1, 2, 3, 4, 5].map((j) => K * 2234.4 * q ** j)];
    expect(rounds.length).toBe(9);
    rounds.forEach((v, i) => expect(v).toBeCloseTo(wantRounds[i]!, 6));
  });

  it('throttleSensitivity 0 (wall-clock-paced writer): throttle climbs to 99 % and it never converges', () => {
    // D stays 150 MiB/s: every evaluated period is high, a step every second evaluation. As above:
    // high(1) at 41.04, 20 @50, 30 @60, 40 @70, 50 @80; round end 82.08 high(1), tick 85 none,
    // 60 @90, 70 @100, 80 @110, 90 @120; round end 123.12 high(1), tick 125 none, 99 @130
    // (min(99, 100)). Rounds stay 4104 MiB / 41.04 s
    // → CompletionTimeout at 751.2 s after 18 rounds, as without auto-converge. At the cap QEMU
    // sets 99 % again every second high period: no further Throttle event (nothing changed).
    const { m, dur, r } = one(pair({ ...base, vm: { ...base.vm, throttleSensitivity: 0 }, migrations: { allowAutoConverge: true } }));
    const steps = events(r, 'Throttle').map((e) => [e.t, e.percent] as const);
    const want: [number, number][] = [[50, 20], [60, 30], [70, 40], [80, 50], [90, 60], [100, 70], [110, 80], [120, 90], [130, 99]];
    want.forEach(([t, p], i) => {
      expect(steps[i]![0]).toBeCloseTo(t, 6);
      expect(steps[i]![1]).toBe(p);
    });
    expect(steps.length).toBe(want.length);
    expect(m.maxThrottlePercent).toBe(99);
    expect(m.phase).toBe('Failed');
    expect(m.reason).toBe('CompletionTimeout');
    expect(dur).toBeCloseTo(751.2, 6);
    expect(m.iterations).toBe(18);
  });
});

// ---------------------------------------------------------------------------------------------
// 6./7. The completion deadline with allowWorkloadDisruption. B = 100 MiB/s, M = 4 GiB,
//    W = 1 GiB, D = 150 MiB/s, k = 513/512: round 0 = 4104 MiB / 41.04 s dirtying min(6156, 1024)
//    = 1024 MiB; rounds k ≥ 1 are 1026 MiB / 10.26 s dirtying min(1539, 1024) = 1024 > 30 MiB →
//    never converges (from round 2 on the job skips the identical rounds as one steady state).
//    Deadline: acceptable 750 → the poll at 751.2 s. At 751.2: (751.2 − 41.04)/10.26 = 69.216…
//    → 69 rounds after round 0 (iterations 70) and the current round started at 41.04 + 69·10.26 =
//    748.98: 2.22 s into it, 222 MiB sent, left 804 MiB, work so far 150·2.22 = 333 MiB.
// ---------------------------------------------------------------------------------------------
describe('6./7. completion deadline with allowWorkloadDisruption (B = 100 MiB/s, M = 4 GiB, W = 1 GiB, D = 150 MiB/s)', () => {
  const base = { nic: 100 * Mi, vm: { memory: 4 * Gi, dirty: constant(150 * Mi, Gi) } };

  it('6. post-copy: switch at 751.2 s, 1137.65 MiB pending, 11.38 s of post-copy, downtime = switchoverCost', () => {
    // pending (wire) = min(4104, left + k·dirtied) = 804 + 333·513/512 = 1137.650390625 MiB, sent
    // uncapped at 100 MiB/s → postCopySeconds 11.37650390625, end at 762.57650390625. Downtime =
    // switchoverCost = 0.05 s (the cost does not delay the end in post-copy). The link is never
    // idle: bytes = 100 MiB/s · 762.57650390625 s = 76257.650390625 MiB.
    const { m, dur, r } = one(
      pair({ ...base, switchoverCost: 0.05, migrations: { allowPostCopy: true, allowWorkloadDisruption: true } }),
    );
    const pc = events(r, 'PostCopyStarted');
    expect(pc.length).toBe(1);
    expect(pc[0]!.t).toBeCloseTo(751.2, 6);
    expect(pc[0]!.bytes / Mi).toBeCloseTo(1137.650390625, 6);
    expect(m.phase).toBe('Succeeded');
    expect(m.mode).toBe('PostCopy');
    expect(m.iterations).toBe(70);
    expect(m.downtimeSeconds).toBeCloseTo(0.05, 9);
    expect(m.postCopySeconds).toBeCloseTo(11.37650390625, 6);
    expect(dur).toBeCloseTo(762.57650390625, 6);
    expectBytes(m.transferredBytes, 76257.650390625 * Mi);
    expect(r.vms.find((v) => v.vmi === 'default/x')!.finalNode).toBe('b');
  });

  it('6b. post-copy is uncapped: cap 50 MiB/s on a 100 MiB/s link, M = 2 GiB, W = 512 MiB, D = 100 MiB/s', () => {
    // Pre-copy at the cap 50 MiB/s (threshold 15 MiB): round 0 = 2052/50 = 41.04 s, rounds k ≥ 1 =
    // 513/50 = 10.26 s each dirtying min(1026, 512) = 512. 2Gi → acceptable 150·ceil(2.147) = 450 →
    // poll at 451.2: (451.2 − 41.04)/10.26 = 39.977 → iterations 40, the round began at 441.18:
    // 10.02 s into it (501 MiB sent, left 12, work 1002 → 512 dirtied) → pending 12 + 513 =
    // 525 MiB at the link's 100 MiB/s = 5.25 s → end 456.45.
    // bytes = 2052 + 39·513 + 501 + 525 = 23085 MiB.
    const { m, dur } = one(
      pair({
        nic: 100 * Mi,
        vm: { memory: 2 * Gi, dirty: constant(100 * Mi, 512 * Mi) },
        migrations: { allowPostCopy: true, allowWorkloadDisruption: true, bandwidthPerMigration: 50 * Mi },
      }),
    );
    expect(m.mode).toBe('PostCopy');
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(40);
    expect(m.postCopySeconds).toBeCloseTo(5.25, 6);
    expect(dur).toBeCloseTo(456.45, 6);
    expectBytes(m.transferredBytes, 23085 * Mi);
    expect(m.downtimeSeconds).toBe(0);
  });

  it('7. pause: guest paused at 751.2 s, deadline doubled to 1500, converges at 762.5765 s with 11.3765 s downtime', () => {
    // At 751.2 the guest stops dirtying. The current round finishes its 804 MiB (→ 759.24) having
    // dirtied 333 MiB > 30 → one more round of 333·k = 333.650390625 MiB (→ 762.57650390625)
    // dirtying 0 → stop-and-copy of 0 B. iterations = 70 + 2 = 72; downtime = 762.57650390625 −
    // 751.2 = 11.37650390625 s; mode Paused; success long before the doubled deadline (1500 → 1501.2 s).
    const { m, dur, r } = one(pair({ ...base, migrations: { allowPostCopy: false, allowWorkloadDisruption: true } }));
    const gp = events(r, 'GuestPaused');
    expect(gp.length).toBe(1);
    expect(gp[0]!.t).toBeCloseTo(751.2, 6);
    expect(gp[0]!.acceptableCompletionTime).toBe(1500);
    expect(m.phase).toBe('Succeeded');
    expect(m.mode).toBe('Paused');
    expect(m.iterations).toBe(72);
    expect(dur).toBeCloseTo(762.57650390625, 6);
    expect(m.downtimeSeconds).toBeCloseTo(11.37650390625, 6);
    expect(events(r, 'StopAndCopy').map((e) => e.bytes)).toEqual([0]);
    expect(events(r, 'PostCopyStarted')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 10. bandwidthPerMigration: the threshold uses the capped rate; the stop-and-copy goes at link speed.
//     Link 1.25e9 B/s, cap 100 MiB/s, M = W = 4 GiB, D = 25 MiB/s (λ = 0.25 at the cap), threshold
//     100·0.3 = 30 MiB. Pass i covers G_i = 4096·q^i guest MiB, q = 0.25·k = 0.25048828125
//     (4096, 1026, 257.0, 64.39 MiB), sends k·G_i and lasts k·G_i/100 s; round 3 dirties
//     G_4 = 16.13 ≤ 30 → stop-and-copy of k·G_4 MiB at 1.25e9 B/s.
//     T = k·4096·(1 − q^4)/(1 − q)/100 + k·G_4·2^20/1.25e9 = 54.5536364 s, iterations 4. (Had the
//     threshold used the link rate, 3.75e8 B, it would have stopped after round 1: G_2 = 2.69e8 B.)
// ---------------------------------------------------------------------------------------------
describe('10. bandwidthPerMigration cap', () => {
  it('cap 100 MiB/s on a 10 Gb/s link: 4 rounds at the cap, 16 MiB stop-and-copy at link speed', () => {
    const { m, dur, r } = one(
      pair({ nic: TEN_GBIT, vm: { memory: 4 * Gi, dirty: constant(25 * Mi, 4 * Gi) }, migrations: { bandwidthPerMigration: 100 * Mi } }),
    );
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(4);
    expect(events(r, 'Iteration').map((e) => e.rate)).toEqual([100 * Mi, 100 * Mi, 100 * Mi, 100 * Mi]);
    const q = 0.25 * K;
    const g4 = 4096 * q ** 4;
    expect(dur).toBeCloseTo((K * 4096 * (1 - q ** 4)) / (1 - q) / 100 + (K * g4 * Mi) / 1.25e9, 6);
    expect(m.downtimeSeconds).toBeCloseTo((K * g4 * Mi) / 1.25e9, 9);
    expectBytes(m.transferredBytes, K * 4096 * Mi * ((1 - q ** 5) / (1 - q)));
  });

  it('a cap above the link speed changes nothing (λ = 0.1 row of section 1 with cap 2e9 B/s)', () => {
    const B = TEN_GBIT;
    const { m, dur } = one(pair({ nic: B, vm: { memory: M8, dirty: constant(0.1 * B, M8) }, migrations: { bandwidthPerMigration: 2e9 } }));
    expect(m.iterations).toBe(2);
    const q = 0.1 * K;
    expect(dur).toBeCloseTo(((K * M8) / B) * ((1 - q ** 3) / (1 - q)), 6);
  });
});

// ---------------------------------------------------------------------------------------------
// 11. Block migration: a containerDisk of 1 GiB is mirrored first at the migration rate, then RAM.
//     B = 100 MiB/s, M = 4 GiB, D = 10 MiB/s (W = M), threshold 30 MiB.
//     Disk: 1024 MiB / 100 = 10.24 s, no page headers (NBD mirror). RAM from 10.24: passes cover
//     G_i = 4096·q^i guest MiB with q = 0.1·k (4096, 410.4, 41.12), send k·G_i, last k·G_i/100 s;
//     round 2 dirties G_3 = 4.12 ≤ 30 → stop-and-copy k·G_3/100 s.
//     T = 10.24 + k·4096·(1 − q^4)/(1 − q)/100 = 55.83558 s, iterations 3,
//     bytes 1024 + k·4096·(1 − q^4)/(1 − q) MiB.
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
    expect(disk[0]!.t).toBeCloseTo(10.24 + 41.04, 6); // round 0 ends after the disk and 4104 MiB of RAM pages
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(3);
    const q = 0.1 * K;
    const series = (1 - q ** 4) / (1 - q);
    expect(dur).toBeCloseTo(10.24 + (K * 4096 * series) / 100, 6);
    expect(m.downtimeSeconds).toBeCloseTo((K * 4096 * q ** 3) / 100, 6);
    expectBytes(m.transferredBytes, (1024 + K * 4096 * series) * Mi);
  });

  it('non-converging block migration aborts at ceil(901/0.4)·0.4 = 901.2 s (not 751.2)', () => {
    // same guest with D = 150 MiB/s, W = M: RAM rounds never converge.
    const { m, dur } = one(
      pair({ nic: 100 * Mi, vm: { memory: 4 * Gi, volumes: [{ ...containerDisk, accessModes: [] }], dirty: constant(150 * Mi, 4 * Gi) } }),
    );
    expect(m.reason).toBe('CompletionTimeout');
    expect(dur).toBeCloseTo(901.2, 6);
    // disk 10.24 s, then floor((901.2 − 10.24)/41.04) = floor(21.71) = 21 RAM rounds
    expect(m.iterations).toBe(21);
  });
});

// ---------------------------------------------------------------------------------------------
// Other dirty models (B = 100 MiB/s, M = 4 GiB, threshold 30 MiB).
// ---------------------------------------------------------------------------------------------
describe('dirty models: phases and curve', () => {
  it('phases: idle until t = 30, then 20 MiB/s → 3 rounds', () => {
    // work integrates the rate over scenario time. Round 0 (0–41.04): 20·11.04 = 220.8 MiB > 30;
    // then q = 0.2·k: round 1 (k·220.8/100 = 2.2123 s) dirties 220.8·q = 44.25 > 30; round 2
    // (0.4433 s) dirties 220.8·q² = 8.87 ≤ 30 → stop-and-copy k·220.8·q²/100 = 0.08884 s.
    // T = 41.04 + k·220.8·(1 + q + q²)/100 = 43.7844777 s.
    const { m, dur } = one(
      pair({
        nic: 100 * Mi,
        vm: { memory: 4 * Gi, dirty: { kind: 'phases', phases: [{ at: 0, rate: 0 }, { at: 30, rate: 20 * Mi }], workingSet: 4 * Gi } },
      }),
    );
    expect(m.iterations).toBe(3);
    const q = 0.2 * K;
    expect(dur).toBeCloseTo(41.04 + (K * 220.8 * (1 + q + q * q)) / 100, 6);
    expect(m.downtimeSeconds).toBeCloseTo((K * 220.8 * q * q) / 100, 6);
  });

  it('curve: w(t) through (0,0), (1 s, 50 MiB), (10 s, 200 MiB) → 4 rounds', () => {
    // A pass of G guest MiB lasts T = k·G/100 s. Round 0 (41.04 s): w = 200 MiB (flat after 10 s)
    // → round 1 of T1 = 2.00390625 s: w(T1) = 50 + 150·(T1 − 1)/9 = 66.732 > 30 → round 2 of
    // T2 = k·w(T1)/100 = 0.66862 s: w = 50·T2 = 33.431 > 30 → round 3 of T3 = k·33.431/100 =
    // 0.33496 s: w = 16.748 ≤ 30 → stop-and-copy k·16.748/100 = 0.16781 s. T = 44.2153 s.
    const { m, dur } = one(
      pair({
        nic: 100 * Mi,
        vm: { memory: 4 * Gi, dirty: { kind: 'curve', points: [{ t: 0, bytes: 0 }, { t: 1, bytes: 50 * Mi }, { t: 10, bytes: 200 * Mi }] } },
      }),
    );
    expect(m.iterations).toBe(4);
    const t1 = (K * 200) / 100;
    const w1 = 50 + (150 * (t1 - 1)) / 9;
    const t2 = (K * w1) / 100;
    const t3 = (K * 50 * t2) / 100;
    const t4 = (K * 50 * t3) / 100;
    expect(dur).toBeCloseTo(41.04 + t1 + t2 + t3 + t4, 6);
    expect(dur).toBeCloseTo(44.2153, 4);
    expect(m.downtimeSeconds).toBeCloseTo(t4, 6);
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
