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
  const rate = new Array<number>(flows.length).fill(0);
  const remaining = capacity.slice();
  const active = new Set<number>();
  const users = new Array<number>(capacity.length).fill(0);
  for (let f = 0; f < flows.length; f++) {
    const flow = flows[f]!;
    if (flow.cap <= 0) continue;
    active.add(f);
    for (const l of flow.links) users[l]!++;
  }
  let level = 0;
  while (active.size > 0) {
    // How far can the common level rise before a link fills or a flow hits its cap?
    let step = Infinity;
    for (let l = 0; l < remaining.length; l++) {
      if (users[l]! > 0) step = Math.min(step, remaining[l]! / users[l]!);
    }
    for (const f of active) step = Math.min(step, flows[f]!.cap - level);
    if (!Number.isFinite(step)) {
      // Flows that cross no link and have no cap: unbounded is meaningless here.
      throw new Error('maxMinFair: a flow is limited neither by a link nor by a cap');
    }
    step = Math.max(0, step);
    level += step;
    for (let l = 0; l < remaining.length; l++) remaining[l]! -= step * users[l]!;
    const frozen: number[] = [];
    for (const f of active) {
      const flow = flows[f]!;
      const full = flow.links.some((l) => remaining[l]! <= EPS * Math.max(1, capacity[l]!));
      if (full || level >= flow.cap - EPS * Math.max(1, flow.cap)) frozen.push(f);
    }
    for (const f of frozen) {
      active.delete(f);
      rate[f] = Math.min(level, flows[f]!.cap);
      for (const l of flows[f]!.links) users[l]!--;
    }
  }
  return rate;
}
