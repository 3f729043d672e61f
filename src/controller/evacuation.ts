// Node drains, and the evacuation controller that turns VMIs to be moved into
// kubevirt-evacuation-* migrations (KubeVirt pkg/virt-controller/watch/drain/evacuation/evacuation.go),
// retried with the migration controller's back-off until the node is empty. Two styles:
// - `kubectl-drain`: cordon, then the Eviction API for every launcher pod, answered by KubeVirt's
//   eviction webhook (pkg/virt-api/webhooks/validating-webhook/admitters/pod-eviction-admitter.go);
// - `harvester`: Harvester's pre-drain (package/upgrade/upgrade_node.sh, command_pre_drain):
//   the detector stops what it lists, the node gets the drain taint, and the script waits with
//   no deadline. Nothing is evicted; a VM KubeVirt does not migrate stays and the drain never ends.
import { harvesterDetector } from '../cluster/harvester.js';
import { matchesSelector } from '../cluster/nodeselector.js';
import type { VmiState } from '../cluster/state.js';
import type { EvictionStrategy, NodeTarget, WaveStyle } from '../scenario/types.js';
import { kubevirtBehaviour } from '../scenario/versions.js';
import { migratability, type Context } from './context.js';
import { Priority, type MigrationController, type Vmim } from './migration-controller.js';
import type { VmLifecycle } from './vm-lifecycle.js';

export type DrainStyle = WaveStyle;

/** Re-sync delay of a node whose drain found no free spot (evacuation.go deFactoRequeueDuration). */
const EVACUATION_RESYNC = 5;

interface Drain {
  node: string;
  /** `<node>/<k>` for the node's k-th drain: names its random draws */
  entity: string;
  wave: string | null;
  style: DrainStyle;
  done: boolean;
  /** Harvester: the VMs its detector stopped, started again after the node's post-drain if restoreVM */
  detectorStopped: VmiState[];
  onDrained: (() => void) | null;
  syncTimer: boolean;
  /** VMIs that keep the drain from finishing, and why (reported once each) */
  blocked: Map<string, string>;
}

export class EvacuationController {
  private drains = new Map<string, Drain>();
  /** drains started so far per node */
  private drainCount = new Map<string, number>();
  /** drains not yet complete, the only ones a finished migration can concern */
  private active = new Set<Drain>();

  constructor(
    private readonly ctx: Context,
    private readonly migrations: MigrationController,
    private readonly lifecycle: VmLifecycle,
  ) {
    migrations.onFinal((m) => this.migrationFinal(m));
  }

  resolveNodes(target: NodeTarget): string[] {
    const names = [...this.ctx.state.nodes.keys()];
    if (target.kind === 'names') return target.names.slice();
    return names.filter((n) => matchesSelector(this.ctx.state.node(n).spec.labels, target.matchLabels));
  }

  drainNodes(nodes: string[], wave: string | null): void {
    for (const n of nodes) this.drain(n, wave, 'kubectl-drain', null);
  }

  /** Harvester's detector over the running VMIs of `nodes` (all nodes when null), in scenario order. */
  detect(nodes: string[] | null): { vmi: VmiState; reason: string; message: string }[] {
    const { state, scenario } = this.ctx;
    const out: { vmi: VmiState; reason: string; message: string }[] = [];
    for (const vmi of state.vmis.values()) {
      if (vmi.node === null || (nodes !== null && !nodes.includes(vmi.node))) continue;
      const f = harvesterDetector(vmi.spec, vmi.node, state.nodeList, scenario.harvester.version);
      if (f !== null) out.push({ vmi, ...f });
    }
    return out;
  }

  /** Start draining `node`; `onDrained` runs once no VMI is left on it. */
  drain(node: string, wave: string | null, style: DrainStyle, onDrained: (() => void) | null): void {
    const { sim, log, state, scenario } = this.ctx;
    const existing = this.drains.get(node);
    if (existing && !existing.done) return;
    const k = this.drainCount.get(node) ?? 0;
    this.drainCount.set(node, k + 1);
    const d: Drain = { node, entity: `${node}/${k}`, wave, style, done: false, detectorStopped: [], onDrained, syncTimer: false, blocked: new Map() };
    this.drains.set(node, d);
    this.active.add(d);
    const ns = state.node(node);
    log.record({ t: sim.now, type: 'DrainStarted', node, wave });
    if (!ns.unschedulable) {
      state.setUnschedulable(node, true);
      log.record({ t: sim.now, type: 'NodeCordoned', node });
    }
    if (style === 'harvester') {
      // upgrade_node.sh pre-drain: the detector stops the VMs it lists, then the drain taint makes
      // KubeVirt's evacuation controller migrate what it can (the deprecated taint path).
      for (const f of this.detect([node])) {
        this.lifecycle.stop(f.vmi, `Harvester pre-drain detector: ${f.message}`, { lost: false, restartAfter: null });
        d.detectorStopped.push(f.vmi);
      }
      state.setTaints(node, [...ns.taints, { key: scenario.kubevirt.migrations.nodeDrainTaintKey, value: 'draining', effect: 'NoSchedule' }]);
      this.taintPath(d);
    } else {
      this.evict(d);
    }
    this.sync(d);
    this.checkDone(d);
  }

