// Seeded random streams named by (seed, purpose, entity). A draw never depends on its position in
// a shared stream: the same VM, migration or node sees the same numbers whatever else the run
// does, so two sweep points or replications differ by their parameters, not by reshuffled noise
// (common random numbers).
import type { Distribution } from '../scenario/types.js';

export type Rng = () => number;

// Johannes Baagøe's Alea as seedrandom 3 implements it (seedrandom lib/alea.js: `Alea`, `Mash`),
// reproduced operation for operation so every number drawn equals `seedrandom.alea(name)()`
// (test/engine/random.test.ts compares them). Re-implemented for the seeding cost: a run opens
// one stream per (purpose, entity), and Mash hashes its input one character at a time with the
// state carried in one number, so the hash of `migsim:<seed>:<purpose>:` is kept per purpose
// and only the entity is hashed for each stream's first pass.

const MASH_START = 0xefc8249d;
const TWO_POW_32 = 0x100000000;
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** Mash's state after hashing `data` from state `n` (seedrandom lib/alea.js, `Mash`). */
function mash(n: number, data: string): number {
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * TWO_POW_32;
  }
  return n;
}

/** The value Mash returns in state `n`. */
const mashValue = (n: number): number => (n >>> 0) * TWO_POW_MINUS_32;

/**
 * `ns[c] = mash(ns[c], strs[c])` for every c. The chains are independent, so hashing them in one
 * loop lets the processor overlap them: Mash is a chain of dependent floating-point operations,
 * bound by their latency (about 11 ns a character alone, a third of that for five together).
 */
function mashEach(ns: Float64Array, strs: readonly string[]): void {
  let max = 0;
  for (const s of strs) if (s.length > max) max = s.length;
  for (let i = 0; i < max; i++) {
    for (let c = 0; c < strs.length; c++) {
      const s = strs[c]!;
      if (i >= s.length) continue;
      let n = ns[c]! + s.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * TWO_POW_32;
      ns[c] = n;
    }
  }
}

// Alea's seeding starts with mash(' ') three times: constants.
const SPACE1 = mash(MASH_START, ' ');
const SPACE2 = mash(SPACE1, ' ');
const SPACE3 = mash(SPACE2, ' ');
const SPACES = [SPACE1, SPACE2, SPACE3];

/** One Alea generator; `seed` re-seeds it in place (no allocation per stream). */
class Alea {
  private c = 1;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;

  /**
   * Seeds with the string `prefix + rest`, given `afterPrefix` = mash(SPACE3, prefix): the
   * seeding of seedrandom's `Alea(seed)`, whose first mash(seed) continues from the three spaces.
   */
  seed(afterPrefix: number, prefix: string, rest: string): this {
    this.c = 1;
    let n = mash(afterPrefix, rest);
    this.s0 = mashValue(SPACE1) - mashValue(n);
    if (this.s0 < 0) this.s0 += 1;
    n = mash(mash(n, prefix), rest);
    this.s1 = mashValue(SPACE2) - mashValue(n);
    if (this.s1 < 0) this.s1 += 1;
    n = mash(mash(n, prefix), rest);
    this.s2 = mashValue(SPACE3) - mashValue(n);
    if (this.s2 < 0) this.s2 += 1;
    return this;
  }

  /** The state `seed` leaves, computed elsewhere (EntityStreams). */
  setState(s0: number, s1: number, s2: number): this {
    this.c = 1;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    return this;
  }

  next(): number {
    const t = 2091639 * this.s0 + this.c * TWO_POW_MINUS_32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    return (this.s2 = t - (this.c = t | 0));
  }
}

/** seedrandom.alea(name)'s generator, for tests and one-off streams. */
export function alea(name: string): Rng {
  const a = new Alea().seed(SPACE3, '', name);
  return () => a.next();
}

export class RandomStreams {
  /** mash state after `migsim:<seed>:<purpose>:` per purpose */
  private readonly prefixes = new Map<string, { text: string; state: number }>();
  /** the generator `sample` re-seeds for each one-off draw */
  private readonly scratch = new Alea();
  private readonly scratchRng: Rng = () => this.scratch.next();

  constructor(readonly seed: number) {}

  private prefix(purpose: string): { text: string; state: number } {
    let p = this.prefixes.get(purpose);
    if (p === undefined) {
      const text = `migsim:${this.seed}:${purpose}:`;
      p = { text, state: mash(SPACE3, text) };
      this.prefixes.set(purpose, p);
    }
    return p;
  }

  private seeded(a: Alea, purpose: string, entity: string): Alea {
    const p = this.prefix(purpose);
    return a.seed(p.state, p.text, entity);
  }

