// What the API server would hold: nodes with their flags and requested resources, and VMIs
// with where they run. Pods are represented only by their resource reservations.
import type { Labels, NodeSpec, Taint, VmSpec } from '../scenario/types.js';
import type { Migratability } from './migratability.js';
import { SchedulerCache } from './scheduler.js';

export interface NodeState {
  spec: NodeSpec;
  unschedulable: boolean;
  taints: Taint[];
  /** sum of the requests of the pods bound here (launcher and migration target pods) */
  requested: { cpu: number; memory: number };
  /** VMIs that have a pod on this node (source or target) */
  vmiPods: Set<string>;
  /** VMIs whose status.nodeName is this node */
  residents: Set<VmiState>;
}

export interface VmiState {
  spec: VmSpec;
  /** position in the scenario, for deterministic ordering */
  order: number;
  key: string;
  /** status.nodeName; null while not running */
  node: string | null;
  running: boolean;
  /** status.evacuationNodeName */
  evacuationNodeName: string | null;
  /** CPU-model selectors a previous migration's target pod used (copied on the next one) */
  migrationSelectors: Labels | null;
  /** an unfinished VMIM owns this VMI */
  activeMigration: string | null;
  /** every VMIM ever created for it, oldest first */
  migrations: string[];
  /** when it went down (shut down or lost), for its downtime */
  downSince: number | null;
  /** nodes where it has a pod (source, migration target) */
  podNodes: string[];
  /**
   * The node its disk lives on (a non-shared hostDisk, or a local PV): it can only run there, so a
   * restart goes back there. null when its disks are shared or none is local.
   */
  homeNode: string | null;
  /** LiveMigratable as last computed, and on which node (see controller/context.ts) */
  migratability: { node: string | null; result: Migratability } | null;
}

export class ClusterState {
  readonly nodes = new Map<string, NodeState>();
  readonly vmis = new Map<string, VmiState>();
  /** the nodes in scenario order, as the scheduler sees them */
  readonly nodeList: NodeState[] = [];
  readonly scheduler: SchedulerCache;

  constructor(nodes: readonly NodeSpec[], vms: readonly VmSpec[]) {
    for (const spec of nodes) {
      this.nodes.set(spec.name, {
        spec,
        unschedulable: spec.unschedulable,
        taints: spec.taints.slice(),
        requested: { cpu: 0, memory: 0 },
        vmiPods: new Set(),
        residents: new Set(),
      });
    }
    this.nodeList = [...this.nodes.values()];
    this.scheduler = new SchedulerCache(this.nodeList);
    for (const spec of vms) {
      this.vmis.set(spec.key, {
        spec,
        order: this.vmis.size,
        key: spec.key,
        node: null,
        running: false,
        evacuationNodeName: null,
        migrationSelectors: null,
        activeMigration: null,
        migrations: [],
        downSince: null,
        podNodes: [],
        homeNode: null,
        migratability: null,
      });
    }
  }

  node(name: string): NodeState {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`unknown node ${name}`);
    return n;
  }

  vmi(key: string): VmiState {
    const v = this.vmis.get(key);
    if (!v) throw new Error(`unknown VMI ${key}`);
    return v;
  }

  /** Bind a pod of `vmi` to `node`, reserving its requests. */
  reserve(node: string, vmi: VmiState): void {
    const n = this.node(node);
    n.requested.cpu += vmi.spec.cpu;
    n.requested.memory += vmi.spec.memory;
    this.scheduler.touch(n);
    n.vmiPods.add(vmi.key);
    vmi.podNodes.push(node);
  }

  release(node: string, vmi: VmiState): void {
    const n = this.node(node);
    if (!n.vmiPods.delete(vmi.key)) return;
    vmi.podNodes.splice(vmi.podNodes.indexOf(node), 1);
    n.requested.cpu -= vmi.spec.cpu;
    n.requested.memory -= vmi.spec.memory;
    this.scheduler.touch(n);
  }

  /** Cordon or uncordon (spec.unschedulable). */
  setUnschedulable(node: string, value: boolean): void {
    const n = this.node(node);
    n.unschedulable = value;
    this.scheduler.touch(n);
  }

  setTaints(node: string, taints: Taint[]): void {
    const n = this.node(node);
    n.taints = taints;
    this.scheduler.touch(n);
  }

  /** Set status.nodeName (null: not running anywhere). */
  setNode(vmi: VmiState, node: string | null): void {
    if (vmi.node !== null) this.node(vmi.node).residents.delete(vmi);
    vmi.node = node;
    vmi.running = node !== null;
    if (node !== null) this.node(node).residents.add(vmi);
  }

  /** VMIs whose status.nodeName is `node` and that pass `keep`, in scenario order. */
  vmisOn(node: string, keep: (v: VmiState) => boolean = () => true): VmiState[] {
    const out: VmiState[] = [];
    for (const v of this.node(node).residents) if (keep(v)) out.push(v);
    return out.sort((a, b) => a.order - b.order);
  }
}
