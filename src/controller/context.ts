// What every controller shares: the kernel, the log, the cluster state and the network.
import type { RandomStreams } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import type { ClusterState } from '../cluster/state.js';
import type { EventLog } from '../log/events.js';
import type { Fabric } from '../network/fabric.js';
import type { Topology } from '../network/topology.js';
import type { Scenario } from '../scenario/types.js';

export interface Context {
  sim: Simulator;
  log: EventLog;
  state: ClusterState;
  scenario: Scenario;
  fabric: Fabric;
  topology: Topology;
  random: RandomStreams;
}
