// Named, seeded random streams. Each purpose ("outages", "upgrade-duration", ...) draws from
// its own stream derived from the scenario seed, so adding a draw in one place never shifts
// the numbers drawn in another.
import seedrandom from 'seedrandom';
import type { Distribution } from '../scenario/types.js';

export type Rng = () => number;

export class RandomStreams {
  private streams = new Map<string, Rng>();

  constructor(readonly seed: number) {}

  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (!rng) {
      rng = seedrandom(`migsim:${this.seed}:${name}`);
      this.streams.set(name, rng);
    }
    return rng;
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
