// Scenario in, events out: builds the cluster, the network and the controllers on one kernel,
// replays the operations and faults, runs to the end or the horizon, and hands every event to the
// observers as it happens. The result records are one such observer; the full log is kept only
// when asked.
import { ClusterState } from '../cluster/state.js';
import { RandomStreams, sample } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import type { Context } from '../controller/context.js';
import { EvacuationController } from '../controller/evacuation.js';
import { MigrationController, Priority } from '../controller/migration-controller.js';
import { UpgradeController } from '../controller/upgrade.js';
import { VmLifecycle } from '../controller/vm-lifecycle.js';
import { EventLog, Observers, type Observer } from '../log/events.js';
import { resultsRecorder, type Results } from '../metrics/results.js';
import { Fabric } from '../network/fabric.js';
import { describeScope, POD_NETWORK, Topology } from '../network/topology.js';
import type { Operation, OutageScope, Scenario } from '../scenario/types.js';
import { realize } from '../scenario/realize.js';

export interface SimulateOptions {
  /** default: the scenario's spec.seed */
  seed?: number;
  /** watch every event as it happens (time series, a streamed log, a forecast's own tally) */
  observers?: readonly Observer[];
  /** keep the whole event log in memory (tests; `--log` streams through an observer instead) */
  keepLog?: boolean;
  /** compute the result records (default true; a replication that needs less can skip them) */
  results?: boolean;
  /** stop with an error past this many events (default DEFAULT_MAX_EVENTS) */
  maxEvents?: number;
}

/** A run that needs more events than this is looping: stop it and say what was looping. */
export const DEFAULT_MAX_EVENTS = 20_000_000;

export interface SimulationResult {
  /** the scenario as run: uncertain fields drawn for this seed */
  scenario: Scenario;
  seed: number;
  /** the stored log, when `keepLog` was asked */
  log: EventLog | null;
  /** the result records, unless `results: false` was asked */
  results: Results | null;
  /** simulated time of the last event */
  endTime: number;
  horizonReached: boolean;
  eventsProcessed: number;
}

export function simulate(loaded: Scenario, options: SimulateOptions = {}): SimulationResult {
  const seed = options.seed ?? loaded.seed;
  // Uncertain fields are drawn first, from this run's seed (the loaded scenario is not changed).
  const scenario = realize(loaded, seed);
  const log = options.keepLog ? new EventLog() : null;
  const recorder = options.results === false ? null : resultsRecorder(scenario.nodes.map((n) => n.name));
  const observers: Observer[] = [];
  if (recorder) observers.push(recorder);
  if (log) observers.push(log);
  observers.push(...(options.observers ?? []));
  const sim = new Simulator();
  const fabric = new Fabric();
  const migrationNetwork = scenario.kubevirt.migrations.network ?? POD_NETWORK;
  const ctx: Context = {
    sim,
    log: observers.length === 1 ? observers[0]! : new Observers(observers),
    state: new ClusterState(scenario.nodes, scenario.vms),
    scenario,
    fabric,
    topology: new Topology(sim, fabric, scenario.nodes, scenario.racks, migrationNetwork),
    random: new RandomStreams(seed),
  };
  const lifecycle = new VmLifecycle(ctx);
  const migrations = new MigrationController(ctx, lifecycle);
  const evacuation = new EvacuationController(ctx, migrations, lifecycle);
  const upgrades = new UpgradeController(ctx, evacuation);

  lifecycle.placeAll();
  ctx.topology.scheduleBackgroundLoad();

  // Random faults are background events: they happen while something else goes on, but do
  // not keep the simulation running once the operations are done.
  const outage = (id: string, at: number, duration: number, scope: OutageScope, network: string | null, background: boolean): void => {
    sim.at(at, () => {
      ctx.log.record({ t: sim.now, type: 'OutageStarted', outage: id, scope: describeScope(scope), duration });
      ctx.topology.startOutage({ id, scope, network: network ?? migrationNetwork });
      migrations.connectivityChanged();
    }, 'outage-start', background);
    sim.at(at + duration, () => {
      ctx.log.record({ t: sim.now, type: 'OutageEnded', outage: id });
      ctx.topology.endOutage(id);
      migrations.connectivityChanged();
    }, 'outage-end', background);
  };

  let outageSeq = 0;
  scenario.operations.forEach((op, i) => {
    if (op.kind === 'outage') outage(`outage-${++outageSeq}`, op.at, op.duration, op.scope, op.networkName, false);
    else sim.at(op.at, () => apply(op), `operation-${i}`);
  });

  function apply(op: Operation): void {
    switch (op.kind) {
      case 'migrate':
        migrations.create({
          name: op.name,
          vmi: op.vmi,
          priority: Priority.user,
          evacuationNode: null,
          addedNodeSelector: op.addedNodeSelector,
          apiKind: op.apiKind,
          wave: null,
        });
        break;
      case 'cancel':
        migrations.cancel(op.migration);
        break;
      case 'drain':
        evacuation.drainNodes(evacuation.resolveNodes(op.nodes), null);
        break;
      case 'upgrade':
        upgrades.start(op);
        break;
      case 'outage':
        break; // scheduled up front
    }
  }

  // Random outages: a Poisson process per entry, drawn up front from its own stream.
  let randomSeq = 0;
  scenario.randomOutages.forEach((ro, i) => {
    if (ro.ratePerHour <= 0) return;
    const rng = ctx.random.stream(`outages/${i}`);
    const durations = ctx.random.stream(`outages/${i}/duration`);
    let t = 0;
    for (;;) {
      t += (-Math.log(1 - rng()) * 3600) / ro.ratePerHour;
      if (t >= scenario.horizon) break;
      outage(`random-outage-${++randomSeq}`, t, sample(ro.duration, durations), ro.scope, ro.networkName, true);
    }
  });

  sim.run(scenario.horizon, options.maxEvents ?? DEFAULT_MAX_EVENTS);
  const horizonReached = sim.busy;
  const endTime = horizonReached ? scenario.horizon : sim.now;
  // The end state, stated before SimulationEnded: what is still in flight, with its progress.
  migrations.reportUnfinished(endTime);
  ctx.log.record({ t: endTime, type: 'SimulationEnded', horizonReached });
  return { scenario, seed, log, results: recorder?.finish() ?? null, endTime, horizonReached, eventsProcessed: sim.eventsProcessed };
}
