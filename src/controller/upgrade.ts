// A rolling upgrade wave: at most `maxUnavailable` nodes out at a time; each is drained,
// upgraded and rebooted for a sampled duration, then uncordoned before the next one goes.
// KubeVirt orchestrates no node upgrades: a `kubectl-drain` wave is what cluster tooling does
// with `kubectl drain`; a `harvester` wave is Harvester's upgrade controller (one node at a time,
// the loader clamps maxUnavailable), behind its upgrade webhook.
import type { Operation } from '../scenario/types.js';
import { upgradeRefused } from '../cluster/harvester.js';
import { formatVersion } from '../scenario/versions.js';
import type { Context } from './context.js';
import type { EvacuationController } from './evacuation.js';

type UpgradeOp = Extract<Operation, { kind: 'upgrade' }>;

export class UpgradeController {
  constructor(
    private readonly ctx: Context,
    private readonly evacuation: EvacuationController,
  ) {}

  start(op: UpgradeOp): void {
    const { sim, log } = this.ctx;
    const wave = op.name;
    if (op.style === 'harvester' && this.refused(op)) return;
    const nodes = this.order(op, this.evacuation.resolveNodes(op.nodes));
    log.record({ t: sim.now, type: 'WaveStarted', wave, nodes });
    const queue = nodes.slice();
    let inFlight = 0;
    let left = nodes.length;
    const pump = (): void => {
      while (inFlight < op.maxUnavailable && queue.length > 0) {
        const node = queue.shift()!;
        inFlight++;
        this.evacuation.drain(node, wave, op.style, () => {
          const duration = this.ctx.random.sample(op.duration, `upgrade/${wave}/duration`, node);
          log.record({ t: sim.now, type: 'NodeUpgradeStarted', node, wave, duration });
          sim.after(duration, () => {
            log.record({ t: sim.now, type: 'NodeUpgraded', node, wave });
            this.evacuation.release(node);
            inFlight--;
            left--;
            if (left === 0) log.record({ t: sim.now, type: 'WaveCompleted', wave });
            else pump();
          }, 'node-upgrade');
        });
      }
    };
    if (nodes.length === 0) log.record({ t: sim.now, type: 'WaveCompleted', wave });
    else pump();
  }

  /**
   * Harvester's upgrade webhook (pkg/webhook/resources/upgrade/validator.go,
   * checkNonLiveMigratableVMs): the Upgrade is refused while the detector lists a running VM,
   * unless restoreVM is true on Harvester v1.6 or later. The refusal names the VMs.
   */
  private refused(op: UpgradeOp): boolean {
    const { sim, log, scenario } = this.ctx;
    const listed = this.evacuation.detect(null);
    const hv = scenario.harvester;
    if (!upgradeRefused(hv.restoreVM, hv.version, listed.length)) return false;
    const why = hv.restoreVM ? `Harvester ${formatVersion(hv.version)} refuses them whatever restoreVM says (before v1.6)` : 'upgrade-config restoreVM is false';
    log.record({
      t: sim.now,
      type: 'WaveRefused',
      wave: op.name,
      message: `admission webhook denied the Upgrade: ${listed.length} running VM(s) cannot be live-migrated (${why}): ${listed.map((f) => f.vmi.key).join(', ')}`,
      vmis: listed.map((f) => ({ vmi: f.vmi.key, reason: f.reason, message: f.message })),
    });
    return true;
  }

  private order(op: UpgradeOp, nodes: string[]): string[] {
    const { state } = this.ctx;
    const count = (n: string): number => state.node(n).residents.size;
    switch (op.order) {
      case 'listed':
        return nodes;
      case 'name':
        return nodes.slice().sort();
      case 'fewest-vms':
        return nodes.slice().sort((a, b) => count(a) - count(b) || (a < b ? -1 : 1));
      case 'most-vms':
        return nodes.slice().sort((a, b) => count(b) - count(a) || (a < b ? -1 : 1));
      case 'random': {
        const rng = this.ctx.random.stream(`upgrade/${op.name}/order`);
        const out = nodes.slice();
        for (let i = out.length - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [out[i], out[j]] = [out[j]!, out[i]!];
        }
        return out;
      }
    }
  }
}
