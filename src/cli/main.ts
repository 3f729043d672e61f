#!/usr/bin/env node
// The migsim command line. User errors exit 2 with a message, never a stack trace.
import { Command, InvalidArgumentError } from 'commander';
import { ScenarioError } from '../scenario/errors.js';
import { EventBudgetExceeded } from '../engine/simulator.js';
import { checkCommand, type CheckOptions } from './check.js';
import { GridError } from '../plan/grid.js';
import { planCommand, type PlanOptions } from './plan.js';
import { sweepCommand, type SweepOptions } from './sweep.js';
import { runCommand, type RunOptions } from './run.js';
import { OutputError } from './report.js';
import { calibrateCommand, type CalibrateOptions } from './calibrate.js';
import { collect, importCommand, parseNetwork, parseNetworkLabel, type ImportOptions } from './import.js';
import { forecastCommand, ForecastUserError, type ForecastCliOptions } from './forecast.js';
import { mergeCommand } from './merge.js';
import { MergeError } from '../forecast/merge.js';
import { parseDuration } from '../scenario/units.js';
import { MIGSIM_VERSION } from '../version.js';

function parseProbability(v: string): number {
  const p = Number(v);
  if (v.trim() === '' || !(p >= 0 && p <= 1)) throw new InvalidArgumentError('expected a probability between 0 and 1, such as 0.01');
  return p;
}

