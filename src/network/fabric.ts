// The migration network as links (NIC directions, rack uplinks) and flows (migrations).
// Whenever a flow or a link changes, the flows that share links with it, directly or
// through other flows, are re-allocated max-min fairly and told their new rate.
import { FairShareProblem } from './fairshare.js';

export class Link {
  readonly flows = new Set<Flow>();
  /** the Fabric's bookkeeping during one re-allocation: the pass that last saw this link, its index */
  visited = 0;
  slot = 0;
  constructor(
    readonly id: string,
    /** usable capacity now, bytes/s (after background load) */
    public capacity: number,
  ) {}
}

export interface Flow {
  readonly id: string;
  readonly links: readonly Link[];
  /** per-flow cap, bytes/s (Infinity = none) */
  cap: number;
  /** no connectivity (an outage): rate 0 regardless of capacity */
  blocked: boolean;
  rate: number;
  /** called after every re-allocation that changes this flow's rate */
  onRate: (rate: number) => void;
}

export class Fabric {
  private links = new Map<string, Link>();
  private depth = 0;
  /** links changed since the last re-allocation, each once (`Link.visited === pass` while pending) */
  private pending: Link[] = [];
  /** numbers the re-allocations, so a link's `visited` tells whether this one has seen it */
  private pass = 1;
  // Scratch reused by every re-allocation, so that one allocates nothing.
  private readonly componentLinks: Link[] = [];
  private readonly componentFlows: Flow[] = [];
  private readonly seenFlows = new Set<Flow>();
  private readonly stack: Link[] = [];
  private readonly changed: Flow[] = [];
  private notifying = false;
  private readonly problem = new FairShareProblem();

  /** Get a link, creating it with `capacity` on first use. */
  link(id: string, capacity: number): Link {
    let link = this.links.get(id);
    if (!link) {
      link = new Link(id, capacity);
      this.links.set(id, link);
    }
    return link;
  }

  getLink(id: string): Link | undefined {
    return this.links.get(id);
  }

  setCapacity(link: Link, capacity: number): void {
    if (link.capacity === capacity) return;
    link.capacity = capacity;
    this.touchLink(link);
    if (this.depth === 0) this.flush();
  }

  addFlow(flow: Flow): void {
    for (const l of flow.links) l.flows.add(flow);
    this.touch(flow.links);
  }

  removeFlow(flow: Flow): void {
    for (const l of flow.links) l.flows.delete(flow);
    flow.rate = 0;
    this.touch(flow.links);
  }

  setCap(flow: Flow, cap: number): void {
    if (flow.cap === cap) return;
    flow.cap = cap;
    this.touch(flow.links);
  }

  setBlocked(flow: Flow, blocked: boolean): void {
    if (flow.blocked === blocked) return;
    flow.blocked = blocked;
    this.touch(flow.links);
  }

  /** Group several changes into one re-allocation (e.g. an outage that blocks many flows). */
  batch(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
      if (this.depth === 0) this.flush();
    }
  }

  private touch(links: readonly Link[]): void {
    for (const l of links) this.touchLink(l);
    if (this.depth === 0) this.flush();
  }

  private touchLink(link: Link): void {
    if (link.visited === this.pass) return;
    link.visited = this.pass;
    this.pending.push(link);
  }

  private flush(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    if (this.flushAlone()) return;
    // Connected component of the touched links, walked in the order the links were touched
    // (the order of the rate callbacks, and so of the events they schedule, depends on it).
    const links = this.componentLinks;
    const flows = this.componentFlows;
    const seenFlows = this.seenFlows;
    const stack = this.stack;
    for (let i = 0; i < pending.length; i++) {
      const l = pending[i]!;
      l.slot = i;
      links.push(l);
      stack.push(l);
    }
    pending.length = 0;
    const pass = this.pass; // the pending links already carry it
    this.pass++;
    while (stack.length > 0) {
      const link = stack.pop()!;
      for (const f of link.flows) {
        if (seenFlows.has(f)) continue;
        seenFlows.add(f);
        flows.push(f);
        for (const l of f.links) {
          if (l.visited !== pass) {
            l.visited = pass;
            l.slot = links.length;
            links.push(l);
            stack.push(l);
          }
        }
      }
    }
    seenFlows.clear();
    const problem = this.problem;
    problem.reset();
    for (const l of links) problem.addLink(l.capacity);
    for (const f of flows) {
      for (const l of f.links) problem.addFlowLink(l.slot);
      problem.endFlow(f.blocked ? 0 : f.cap);
    }
    problem.solve();
    // A rate callback may change the fabric again, re-allocating inside this loop: that nested
    // pass gets its own list.
    const changed = this.notifying ? [] : this.changed;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i]!;
      const r = problem.rate[i]!;
      if (r !== f.rate) {
        f.rate = r;
        changed.push(f);
      }
    }
    links.length = 0;
    flows.length = 0;
    const outer = !this.notifying;
    this.notifying = true;
    try {
      for (const f of changed) f.onRate(f.rate);
    } finally {
      if (outer) {
        this.notifying = false;
        changed.length = 0;
      }
    }
  }

  /**
   * Fast path: the touched links carry at most one flow, which shares none of its links. Max-min
   * fair sharing then gives it min(cap, each link's capacity), 0 if blocked: the same figure the
   * water-filling reaches in its first round (the level rises by exactly that step and freezes).
   */
  private flushAlone(): boolean {
    const pending = this.pending;
    let flow: Flow | null = null;
    for (const l of pending) {
      if (l.flows.size > 1) return false;
      for (const f of l.flows) {
        if (flow !== null && f !== flow) return false;
        flow = f;
      }
    }
    let rate = 0;
    if (flow !== null) {
      const cap = flow.blocked ? 0 : flow.cap;
      if (cap > 0) {
        let step = cap;
        for (const l of flow.links) {
          if (l.flows.size !== 1) return false;
          step = Math.min(step, l.capacity);
        }
        if (!Number.isFinite(step)) return false; // the general path reports it
        rate = Math.min(Math.max(0, step), cap);
      }
    }
    pending.length = 0;
    this.pass++;
    if (flow !== null && rate !== flow.rate) {
      flow.rate = rate;
      flow.onRate(rate);
    }
    return true;
  }
}
