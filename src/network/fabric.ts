// The migration network as links (NIC directions, rack uplinks) and flows (migrations).
// Whenever a flow or a link changes, the flows that share links with it, directly or
// through other flows, are re-allocated max-min fairly and told their new rate.
import { maxMinFair } from './fairshare.js';

export class Link {
  readonly flows = new Set<Flow>();
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
  private pending = new Set<Link>();

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
    this.touch([link]);
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

  private touch(links: Iterable<Link>): void {
    for (const l of links) this.pending.add(l);
    if (this.depth === 0) this.flush();
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const seeds = [...this.pending];
    this.pending.clear();
    // Connected component of the touched links.
    const seenLinks = new Set<Link>(seeds);
    const flows: Flow[] = [];
    const seenFlows = new Set<Flow>();
    const stack = [...seeds];
    while (stack.length > 0) {
      const link = stack.pop()!;
      for (const f of link.flows) {
        if (seenFlows.has(f)) continue;
        seenFlows.add(f);
        flows.push(f);
        for (const l of f.links) {
          if (!seenLinks.has(l)) {
            seenLinks.add(l);
            stack.push(l);
          }
        }
      }
    }
    const linkList = [...seenLinks];
    const index = new Map<Link, number>(linkList.map((l, i) => [l, i]));
    const rates = maxMinFair(
      flows.map((f) => ({ links: f.links.map((l) => index.get(l)!), cap: f.blocked ? 0 : f.cap })),
      linkList.map((l) => l.capacity),
    );
    const changed: Flow[] = [];
    flows.forEach((f, i) => {
      const r = rates[i]!;
      if (r !== f.rate) {
        f.rate = r;
        changed.push(f);
      }
    });
    for (const f of changed) f.onRate(f.rate);
  }
}
