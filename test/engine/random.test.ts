import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { RandomStreams, alea, sample } from '../../src/engine/random.js';

// The streams re-implement seedrandom's Alea (lib/alea.js) to seed cheaply; every number must be
// the one seedrandom.alea gives for the same name, or every seeded output of the project changes.
const names: string[] = [];
const nameRng = seedrandom.alea('names for the alea equality test');
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-/:#.é漢 ';
for (let i = 0; i < 500; i++) {
  let s = '';
  const len = Math.floor(nameRng() * 80);
  for (let j = 0; j < len; j++) s += alphabet[Math.floor(nameRng() * alphabet.length)];
  names.push(s);
}
names.push('', ' ', 'migsim:1:control-plane/targetPodStartup:default/vm-1/0', 'x'.repeat(1000));

describe('alea', () => {
  it('gives seedrandom.alea’s first 20 numbers for 504 names (empty, unicode, 1,000 characters)', () => {
    for (const name of names) {
      const ours = alea(name);
      const theirs = seedrandom.alea(name);
      for (let i = 0; i < 20; i++) expect(ours()).toBe(theirs());
    }
  });
});

describe('RandomStreams', () => {
  const purposes = ['control-plane/targetPodStartup', 'names', 'upgrade/wave/duration', ''];
  const entities = ['', 'default/vm-1/0', 'node-7', 'default/vm-1/1'];
  const seeds = [0, 1, 42, 2 ** 53 - 1, -3];

  it('stream(purpose, entity) is seedrandom.alea(`migsim:<seed>:<purpose>:<entity>`) for every combination, in any order', () => {
    for (const seed of seeds) {
      const r = new RandomStreams(seed);
      // interleaved: the per-purpose prefix cache must not leak between purposes or entities
      for (let k = 0; k < 2; k++)
        for (const entity of entities)
          for (const purpose of purposes) {
            const ours = r.stream(purpose, entity);
            const theirs = seedrandom.alea(`migsim:${seed}:${purpose}:${entity}`);
            for (let i = 0; i < 5; i++) expect(ours()).toBe(theirs());
          }
    }
  });

  it('two open streams do not share state', () => {
    const r = new RandomStreams(7);
    const a = r.stream('p', 'a');
    const b = r.stream('p', 'b');
    const ra = seedrandom.alea('migsim:7:p:a');
    const rb = seedrandom.alea('migsim:7:p:b');
    for (let i = 0; i < 5; i++) {
      expect(a()).toBe(ra());
      expect(b()).toBe(rb());
    }
  });

  it('sample and draw use the same numbers as a fresh stream', () => {
    const r = new RandomStreams(3);
    const dists = [
      { kind: 'uniform', min: 1, max: 5 },
      { kind: 'lognormal', median: 5, sigma: 0.5 },
      { kind: 'exponential', mean: 2 },
      { kind: 'normal', mean: 10, stddev: 3, min: 0 },
    ] as const;
    for (const d of dists)
      for (const entity of entities) {
        const expected = sample(d, seedrandom.alea(`migsim:3:lat:${entity}`));
        expect(r.sample(d, 'lat', entity)).toBe(expected);
        expect(r.draw('lat', entity, (rng) => sample(d, rng))).toBe(expected);
      }
    // a fixed value opens no stream: the value itself
    expect(r.sample({ kind: 'fixed', value: 4 }, 'lat', 'x')).toBe(4);
  });
});

describe('RandomStreams.entity (streams seeded together)', () => {
  it('gives each purpose the numbers of sample and draw, for purposes of different lengths and any entity', () => {
    const purposes = ['names', 'control-plane/target-pod-ready', 'control-plane/handoff', 'x', 'control-plane/target-preparation'];
    const d = { kind: 'uniform', min: 0, max: 1 } as const;
    for (const seed of [1, 99]) {
      const r = new RandomStreams(seed);
      for (const entity of ['', 'default/vm-1/0', 'node-7', names[7]!, names[100]!]) {
        const e = r.entity(purposes, entity);
        for (const purpose of [...purposes, 'not prepared']) {
          // the uniform on [0, 1) is the stream's first number itself
          expect(e.sample(d, purpose)).toBe(seedrandom.alea(`migsim:${seed}:${purpose}:${entity}`)());
          const five = e.draw(purpose, (rng) => [rng(), rng(), rng(), rng(), rng()]);
          const theirs = seedrandom.alea(`migsim:${seed}:${purpose}:${entity}`);
          expect(five).toEqual([theirs(), theirs(), theirs(), theirs(), theirs()]);
        }
      }
    }
  });
});

describe('RandomStreams.states (many entities seeded together)', () => {
  it('gives each entity the numbers of its own stream, in chunks of eight and a partial one', () => {
    const r = new RandomStreams(5);
    for (const n of [0, 1, 7, 8, 9, 21]) {
      const entities = names.slice(0, n);
      const states = r.states('dirty', entities);
      entities.forEach((entity, j) => {
        const theirs = seedrandom.alea(`migsim:5:dirty:${entity}`);
        expect(r.drawFrom(states, 3 * j, (rng) => [rng(), rng(), rng()])).toEqual([theirs(), theirs(), theirs()]);
      });
    }
  });
});
