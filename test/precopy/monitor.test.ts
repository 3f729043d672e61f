// KubeVirt's source-side monitor (pkg/virt-launcher/virtwrap/live-migration-source.go,
// migrationMonitor: shouldTriggerTimeout, isMigrationProgressing): exact instants of the completion and progress
// timeouts and the decision order at a poll. Polls are at start + 0.4·k s; with zero latencies
// start = the migration's startedAt = 0.
import { describe, expect, it } from 'vitest';
import { constant, events, Gi, Mi, one, outage, pair, TEN_GBIT } from './fixtures.js';

/** First poll with floor(elapsed) > acceptable: ceil((acceptable + 1)/0.4)·0.4. */
const firstPollAfter = (acceptable: number): number => (Math.ceil(((acceptable + 1) * 10) / 4) * 4) / 10;

// ---------------------------------------------------------------------------------------------
// 3. Completion timeout. acceptable = completionTimeoutPerGiB × ceil(bytes/1e9), bytes =
//    guestMemory ?? memory. The guest never converges: D = 2·B, W = M (every round dirties all
//    of memory again), B = 1.25e9 B/s. Abort `CompletionTimeout` at the first poll with
//    floor(elapsed) > acceptable.
// ---------------------------------------------------------------------------------------------
const completionRows = [
  // 4·2^30 = 4.295e9 → 5 units → 750 s; ceil(751/0.4) = ceil(1877.5) = 1878 → 751.2 s
  { name: '4Gi at 150', memory: 4 * Gi, perGiB: 150, acceptable: 750, fires: 751.2 },
  // 1.074e9 → 2 → 300; ceil(752.5) = 753 → 301.2
  { name: '1Gi at 150', memory: Gi, perGiB: 150, acceptable: 300, fires: 301.2 },
  // 2.147e9 → 3 → 450 → 451.2
  { name: '2Gi at 150', memory: 2 * Gi, perGiB: 150, acceptable: 450, fires: 451.2 },
  // 8.59e9 → 9 → 1350 (not 1200) → 1351.2
  { name: '8Gi at 150', memory: 8 * Gi, perGiB: 150, acceptable: 1350, fires: 1351.2 },
  // exactly 1e9 B → 1 unit → 150 → 151.2
  { name: '1e9 B at 150', memory: 1e9, perGiB: 150, acceptable: 150, fires: 151.2 },
  // one page more → 2 units → 300 → 301.2
  { name: '1e9 + 4096 B at 150', memory: 1e9 + 4096, perGiB: 150, acceptable: 300, fires: 301.2 },
  // odd acceptable: 151 → floor(t) > 151 first at t = 152.0, which is on the grid (poll 380)
  { name: '1e9 B at 151 (deadline on the poll grid)', memory: 1e9, perGiB: 151, acceptable: 151, fires: 152 },
  // guestMemory wins over the request: 2Gi → 3 → 450 → 451.2
  { name: 'memory 4Gi, guest 2Gi at 150', memory: 4 * Gi, guestMemory: 2 * Gi, perGiB: 150, acceptable: 450, fires: 451.2 },
  // v1.3 default 800 s/GiB set explicitly: 1Gi → 2 → 1600 → 1601.2; 4Gi → 5 → 4000 → 4001.2
  { name: '1Gi at 800 (v1.3)', memory: Gi, perGiB: 800, version: { major: 1, minor: 3 }, acceptable: 1600, fires: 1601.2 },
  { name: '4Gi at 800 (v1.3)', memory: 4 * Gi, perGiB: 800, version: { major: 1, minor: 3 }, acceptable: 4000, fires: 4001.2 },
  // HCO's proposed 20 s/GiB: 1Gi → 2 → 40 → 41.2
  { name: '1Gi at 20', memory: Gi, perGiB: 20, acceptable: 40, fires: 41.2 },
] as const;

