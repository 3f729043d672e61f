// The worker pool of forecasts, sweeps and plans: replications on worker threads, each posted as
// soon as it is done; a crashed worker's unfinished replications run once more; Ctrl-C stops
// with what has finished. I/O at the edge: the simulation itself stays in the workers.
import { Worker } from 'node:worker_threads';
import { slices } from '../forecast/replicate.js';
import type { RunSummary } from '../forecast/summary.js';
import type { WorkerMessage, WorkerTask } from './forecast-worker.js';

/** A user error found while running (a draw that breaks a rule of the file, an event budget). */
export class ForecastUserError extends Error {}

export interface Outcome {
  runs: Map<number, RunSummary>;
  /** why the result is partial, or null */
  stopped: 'interrupted' | 'crashed' | null;
}

/** What every worker loads: the file (or a patched document named after it) and the overrides. */
export interface TaskBase {
  file: string;
  /** the raw document to load instead of reading `file` (a plan point with MigrationPolicies) */
  doc?: unknown;
  overrides: string[];
  seed: number;
  maxEvents: number | undefined;
}

function describeSlice(reps: readonly number[]): string {
  return reps.length === 1 ? `replication ${reps[0]}` : `replications ${reps[0]}-${reps[reps.length - 1]}`;
}

/** Runs `wanted` on up to `k` workers; a crashed worker's unfinished replications are run once more. */
export function runPool(base: TaskBase, wanted: number[], k: number, progress: Progress | null): Promise<Outcome> {
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
      const task: WorkerTask = { file: base.file, overrides: base.overrides, ...(base.doc !== undefined ? { doc: base.doc } : {}), seed: base.seed, replications, attempt, ...(base.maxEvents !== undefined ? { maxEvents: base.maxEvents } : {}) };
      // A larger young generation: a replication's garbage is short-lived, and the default
      // semi-space makes the scavenger a quarter of the time (bench/README.md).
      const worker = new Worker(new URL('./forecast-worker.js', import.meta.url), { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: 128 } });
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
export class Progress {
  private readonly started = Date.now();
  private last = 0;

  constructor(
    private readonly label: string,
    private total: number,
  ) {}

  /** the work planned grew (a plan's search decides as it goes) */
  setTotal(total: number): void {
    this.total = total;
  }

  update(done: number): void {
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = 30;
    const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
    const elapsed = (now - this.started) / 1000;
    const eta = done === 0 ? '?' : `${Math.ceil((elapsed / done) * (this.total - done))}s`;
    const pct = this.total === 0 ? 100 : Math.floor((done / this.total) * 100);
    process.stderr.write(`\r${this.label} [${'='.repeat(filled).padEnd(width)}] ${done}/${this.total} ${String(pct).padStart(3)}%  ETA ${eta}   `);
  }

  clear(): void {
    process.stderr.write('\r\x1b[2K');
  }
}
