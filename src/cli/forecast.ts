// `migsim forecast <scenario> --runs N [--seed S] [--workers K] [--window 4h] [--json] [--quiet]
//  [--shard i/n -o FILE]`: N replications on worker threads, merged in replication order.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { forecastDocument, type ForecastDocument } from '../forecast/aggregate.js';
import { makePartial } from '../forecast/merge.js';
import { shardReplications } from '../forecast/replicate.js';
import { forecastLayout } from '../forecast/summary.js';
import { forecastText } from '../report/forecast.js';
import { toJson } from '../report/json.js';
import { loadScenarioFile } from '../scenario/load.js';
import { Progress, runPool } from './pool.js';
import { renderHtml } from '../report/html/document.js';
import { forecastReport, forecastReportData } from '../report/html/forecast.js';
import { commandLine, migsimVersion, vegaAssets, writeReport } from './report.js';

export interface ForecastCliOptions {
  runs: number;
  seed?: number;
  workers?: number;
  /** seconds */
  window?: number;
  json?: boolean;
  quiet?: boolean;
  shard?: { index: number; count: number };
  output?: string;
  maxEvents?: number;
  /** `PATH=VALUE` overrides, as on run */
  set?: string[];
  /** write a self-contained HTML report of the forecast to this file */
  report?: string;
  /** the command line, for the report's provenance */
  argv?: string[];
}

export { ForecastUserError } from './pool.js';

/** Runs the forecast; returns the exit code (output already written). */
export async function forecastCommand(file: string, opts: ForecastCliOptions): Promise<number> {
  const scenario = loadScenarioFile(file, { overrides: opts.set ?? [] });
  const layout = forecastLayout(scenario);
  const seed = opts.seed ?? scenario.seed;
  const window = opts.window ?? null;
  const shard = opts.shard ?? { index: 1, count: 1 };
  const wanted = shardReplications(opts.runs, shard.index, shard.count);
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const progress = !opts.quiet && process.stderr.isTTY === true ? new Progress('forecast', wanted.length) : null;

  const outcome = await runPool({ file, overrides: opts.set ?? [], seed, maxEvents: opts.maxEvents }, wanted, workers, progress);
  progress?.clear();
  const runs = [...outcome.runs.values()].sort((a, b) => a.replication - b.replication);

  if (opts.output !== undefined) {
    if (outcome.stopped !== null) {
      process.stderr.write(`migsim: ${opts.output} not written: the shard is incomplete (${runs.length} of ${wanted.length} replications)\n`);
    } else {
      writeFileSync(opts.output, toJson(makePartial(scenario, layout, { seed, runs: opts.runs, window, shard }, runs)) + '\n');
      if (!opts.quiet) {
        const range = wanted.length === 0 ? 'no replications' : `replications ${wanted[0]}-${wanted[wanted.length - 1]}`;
        process.stderr.write(`wrote ${opts.output}: shard ${shard.index}/${shard.count}, ${range} of ${opts.runs}\n`);
      }
      return 0;
    }
  }
  // An interrupted forecast (or shard) prints the forecast of the replications it finished, partial.
  const doc: ForecastDocument = forecastDocument(layout, runs, { runs: opts.runs, seed, window });
  if (opts.report !== undefined) {
    const provenance = { version: migsimVersion(), seed, command: commandLine(opts.argv ?? ['forecast', file, '--runs', String(opts.runs), '--report', opts.report]) };
    writeReport(opts.report, renderHtml(forecastReport(forecastReportData(layout, runs, doc, provenance)), vegaAssets()));
  }
  process.stdout.write(opts.json ? toJson(doc) + '\n' : forecastText(doc));
  if (outcome.stopped === 'interrupted') return 130;
  if (outcome.stopped === 'crashed') return 1;
  return 0;
}

