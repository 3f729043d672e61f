// What every controller shares: the kernel, the log, the cluster state and the network.
import { liveMigratable, type Migratability } from '../cluster/migratability.js';
import type { RandomStreams } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import type { ClusterState, VmiState } from '../cluster/state.js';
import type { Observer } from '../log/events.js';
import type { Fabric } from '../network/fabric.js';
import type { Topology } from '../network/topology.js';
import type { Scenario } from '../scenario/types.js';

export interface Context {
  sim: Simulator;
  /** where controllers report what happened: the run's observers */
  log: Observer;
  state: ClusterState;
  scenario: Scenario;
  fabric: Fabric;
  topology: Topology;
  random: RandomStreams;
}

/**
 * virt-handler's LiveMigratable condition for the VMI where it runs now. VM specs and node labels
 * do not change during a run, so the answer is kept until the VMI moves.
 */
export function migratability(ctx: Context, vmi: VmiState): Migratability {
  const cached = vmi.migratability;
  if (cached && cached.node === vmi.node) return cached.result;
  const source = vmi.node ? ctx.state.node(vmi.node).spec : null;
  const result = liveMigratable(vmi.spec, source, ctx.scenario.kubevirt);
  vmi.migratability = { node: vmi.node, result };
  return result;
}
