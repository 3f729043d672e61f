// Shard files: the per-replication summaries of one slice of a forecast, with what identifies the
// forecast (scenario hash, seed, run count, window, migsim version). Merging checks they belong
// together and cover every replication exactly once, then builds the same document one machine
// would have printed.

import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/types.js';
import { MIGSIM_VERSION } from '../version.js';
import { forecastDocument, type ForecastDocument } from './aggregate.js';
import type { ForecastLayout, RunSummary } from './summary.js';

export const PARTIAL_FORMAT = 'migsim-forecast-partial/v1';

export interface PartialFile {
  format: typeof PARTIAL_FORMAT;
  version: string;
  scenarioHash: string;
  seed: number;
  runs: number;
  windowSeconds: number | null;
  shard: { index: number; count: number };
  layout: ForecastLayout;
  replications: RunSummary[];
}

/**
 * A hash of the loaded scenario (every value, CSV samples and distributions included; not the
 * path it was loaded from nor the warnings, which quote that path).
 */
export function scenarioHash(scenario: Scenario): string {
  const { source: _source, warnings: _warnings, ...rest } = scenario;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export function makePartial(
  scenario: Scenario,
  layout: ForecastLayout,
  opts: { seed: number; runs: number; window: number | null; shard: { index: number; count: number } },
  replications: RunSummary[],
): PartialFile {
  return {
    format: PARTIAL_FORMAT,
    version: MIGSIM_VERSION,
    scenarioHash: scenarioHash(scenario),
    seed: opts.seed,
    runs: opts.runs,
    windowSeconds: opts.window,
    shard: opts.shard,
    layout,
    replications,
  };
}

/** A problem with the shard files given to merge (exit 2). */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/** Checks one parsed JSON file is a shard file; `name` is for messages. */
export function asPartial(data: unknown, name: string): PartialFile {
  const d = data as Partial<PartialFile> | null;
  if (typeof d !== 'object' || d === null || d.format !== PARTIAL_FORMAT) {
    throw new MergeError(`${name}: not a forecast shard file (expected "format": "${PARTIAL_FORMAT}", written by migsim forecast --shard i/n -o FILE)`);
  }
  for (const key of ['version', 'scenarioHash', 'seed', 'runs', 'shard', 'layout', 'replications'] as const) {
    if (d[key] === undefined) throw new MergeError(`${name}: field "${key}" is missing`);
  }
  return d as PartialFile;
}

function ranges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/** Combines shard files (any order) into the forecast; MergeError when they do not fit together. */
export function mergePartials(files: readonly { name: string; partial: PartialFile }[]): ForecastDocument {
  if (files.length === 0) throw new MergeError('no shard files given');
  const first = files[0]!;
  const ref = first.partial;
  const checks: [keyof PartialFile, string][] = [
    ['version', 'migsim version'],
    ['scenarioHash', 'scenario'],
    ['seed', 'seed'],
    ['runs', 'run count (--runs)'],
    ['windowSeconds', 'window (--window)'],
  ];
  for (const { name, partial } of files.slice(1)) {
    for (const [key, what] of checks) {
      if (partial[key] !== ref[key]) {
        const show = (v: unknown) => (key === 'scenarioHash' ? String(v).slice(0, 12) : JSON.stringify(v));
        throw new MergeError(`${name}: different ${what} from ${first.name}: ${show(partial[key])} here, ${show(ref[key])} there; shards of one forecast must share it`);
      }
    }
  }
  const byReplication = new Map<number, { run: RunSummary; from: string }>();
  for (const { name, partial } of files) {
    for (const run of partial.replications) {
      const seen = byReplication.get(run.replication);
      if (seen) throw new MergeError(`${name}: replication ${run.replication} is also in ${seen.from}; each shard must be given once`);
      if (!Number.isInteger(run.replication) || run.replication < 0 || run.replication >= ref.runs) {
        throw new MergeError(`${name}: replication ${run.replication} is outside 0-${ref.runs - 1}`);
      }
      byReplication.set(run.replication, { run, from: name });
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < ref.runs; i++) if (!byReplication.has(i)) missing.push(i);
  if (missing.length > 0) {
    const count = ref.shard.count;
    throw new MergeError(`replications ${ranges(missing)} are missing (${missing.length} of ${ref.runs}); give all ${count} shards of --shard i/${count}`);
  }
  const runs = [...byReplication.values()].map((x) => x.run).sort((a, b) => a.replication - b.replication);
  return forecastDocument(ref.layout, runs, { runs: ref.runs, seed: ref.seed, window: ref.windowSeconds });
}
