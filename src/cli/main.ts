#!/usr/bin/env node
// The migsim command line. User errors exit 2 with a message, never a stack trace.
import { Command, InvalidArgumentError } from 'commander';
import { ScenarioError } from '../scenario/errors.js';
import { EventBudgetExceeded } from '../engine/simulator.js';
import { runCommand, type RunOptions } from './run.js';
import { forecastCommand, ForecastUserError, type ForecastCliOptions } from './forecast.js';
import { mergeCommand } from './merge.js';
import { MergeError } from '../forecast/merge.js';
import { parseDuration } from '../scenario/units.js';
import { MIGSIM_VERSION } from '../version.js';

function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('expected an integer');
  return Number(v);
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('expected a positive integer');
  return Number(v);
}

function parseWindow(v: string): number {
  let s: number;
  try {
    s = parseDuration(v);
  } catch {
    throw new InvalidArgumentError('expected a duration such as 4h or 90m');
  }
  if (!(s > 0)) throw new InvalidArgumentError('expected a duration above 0, such as 4h');
  return s;
}

function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n, such as 2/8');
  return { index, count };
}

const program = new Command();
program
  .name('migsim')
  .description('Discrete-event simulator and capacity planner for KubeVirt live migration')
  .version(MIGSIM_VERSION)
  .exitOverride();

program
  .command('run')
  .description('simulate one scenario file and print what every migration did')
  .argument('<scenario>', 'scenario file (YAML or JSON)')
  .option('--seed <n>', 'override spec.seed', parseSeed)
  .option('--json', 'print one JSON document instead of the text summary')
  .option('--log <file>', 'write every simulation event to FILE as JSON lines')
  .option('--max-events <n>', 'stop a run that needs more events than this (default 20000000)', parseCount)
  .action((file: string, opts: RunOptions) => {
    process.stdout.write(runCommand(file, opts));
  });

program
  .command('forecast')
  .description('run many replications of a scenario with uncertain values and report quantiles and probabilities')
  .argument('<scenario>', 'scenario file (YAML or JSON)')
  .requiredOption('--runs <n>', 'number of replications (replication i uses seed S + i)', parseCount)
  .option('--seed <n>', 'first seed S (default: spec.seed)', parseSeed)
  .option('--workers <k>', 'worker threads (default: the cores available)', parseCount)
  .option('--window <duration>', 'maintenance window, e.g. 4h: report the probability that every operation ends inside it', parseWindow)
  .option('--json', 'print one JSON document instead of the text report')
  .option('--quiet', 'no progress bar')
  .option('--shard <i/n>', 'run only the i-th of n slices of the replications (needs -o)', parseShard)
  .option('-o, --output <file>', 'write a shard file for migsim merge instead of printing the forecast')
  .option('--max-events <n>', 'stop a run that needs more events than this (default 20000000)', parseCount)
  .action(async (file: string, opts: ForecastCliOptions) => {
    if (opts.shard !== undefined && opts.output === undefined) {
      throw new UsageError('--shard needs -o FILE: a shard writes a partial result for migsim merge');
    }
    if (opts.output !== undefined && opts.json) {
      process.stderr.write('migsim: warning: --json has no effect with -o: the shard file is JSON; migsim merge --json prints the forecast\n');
    }
    process.exitCode = await forecastCommand(file, opts);
  });

program
  .command('merge')
  .description('combine the shard files of one forecast (forecast --shard i/n -o FILE) into the forecast')
  .argument('<files...>', 'shard files')
  .option('--json', 'print one JSON document instead of the text report')
  .action((files: string[], opts: { json?: boolean }) => {
    process.stdout.write(mergeCommand(files, opts));
  });

class UsageError extends Error {}

try {
  await program.parseAsync();
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof ScenarioError) {
    process.stderr.write(err.format() + '\n');
    return 2;
  }
  if (err instanceof MergeError || err instanceof UsageError) {
    process.stderr.write(`migsim: ${err.message}\n`);
    return 2;
  }
  if (err instanceof ForecastUserError) {
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (err instanceof EventBudgetExceeded) {
    process.stderr.write(`migsim: ${err.message}\nA run that long is looping; raise --max-events if it is not.\n`);
    return 2;
  }
  const e = err as { code?: string; exitCode?: number; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    // commander already printed its message (help, version or a usage error).
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
  }
  process.stderr.write(`migsim: internal error: ${e.message ?? String(err)}\n`);
  return 1;
}