  /**
   * The streams of several purposes for one entity, seeded together (Alea's seeding of each, the
   * Mash chains interleaved): the same numbers as `sample`/`draw` with each purpose, for the
   * draws a migration makes (its name and control-plane latencies), about a third of the cost.
   */
  entity(purposes: readonly string[], entity: string): EntityStreams {
    const k = purposes.length;
    const set = this.purposeSet(purposes);
    const ns = set.ns;
    ns.set(set.prefixStates);
    const rest = set.rest;
    rest.fill(entity);
    const states = new Float64Array(3 * k);
    for (let pass = 0; pass < 3; pass++) {
      if (pass > 0) mashEach(ns, set.texts);
      mashEach(ns, rest);
      const space = mashValue(SPACES[pass]!);
      for (let c = 0; c < k; c++) {
        let x = space - mashValue(ns[c]!);
        if (x < 0) x += 1;
        states[3 * c + pass] = x;
      }
    }
    rest.fill('');
    return new EntityStreams(this, purposes, entity, states);
  }

  /**
   * The Alea states of (purpose, entity) for many entities, 3 numbers each (for `sampleFrom` and
   * `drawFrom` at 3·index), seeded eight at a time with their Mash chains interleaved.
   */
  states(purpose: string, entities: readonly string[]): Float64Array {
    const p = this.prefix(purpose);
    const out = new Float64Array(3 * entities.length);
    const CHUNK = 8;
    const ns = new Float64Array(CHUNK);
    const texts: string[] = new Array<string>(CHUNK).fill(p.text);
    for (let from = 0; from < entities.length; from += CHUNK) {
      const rest = entities.slice(from, from + CHUNK);
      const k = rest.length;
      const n = k === CHUNK ? ns : ns.subarray(0, k);
      const t = k === CHUNK ? texts : texts.slice(0, k);
      n.fill(p.state);
      for (let pass = 0; pass < 3; pass++) {
        if (pass > 0) mashEach(n, t);
        mashEach(n, rest);
        const space = mashValue(SPACES[pass]!);
        for (let c = 0; c < k; c++) {
          let x = space - mashValue(n[c]!);
          if (x < 0) x += 1;
          out[3 * (from + c) + pass] = x;
        }
      }
    }
    return out;
  }

  /** Per list of purposes (callers keep their list): the prefixes and scratch arrays of `entity`. */
  private readonly purposeSets = new Map<readonly string[], { texts: string[]; prefixStates: Float64Array; ns: Float64Array; rest: string[] }>();

  private purposeSet(purposes: readonly string[]) {
    let set = this.purposeSets.get(purposes);
    if (set === undefined) {
      set = {
        texts: purposes.map((q) => this.prefix(q).text),
        prefixStates: Float64Array.from(purposes, (q) => this.prefix(q).state),
        ns: new Float64Array(purposes.length),
        rest: purposes.map(() => ''),
      };
      this.purposeSets.set(purposes, set);
    }
    return set;
  }

  /** `sample` on the shared generator in the state `states[i..i+2]`. */
  sampleFrom(dist: Distribution, states: Float64Array, i: number): number {
    this.scratch.setState(states[i]!, states[i + 1]!, states[i + 2]!);
    return sample(dist, this.scratchRng);
  }

  /** `draw` on the shared generator in the state `states[i..i+2]`. */
  drawFrom<T>(states: Float64Array, i: number, draw: (rng: Rng) => T): T {
    this.scratch.setState(states[i]!, states[i + 1]!, states[i + 2]!);
    return draw(this.scratchRng);
  }

  /**
   * The stream of one purpose for one entity (a VMI's k-th migration, a node, an outage entry):
   * seedrandom.alea(`migsim:<seed>:<purpose>:<entity>`). A fresh stream each call: callers that
   * draw a sequence keep the returned function.
   */
  stream(purpose: string, entity = ''): Rng {
    const a = this.seeded(new Alea(), purpose, entity);
    return () => a.next();
  }

  /** One draw of `dist` for (purpose, entity); a fixed value opens no stream. */
  sample(dist: Distribution, purpose: string, entity: string): number {
    if (dist.kind === 'fixed') return dist.value;
    this.seeded(this.scratch, purpose, entity);
    return sample(dist, this.scratchRng);
  }

  /**
   * `draw(rng)` with the stream of (purpose, entity), without allocating one: the generator is
   * shared, so `draw` must not keep `rng` nor open another draw of this object.
   */
  draw<T>(purpose: string, entity: string, draw: (rng: Rng) => T): T {
    this.seeded(this.scratch, purpose, entity);
    return draw(this.scratchRng);
  }
}

/** The prepared streams of one entity (RandomStreams.entity); other purposes fall back to `random`. */
export class EntityStreams {
  constructor(
    private readonly random: RandomStreams,
    private readonly purposes: readonly string[],
    private readonly entity: string,
    private readonly states: Float64Array,
  ) {}

  private index(purpose: string): number {
    return this.purposes.indexOf(purpose);
  }

  /** RandomStreams.sample(dist, purpose, entity) */
  sample(dist: Distribution, purpose: string): number {
    if (dist.kind === 'fixed') return dist.value;
    const i = this.index(purpose);
    return i < 0 ? this.random.sample(dist, purpose, this.entity) : this.random.sampleFrom(dist, this.states, 3 * i);
  }

  /** RandomStreams.draw(purpose, entity, draw) */
  draw<T>(purpose: string, draw: (rng: Rng) => T): T {
    const i = this.index(purpose);
    return i < 0 ? this.random.draw(purpose, this.entity, draw) : this.random.drawFrom(this.states, 3 * i, draw);
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