describe('3. completion timeout instants (non-converging guest, D = 2B, W = M)', () => {
  for (const row of completionRows) {
    it(`${row.name}: acceptable ${row.acceptable} s → CompletionTimeout at ${row.fires} s`, () => {
      expect(firstPollAfter(row.acceptable)).toBeCloseTo(row.fires, 9); // the derivation itself
      const { m, dur, r } = one(
        pair({
          nic: TEN_GBIT,
          vm: {
            memory: row.memory,
            guestMemory: 'guestMemory' in row ? row.guestMemory : null,
            dirty: constant(2 * TEN_GBIT, row.memory),
          },
          migrations: { completionTimeoutPerGiB: row.perGiB },
          version: 'version' in row ? row.version : undefined,
        }),
      );
      expect(m.acceptableCompletionTime).toBe(row.acceptable);
      expect(m.startedAt).toBe(0);
      expect(m.phase).toBe('Failed');
      expect(m.reason).toBe('CompletionTimeout');
      // v1.9's asynchronous abort reports one text; up to v1.8 the monitor named the deadline
      expect(m.message).toBe('version' in row ? `Live migration is not completed after ${row.acceptable} seconds and has been aborted` : 'Live migration has been aborted');
      expect(dur).toBeCloseTo(row.fires, 6);
      expect(m.downtimeSeconds).toBe(0);
      expect(r.vms.find((v) => v.vmi === 'default/x')!.finalNode).toBe('a');
    });
  }

  it('completionTimeoutPerGiB 0 disables it: still Running at the horizon', () => {
    // B = 1 MiB/s, 4 GiB, D = 0: round 0 alone needs 4096 s > horizon 2000 s; nothing fires.
    const { m, r } = one(
      pair({ nic: Mi, vm: { memory: 4 * Gi, dirty: constant(0, 4 * Gi) }, migrations: { completionTimeoutPerGiB: 0 }, over: { horizon: 2000 } }),
    );
    expect(m.acceptableCompletionTime).toBe(0);
    expect(m.phase).toBe('Running');
    expect(m.endedAt).toBeNull();
    expect(r.summary.unfinished).toBe(1);
    expect(r.summary.horizonReached).toBe(true);
  });

  it('v1.4: allowWorkloadDisruption does not exist → no pause, abort at the deadline', () => {
    // v1.4 decision: "timeout AND allowPostCopy → post-copy, otherwise abort".
    const { m, dur, r } = one(
      pair({
        nic: TEN_GBIT,
        vm: { memory: Gi, dirty: constant(2 * TEN_GBIT, Gi) },
        migrations: { allowWorkloadDisruption: true, allowPostCopy: false },
        version: { major: 1, minor: 4 },
      }),
    );
    expect(events(r, 'GuestPaused')).toEqual([]);
    expect(m.reason).toBe('CompletionTimeout');
    expect(dur).toBeCloseTo(301.2, 6);
  });

  it('v1.3 with allowPostCopy: post-copy at the deadline (no allowWorkloadDisruption needed)', () => {
    // 1Gi at 800 → 1600 → switch at 1601.2. Rounds are 1Gi·k/1.25e9 s (k = 4104/4096 = 513/512,
    // QEMU's 8-byte page header), every round dirties all of it; pending = min(M·k, left + dirtied·k)
    // = M·k (the cap binds) → 0.8589934592·513/512 = 0.860671180800 s.
    const { m, dur } = one(
      pair({
        nic: TEN_GBIT,
        vm: { memory: Gi, dirty: constant(2 * TEN_GBIT, Gi) },
        migrations: { completionTimeoutPerGiB: 800, allowPostCopy: true, allowWorkloadDisruption: false },
        version: { major: 1, minor: 3 },
      }),
    );
    expect(m.mode).toBe('PostCopy');
    expect(m.phase).toBe('Succeeded');
    expect(m.postCopySeconds).toBeCloseTo(0.8606711808, 6);
    expect(dur).toBeCloseTo(1601.2 + 0.8606711808, 6);
  });

  it('Paused migration that misses the doubled deadline aborts at 1501.2 s (case 4)', () => {
    // B = 1 MiB/s, M = 4 GiB, D = 0: round 0 needs 4096 s. Pause at 751.2 (deadline → 1500), the
    // guest stays paused, abort CompletionTimeout at ceil(1501/0.4)·0.4 = 1501.2. The pre-copy is
    // aborted, libvirt resumes the source: downtime = 1501.2 − 751.2 = 750 s. No round completed.
    const { m, dur, r } = one(
      pair({ nic: Mi, vm: { memory: 4 * Gi, dirty: constant(0, 4 * Gi) }, migrations: { allowWorkloadDisruption: true, allowPostCopy: false } }),
    );
    expect(events(r, 'GuestPaused').map((e) => e.t)).toEqual([expect.closeTo(751.2, 6)]);
    expect(m.mode).toBe('Paused');
    expect(m.reason).toBe('CompletionTimeout');
    expect(m.message).toBe('Live migration has been aborted'); // v1.9: the cause is not in the text
    expect(dur).toBeCloseTo(1501.2, 6);
    expect(m.downtimeSeconds).toBeCloseTo(750, 6);
    expect(m.iterations).toBe(0);
    expect(m.transferredBytes / Mi).toBeCloseTo(1501.2, 6);
    expect(r.vms.find((v) => v.vmi === 'default/x')!.finalNode).toBe('a');
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Progress timeout (migrationMonitor.isMigrationProgressing). B = 64 MiB/s, M = 4 GiB, D = 0: round 0 needs 64 s. A long
//    outage (1000 s) stops the transfer; keepalive count 100 → 5·101 = 505 s, so only the
//    progress timeout (150 s) can fire. Completion deadline 751.2 s is far away.
//    KubeVirt: at each poll, if DataRemaining < the previous poll's value, lastProgressUpdate = now;
//    abort at the first poll with floor(now − lastProgressUpdate) > 150, i.e. 151.2 s after it.
// ---------------------------------------------------------------------------------------------
describe('4. progress timeout on a stalled transfer (B = 64 MiB/s, M = 4 GiB, keepalive 5 s × 101)', () => {
  const base = { nic: 64 * Mi, vm: { memory: 4 * Gi, dirty: constant(0, 4 * Gi) }, keepalive: { interval: 5, count: 100 } };

  const rows = [
    // Stall exactly on a poll (t = 10.0, poll 25): that poll still sees DataRemaining fall since
    // 9.6, the one at 10.4 does not → last progress 10.0 → abort at 10.0 + 151.2 = 161.2.
    // stalledSeconds = 151.2; bytes = 64 MiB/s · 10 s = 640 MiB.
    { at: 10, abortAt: 161.2, bytesMiB: 640 },
    // Stall at t = 0 (the migration's first instant): poll 0 counts as progress (watermark 0)
    // → abort at 151.2.
    { at: 0, abortAt: 151.2, bytesMiB: 0 },
    // Stall between polls (t = 10.3). Bytes still moved between the poll at 10.0 and 10.3, so the
    // poll at 10.4 sees DataRemaining lower than at 10.0 and records progress at 10.4 (isMigrationProgressing:
    // progress means DataRemaining fell between two consecutive polls). Abort at the first poll
    // with floor(t − 10.4) > 150: t ≥ 161.4 → poll 161.6 (= 10.4 + 151.2).
    { at: 10.3, abortAt: 161.6, bytesMiB: 64 * 10.3 },
  ];
  for (const row of rows) {
    it(`outage at ${row.at} s → ProgressTimeout at ${row.abortAt} s`, () => {
      const { m, dur, r } = one(pair({ ...base, operations: [outage(row.at, 1000)] }));
      expect(m.phase).toBe('Failed');
      expect(m.reason).toBe('ProgressTimeout');
      expect(m.message).toBe('Live migration has been aborted'); // v1.9 (v1.8: "stuck for 151 seconds", test/controller/versions.test.ts)
      expect(dur).toBeCloseTo(row.abortAt, 6);
      expect(m.stalledSeconds).toBeCloseTo(row.abortAt - row.at, 6);
      expect(m.outages).toEqual(['outage-1']);
      expect(m.transferredBytes / Mi).toBeCloseTo(row.bytesMiB, 6);
      expect(events(r, 'Stalled').map((e) => e.t)).toEqual([row.at]);
      expect(r.vms.find((v) => v.vmi === 'default/x')!.finalNode).toBe('a');
    });
  }

  it('two 100 s stalls separated by a resume: the progress clock resets, the migration succeeds', () => {
    // Round 0 is 4096 MiB of pages with an 8-byte header each: 4096·4104/4096 = 4104 MiB on the wire.
    // Transfer 0–10 (640 MiB), stall 10–110, transfer 110–120 (640 MiB), stall 120–220, then the
    // remaining 4104 − 1280 = 2824 MiB take 44.125 s → end 264.125 s. Neither stall reaches 151.2 s.
    const { m, dur } = one(pair({ ...base, operations: [outage(10, 100), outage(120, 100)] }));
    expect(m.phase).toBe('Succeeded');
    expect(dur).toBeCloseTo(264.125, 6);
    expect(m.stalledSeconds).toBeCloseTo(200, 6);
    expect(m.outages).toEqual(['outage-1', 'outage-2']);
  });
});

// ---------------------------------------------------------------------------------------------
// Decision order at one poll (the order of the checks in migrationMonitor.processInflightMigration). A 1e9 B guest (acceptable 150 → deadline poll 151.2),
// B = 1.25e9 B/s, D = 0, outage from t = 0 for 160 s, keepalive 505 s: at the poll at 151.2 BOTH
// the completion deadline (floor 151 > 150) and the progress timeout (floor(151.2 − 0) > 150) are
// exceeded. Only the first matching case acts at a poll.
// ---------------------------------------------------------------------------------------------
describe('decision order when completion and progress are exceeded at the same poll', () => {
  const base = {
    nic: TEN_GBIT,
    vm: { memory: 1e9, dirty: constant(0, 1e9) },
    keepalive: { interval: 5, count: 100 },
    operations: [outage(0, 160)],
  };

  it('defaults: case 3 (progress) wins over case 4 (completion) → ProgressTimeout at 151.2', () => {
    const { m, dur } = one(pair(base));
    expect(m.reason).toBe('ProgressTimeout');
    expect(dur).toBeCloseTo(151.2, 6);
  });

  it('allowPostCopy + allowWorkloadDisruption: case 2 wins → post-copy at 151.2, done at 160.8015625', () => {
    // Nothing was sent: pending = the whole round 0 on the wire, 1e9·4104/4096 B. The outage ends at
    // 160, then 1e9·513/512 B at 1.25e9 B/s = 0.8015625 s → 160.8015625. postCopySeconds =
    // 160.8015625 − 151.2 = 9.6015625, stalled 0–160 = 160 s.
    const { m, dur, r } = one(pair({ ...base, migrations: { allowPostCopy: true, allowWorkloadDisruption: true } }));
    expect(events(r, 'PostCopyStarted').map((e) => e.t)).toEqual([expect.closeTo(151.2, 6)]);
    expect(m.phase).toBe('Succeeded');
    expect(m.mode).toBe('PostCopy');
    expect(dur).toBeCloseTo(160.8015625, 6);
    expect(m.postCopySeconds).toBeCloseTo(9.6015625, 6);
    expect(m.stalledSeconds).toBeCloseTo(160, 6);
    expect(m.downtimeSeconds).toBe(0);
  });

  it('allowWorkloadDisruption without post-copy: pause at 151.2, ProgressTimeout at the NEXT poll 151.6', () => {
    // Poll 378 (151.2): case 2 matches (deadline exceeded, disruption allowed, not Paused) → pause,
    // deadline 300; the switch ends the evaluation of this poll. Poll 379 (151.6): mode Paused, so
    // case 2 no longer applies; case 3 (stuck floor(151.6) = 151 > 150) → abort ProgressTimeout.
    // Downtime = 151.6 − 151.2 = 0.4 s (libvirt resumes the source after the abort).
    // Each poll is evaluated once, even when both tests first pass at the same poll.
    const { m, dur, r } = one(pair({ ...base, migrations: { allowPostCopy: false, allowWorkloadDisruption: true } }));
    expect(events(r, 'GuestPaused').map((e) => e.t)).toEqual([expect.closeTo(151.2, 6)]);
    expect(m.mode).toBe('Paused');
    expect(m.reason).toBe('ProgressTimeout');
    expect(dur).toBeCloseTo(151.6, 6);
    expect(m.downtimeSeconds).toBeCloseTo(0.4, 6);
  });
});