  private block(d: Drain, vmi: VmiState, reason: string): void {
    if (d.blocked.has(vmi.key)) return;
    d.blocked.set(vmi.key, reason);
    this.ctx.log.record({ t: this.ctx.sim.now, type: 'DrainBlocked', node: d.node, reason, vmi: vmi.key });
  }

  private strategy(vmi: VmiState): EvictionStrategy {
    return vmi.spec.evictionStrategy ?? this.ctx.scenario.kubevirt.evictionStrategy;
  }

  /** The eviction webhook's answer for every launcher pod on the node (`kubectl drain`). */
  private evict(d: Drain): void {
    for (const vmi of this.ctx.state.vmisOn(d.node)) this.evictOne(d, vmi);
  }

  private evictOne(d: Drain, vmi: VmiState): void {
    const strategy = this.strategy(vmi);
    const m = migratability(this.ctx, vmi);
    switch (strategy) {
      case 'LiveMigrate':
        if (m.migratable) vmi.evacuationNodeName = d.node;
        else this.block(d, vmi, `VMI ${vmi.key} is not live-migratable (${m.reason}) and its eviction strategy is LiveMigrate: eviction denied (429)`);
        break;
      case 'LiveMigrateIfPossible':
        if (m.migratable) vmi.evacuationNodeName = d.node;
        else this.shutDown(vmi, `evicted: not live-migratable (${m.reason}), eviction strategy LiveMigrateIfPossible`);
        break;
      case 'None':
        this.shutDown(vmi, 'evicted: eviction strategy None');
        break;
      case 'External':
        vmi.evacuationNodeName = d.node;
        this.block(d, vmi, `VMI ${vmi.key} has eviction strategy External: waiting for an external controller`);
        break;
    }
  }

  /**
   * The drain taint (evacuation.go vmisToMigrate with the taint): every VMI on the node is a
   * candidate, but only LiveMigrate, or LiveMigrateIfPossible when LiveMigratable, pass the filter.
   * Nobody evicts the others: they stay, and Harvester's pre-drain waits for them for ever.
   */
  private taintPath(d: Drain): void {
    for (const vmi of this.ctx.state.vmisOn(d.node)) this.taintOne(d, vmi);
  }

  private taintOne(d: Drain, vmi: VmiState): void {
    const strategy = this.strategy(vmi);
    const m = migratability(this.ctx, vmi);
    const migrates = (strategy === 'LiveMigrate' || strategy === 'LiveMigrateIfPossible') && m.migratable;
    if (migrates) {
      vmi.evacuationNodeName = d.node;
    } else if (strategy === 'LiveMigrate' || strategy === 'LiveMigrateIfPossible') {
      this.block(d, vmi, `VMI ${vmi.key} stays: KubeVirt cannot live-migrate it (${m.reason}) and Harvester's detector did not list it`);
    } else {
      this.block(d, vmi, `VMI ${vmi.key} stays: eviction strategy ${strategy}, and Harvester's pre-drain evicts nothing`);
    }
  }

  /** An eviction without migration: the VirtualMachine controller starts the VM again elsewhere. */
  private shutDown(vmi: VmiState, reason: string): void {
    this.lifecycle.stop(vmi, reason, { lost: false, restartAfter: vmi.spec.restartTime });
  }

  /** Evacuation controller sync for one node: create VMIMs for the VMIs to move that have none. */
  private sync(d: Drain): void {
    const { sim, scenario } = this.ctx;
    if (d.done) return;
    const candidates = this.ctx.state.vmisOn(d.node, (v) => v.evacuationNodeName === d.node && v.activeMigration === null && this.strategy(v) !== 'External');
    if (candidates.length === 0) return;
    if (!kubevirtBehaviour(scenario.kubevirt).priorityQueue) {
      // Without the priority queue the controller throttles itself: free spots are the limits minus
      // the migrations at phase Scheduling or later (FilterRunningMigrations: IsRunning() is false
      // for Pending). The VMIMs it creates are Pending, so the re-sync that each creation triggers
      // finds the same free spots and creates more: any free spot lets every candidate through,
      // and the migration controller's limits then hold the surplus on their 5 s re-poll grid.
      const cfg = scenario.kubevirt.migrations;
      const free = Math.min(
        cfg.parallelMigrationsPerCluster - this.migrations.runningCount,
        cfg.parallelOutboundMigrationsPerNode - this.migrations.outboundCount(d.node),
      );
      if (free <= 0) {
        if (!d.syncTimer) {
          d.syncTimer = true;
          sim.after(EVACUATION_RESYNC, () => {
            d.syncTimer = false;
            this.sync(d);
          }, 'evacuation-resync');
        }
        return;
      }
    }
    for (const vmi of candidates) {
      this.migrations.create({
        name: null,
        vmi: vmi.key,
        priority: Priority.systemCritical,
        evacuationNode: d.node,
        addedNodeSelector: {},
        apiKind: 'VirtualMachineInstanceMigration',
        wave: d.wave,
      });
    }
  }

