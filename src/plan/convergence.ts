// The closed-form pre-copy verdict the planner uses before (or instead of) simulating: the round
// model of QEMU's ram_save_iterate / migration_iteration_run at a constant bandwidth B.
//
//   V_0 = used memory, T_k = V_k / B, V_{k+1} = min(D_k · T_k, W), switch over once V_{k+1} ≤ B · d
//
// With auto-converge, D_k = D · (1 − p_k · s): the throttle p starts at `initial` and rises by
// `increment` (to `max`) after each round that dirtied more than `triggerThreshold` of what it
// sent — QEMU's mig_throttle_guest_down / cpu_throttle_set, taken once per round instead of per
// 5 s tick (the simulation does the ticks; this is the planning estimate).
//
// It never converges when W > B · d and the dirty rate at the highest throttle is still ≥ B.

export interface ConvergenceInput {
  /** bytes round 0 sends (non-zero pages) */
  memory: number;
  /** bytes of disk mirrored before the memory copy (block migration) */
  disk: number;
  /** bytes/s the migration gets */
  bandwidth: number;
  /** bytes/s */
  dirtyRate: number;
  /** bytes the guest can dirty at most between two syncs */
  workingSet: number;
  /** seconds */
  downtimeLimit: number;
  autoConverge: { initial: number; increment: number; max: number; triggerThreshold: number; sensitivity: number } | null;
}

export interface ConvergenceVerdict {
  converges: boolean;
  /** seconds from the start of the copy to the end of the switch-over (Infinity when it never ends) */
  seconds: number;
  /** pre-copy rounds, the first full pass counting 1 */
  rounds: number;
  /** auto-converge had to throttle the guest */
  throttled: boolean;
}

const MAX_ROUNDS = 10_000;

export function convergence(x: ConvergenceInput): ConvergenceVerdict {
  const B = x.bandwidth;
  if (!(B > 0)) return { converges: false, seconds: Infinity, rounds: 0, throttled: false };
  const threshold = B * x.downtimeLimit;
  const ac = x.autoConverge;
  const floorRate = x.dirtyRate * (1 - (ac ? ac.max * ac.sensitivity : 0));
  if (x.workingSet > threshold && floorRate >= B) return { converges: false, seconds: Infinity, rounds: 0, throttled: ac !== null };

  let t = x.disk / B;
  let v = x.memory;
  let throttle = 0;
  let throttled = false;
  for (let rounds = 1; rounds <= MAX_ROUNDS; rounds++) {
    const duration = v / B;
    t += duration;
    const next = Math.min(x.dirtyRate * (1 - throttle * (ac?.sensitivity ?? 0)) * duration, x.workingSet);
    if (next <= threshold) return { converges: true, seconds: t + next / B, rounds, throttled };
    if (ac && rounds > 1 && next > ac.triggerThreshold * v) {
      throttle = throttle === 0 ? ac.initial : Math.min(ac.max, throttle + ac.increment);
      throttled = true;
    }
    v = next;
  }
  return { converges: true, seconds: Infinity, rounds: MAX_ROUNDS, throttled };
}
