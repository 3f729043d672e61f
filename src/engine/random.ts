// Seeded random streams named by (seed, purpose, entity). A draw never depends on its position in
// a shared stream: the same VM, migration or node sees the same numbers whatever else the run
// does, so two sweep points or replications differ by their parameters, not by reshuffled noise
// (common random numbers).
import seedrandom from 'seedrandom';
import type { Distribution } from '../scenario/types.js';

export type Rng = () => number;

export class RandomStreams {
  constructor(readonly seed: number) {}

  /**
   * The stream of one purpose for one entity (a VMI's k-th migration, a node, an outage entry).
   * A fresh stream each call: callers that draw a sequence keep the returned function.
   * Alea, not seedrandom's default ARC4: its seeding is cheap enough for a stream per entity.
   */
  stream(purpose: string, entity = ''): Rng {
    return seedrandom.alea(`migsim:${this.seed}:${purpose}:${entity}`);
  }

  /** One draw of `dist` for (purpose, entity); a fixed value opens no stream. */
  sample(dist: Distribution, purpose: string, entity: string): number {
    return dist.kind === 'fixed' ? dist.value : sample(dist, this.stream(purpose, entity));
  }
}

/** Draw a non-negative duration from a distribution. Fixed values use no randomness. */
export function sample(dist: Distribution, rng: Rng): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.min + (dist.max - dist.min) * rng();
    case 'normal':
      return Math.max(dist.min, dist.mean + dist.stddev * standardNormal(rng));
    case 'lognormal':
      return dist.median * Math.exp(dist.sigma * standardNormal(rng));
    case 'exponential':
      return -dist.mean * Math.log(1 - rng());
  }
}

/** Box–Muller; uses two draws so the stream advances by a fixed amount per sample. */
function standardNormal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Mean of a distribution (for reports and planning bounds). */
export function mean(dist: Distribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return (dist.min + dist.max) / 2;
    case 'normal':
      return dist.mean;
    case 'lognormal':
      return dist.median * Math.exp((dist.sigma * dist.sigma) / 2);
    case 'exponential':
      return dist.mean;
  }
}