function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('expected an integer');
  const n = Number(v);
  // beyond 2^53 − 1 two different seeds would be the same double: refuse rather than collide
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (2^53 − 1)`);
  return n;
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

// `migsim run … | head`: the reader has gone, which is not an error of ours. Stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`migsim: cannot write the output: ${err.message}\n`);
  process.exit(1);
});

const program = new Command();

/** The options of every command that runs replications on the worker pool. */
function replicated(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'first seed S (default: spec.seed)', parseSeed)
    .option('--workers <k>', 'worker threads (default: the cores available)', parseCount)
    .option('--quiet', 'no progress bar')
    .option('--max-events <n>', 'stop a run that needs more events than this (default 20000000)', parseCount);
}
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
  .option('-v, --verbose', 'print every migration, drain and VM line even when the run is large (over 50)')
  .option('--log <file>', 'write every simulation event to FILE as JSON lines')
  .option('--max-events <n>', 'stop a run that needs more events than this (default 20000000)', parseCount)
  .option('--set <path=value>', 'override a field of the scenario, e.g. spec.vms[name=db].dirtyRate=50Mi (repeatable; value read as YAML)', collect)
  .option('--report <file>', 'write a self-contained HTML report (charts, findings, configuration) to FILE')
  .option('--csv <dir>', 'write migrations.csv, rounds.csv, nodes.csv and vms.csv into DIR')
  .option('--timeline', 'draw the migrations per node on a time axis after the summary')
  .action((file: string, opts: RunOptions, cmd: Command) => {
    if (opts.timeline && opts.json) cmd.error('error: --timeline draws on the terminal and cannot be combined with --json', { exitCode: 2 });
    process.stdout.write(runCommand(file, { ...opts, argv: process.argv.slice(2) }));
  });

program
  .command('check')
  .description('find what would block a drain or a wave, without running it (exit 3 when something blocks)')
  .argument('<scenario>', 'scenario file (YAML or JSON)')
  .option('--json', 'print one JSON document')
  .option('--set <path=value>', 'override a field of the scenario, as on run (repeatable)', collect)
  .action((file: string, opts: CheckOptions) => {
    const r = checkCommand(file, opts);
    process.stdout.write(r.output);
    process.exitCode = r.exitCode;
  });

program
  .command('import')
  .description('write a scenario from kubectl get nodes,vmi,vm,pvc,kubevirt,migrationpolicies,vmim -A -o yaml|json output')
  .requiredOption('--from <file...>', 'kubectl output: a List, a multi-document stream, or several files')
  .option('-o, --output <file>', 'scenario file to write (re-import: keeps its workload blocks and model sections); default stdout')
  .option('--network <rate>', 'NIC bandwidth of every node (not in the API), e.g. 25Gbit', parseNetwork)
  .option('--network-label <rule...>', 'LABEL=VALUE:RATE, NIC bandwidth of the nodes with that label (repeatable; first match wins)', parseNetworkLabel)
  .option('--metrics <file...>', 'Prometheus query_range JSON or text scrape of KubeVirt migration and memory metrics', collect)
  .option('--dirty-rate <file>', 'QEMU query-dirty-rate / calc-dirty-rate results per VMI (JSON)')
  .option('--refresh-workload', 'replace the workload blocks of an existing -o file with the new figures')
  .option('--name <name>', 'metadata.name of the scenario', undefined)
  .action((opts: ImportOptions) => {
    process.stdout.write(importCommand(opts, (line) => process.stderr.write(line + '\n')));
  });

program
  .command('calibrate')
  .description('replay the finished VirtualMachineInstanceMigrations of a dump and compare predicted with observed')
  .requiredOption('--from <file...>', 'kubectl output with nodes, VMIs, PVCs, the KubeVirt CR, policies and VMIMs')
  .option('--metrics <file...>', 'Prometheus query_range JSON or text scrape (dirty rates, data processed; repeatable)', collect)
  .option('--dirty-rate <file>', 'QEMU query-dirty-rate / calc-dirty-rate results per VMI (JSON)')
  .option('--network <rate>', 'assumed NIC bandwidth of every node, e.g. 25Gbit', parseNetwork)
  .option('--network-label <rule...>', 'LABEL=VALUE:RATE (repeatable)', parseNetworkLabel)
  .option('--scenario <file>', 'a scenario migsim import wrote: its workload blocks and assumptions are used for the replays')
  .option('--fit', 'fit the effective bandwidth of each migration and per source node')
  .option('--json', 'print one JSON document instead of the text report')
  .option('--write-scenario <file>', 'write (or update) the imported scenario with the fitted bandwidths; implies --fit')
  .action((opts: CalibrateOptions) => {
    process.stdout.write(calibrateCommand(opts, (line) => process.stderr.write(line + '\n')));
  });

replicated(program.command('forecast'))
  .description('run many replications of a scenario with uncertain values and report quantiles and probabilities')
  .argument('<scenario>', 'scenario file (YAML or JSON)')
  .requiredOption('--runs <n>', 'number of replications (replication i uses seed S + i)', parseCount)
  .option('--window <duration>', 'maintenance window, e.g. 4h: report the probability that every operation ends inside it', parseWindow)
  .option('--json', 'print one JSON document instead of the text report')
  .option('--shard <i/n>', 'run only the i-th of n slices of the replications (needs -o)', parseShard)
  .option('-o, --output <file>', 'write a shard file for migsim merge instead of printing the forecast')
  .option('--set <path=value>', 'override a field of the scenario, as on run (repeatable)', collect)
  .option('--report <file>', 'write a self-contained HTML report of the forecast to FILE')
  .action(async (file: string, opts: ForecastCliOptions) => {
    if (opts.shard !== undefined && opts.output === undefined) {
      throw new UsageError('--shard needs -o FILE: a shard writes a partial result for migsim merge');
    }
    if (opts.report !== undefined && opts.output !== undefined) {
      throw new UsageError('--report needs the whole forecast: it cannot be combined with -o (a shard file)');
    }
    opts.argv = process.argv.slice(2);
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

replicated(program.command('sweep'))
  .description('forecast every point of a grid over scenario fields, with the same random numbers at every point')
  .argument('<scenario>', 'scenario file (YAML or JSON)')
  .requiredOption('--set <path=values>', 'a swept field: PATH=V1,V2,… or PATH=start..end/step (repeatable: the grid is every combination)', collect)
  .option('--fix <path=value>', 'a fixed override under every point, as run --set (repeatable)', collect)
  .option('--runs <n>', 'replications per point', parseCount, 20)
  .option('--window <duration>', 'maintenance window, e.g. 4h: the probability every operation ends inside it', parseWindow)
  .option('--json', 'print one JSON document instead of the table')
  .option('--csv <file>', 'also write the table as CSV (one row per point)')
  .option('--report <file>', 'write a self-contained HTML report (heatmaps of p95 and P(failure), the points) to FILE')
  .action(async (file: string, opts: SweepOptions) => {
    opts.argv = process.argv.slice(2);
    process.stdout.write(await sweepCommand(file, opts));
  });

replicated(program.command('plan'))
  .description('search migrationConfiguration (and MigrationPolicies for the VMs that need them) for the shortest p95 that meets the constraints')
  .argument('<scenario>', 'scenario file (YAML or JSON)')
  .requiredOption('--window <duration>', 'maintenance window, e.g. 4h', parseWindow)
  .option('--max-failure-probability <p>', 'largest acceptable share of runs with a failed migration or a VM down at the end', parseProbability, 0.01)
  .option('--max-downtime <duration>', 'largest acceptable p95 of the longest VM downtime, e.g. 1s', parseWindow)
  .option('--confidence <p>', 'share of runs that must end inside the window', parseProbability, 0.95)
  .option('--runs <n>', 'replications of the final candidates (the search starts at runs/8)', parseCount, 40)
  .option('--vary <path=values>', 'search this field instead of the default grid (repeatable; as sweep --set)', collect)
  .option('--set <path=value>', 'a fixed override, as run --set (repeatable)', collect)
  .option('--json', 'print one JSON document')
  .option('--write-scenario <file>', 'write the scenario with the recommendation applied (verify it with migsim forecast)')
  .option('--report <file>', 'write a self-contained HTML report (baseline against recommendation, the points evaluated) to FILE')
  .action(async (file: string, opts: PlanOptions) => {
    opts.argv = process.argv.slice(2);
    const r = await planCommand(file, opts);
    process.stdout.write(r.output);
    process.exitCode = r.exitCode;
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
  if (err instanceof MergeError || err instanceof UsageError || err instanceof GridError) {
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
  if (err instanceof OutputError) {
    process.stderr.write(`migsim: ${err.message}\n`);
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
