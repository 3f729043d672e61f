// Fabric: re-allocation after each change, with a fast path for a flow alone on its links. The
// rates must be those of max-min fair sharing over all flows (each connected component is solved
// on its own, which gives the same rates), and a flow is told only when its rate changes.
import { describe, expect, it } from 'vitest';
import { Fabric, type Flow, type Link } from '../../src/network/fabric.js';
import { maxMinFair } from '../../src/network/fairshare.js';

function flow(id: string, links: Link[], cap = Infinity, told: [string, number][] = []): Flow {
  const f: Flow = { id, links, cap, blocked: false, rate: 0, onRate: (r) => told.push([id, r]) };
  return f;
}

describe('a flow alone on its links', () => {
  it.each([
    // min(cap, tx, rx): the water-filling's first round stops there
    { caps: [100, 60], cap: Infinity, rate: 60 },
    { caps: [100, 60], cap: 50, rate: 50 },
    { caps: [100, 0], cap: 50, rate: 0 },
    { caps: [30], cap: Infinity, rate: 30 },
  ])('links $caps, cap $cap → $rate', ({ caps, cap, rate }) => {
    const fabric = new Fabric();
    const told: [string, number][] = [];
    const f = flow('a', caps.map((c, i) => fabric.link(`l${i}`, c)), cap, told);
    fabric.addFlow(f);
    expect(f.rate).toBe(rate);
    expect(told).toEqual(rate === 0 ? [] : [['a', rate]]); // 0 → 0 is no change
  });

  it('blocked, unblocked, capped, link slowed: each change re-allocates once', () => {
    const fabric = new Fabric();
    const told: [string, number][] = [];
    const tx = fabric.link('tx', 100);
    const f = flow('a', [tx, fabric.link('rx', 80)], Infinity, told);
    fabric.addFlow(f); // 80
    fabric.setBlocked(f, true); // 0
    fabric.setBlocked(f, false); // 80
    fabric.setCap(f, 50); // 50
    fabric.setCapacity(tx, 40); // 40
    fabric.setCapacity(tx, 40); // no change, no call
    fabric.removeFlow(f); // rate set to 0 without a call (the flow is gone)
    expect(told.map(([, r]) => r)).toEqual([80, 0, 80, 50, 40]);
    expect(f.rate).toBe(0);
  });
});

describe('shared links', () => {
  it('two flows on one tx: 50 each; the second leaving gives the first all of it', () => {
    // tx 100 shared, rx 100 each → 50 / 50; after B leaves, A is alone → min(100, 100) = 100
    const fabric = new Fabric();
    const told: [string, number][] = [];
    const tx = fabric.link('a/tx', 100);
    const a = flow('A', [tx, fabric.link('b/rx', 100)], Infinity, told);
    const b = flow('B', [tx, fabric.link('c/rx', 100)], Infinity, told);
    fabric.addFlow(a);
    fabric.addFlow(b);
    fabric.removeFlow(b);
    // adding B walks from the last link it touched (c/rx): B is met first, then A through a/tx
    expect(told).toEqual([['A', 100], ['B', 50], ['A', 50], ['A', 100]]);
  });

  it('a batch re-allocates once, at its end', () => {
    const fabric = new Fabric();
    const told: [string, number][] = [];
    const tx = fabric.link('tx', 90);
    const flows = ['A', 'B', 'C'].map((id) => flow(id, [tx], Infinity, told));
    fabric.batch(() => flows.forEach((f) => fabric.addFlow(f)));
    expect(told).toEqual([['A', 30], ['B', 30], ['C', 30]]);
  });
});

/** mulberry32: a fixed sequence of operations per seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('random changes: the rates always equal max-min fair sharing over every flow', () => {
  it.each([
    { seed: 1, links: 6, steps: 300 },
    { seed: 2, links: 12, steps: 300 },
    { seed: 3, links: 40, steps: 300 }, // sparse: many flows alone on their links (fast path)
  ])('seed $seed: $links links, $steps changes', ({ seed, links: linkCount, steps }) => {
    const r = rng(seed);
    const fabric = new Fabric();
    const links = Array.from({ length: linkCount }, (_, i) => fabric.link(`l${i}`, 10 + Math.floor(r() * 90)));
    const active: Flow[] = [];
    const lastTold = new Map<Flow, number>();
    let n = 0;
    for (let step = 0; step < steps; step++) {
      const u = r();
      if (u < 0.4 || active.length === 0) {
        const a = links[Math.floor(r() * linkCount)]!;
        const b = links[Math.floor(r() * linkCount)]!;
        const f: Flow = {
          id: `f${n++}`,
          links: a === b ? [a] : [a, b],
          cap: r() < 0.3 ? 5 + Math.floor(r() * 50) : Infinity,
          blocked: false,
          rate: 0,
          onRate: (rate) => lastTold.set(f, rate),
        };
        active.push(f);
        fabric.addFlow(f);
      } else if (u < 0.6) {
        const [f] = active.splice(Math.floor(r() * active.length), 1);
        fabric.removeFlow(f!);
        lastTold.delete(f!);
      } else if (u < 0.75) {
        const f = active[Math.floor(r() * active.length)]!;
        fabric.setBlocked(f, !f.blocked);
      } else if (u < 0.9) {
        fabric.setCap(active[Math.floor(r() * active.length)]!, r() < 0.5 ? Infinity : 5 + Math.floor(r() * 50));
      } else {
        fabric.setCapacity(links[Math.floor(r() * linkCount)]!, 10 + Math.floor(r() * 90));
      }
      const index = new Map(links.map((l, i) => [l, i]));
      const want = maxMinFair(
        active.map((f) => ({ links: f.links.map((l) => index.get(l)!), cap: f.blocked ? 0 : f.cap })),
        links.map((l) => l.capacity),
      );
      active.forEach((f, i) => {
        expect(f.rate, `step ${step}, ${f.id}`).toBeCloseTo(want[i]!, 9);
        // the last rate a flow was told is its rate (never told: still 0)
        expect(lastTold.get(f) ?? 0, `step ${step}, ${f.id} told`).toBe(f.rate);
      });
    }
  });
});
