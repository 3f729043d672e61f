// Run-time warnings: what the run did against the user's likely intent, read from the event
// stream alone (an observer, like the result records). The scenario is read only for what the
// user wrote (each VM's own evictionStrategy, the horizon), never the simulator's state.
import type { LogEvent, Observer } from '../log/events.js';
import type { Scenario } from '../scenario/types.js';
import type { Warning } from '../scenario/warnings.js';
import { formatDuration } from '../scenario/units.js';

export interface WarningsRecorder extends Observer {
  finish(): Warning[];
}

const EVICTION_STRATEGY_FIELD = 'spec.kubevirt.configuration.evictionStrategy';

export function warningsRecorder(scenario: Pick<Scenario, 'vms' | 'kubevirt' | 'horizon'>): WarningsRecorder {
  // VMs whose effective eviction strategy is None only because the cluster-wide field is None
  // (KubeVirt's default when unset: pkg/virt-controller/watch/drain/evacuation, the VMI's
  // spec.evictionStrategy else the KubeVirt CR's, nil meaning None).
  const noneByDefault = new Set(
    scenario.kubevirt.evictionStrategy === 'None' ? scenario.vms.filter((v) => v.evictionStrategy === null).map((v) => v.key) : [],
  );
  /** drains in progress by node: the wave, or the drain's start for a plain drain */
  const draining = new Map<string, { wave: string | null; t: number }>();
  /** the first refusal of each drain in progress */
  const blocked = new Map<string, string>();
  /** shut down by a drain because of the default None: by wave / drain start */
  const shutDowns = new Map<string, { wave: string | null; t: number; vms: string[]; nodes: Set<string> }>();
  const unplaced = new Map<string, string>();
  const activeWaves = new Map<string, readonly string[]>();
  const overlaps: Warning[] = [];
  const unfinished: { migration: string; vmi: string; copying: boolean }[] = [];
  const vmiOf = new Map<string, string>();
  let ended: { t: number; horizonReached: boolean } | null = null;

  const record = (e: LogEvent): void => {
    switch (e.type) {
      case 'DrainStarted':
        draining.set(e.node, { wave: e.wave, t: e.t });
        break;
      case 'DrainCompleted':
        draining.delete(e.node);
        blocked.delete(e.node);
        break;
      case 'DrainBlocked':
        if (!blocked.has(e.node)) blocked.set(e.node, e.reason);
        break;
      case 'VmiShutDown': {
        const d = draining.get(e.node);
        // Harvester's pre-drain stops VMs whatever their strategy: not this warning's concern
        if (!d || !noneByDefault.has(e.vmi) || e.reason.startsWith('Harvester')) break;
        const key = d.wave ?? `drain@${d.t}`;
        let g = shutDowns.get(key);
        if (!g) shutDowns.set(key, (g = { wave: d.wave, t: d.t, vms: [], nodes: new Set() }));
        if (!g.vms.includes(e.vmi)) g.vms.push(e.vmi);
        g.nodes.add(e.node);
        break;
      }
      case 'VmiUnplaceable':
        if (e.t === 0) unplaced.set(e.vmi, e.message);
        break;
      case 'VmiPlaced':
        unplaced.delete(e.vmi);
        break;
      case 'WaveStarted': {
        for (const [other, nodes] of activeWaves) {
          const shared = e.nodes.filter((n) => nodes.includes(n));
          overlaps.push({
            code: 'OverlappingWaves',
            message:
              `upgrade wave ${e.wave} starts at ${formatDuration(e.t)} while wave ${other} is still running: ` +
              `each keeps its own maxUnavailable, so more nodes are out at once than either allows` +
              (shared.length > 0 ? `; ${shared.length} node(s) are in both` : ''),
            nodes: shared,
          });
        }
        activeWaves.set(e.wave, e.nodes);
        break;
      }
      case 'WaveCompleted':
        activeWaves.delete(e.wave);
        break;
      case 'MigrationCreated':
        vmiOf.set(e.migration, e.vmi);
        break;
      case 'MigrationUnfinished':
        unfinished.push({ migration: e.migration, vmi: vmiOf.get(e.migration) ?? '', copying: e.phase === 'Running' });
        break;
      case 'SimulationEnded':
        ended = { t: e.t, horizonReached: e.horizonReached };
        break;
      default:
        break;
    }
  };

  const finish = (): Warning[] => {
    const out: Warning[] = [];
    for (const g of shutDowns.values()) {
      const what = g.wave !== null ? `upgrade wave ${g.wave}` : `the drain at ${formatDuration(g.t)}`;
      out.push({
        code: 'EvictionStrategyNone',
        field: EVICTION_STRATEGY_FIELD,
        message:
          `${what} shut down ${g.vms.length} VM(s) instead of migrating them: their effective eviction strategy is None, ` +
          `KubeVirt's default when ${EVICTION_STRATEGY_FIELD} is unset (most distributions set LiveMigrate; spec.profile: openshift does)`,
        vms: g.vms,
        nodes: [...g.nodes],
      });
    }
    const byMessage = new Map<string, string[]>();
    for (const [vmi, message] of unplaced) {
      const g = byMessage.get(message);
      if (g) g.push(vmi);
      else byMessage.set(message, [vmi]);
    }
    for (const [message, vms] of byMessage) {
      out.push({ code: 'VmUnplaceable', message: `${vms.length} VM(s) could not be placed at start and never ran: ${message}`, vms });
    }
    out.push(...overlaps);
    if (ended !== null && (unfinished.length > 0 || draining.size > 0 || (ended.horizonReached && activeWaves.size > 0))) {
      const copying = unfinished.filter((u) => u.copying).length;
      const parts = [
        unfinished.length > 0 ? `${unfinished.length} migration(s) unfinished (${copying} copying)` : '',
        draining.size > 0 ? `${draining.size} drain(s) unfinished` : '',
        activeWaves.size > 0 ? `upgrade wave(s) ${[...activeWaves.keys()].join(', ')} unfinished` : '',
      ].filter((p) => p !== '');
      const vms = [...new Set(unfinished.map((u) => u.vmi))];
      const nodes = [...draining.keys()];
      if (ended.horizonReached) {
        out.push({
          code: 'HorizonReached',
          field: 'spec.horizon',
          message: `the horizon (${formatDuration(scenario.horizon)}) ended the run with ${parts.join(', ')}: raise spec.horizon to see how they end`,
          ...(vms.length > 0 ? { vms } : {}),
          ...(nodes.length > 0 ? { nodes } : {}),
        });
      } else {
        // nothing was left to happen: these wait for ever (a limit of 0, a refused eviction, …)
        if (unfinished.length > 0) {
          out.push({
            code: 'MigrationsNeverFinish',
            message: `${unfinished.length} migration(s) can never finish: nothing left in the run would let them proceed (see each one's unfinishedReason)`,
            vms,
          });
        }
        if (nodes.length > 0) {
          const first = blocked.get(nodes[0]!);
          out.push({
            code: 'DrainsNeverFinish',
            message: `${nodes.length} drain(s) can never finish${first !== undefined ? `: ${nodes[0]}: ${first}` : ''} (see each node's blockedReason)`,
            nodes,
          });
        }
      }
    }
    return out;
  };

  return { record, finish };
}
