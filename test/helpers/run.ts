import { computeResults, type Results } from '../../src/metrics/results.js';
import type { Scenario } from '../../src/scenario/types.js';
import { simulate, type SimulationResult } from '../../src/sim/simulation.js';

export function run(s: Scenario): Results & { sim: SimulationResult } {
  const sim = simulate(s);
  return { ...computeResults(sim.log.events, s.nodes.map((n) => n.name)), sim };
}
