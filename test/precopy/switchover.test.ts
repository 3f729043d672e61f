// The switch-over as real QEMU does it: a cost of about a millisecond, a final pass at link speed,
// the pending-size check of `switchover: qemu`, and the steady state of a guest that can never
// converge. Scenarios are normalised as in precopy.test.ts (latencies 0, migration from t = 0).
// k = 513/512: wire bytes per guest byte of a normal 4 KiB page (8-byte header, QEMU
// migration/ram.c save_page_header); a zero page is 9 bytes (save_zero_page).
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/simulator.js';
import { Fabric } from '../../src/network/fabric.js';
import { dirtyModel } from '../../src/precopy/dirty.js';
import { MigrationJob, type JobEvent, type JobParams } from '../../src/precopy/job.js';
import { HYPERVISOR_DEFAULTS } from '../../src/scenario/defaults.js';
import { constant, events, expectBytes, Gi, K, Mi, one, pair, TEN_GBIT, ZERO_PAGE } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// 1. The switch-over cost. 1 GiB guest, W = M, D = 10 MiB/s, bandwidthPerMigration 100 MiB/s on a
//    10 Gb/s link (threshold 30 MiB). Pass 0: 1024·k = 1026 MiB in 10.26 s, dirtying 102.6 MiB;
//    pass 1: 102.6·k MiB in 1.02800390625 s, dirtying G_2 = 10.2800390625 MiB ≤ 30 → the final
//    k·G_2 MiB = 10800455.76 B go uncapped at 1.25e9 B/s in 0.008640364608 s.
//    downtime = 0.008640364608 + cost; the migration ends when the switch is over:
//    T = 10.26 + 1.02800390625 + 0.008640364608 + cost = 11.296644270858 + cost.
// ---------------------------------------------------------------------------------------------
describe('1. switch-over cost: downtime of a short migration', () => {
  const finalPass = (K * 10.2800390625 * Mi) / 1.25e9;
  const rows = [
    { name: 'default (1 ms)', cost: HYPERVISOR_DEFAULTS.switchoverCost, downtime: 0.009640364608 },
    { name: 'the former 20 ms default, configured', cost: 0.02, downtime: 0.028640364608 },
    { name: 'no fixed cost', cost: 0, downtime: 0.008640364608 },
  ];
  for (const row of rows) {
    it(`${row.name}: downtime ${row.downtime} s`, () => {
      const { m, dur } = one(
        pair({
          nic: TEN_GBIT,
          switchoverCost: row.cost,
          vm: { memory: Gi, dirty: constant(10 * Mi, Gi) },
          migrations: { bandwidthPerMigration: 100 * Mi },
        }),
      );
      expect(HYPERVISOR_DEFAULTS.switchoverCost).toBe(0.001);
      expect(finalPass).toBeCloseTo(0.008640364608, 12);
      expect(m.phase).toBe('Succeeded');
      expect(m.iterations).toBe(2);
      expect(m.downtimeSeconds).toBeCloseTo(row.downtime, 9);
      expect(dur).toBeCloseTo(11.296644270858 + row.cost, 9);
      expectBytes(m.transferredBytes, (1026 + 102.6 * K + 10.2800390625 * K) * Mi);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Page headers and zero pages with the page size from the scenario. An idle 1 GiB guest with
//    512 MiB in use on a 10 Gb/s link; round 0 is its only pass.
//      4 KiB pages:  131072 non-zero · 4104 B + 131072 zero · 9 B = 537919488 + 1179648 = 539099136 B
//      64 KiB pages:   8192 non-zero · 65544 B + 8192 zero · 9 B = 536936448 + 73728 = 537010176 B
//    time = bytes / 1.25e9.
// ---------------------------------------------------------------------------------------------
describe('2. wire bytes: 8-byte page headers, 9-byte zero pages, page size from the scenario', () => {
  const rows = [
    { pageSize: 4096, bytes: 539099136 },
    { pageSize: 65536, bytes: 537010176 },
  ];
  for (const row of rows) {
    it(`pageSize ${row.pageSize}: ${row.bytes} B in ${row.bytes / 1.25e9} s`, () => {
      const pages = (512 * Mi) / row.pageSize;
      expect(pages * (row.pageSize + 8) + pages * ZERO_PAGE).toBe(row.bytes);
      const s = pair({ nic: TEN_GBIT, vm: { memory: Gi, usedMemory: 512 * Mi, dirty: constant(0, 512 * Mi) } });
      const { m, dur, r } = one({ ...s, hypervisor: { ...s.hypervisor, pageSize: row.pageSize } });
      expect(m.iterations).toBe(1);
      expect(m.transferredBytes).toBe(row.bytes);
      expect(dur).toBeCloseTo(row.bytes / 1.25e9, 12);
      expect(events(r, 'Iteration').map((e) => e.bytes)).toEqual([row.bytes]);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 3. `switchover: qemu` — QEMU tests pending ≤ threshold every 100 ms (migration.c BUFFER_DELAY,
//    migration_iteration_run), pending = unsent pages of the pass + dirty pages, in guest bytes.
//    4 GiB guest, all in use, bandwidthPerMigration 100 MiB/s on a 10 Gb/s link: the pass goes at
//    100 MiB/s of wire bytes, i.e. 100/k guest MiB/s; the switch sends the rest at 1.25e9 B/s.
//    a) idle guest, d = 0.3 s (threshold 30 MiB):
//       rounds: pass 0 ends at 4104/100 = 41.04 s with 0 dirty → final pass of 0 B.
//       qemu:   pending(t) = (4104 − 100t)/k ≤ 30 ⇔ t ≥ (4104 − 30k)/100 = 40.7394140625 → the
//               check at 40.8: 4080 MiB sent, 24 MiB (wire) left → 24·2^20/1.25e9 = 0.0201326592 s.
//    b) downtime limit 2000 s (QEMU's maximum: "unlimited"):
//       rounds: as in a), the switch waits for the end of pass 0.
//       qemu:   the first check (0.1 s, 10 MiB sent) passes → 4094 MiB at 1.25e9 B/s =
//               3.43429939 s of downtime, at once.
//    c) D = 10 MiB/s: pending falls at 100/k − 10 = 89.8050682 MiB/s while a pass runs.
//       Pass 0 (41.04 s) would need t ≥ 4066/89.805 = 45.28 s: no. It dirties 410.4 MiB.
//       Pass 1 (k·410.4 MiB, 4.112015625 s, to 45.152015625) would need 380.4/89.805 = 4.236 s: no.
//       Pass 2 covers G_2 = 410.4·0.1k = 41.12015625 MiB (0.41200 s): pending ≤ 30 from
//       τ = 11.12015625/89.8050682 = 0.1238255 s, i.e. t ≥ 45.2758411 → the check at 45.3
//       (τ = 0.147984375 s, 14.7984375 MiB sent). The rest goes at link speed:
//       k·41.12015625 − 100τ (unsent) + k·10τ (dirty) = 27.884765625 MiB.
//       rounds: pass 2 ends at 45.152015625 + 0.4120046906 dirtying G_3 = 4.1200469 ≤ 30 → final
//       pass of k·G_3 = 4.1280939 MiB in 0.0034628961 s → end 45.5674832117 s.
// ---------------------------------------------------------------------------------------------
describe('3. switchover: rounds | qemu', () => {
  const link = 1.25e9;
  const rows = [
    {
      name: 'a) idle guest, rounds: the switch waits for the end of pass 0',
      switchover: 'rounds',
      limit: 0.3,
      D: 0,
      expect: { end: 41.04, downtime: 0, iterations: 1, stopCopyMiB: 0, lastPassMiB: 4104 },
    },
    {
      name: 'a) idle guest, qemu: switch at the 40.8 s check, the 24 MiB tail uncapped',
      switchover: 'qemu',
      limit: 0.3,
      D: 0,
      expect: { end: 40.8 + (24 * Mi) / link, downtime: (24 * Mi) / link, iterations: 1, stopCopyMiB: 24, lastPassMiB: 4080 },
    },
    {
      name: 'b) unlimited downtime (2000 s), rounds: still after pass 0',
      switchover: 'rounds',
      limit: 2000,
      D: 0,
      expect: { end: 41.04, downtime: 0, iterations: 1, stopCopyMiB: 0, lastPassMiB: 4104 },
    },
    {
      name: 'b) unlimited downtime (2000 s), qemu: switch over at once (first check, 0.1 s)',
      switchover: 'qemu',
      limit: 2000,
      D: 0,
      expect: { end: 0.1 + (4094 * Mi) / link, downtime: (4094 * Mi) / link, iterations: 1, stopCopyMiB: 4094, lastPassMiB: 10 },
    },
    {
      name: 'c) D = 10 MiB/s, rounds: 3 passes, final pass k·4.120048 MiB',
      switchover: 'rounds',
      limit: 0.3,
      D: 10 * Mi,
      expect: {
        end: 45.152015625 + (K * 41.12015625) / 100 + (K * 4.120046905517579 * Mi) / link,
        downtime: (K * 4.120046905517579 * Mi) / link,
        iterations: 3,
        stopCopyMiB: K * 4.120046905517579,
        lastPassMiB: K * 41.12015625,
      },
    },
    {
      name: 'c) D = 10 MiB/s, qemu: pass 2 cut at the 45.3 s check, 27.884765625 MiB uncapped',
      switchover: 'qemu',
      limit: 0.3,
      D: 10 * Mi,
      expect: {
        end: 45.3 + (27.884765625 * Mi) / link,
        downtime: (27.884765625 * Mi) / link,
        iterations: 3,
        stopCopyMiB: 27.884765625,
        lastPassMiB: 14.7984375,
      },
    },
  ] as const;
  for (const row of rows) {
    it(row.name, () => {
      const { m, dur, r } = one(
        pair({
          nic: TEN_GBIT,
          switchover: row.switchover,
          downtimeLimit: row.limit,
          vm: { memory: 4 * Gi, dirty: constant(row.D, 4 * Gi) },
          migrations: { bandwidthPerMigration: 100 * Mi },
        }),
      );
      const e = row.expect;
      expect(m.phase).toBe('Succeeded');
      expect(m.iterations).toBe(e.iterations);
      expect(dur).toBeCloseTo(e.end, 5);
      expect(m.downtimeSeconds).toBeCloseTo(e.downtime, 6);
      const sc = events(r, 'StopAndCopy');
      expect(sc.length).toBe(1);
      expect(sc[0]!.bytes / Mi).toBeCloseTo(e.stopCopyMiB, 5);
      const passes = events(r, 'Iteration');
      expect(passes.length).toBe(e.iterations);
      expect(passes[passes.length - 1]!.bytes / Mi).toBeCloseTo(e.lastPassMiB, 5);
    });
  }

  it('the two modes agree when no check inside a pass can pass (D = 1.1·B, W = M = 1 GiB)', () => {
    // Pending starts each pass at G_i > threshold and the guest dirties faster (1.1·B) than the
    // pass drains it (B/k), so pending never falls during a pass: no 100 ms check can pass and
    // both modes run the same passes to the same CompletionTimeout (1 GiB → 301.2 s): pass 0 of
    // 2^30·k B (0.8606711808 s), then passes of the same size, 1 + floor((301.2 − 0.8606711808)/
    // 0.8606711808) = 349.
    const base = { nic: TEN_GBIT, vm: { memory: Gi, dirty: constant(1.1 * TEN_GBIT, Gi) } };
    const a = one(pair({ ...base, switchover: 'rounds' }));
    const b = one(pair({ ...base, switchover: 'qemu' }));
    expect(a.m.reason).toBe('CompletionTimeout');
    expect(b.m.reason).toBe('CompletionTimeout');
    expect(b.dur).toBe(a.dur);
    expect(b.m.iterations).toBe(a.m.iterations);
    expect(b.m.transferredBytes).toBe(a.m.transferredBytes);
    // …and both skip the identical passes from pass 2 on: 349 passes, a handful of events
    expect(a.m.iterations).toBe(349);
    expect(a.r.sim.eventsProcessed).toBeLessThan(20);
    expect(b.r.sim.eventsProcessed).toBe(a.r.sim.eventsProcessed);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. A guest that can never converge, every timeout off. 1 GiB in use, W = 2 MiB, D = 2.5e9 B/s,
//    B = 1.25e9 B/s, downtime limit 1 ms → threshold 1.25e6 B < W = 2097152 B.
//    Pass 0: 2^30·k B in 0.8606711808 s, dirtying min(D·T, W) = W. Every later pass: W·k =
//    2101248 B in T = 0.0016809984 s, dirtying W again → identical passes, ~595 per second.
//    Over a 24 h horizon that is 51 million passes: one event each would take minutes and the
//    log would not fit in memory. From the end of pass 1 the job is in a steady state with no
//    event of its own; the run ends at the horizon with
//      iterations = 1 + floor((86400 − 0.8606711808)/0.0016809984)
//      bytes      = 1.25e9 · 86400 = 1.08e14 (the link is never idle).
// ---------------------------------------------------------------------------------------------
describe('4. non-converging guest with every timeout off: a steady state to the horizon', () => {
  const T0 = (Gi * K) / 1.25e9;
  const T = (2 * Mi * K) / 1.25e9;
  const horizon = 86400;

  it('through the simulation: still Running at the horizon, with a bounded number of events', () => {
    const { m, r } = one(
      pair({
        nic: TEN_GBIT,
        downtimeLimit: 0.001,
        vm: { memory: Gi, dirty: constant(2 * TEN_GBIT, 2 * Mi) },
        migrations: { completionTimeoutPerGiB: 0, progressTimeout: 0 },
        over: { horizon },
      }),
    );
    expect(T0).toBeCloseTo(0.8606711808, 12);
    expect(T).toBeCloseTo(0.0016809984, 12);
    expect(m.phase).toBe('Running');
    expect(r.summary.horizonReached).toBe(true);
    expect(r.sim.endTime).toBe(horizon);
    // passes 0 and 1 are logged; the steady state then adds nothing until something changes
    expect(events(r, 'Iteration').map((e) => e.iteration)).toEqual([1, 2]);
    expect(r.sim.eventsProcessed).toBeLessThan(50);
  });

  /** The job alone on one 1.25e9 B/s link, every event recorded. */
  function bare(): { sim: Simulator; fabric: Fabric; job: MigrationJob; seen: JobEvent[]; link: ReturnType<Fabric['link']> } {
    const sim = new Simulator();
    const fabric = new Fabric();
    const link = fabric.link('a->b', 1.25e9);
    const params: JobParams = {
      id: 'x',
      memoryBytes: Gi,
      guestBytes: Gi,
      pageSize: 4096,
      switchover: 'rounds',
      diskBytes: 0,
      dirty: dirtyModel(constant(2.5e9, 2 * Mi)),
      throttleSensitivity: 1,
      downtimeLimit: 0.001,
      switchoverCost: 0.001,
      bandwidthCap: Infinity,
      autoConverge: null,
      keepaliveTimeout: 30,
      links: [link],
    };
    const seen: JobEvent[] = [];
    const job = new MigrationJob(sim, fabric, params, (ev) => seen.push(ev));
    return { sim, fabric, job, seen, link };
  }

  it('progress(horizon) reports the passes and bytes so far', () => {
    const { sim, job, seen } = bare();
    job.start();
    sim.run(horizon);
    expect(sim.busy).toBe(true); // the job keeps the run going to its horizon
    const p = job.progress(horizon);
    expect(p.phase).toBe('precopy');
    expect(p.steady).toBe(true);
    expect(p.iterations).toBe(1 + Math.floor((horizon - T0) / T));
    expect(p.iterations).toBe(51397515);
    expectBytes(p.transferredBytes, 1.25e9 * horizon);
    expect(p.throttlePercent).toBe(0);
    expect(seen.filter((e) => e.type === 'Iteration').length).toBe(2);
    expect(sim.eventsProcessed).toBeLessThan(10);
    // progress is read-only: asking again, or earlier, changes nothing
    expect(job.progress(horizon)).toEqual(p);
    expect(job.progress(1000).iterations).toBe(1 + Math.floor((1000 - T0) / T));
    expectBytes(job.progress(1000).transferredBytes, 1.25e12);
  });

  it('leaving the steady state: an abort at 1000 s counts the skipped passes', () => {
    const { sim, job, seen } = bare();
    job.start();
    sim.at(1000, () => job.abort('AbortRequested', 'migration was deleted: AbortJob'));
    sim.run(horizon);
    const failed = seen.find((e) => e.type === 'Failed');
    expect(failed && failed.type === 'Failed' ? failed.result.iterations : null).toBe(1 + Math.floor((1000 - T0) / T));
    expectBytes(failed && failed.type === 'Failed' ? failed.result.transferredBytes : NaN, 1.25e12);
    expect(sim.busy).toBe(false);
  });

  it('a bandwidth change at 1000 s ends the steady state; passes at half the rate form a new one', () => {
    // At 1000 s the link drops to 0.625e9 B/s. The pass under way (sent: 1.25e9·e B, e = time into
    // it) finishes at the new rate, the next is disturbed-free and identical → steady again with
    // passes of 2T. The link is still never idle: bytes = 1.25e9·1000 + 0.625e9·85400.
    const { sim, fabric, job, link } = bare();
    job.start();
    sim.at(1000, () => fabric.setCapacity(link, 0.625e9));
    sim.run(horizon);
    const n1 = Math.floor((1000 - T0) / T);
    const e = 1000 - T0 - n1 * T;
    const passEnd = 1000 + (2 * Mi * K - 1.25e9 * e) / 0.625e9;
    const p = job.progress(horizon);
    expect(p.steady).toBe(true);
    expect(p.iterations).toBe(1 + n1 + 1 + Math.floor((horizon - passEnd) / (2 * T)));
    expectBytes(p.transferredBytes, 1.25e9 * 1000 + 0.625e9 * (horizon - 1000));
    expect(sim.eventsProcessed).toBeLessThan(20);
  });
});
