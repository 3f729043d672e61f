// Maps the scenario's nodes, NICs and racks onto fabric links, and tracks outages.
// A migration from A to B crosses A's transmit side and B's receive side on the migration
// network, plus the uplinks of both racks when they differ.
import type { Simulator } from '../engine/simulator.js';
import type { NodeSpec, OutageScope, RackSpec } from '../scenario/types.js';
import type { Fabric, Link } from './fabric.js';

export const POD_NETWORK = 'pod';

export interface Outage {
  id: string;
  scope: OutageScope;
  /** network the outage hits; null = the migration network in use */
  network: string;
}

export interface Path {
  from: string;
  to: string;
  network: string;
}

export class Topology {
  private nodes = new Map<string, NodeSpec>();
  private racks = new Map<string, RackSpec>();
  private active = new Map<string, Outage>();
  /** each node's transmit and receive links on the migration network, once created */
  private nics = new Map<string, { tx: Link | null; rx: Link | null }>();

  constructor(
    private readonly sim: Simulator,
    private readonly fabric: Fabric,
    nodes: readonly NodeSpec[],
    racks: readonly RackSpec[],
    /** the network migrations use: 'pod' or the NetworkAttachmentDefinition name */
    readonly migrationNetwork: string,
  ) {
    for (const n of nodes) this.nodes.set(n.name, n);
    for (const r of racks) this.racks.set(r.name, r);
  }

  /** Background load on the pod network changes NIC capacity at the given instants. */
  scheduleBackgroundLoad(): void {
    if (this.migrationNetwork !== POD_NETWORK) return;
    for (const n of this.nodes.values()) {
      for (const step of n.backgroundLoad) {
        this.sim.at(step.at, () => {
          for (const dir of ['tx', 'rx'] as const) {
            const link = this.fabric.getLink(`${n.name}/${POD_NETWORK}/${dir}`);
            if (link) this.fabric.setCapacity(link, this.nicCapacity(n, POD_NETWORK));
          }
        }, 'background-load', true);
      }
    }
  }

  private nicCapacity(node: NodeSpec, network: string): number {
    const base = node.nics[network] ?? node.nics[POD_NETWORK] ?? 0;
    if (network !== POD_NETWORK) return base;
    let fraction = 0;
    for (const step of node.backgroundLoad) if (step.at <= this.sim.now) fraction = step.fraction;
    return base * (1 - fraction);
  }

  links(from: string, to: string): Link[] {
    const a = this.nodes.get(from)!;
    const b = this.nodes.get(to)!;
    const out = [this.nic(a, 'tx'), this.nic(b, 'rx')];
    if (a.rack !== b.rack) {
      if (a.rack) out.push(this.fabric.link(`rack/${a.rack}/up`, this.racks.get(a.rack)!.uplink));
      if (b.rack) out.push(this.fabric.link(`rack/${b.rack}/down`, this.racks.get(b.rack)!.uplink));
    }
    return out;
  }

  /** A node's NIC direction on the migration network, created with the capacity it has now. */
  private nic(node: NodeSpec, dir: 'tx' | 'rx'): Link {
    let nics = this.nics.get(node.name);
    if (nics === undefined) {
      nics = { tx: null, rx: null };
      this.nics.set(node.name, nics);
    }
    let link = nics[dir];
    if (link === null) {
      const net = this.migrationNetwork;
      link = this.fabric.link(`${node.name}/${net}/${dir}`, this.nicCapacity(node, net));
      nics[dir] = link;
    }
    return link;
  }

  startOutage(o: Outage): void {
    this.active.set(o.id, o);
  }

  endOutage(id: string): void {
    this.active.delete(id);
  }

  /** Is the path between two nodes cut by any active outage? */
  reachable(p: Path): boolean {
    for (const o of this.active.values()) if (this.cuts(o, p)) return false;
    return true;
  }

  private cuts(o: Outage, p: Path): boolean {
    if (o.network !== p.network) return false;
    const s = o.scope;
    switch (s.kind) {
      case 'network':
        return true;
      case 'node':
        return s.node === p.from || s.node === p.to;
      case 'path':
        return (s.from === p.from && s.to === p.to) || (s.from === p.to && s.to === p.from);
      case 'rack': {
        const ra = this.nodes.get(p.from)?.rack ?? null;
        const rb = this.nodes.get(p.to)?.rack ?? null;
        // Traffic inside the rack does not cross its uplink.
        return ra !== rb && (ra === s.rack || rb === s.rack);
      }
    }
  }
}

export function describeScope(s: OutageScope): string {
  switch (s.kind) {
    case 'network':
      return 'network';
    case 'node':
      return `node ${s.node}`;
    case 'path':
      return `path ${s.from}<->${s.to}`;
    case 'rack':
      return `rack ${s.rack}`;
  }
}
