// `migsim forecast <scenario> --runs N [--seed S] [--workers K] [--window 4h] [--json] [--quiet]
//  [--shard i/n -o FILE]`: N replications on worker threads, merged in replication order.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { forecastDocument, type ForecastDocument } from '../forecast/aggregate.js';
import { makePartial } from '../forecast/merge.js';
import { shardReplications, slices } from '../forecast/replicate.js';
import { forecastLayout, type RunSummary } from '../forecast/summary.js';
import { forecastText } from '../report/forecast.js';
import { toJson } from '../report/json.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { WorkerMessage, WorkerTask } from './forecast-worker.js';
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
  /** write a self-contained HTML report of the forecast to this file */
  report?: string;
  /** the command line, for the report's provenance */
  argv?: string[];
}

/** A user error found while running (a draw that breaks a rule of the file, an event budget). */
export class ForecastUserError extends Error {}

interface Outcome {
  runs: Map<number, RunSummary>;
  /** why the forecast is partial, or null */
  stopped: 'interrupted' | 'crashed' | null;
}

/** Runs the forecast; returns the exit code (output already written). */
export async function forecastCommand(file: string, opts: ForecastCliOptions): Promise<number> {
  const scenario = loadScenarioFile(file);
  const layout = forecastLayout(scenario);
  const seed = opts.seed ?? scenario.seed;
  const window = opts.window ?? null;
  const shard = opts.shard ?? { index: 1, count: 1 };
  const wanted = shardReplications(opts.runs, shard.index, shard.count);
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const progress = !opts.quiet && process.stderr.isTTY === true ? new Progress(wanted.length) : null;

  const outcome = await runPool({ file, seed, maxEvents: opts.maxEvents }, wanted, workers, progress);
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

interface TaskBase {
  file: string;
  seed: number;
  maxEvents: number | undefined;
}

function describeSlice(reps: readonly number[]): string {
  return reps.length === 1 ? `replication ${reps[0]}` : `replications ${reps[0]}-${reps[reps.length - 1]}`;
}

/** Runs `wanted` on up to `k` workers; a crashed worker's unfinished replications are run once more. */
function runPool(base: TaskBase, wanted: number[], k: number, progress: Progress | null): Promise<Outcome> {
  const runs = new Map<number, RunSummary>();
  const live = new Set<Worker>();
  return new Promise<Outcome>((resolve, reject) => {
    let settled = false;
    const finish = (stopped: Outcome['stopped'], error?: Error): void => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onSigint);
      for (const w of live) void w.terminate();
      live.clear();
      if (error) reject(error);
      else resolve({ runs, stopped });
    };
    const onSigint = (): void => {
      progress?.clear();
      process.stderr.write(`\nmigsim: interrupted: printing the ${runs.size} replications finished so far (partial)\n`);
      finish('interrupted');
    };
    process.on('SIGINT', onSigint);

    const start = (replications: number[], attempt: number): void => {
      const task: WorkerTask = { file: base.file, seed: base.seed, replications, attempt, ...(base.maxEvents !== undefined ? { maxEvents: base.maxEvents } : {}) };
      const worker = new Worker(new URL('./forecast-worker.js', import.meta.url), { workerData: task });
      live.add(worker);
      let done = false;
      let failure: string | null = null;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'run') {
          runs.set(m.summary.replication, m.summary);
          progress?.update(runs.size);
        } else if (m.type === 'done') {
          done = true;
        } else {
          done = true;
          finish(null, m.userError ? new ForecastUserError(m.message) : new Error(m.message));
        }
      });
      worker.on('error', (e) => {
        failure = e.message;
      });
      worker.on('exit', (code) => {
        live.delete(worker);
        if (settled) return;
        if (!done) {
          const left = replications.filter((r) => !runs.has(r));
          const why = failure ?? `exit code ${code}`;
          const finished = replications.length - left.length;
          progress?.clear();
          if (attempt === 1 && left.length > 0) {
            process.stderr.write(`migsim: the worker for ${describeSlice(replications)} crashed (${why}) after ${finished} of them; running the ${left.length} unfinished again\n`);
            start(left, 2);
            return;
          }
          if (left.length > 0) {
            process.stderr.write(`migsim: the worker for ${describeSlice(replications)} crashed again (${why}); the forecast is partial\n`);
            finish('crashed');
            return;
          }
        }
        if (live.size === 0) finish(null);
      });
    };

    const parts = slices(wanted, k);
    if (parts.length === 0) finish(null);
    for (const part of parts) start(part, 1);
  });
}

/** `forecast [=====>    ] 412/1000  41%  ETA 12s` on stderr, redrawn at most 10 times a second. */
class Progress {
  private readonly started = Date.now();
  private last = 0;

  constructor(private readonly total: number) {}

  update(done: number): void {
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = 30;
    const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
    const elapsed = (now - this.started) / 1000;
    const eta = done === 0 ? '?' : `${Math.ceil((elapsed / done) * (this.total - done))}s`;
    const pct = this.total === 0 ? 100 : Math.floor((done / this.total) * 100);
    process.stderr.write(`\rforecast [${'='.repeat(filled).padEnd(width)}] ${done}/${this.total} ${String(pct).padStart(3)}%  ETA ${eta}   `);
  }

  clear(): void {
    process.stderr.write('\r\x1b[2K');
  }
}
