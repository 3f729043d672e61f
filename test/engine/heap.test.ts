// EventHeap: entries come out by (time, seq), whatever the order they went in.
import { describe, expect, it } from 'vitest';
import { EventHeap } from '../../src/engine/heap.js';

describe('EventHeap pops by time, then by insertion sequence', () => {
  it.each([
    // same instant: insertion order (seq) decides
    { pushes: [[5, 0], [5, 1], [5, 2]], order: [0, 1, 2] },
    { pushes: [[3, 0], [1, 1], [2, 2]], order: [1, 2, 0] },
    // descending times: every push sifts to the root
    { pushes: [[4, 0], [3, 1], [2, 2], [1, 3], [0, 4]], order: [4, 3, 2, 1, 0] },
    // ties mixed with distinct times
    { pushes: [[1, 0], [0, 1], [1, 2], [0, 3]], order: [1, 3, 0, 2] },
  ])('$pushes → seq order $order', ({ pushes, order }) => {
    const heap = new EventHeap<{ time: number; seq: number }>();
    for (const [time, seq] of pushes) heap.push({ time: time!, seq: seq! });
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop()!.seq);
    expect(out).toEqual(order);
    expect(heap.pop()).toBeUndefined();
  });

  it('interleaved pushes and pops on seeded times equal a sort of what was pushed', () => {
    // LCG times in 0..99 (many ties), a hold model: pop one, push two, 2,000 steps, then drain
    let x = 7;
    const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648) % 100;
    const heap = new EventHeap<{ time: number; seq: number }>();
    const live: { time: number; seq: number }[] = [];
    let seq = 0;
    const push = (): void => {
      const e = { time: next(), seq: seq++ };
      heap.push(e);
      live.push(e);
    };
    push();
    for (let step = 0; step < 2000; step++) {
      live.sort((a, b) => a.time - b.time || a.seq - b.seq);
      expect(heap.pop()).toBe(live.shift());
      push();
      push();
    }
    live.sort((a, b) => a.time - b.time || a.seq - b.seq);
    for (const e of live) expect(heap.pop()).toBe(e);
    expect(heap.size).toBe(0);
  });
});
