import { describe, expect, it } from 'vitest';
import { Gi, migrate, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';

// The pending target-pod timeouts (virt-controller migration.go, handlePendingPodTimeout) are
// armed only when one could fire; they must fire at the same instants, and win the same ties,
// as timers created with the target pod. Defaults: unschedulable 300 s, catch-all 900 s; the pod
// is created at t = 0 (every other latency is 0, the 1 GiB idle guest copies in about a second).
describe('pending target-pod timeouts', () => {
  const cases: { name: string; startup: number; cordoned?: boolean; phase: string; reason: string | null; endedAt?: number }[] = [
    // ready at 899 s, before the 900 s deadline: the migration goes on and succeeds
    { name: 'pod ready 1 s before the catch-all deadline', startup: 899, phase: 'Succeeded', reason: null },
    // ready at 900 s, the deadline itself: the timeout was placed first (created with the pod)
    { name: 'pod ready at the catch-all deadline (tie: the timeout first)', startup: 900, phase: 'Failed', reason: 'TargetPodPendingTimeout', endedAt: 900 },
    { name: 'pod ready after the catch-all deadline', startup: 1000, phase: 'Failed', reason: 'TargetPodPendingTimeout', endedAt: 900 },
    // the only other node is cordoned: the pod never fits, the unschedulable timeout at 300 s
    { name: 'pod unschedulable', startup: 5, cordoned: true, phase: 'Failed', reason: 'TargetPodUnschedulable', endedAt: 300 },
  ];
  it.each(cases)('$name', ({ startup, cordoned, phase, reason, endedAt }) => {
    const s = scenario({
      nodes: [node('a'), node('b', { unschedulable: cordoned ?? false })],
      vms: [vm('v', 'a', { memory: 1 * Gi })],
      operations: [migrate('default/v')],
    });
    s.controlPlane.targetPodStartup = { kind: 'fixed', value: startup };
    const m = run(s).migrations[0]!;
    expect(m.phase).toBe(phase);
    expect(m.reason ?? null).toBe(reason);
    if (endedAt !== undefined) expect(m.endedAt).toBe(endedAt);
    else expect(m.endedAt!).toBeGreaterThan(startup);
  });
});
