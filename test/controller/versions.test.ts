// Version-dependent behaviour (src/scenario/versions.ts): the messages users grep for, the VFIO
// branch, the memory-only completion deadline of block migrations, and the back-off window.
import { describe, expect, it } from 'vitest';
import { evacuationBackoffUntil, type BackoffEntry } from '../../src/controller/migration-controller.js';
import { behaviourFor } from '../../src/scenario/versions.js';
import type { Operation, VolumeSpec } from '../../src/scenario/types.js';
import { Gi, Mi, migrate, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { eventsOf } from '../helpers/log.js';

const v18 = { major: 1, minor: 8 };
const v19 = { major: 1, minor: 9 };
const nic = (rate: number) => ({ nics: { pod: rate } });
const outage = (at: number, duration: number): Operation => ({ kind: 'outage', at, duration, scope: { kind: 'network' }, networkName: null });
const emptyDisk = (size: number): VolumeSpec => ({ name: 'scratch', type: 'emptyDisk', accessModes: [], shared: false, attachment: 'disk', readOnly: false, size });

describe('the version table', () => {
  it.each([
    // [version, gates] → the flags that differ across releases
    { v: { major: 1, minor: 3 }, gates: [], pq: false, vfio: false, wd: false, msgs: false },
    { v: { major: 1, minor: 5 }, gates: [], pq: false, vfio: false, wd: true, msgs: false },
    { v: { major: 1, minor: 6 }, gates: ['MigrationPriorityQueue'], pq: false, vfio: false, wd: true, msgs: false },
    { v: { major: 1, minor: 7 }, gates: ['MigrationPriorityQueue'], pq: true, vfio: false, wd: true, msgs: false },
    { v: v18, gates: [], pq: false, vfio: false, wd: true, msgs: false },
    { v: v18, gates: ['MigrationPriorityQueue'], pq: true, vfio: false, wd: true, msgs: false },
    { v: v19, gates: [], pq: true, vfio: true, wd: true, msgs: true },
    { v: { major: 1, minor: 12 }, gates: [], pq: true, vfio: true, wd: true, msgs: true },
  ])('v$v.major.$v.minor $gates', ({ v, gates, pq, vfio, wd, msgs }) => {
    const b = behaviourFor(v, gates);
    expect([b.priorityQueue, b.vfioRaisesDowntime, b.workloadDisruption, b.asyncAbortMessages]).toEqual([pq, vfio, wd, msgs]);
  });
});

describe('failure messages by version', () => {
  it.each([
    { version: v18, want: 'Live migration stuck for 151 seconds and has been aborted' },
    { version: v19, want: 'Live migration has been aborted' },
  ])('progress timeout on $version.minor: "$want"', ({ version, want }) => {
    // 4 GiB at 64 MiB/s; the network goes down at 10 s for 1000 s (keepalive 5 s × 101 = 505 s
    // cannot fire first). The poll at 10.0 is the last that sees DataRemaining fall; the abort
    // comes at the first poll with floor(t − 10) > 150: 161.2 s, stuck for floor(151.2) = 151 s.
    const s = scenario({
      nodes: [node('a', nic(64 * Mi)), node('b', nic(64 * Mi))],
      vms: [vm('x', 'a', { memory: 4 * Gi })],
      operations: [migrate('default/x'), outage(10, 1000)],
      keepalive: { interval: 5, count: 100 },
      version,
    });
    const m = run(s).migrations[0]!;
    expect(m).toMatchObject({ reason: 'ProgressTimeout', message: want });
    expect(m.endedAt).toBeCloseTo(161.2, 9);
  });

  it.each([
    { version: v18, want: 'Live migration is not completed after 300 seconds and has been aborted' },
    { version: v19, want: 'Live migration has been aborted' },
  ])('an emptyDisk VM aborted at its memory-only deadline on $version.minor: "$want"', ({ version, want }) => {
    // 1 GiB of memory, a 400 GiB emptyDisk, 1 GiB/s: a BlockMigration whose deadline counts only
    // memory (emptyDisk images are not in the ephemeral-disk directory): 150 × ceil(1.07) = 300 s
    // → abort at the poll 301.2 s, while the disk mirror (400 s) is still running: 301.2 GiB sent.
    // Counting the disk would give 150 × ceil(430.6) = 64,650 s and the copy would finish.
    const s = scenario({
      nodes: [node('a', nic(Gi)), node('b', nic(Gi))],
      vms: [vm('x', 'a', { memory: 1 * Gi, volumes: [emptyDisk(400 * Gi)] })],
      operations: [migrate('default/x')],
      version,
    });
    const m = run(s).migrations[0]!;
    expect(m).toMatchObject({ migrationMethod: 'BlockMigration', acceptableCompletionTime: 300, reason: 'CompletionTimeout', message: want, iterations: 0 });
    expect(m.endedAt).toBeCloseTo(301.2, 9);
    expect(m.transferredBytes / Gi).toBeCloseTo(301.2, 6);
  });

  it('a drain of the emptyDisk VM loops through the back-off', () => {
    // Each evacuation attempt aborts 301.2 s after it starts (memory-only deadline 300 s; the
    // 400 GiB disk never finishes); the next is created at once and waits 20, 40, 80 s.
    const s = scenario({
      nodes: [node('a', nic(Gi)), node('b', nic(Gi))],
      vms: [vm('x', 'a', { memory: 1 * Gi, volumes: [emptyDisk(400 * Gi)], evictionStrategy: 'LiveMigrate' })],
      operations: [{ kind: 'drain', at: 0, nodes: { kind: 'names', names: ['a'] } }],
      over: { horizon: 1100 },
    });
    const r = run(s);
    expect(r.migrations.slice(0, 3).map((m) => m.reason)).toEqual(['CompletionTimeout', 'CompletionTimeout', 'CompletionTimeout']);
    const starts = r.migrations.slice(0, 4).map((m) => m.startedAt);
    // 0; 301.2 + 20; 622.4 + 40; 963.6 + 80
    expect(starts).toEqual([0, 321.2, 662.4, 1043.6].map((x) => expect.closeTo(x, 9)));
    expect(r.nodes[0]!.drainCompletedAt).toBeNull();
  });

  it.each([
    { version: v18, startup: 0, want: 'Live migration failed: operation aborted: migration out job: canceled by client' },
    { version: v19, startup: 0, want: 'Live migration has been aborted' },
    { version: v18, startup: 5, want: 'Migration failed due to being canceled' }, // before hand-off
    { version: v19, startup: 5, want: 'Migration failed due to being canceled' },
  ])('cancel at 2 s on $version.minor with target pod start-up $startup s: "$want"', ({ version, startup, want }) => {
    const s = scenario({
      nodes: [node('a', nic(Gi)), node('b', nic(Gi))],
      vms: [vm('x', 'a', { memory: 8 * Gi })],
      operations: [migrate('default/x', 0, 'm1'), { kind: 'cancel', at: 2, migration: 'm1' }],
      version,
    });
    s.controlPlane.targetPodStartup = { kind: 'fixed', value: startup };
    expect(run(s).migrations[0]!).toMatchObject({ reason: 'AbortRequested', message: want, endedAt: 2 });
  });

  it.each([
    { case: 'unschedulable', over: {}, startup: 0, at: 300, deleted: /^unschedulable pod default\/virt-launcher-x-[a-z0-9]{5} timeout period exceeded$/ },
    { case: 'pending', over: {}, startup: 1000, at: 900, deleted: /^pending pod default\/virt-launcher-x-[a-z0-9]{5} timeout period exceeded$/ },
  ])('target pod $case timeout: SuccessfulDelete then FailedMigration at $at s', ({ startup, at, deleted, case: c }) => {
    const s = scenario({
      nodes: [node('a'), node('b', { unschedulable: c === 'unschedulable' })],
      vms: [vm('x', 'a')],
      operations: [migrate('default/x', 0, 'm1')],
    });
    s.controlPlane.targetPodStartup = { kind: 'fixed', value: startup };
    const r = run(s);
    const ev = eventsOf(r.sim.log.events, 'KubeEvent').filter((e) => e.reason !== 'migrationTargetPodUnschedulable');
    expect(ev.map((e) => [e.t, e.eventType, e.reason, e.object])).toEqual([
      [at, 'Normal', 'SuccessfulDelete', 'VirtualMachineInstanceMigration default/m1'],
      [at, 'Warning', 'FailedMigration', 'VirtualMachineInstanceMigration default/m1'],
    ]);
    expect(ev[0]!.message).toMatch(deleted);
    expect(ev[1]!.message).toBe('Migration target pod was removed during active migration.');
    expect(r.migrations[0]!.message).toMatch(/^Migration target pod was removed during active migration\. \(target pod was (unschedulable|pending) for (300|900)s/);
  });
});

describe('VFIO at the completion deadline (allowPostCopy, so allowWorkloadDisruption)', () => {
  it.each([
    // 1 GiB dirtying 2 GiB/s over 1 GiB at 1 GiB/s never converges; deadline 300 s → poll 301.2.
    // v1.8 has no VFIO check on this path: post-copy starts. v1.9.0 raises max downtime to
    // min(2 × 300 s, 2000 s) = 600 s and doubles the deadline: the next round converges.
    { version: v18, postCopyAt: 301.2, raised: [] as number[][] },
    { version: v19, postCopyAt: null, raised: [[301.2, 600]] },
  ])('v$version.major.$version.minor', ({ version, postCopyAt, raised }) => {
    const s = scenario({
      nodes: [node('a', nic(Gi)), node('b', nic(Gi))],
      vms: [vm('x', 'a', { memory: 1 * Gi, dirty: { kind: 'constant', rate: 2 * Gi, workingSet: 1 * Gi }, gpus: [{ name: 'vgpu', mediated: true }] })],
      operations: [migrate('default/x')],
      migrations: { allowPostCopy: true, allowWorkloadDisruption: true },
      version,
    });
    s.kubevirt.featureGates = ['VGPULiveMigration'];
    const r = run(s);
    const pc = eventsOf(r.sim.log.events, 'PostCopyStarted').map((e) => e.t);
    expect(pc).toEqual(postCopyAt === null ? [] : [expect.closeTo(postCopyAt, 9)]);
    expect(eventsOf(r.sim.log.events, 'DowntimeRaised').map((e) => [e.t, e.downtimeLimit])).toEqual(raised.map(([t, l]) => [expect.closeTo(t!, 9), l]));
    expect(r.migrations[0]!.phase).toBe('Succeeded');
  });
});

describe('evacuation back-off over the 5 VMIMs garbage collection keeps', () => {
  const evac = (phase: 'Failed' | 'Succeeded', finalAt: number): BackoffEntry => ({ evacuation: true, phase, finalAt });
  const user = (finalAt: number): BackoffEntry => ({ evacuation: false, phase: 'Succeeded', finalAt });
  it.each([
    { case: 'no history', h: [], until: 0 },
    { case: 'one failure at 100: 20 s', h: [evac('Failed', 100)], until: 120 },
    { case: 'three failures, last at 300: 20·2² = 80 s', h: [evac('Failed', 100), evac('Failed', 200), evac('Failed', 300)], until: 380 },
    { case: 'a success stops the count', h: [evac('Failed', 100), evac('Succeeded', 200), evac('Failed', 300)], until: 320 },
    { case: 'user VMIMs give no back-off and do not stop it', h: [evac('Failed', 100), user(200)], until: 120 },
    // six failures: only the newest five are kept → 20·2⁴ = 320 s after the last (600)
    { case: 'six failures: five kept, 320 s', h: [1, 2, 3, 4, 5, 6].map((k) => evac('Failed', k * 100)), until: 920 },
    // a failure pushed out of the window by four later user VMIMs: the window holds 1 failure
    { case: 'user VMIMs push older failures out', h: [evac('Failed', 50), evac('Failed', 100), user(200), user(300), user(400), user(500)], until: 120 },
    { case: 'five user VMIMs after a failure: nothing left to count', h: [evac('Failed', 100), user(200), user(300), user(400), user(500), user(600)], until: 0 },
  ])('$case → $until', ({ h, until }) => {
    expect(evacuationBackoffUntil(h)).toBe(until);
  });
});