  private migrationFinal(m: Vmim): void {
    const { scenario } = this.ctx;
    const own = m.evacuationNode === null ? undefined : this.drains.get(m.evacuationNode);
    if (own && !own.done && own.style === 'harvester' && m.phase === 'Failed' && m.vmi.node === own.node) {
      // wait_vms_out_or_shutdown: a Failed evacuation migration makes it `virtctl stop` the VM, which
      // nothing starts again (the restore job only starts the VMs the detector stopped).
      this.lifecycle.stop(m.vmi, `Harvester pre-drain: virtctl stop after evacuation migration ${m.name} failed (${m.failureReason})`, {
        lost: false,
        restartAfter: null,
      });
    }
    // A VMI whose migration landed on a node whose drain started while it was copying: its pod is
    // on a node being drained like any other (kubectl drain keeps evicting until the node is empty;
    // the drain taint makes every VMI on the node a candidate), so it is evicted in turn.
    const landed = m.phase === 'Succeeded' && m.vmi.node !== null ? this.drains.get(m.vmi.node) : undefined;
    if (landed && !landed.done) {
      if (landed.style === 'harvester') this.taintOne(landed, m.vmi);
      else this.evictOne(landed, m.vmi);
    }
    // With the priority queue, a migration's events re-sync the drains of both its nodes. Without it
    // (up to v1.8) the evacuation controller re-queues the node the VMI is on afterwards: after a
    // success that is the new node, so the drained node waits for its own 5 s re-sync. Either way
    // the VMI's update re-queues the node it is on now (pkg/virt-controller/watch/drain/evacuation,
    // the VMI update handler): a VMI whose migration landed on a node whose drain started while it
    // was copying is evacuated again.
    const nodes = kubevirtBehaviour(scenario.kubevirt).priorityQueue ? [m.evacuationNode, m.sourceNode, m.vmi.node] : [m.vmi.node];
    for (const n of new Set(nodes)) {
      const d = n === null ? undefined : this.drains.get(n);
      if (!d || d.done) continue;
      this.sync(d);
    }
    // A VMI that left (or was stopped) may have been the last one: every drain of its source checks.
    for (const n of new Set([m.sourceNode, m.evacuationNode])) {
      const d = n === null ? undefined : this.drains.get(n);
      if (d && !d.done) this.checkDone(d);
    }
  }

  private checkDone(d: Drain): void {
    const { sim, log, state, scenario } = this.ctx;
    if (d.done || state.node(d.node).residents.size > 0) return;
    d.done = true;
    this.active.delete(d);
    // The last source pod still has to complete before the eviction goes through.
    const cleanup = this.ctx.random.sample(scenario.controlPlane.cleanup, 'control-plane/cleanup', d.entity);
    sim.after(cleanup, () => {
      log.record({ t: sim.now, type: 'DrainCompleted', node: d.node });
      d.onDrained?.();
    }, 'drain-complete');
  }

  /**
   * After the node's upgrade (post-drain): uncordon, drop the drain taint. Harvester's restore-vm
   * job (pkg/controller/master/upgrade/job_controller.go, sendRestoreVMJob) starts the VMs the
   * detector stopped, only with upgrade-config restoreVM: true.
   */
  release(node: string): void {
    const { sim, log, state, scenario } = this.ctx;
    const ns = state.node(node);
    const key = scenario.kubevirt.migrations.nodeDrainTaintKey;
    state.setTaints(node, ns.taints.filter((t) => !(t.key === key && t.value === 'draining')));
    if (ns.unschedulable && !ns.spec.unschedulable) {
      state.setUnschedulable(node, false);
      log.record({ t: sim.now, type: 'NodeUncordoned', node });
    }
    const d = this.drains.get(node);
    if (d && scenario.harvester.restoreVM) {
      for (const vmi of d.detectorStopped) this.lifecycle.restartLater(vmi, vmi.spec.restartTime);
    }
    if (d) d.detectorStopped = [];
    this.migrations.clusterChanged();
    this.lifecycle.clusterChanged();
  }
}
