// How a guest dirties memory, reduced to two functions:
//   work(t0, t1): the dirtying "work" the guest does between two scenario instants, unthrottled;
//   dirtied(w):   the unique bytes dirtied in a window in which it did work w.
// Throttling and pausing scale the work (a throttled CPU-bound guest runs fewer instructions),
// never the shape of the curve. For rate models work is bytes; for a measured curve it is
// guest-seconds, so a throttled guest moves along w(t) more slowly.
import type { DirtyModelSpec } from '../scenario/types.js';

export interface DirtyModel {
  work(t0: number, t1: number): number;
  dirtied(work: number): number;
  /**
   * From this instant on, work(t0, t1) depends only on t1 − t0: two rounds of the same length
   * dirty the same bytes, which is what lets a job skip a steady state of identical rounds.
   */
  readonly stationaryFrom: number;
}

export function dirtyModel(spec: DirtyModelSpec): DirtyModel {
  switch (spec.kind) {
    case 'constant':
      return {
        work: (t0, t1) => spec.rate * (t1 - t0),
        dirtied: (w) => Math.min(w, spec.workingSet),
        stationaryFrom: -Infinity,
      };
    case 'phases':
      return {
        work: (t0, t1) => integratePhases(spec.phases, t0, t1),
        dirtied: (w) => Math.min(w, spec.workingSet),
        // the last phase lasts for ever
        stationaryFrom: spec.phases.length === 0 ? -Infinity : spec.phases[spec.phases.length - 1]!.at,
      };
    case 'curve':
      return {
        work: (t0, t1) => t1 - t0,
        dirtied: (w) => interpolate(spec.points, w),
        stationaryFrom: -Infinity,
      };
  }
}

/** ∫ rate dt over [t0, t1] for a step function that takes phases[i].rate from phases[i].at on. */
export function integratePhases(phases: readonly { at: number; rate: number }[], t0: number, t1: number): number {
  let total = 0;
  for (let i = 0; i < phases.length; i++) {
    const start = Math.max(t0, phases[i]!.at);
    const end = Math.min(t1, i + 1 < phases.length ? phases[i + 1]!.at : Infinity);
    if (end > start) total += phases[i]!.rate * (end - start);
  }
  return total;
}

/** Piece-wise linear through the points (t ascending), flat after the last one. */
export function interpolate(points: readonly { t: number; bytes: number }[], t: number): number {
  if (points.length === 0 || t <= 0) return 0;
  const first = points[0]!;
  if (t <= first.t) return first.t === 0 ? first.bytes : (first.bytes * t) / first.t;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (t <= b.t) return a.bytes + ((b.bytes - a.bytes) * (t - a.t)) / (b.t - a.t);
  }
  return points[points.length - 1]!.bytes;
}
