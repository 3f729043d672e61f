// Max-min fair allocation with per-flow caps (progressive filling / water-filling).
// Every unfrozen flow rises at the same level until a link it crosses is full or it reaches
// its own cap; those flows freeze and the rest keep rising.

export interface ShareFlow {
  /** indexes into the links array */
  links: readonly number[];
  /** upper bound on the flow's rate (Infinity = none) */
  cap: number;
}

const EPS = 1e-9;

/** Returns the rate of each flow. `capacity[i]` is link i's capacity (≥ 0). */
export function maxMinFair(flows: readonly ShareFlow[], capacity: readonly number[]): number[] {
  const problem = new FairShareProblem();
  for (const c of capacity) problem.addLink(c);
  for (const flow of flows) {
    for (const l of flow.links) problem.addFlowLink(l);
    problem.endFlow(flow.cap);
  }
  problem.solve();
  return Array.from(problem.rate.subarray(0, flows.length));
}

/**
 * The same allocation on flat, reusable arrays, for the Fabric's re-allocation on every change:
 * fill it with `reset`, `addLink`, `addFlowLink`… `endFlow`, then `solve`; `rate[f]` is flow f's
 * rate. The arrays grow to the largest problem seen and are kept, so a call allocates nothing.
 */
export class FairShareProblem {
  flowCount = 0;
  linkCount = 0;
  /** per flow, after solve */
  rate = new Float64Array(8);
  private cap = new Float64Array(8);
  /** flow f's links are linkOf[start[f] … start[f + 1]) */
  private start = new Int32Array(9);
  private linkOf = new Int32Array(16);
  private entries = 0;
  private capacity = new Float64Array(8);
  private remaining = new Float64Array(8);
  private users = new Int32Array(8);
  private active = new Int32Array(8);
  private frozen = new Int32Array(8);

  reset(): void {
    this.flowCount = 0;
    this.linkCount = 0;
    this.entries = 0;
  }

  addLink(capacity: number): void {
    if (this.linkCount === this.capacity.length) {
      this.capacity = grow(this.capacity);
      this.remaining = new Float64Array(this.capacity.length);
      this.users = new Int32Array(this.capacity.length);
    }
    this.capacity[this.linkCount++] = capacity;
  }

  /** Link `l` (an index in addLink order) is crossed by the flow being added. */
  addFlowLink(l: number): void {
    if (this.entries === this.linkOf.length) this.linkOf = grow(this.linkOf);
    this.linkOf[this.entries++] = l;
  }

  /** Ends the flow whose links were just added. */
  endFlow(cap: number): void {
    const f = this.flowCount++;
    if (this.flowCount === this.cap.length) {
      this.cap = grow(this.cap);
      this.rate = new Float64Array(this.cap.length);
      this.active = new Int32Array(this.cap.length);
      this.frozen = new Int32Array(this.cap.length);
    }
    if (this.flowCount + 1 > this.start.length) this.start = grow(this.start);
    this.cap[f] = cap;
    this.start[f + 1] = this.entries;
  }

  solve(): void {
    const { cap, start, linkOf, capacity, remaining, users, active, frozen, rate } = this;
    const links = this.linkCount;
    let actives = 0;
    for (let l = 0; l < links; l++) {
      remaining[l] = capacity[l]!;
      users[l] = 0;
    }
    for (let f = 0; f < this.flowCount; f++) {
      rate[f] = 0;
      if (cap[f]! <= 0) continue;
      active[actives++] = f;
      for (let e = start[f]!; e < start[f + 1]!; e++) users[linkOf[e]!]!++;
    }
    let level = 0;
    while (actives > 0) {
      // How far can the common level rise before a link fills or a flow hits its cap?
      let step = Infinity;
      for (let l = 0; l < links; l++) {
        if (users[l]! > 0) step = Math.min(step, remaining[l]! / users[l]!);
      }
      for (let a = 0; a < actives; a++) step = Math.min(step, cap[active[a]!]! - level);
      if (!Number.isFinite(step)) {
        // Flows that cross no link and have no cap: unbounded is meaningless here.
        throw new Error('maxMinFair: a flow is limited neither by a link nor by a cap');
      }
      step = Math.max(0, step);
      level += step;
      for (let l = 0; l < links; l++) remaining[l]! -= step * users[l]!;
      // Freeze every flow at a full link or at its cap, all judged before any is removed.
      let frozenCount = 0;
      let kept = 0;
      for (let a = 0; a < actives; a++) {
        const f = active[a]!;
        let full = false;
        for (let e = start[f]!; e < start[f + 1]! && !full; e++) {
          const l = linkOf[e]!;
          full = remaining[l]! <= EPS * Math.max(1, capacity[l]!);
        }
        if (full || level >= cap[f]! - EPS * Math.max(1, cap[f]!)) frozen[frozenCount++] = f;
        else active[kept++] = f;
      }
      actives = kept;
      for (let i = 0; i < frozenCount; i++) {
        const f = frozen[i]!;
        rate[f] = Math.min(level, cap[f]!);
        for (let e = start[f]!; e < start[f + 1]!; e++) users[linkOf[e]!]!--;
      }
    }
  }
}

function grow<T extends Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
