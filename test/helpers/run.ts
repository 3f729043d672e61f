import { expect } from 'vitest';
import type { EventLog } from '../../src/log/events.js';
import { computeResults, type Results } from '../../src/metrics/results.js';
import type { Scenario } from '../../src/scenario/types.js';
import { simulate, type SimulationResult } from '../../src/sim/simulation.js';

/**
 * Run with the log kept, and check on every run that the result records built as the run went
 * (the incremental observer) equal those computed afterwards from the stored log.
 */
export function run(s: Scenario, seed?: number): Results & { sim: SimulationResult & { log: EventLog } } {
  const sim = simulate(s, { seed, keepLog: true }) as SimulationResult & { log: EventLog; results: Results };
  const fromLog = computeResults(sim.log.events, s.nodes.map((n) => n.name));
  expect(sim.results).toEqual(fromLog);
  return { ...sim.results, sim };
}
