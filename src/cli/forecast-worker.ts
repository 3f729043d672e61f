// Worker-thread entry of `migsim forecast`: loads the scenario once, runs its slice of the
// replications and posts each summary as soon as it is done (so a crash loses only the
// replication in progress).
//
// Test hook: MIGSIM_TEST_CRASH_REPLICATION=<i> makes the worker that is about to run replication
// i exit abruptly, on its first attempt only — how test/forecast/cli.test.ts checks that a
// crashed worker's replications are re-run and the result is unchanged. Read here and nowhere else.
import { parentPort, workerData } from 'node:worker_threads';
import { EventBudgetExceeded } from '../engine/simulator.js';
import { runReplication } from '../forecast/replicate.js';
import { forecastLayout } from '../forecast/summary.js';
import { ScenarioError } from '../scenario/errors.js';
import { loadScenarioFile, loadScenarioObject } from '../scenario/load.js';

export interface WorkerTask {
  file: string;
  /** loaded instead of reading `file` when given (named `file` in messages) */
  doc?: unknown;
  overrides: string[];
  seed: number;
  replications: number[];
  /** 1 the first time, 2 for a re-run after a crash */
  attempt: number;
  maxEvents?: number;
}

export type WorkerMessage =
  | { type: 'run'; summary: ReturnType<typeof runReplication> }
  | { type: 'done' }
  | { type: 'error'; userError: boolean; message: string };

const task = workerData as WorkerTask;
const port = parentPort!;
const crashAt = process.env['MIGSIM_TEST_CRASH_REPLICATION'];

try {
  const scenario =
    task.doc !== undefined
      ? loadScenarioObject(task.doc, { file: task.file, overrides: task.overrides })
      : loadScenarioFile(task.file, { overrides: task.overrides });
  const layout = forecastLayout(scenario);
  for (const i of task.replications) {
    if (task.attempt === 1 && crashAt !== undefined && Number(crashAt) === i) process.exit(70);
    port.postMessage({ type: 'run', summary: runReplication(scenario, layout, task.seed, i, task.maxEvents) } satisfies WorkerMessage);
  }
  port.postMessage({ type: 'done' } satisfies WorkerMessage);
} catch (e) {
  const userError = e instanceof ScenarioError || e instanceof EventBudgetExceeded;
  const message = e instanceof ScenarioError ? e.format() : (e as Error).message;
  port.postMessage({ type: 'error', userError, message } satisfies WorkerMessage);
}
