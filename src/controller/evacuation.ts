// Node drains: `kubectl drain` (cordon + eviction through KubeVirt's eviction webhook, spec §4.1)
// and the evacuation controller that turns marked VMIs into kubevirt-evacuation-* migrations
// (spec §4.2), retried with the migration controller's back-off until the node is empty.
import { matchesSelector } from '../cluster/nodeselector.js';
import type { VmiState } from '../cluster/state.js';
import type { EvictionStrategy, NodeTarget } from '../scenario/types.js';
import { versionAtLeast } from '../scenario/defaults.js';
import { migratability, type Context } from './context.js';
import { Priority, type MigrationController, type Vmim } from './migration-controller.js';
import type { VmLifecycle } from './vm-lifecycle.js';

export type DrainStyle = 'kubevirt' | 'harvester';

interface Drain {
  node: string;
  /** `<node>/<k>` for the node's k-th drain: names its random draws */
  entity: string;
  wave: string | null;
  style: DrainStyle;
  done: boolean;
  /** VMIs stopped by this drain that come back when the node is upgraded (Harvester) */
  stoppedHere: VmiState[];
  onDrained: (() => void) | null;
  syncTimer: boolean;
  blocked: Set<string>;
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
    for (const n of nodes) this.drain(n, wave, 'kubevirt', null);
  }

  /** Cordon the node and evict its VMIs; `onDrained` runs once no VMI is left on it. */
  drain(node: string, wave: string | null, style: DrainStyle, onDrained: (() => void) | null): void {
    const { sim, log, state, scenario } = this.ctx;
    const existing = this.drains.get(node);
    if (existing && !existing.done) return;
    const k = this.drainCount.get(node) ?? 0;
    this.drainCount.set(node, k + 1);
    const d: Drain = { node, entity: `${node}/${k}`, wave, style, done: false, stoppedHere: [], onDrained, syncTimer: false, blocked: new Set() };
    this.drains.set(node, d);
    this.active.add(d);
    const ns = state.node(node);
    log.record({ t: sim.now, type: 'DrainStarted', node, wave });
    if (!ns.unschedulable) {
      state.setUnschedulable(node, true);
      log.record({ t: sim.now, type: 'NodeCordoned', node });
    }
    if (style === 'harvester') {
      // Harvester's pre-drain: shut down the VMs that cannot live-migrate, then taint the node.
      for (const vmi of state.vmisOn(node)) {
        if (!migratability(this.ctx, vmi).migratable) this.shutDown(d, vmi, 'Harvester pre-drain: not live-migratable');
      }
      state.setTaints(node, [...ns.taints, { key: scenario.kubevirt.migrations.nodeDrainTaintKey, value: 'draining', effect: 'NoSchedule' }]);
    }
    this.evict(d);
    this.sync(d);
    this.checkDone(d);
  }

  private strategy(vmi: VmiState): EvictionStrategy {
    return vmi.spec.evictionStrategy ?? this.ctx.scenario.kubevirt.evictionStrategy;
  }

  /** The eviction webhook's answer for every launcher pod on the node. */
  private evict(d: Drain): void {
    const { sim, log, state } = this.ctx;
    for (const vmi of state.vmisOn(d.node)) {
      const strategy = this.strategy(vmi);
      const m = migratability(this.ctx, vmi);
      const mark = (): void => {
        vmi.evacuationNodeName = d.node;
      };
      const block = (reason: string): void => {
        if (d.blocked.has(vmi.key)) return;
        d.blocked.add(vmi.key);
        log.record({ t: sim.now, type: 'DrainBlocked', node: d.node, reason });
      };
      switch (strategy) {
        case 'LiveMigrate':
          if (m.migratable) mark();
          else block(`VMI ${vmi.key} is not live-migratable (${m.reason}) and its eviction strategy is LiveMigrate: eviction denied (429)`);
          break;
        case 'LiveMigrateIfPossible':
          if (m.migratable) mark();
          else this.shutDown(d, vmi, `evicted: not live-migratable (${m.reason}), eviction strategy LiveMigrateIfPossible`);
          break;
        case 'None':
          this.shutDown(d, vmi, 'evicted: eviction strategy None');
          break;
        case 'External':
          mark();
          block(`VMI ${vmi.key} has eviction strategy External: waiting for an external controller`);
          break;
      }
    }
  }

  private shutDown(d: Drain, vmi: VmiState, reason: string): void {
    // The VirtualMachine controller starts it again elsewhere; Harvester brings it back after the upgrade.
    const restart = d.style === 'harvester' ? null : vmi.spec.restartTime;
    this.lifecycle.stop(vmi, reason, { lost: false, restartAfter: restart });
    if (restart === null) d.stoppedHere.push(vmi);
  }

  /** Evacuation controller sync for one node: create VMIMs for marked VMIs without one. */
  private sync(d: Drain): void {
    const { sim, state, scenario } = this.ctx;
    if (d.done) return;
    const candidates = state.vmisOn(
      d.node,
      (v) => v.evacuationNodeName === d.node && v.activeMigration === null && this.strategy(v) !== 'External',
    );
    if (candidates.length === 0) return;
    let budget = candidates.length;
    if (!versionAtLeast(scenario.kubevirt.version, 1, 9)) {
      // Up to v1.8 the evacuation controller throttles itself (spec §4.2).
      const cfg = scenario.kubevirt.migrations;
      budget = Math.min(
        cfg.parallelMigrationsPerCluster - this.migrations.runningCount,
        cfg.parallelOutboundMigrationsPerNode - this.migrations.outboundCount(d.node),
      );
      if (budget <= 0) {
        if (!d.syncTimer) {
          d.syncTimer = true;
          sim.after(5, () => {
            d.syncTimer = false;
            this.sync(d);
          }, 'evacuation-resync');
        }
        return;
      }
    }
    for (const vmi of candidates.slice(0, budget)) {
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
    // Up to v1.8 any final migration frees budget that every waiting drain may use. From v1.9 all
    // evacuations exist from the start, so only the drains of the migration's own nodes can change:
    // a failed evacuation needs a new VMIM, a VMI that left may complete the drain.
    const drains = versionAtLeast(this.ctx.scenario.kubevirt.version, 1, 9)
      ? [m.evacuationNode, m.sourceNode].flatMap((n) => {
          const d = n === null ? undefined : this.drains.get(n);
          return d && !d.done ? [d] : [];
        })
      : [...this.active];
    for (const d of new Set(drains)) {
      if (m.evacuationNode === d.node && m.phase === 'Failed' && d.style === 'harvester' && m.vmi.node === d.node) {
        // upgrade_node.sh: a Failed kubevirt-evacuation-* migration makes it `virtctl stop` the VM.
        this.shutDown(d, m.vmi, `Harvester pre-drain: evacuation migration ${m.name} failed (${m.failureReason})`);
      }
      this.sync(d);
      this.checkDone(d);
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

  /** After the node's upgrade: uncordon, drop the drain taint, bring back what the drain stopped. */
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
    if (d) {
      for (const vmi of d.stoppedHere) this.lifecycle.restartLater(vmi, vmi.spec.restartTime);
      d.stoppedHere = [];
    }
    this.migrations.clusterChanged();
    this.lifecycle.clusterChanged();
  }
}
