// Starting, stopping and restarting VMIs: initial placement, shut-downs by eviction, and the
// VirtualMachine controller restarting a VM elsewhere after it was stopped or lost.
import { hasLocalDisk, migrationMethod } from '../cluster/migratability.js';
import { cpuManagerHint } from '../cluster/nodeselector.js';
import { schedule } from '../cluster/scheduler.js';
import type { VmiState } from '../cluster/state.js';
import { launcherPodRequirements } from '../cluster/targetpod.js';
import { migratability, type Context } from './context.js';

export class VmLifecycle {
  /** VMIs waiting for a node with room, retried whenever the cluster changes */
  private waiting: VmiState[] = [];
  /** the last "no node fits" message logged per VMI, so retries do not repeat it */
  private unplaceable = new Map<VmiState, string>();

  constructor(private readonly ctx: Context) {}

  /**
   * Place every VMI at time 0: on its given node, else where the scheduler puts it. A given node
   * still goes through the scheduler's filters on that node alone (capacity, selectors, taints),
   * so a VM that does not fit there waits instead of overcommitting it.
   */
  placeAll(): void {
    const { state, log } = this.ctx;
    for (const vmi of state.vmis.values()) {
      if (!this.tryStart(vmi, null)) this.waiting.push(vmi);
    }
    // Migratability as virt-handler reports it once the VMI runs (LiveMigratable, migrationMethod).
    for (const vmi of state.vmis.values()) {
      const m = migratability(this.ctx, vmi);
      log.record({
        t: 0,
        type: 'VmiAnalyzed',
        vmi: vmi.key,
        migratable: m.migratable,
        reason: m.reason,
        message: m.message,
        migrationMethod: migrationMethod(vmi.spec),
      });
    }
  }

  /**
   * Schedule and start a launcher pod; false when no node fits (the reason is logged).
   * `downtime` is null for the first placement, else how long the VM has been down.
   */
  private tryStart(vmi: VmiState, downtime: number | null): boolean {
    const { state, log, sim } = this.ctx;
    const pod = launcherPodRequirements(vmi.spec, this.ctx.scenario.kubevirt);
    // Pinned: the `node:` it starts on (first placement only), or the node holding its local disk.
    const pinned = downtime === null ? (vmi.spec.node ?? null) : vmi.homeNode;
    const nodes = pinned === null ? state.nodeList : [state.node(pinned)];
    const res = schedule({ pod, vmiKey: vmi.key, antiAffinity: false }, nodes, this.ctx.scenario.scheduler.scoring, pinned === null ? state.scheduler : undefined);
    if (res.node === null) {
      const why =
        pinned === null
          ? res.message
          : `${downtime === null && vmi.spec.node !== null ? 'placed by spec.node on' : 'its disk is local to'} ${pinned}, where it does not fit: ${res.message}`;
      const message = why + cpuManagerHint(vmi.spec, nodes.map((n) => n.spec.labels));
      if (this.unplaceable.get(vmi) !== message) {
        this.unplaceable.set(vmi, message);
        log.record({ t: sim.now, type: 'VmiUnplaceable', vmi: vmi.key, message });
      }
      return false;
    }
    this.unplaceable.delete(vmi);
    state.reserve(res.node, vmi);
    state.setNode(vmi, res.node);
    if (vmi.homeNode === null && hasLocalDisk(vmi.spec)) vmi.homeNode = res.node;
    // A fresh launcher pod: CPU-model selectors are derived anew on its next migration.
    vmi.migrationSelectors = null;
    if (downtime === null) log.record({ t: sim.now, type: 'VmiPlaced', vmi: vmi.key, node: res.node });
    else {
      log.record({ t: sim.now, type: 'VmiStarted', vmi: vmi.key, node: res.node, downtimeSeconds: downtime });
      vmi.downSince = null;
    }
    return true;
  }

  /**
   * The VMI stops (eviction without migration, `virtctl stop`, a lost post-copy). Its pod's
   * resources are freed. With `restartAfter` set, the VirtualMachine controller starts it again
   * after that long (boot time), wherever the scheduler finds room.
   */
  stop(vmi: VmiState, reason: string, opts: { lost: boolean; restartAfter: number | null }): void {
    const { state, log, sim } = this.ctx;
    const node = vmi.node;
    if (node === null) return;
    state.release(node, vmi);
    state.setNode(vmi, null);
    vmi.evacuationNodeName = null;
    vmi.downSince = sim.now;
    log.record({ t: sim.now, type: opts.lost ? 'VmiLost' : 'VmiShutDown', vmi: vmi.key, node, reason });
    if (opts.restartAfter !== null) this.restartLater(vmi, opts.restartAfter);
  }

  restartLater(vmi: VmiState, delay: number): void {
    this.ctx.sim.after(delay, () => {
      if (vmi.running) return;
      const down = this.ctx.sim.now - (vmi.downSince ?? this.ctx.sim.now);
      if (!this.tryStart(vmi, down)) this.waiting.push(vmi);
    }, 'vm-restart');
  }

  /** Resources were freed or a node changed: retry the VMIs waiting for room. */
  clusterChanged(): void {
    if (this.waiting.length === 0) return;
    const still: VmiState[] = [];
    for (const vmi of this.waiting) {
      if (vmi.running) continue;
      const down = vmi.downSince === null ? null : this.ctx.sim.now - vmi.downSince;
      if (!this.tryStart(vmi, down)) still.push(vmi);
    }
    this.waiting = still;
  }
}
