// One replication of a forecast: the run with seed `seed + replication`, reduced to its summary.
// `migsim run --seed <seed + replication>` replays it exactly.

import { simulate } from '../sim/simulation.js';
import type { Scenario } from '../scenario/types.js';
import { summarizeRun, type ForecastLayout, type RunSummary } from './summary.js';

export function replicationSeed(seed: number, replication: number): number {
  return seed + replication;
}

export function runReplication(scenario: Scenario, layout: ForecastLayout, seed: number, replication: number, maxEvents?: number): RunSummary {
  const s = replicationSeed(seed, replication);
  const r = simulate(scenario, { seed: s, results: true, ...(maxEvents !== undefined ? { maxEvents } : {}) });
  return summarizeRun(layout, r.scenario, r.results!, replication, s);
}

/**
 * The replications of shard `index` of `count` (1-based): a contiguous block, the blocks of
 * 1..count partition 0..runs-1. Block k = [⌊(k-1)·runs/count⌋, ⌊k·runs/count⌋).
 */
export function shardReplications(runs: number, index: number, count: number): number[] {
  const from = Math.floor(((index - 1) * runs) / count);
  const to = Math.floor((index * runs) / count);
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Splits replications into at most `k` contiguous slices of near-equal size (none empty). */
export function slices(replications: readonly number[], k: number): number[][] {
  const parts = Math.max(1, Math.min(k, replications.length));
  const out: number[][] = [];
  for (let i = 0; i < parts; i++) {
    const from = Math.floor((i * replications.length) / parts);
    const to = Math.floor(((i + 1) * replications.length) / parts);
    if (to > from) out.push(replications.slice(from, to));
  }
  return out;
}
