#!/usr/bin/env node
// The migsim command line. User errors exit 2 with a message, never a stack trace.
import { Command, InvalidArgumentError } from 'commander';
import { ScenarioError } from '../scenario/errors.js';
import { EventBudgetExceeded } from '../engine/simulator.js';
import { checkCommand } from './check.js';
import { runCommand, type RunOptions } from './run.js';
import { OutputError } from './report.js';
import { calibrateCommand, type CalibrateOptions } from './calibrate.js';
import { collect, importCommand, parseNetwork, parseNetworkLabel, type ImportOptions } from './import.js';

function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('expected an integer');
  return Number(v);
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('expected a positive integer');
  return Number(v);
}

const program = new Command();
program
  .name('migsim')
  .description('Discrete-event simulator and capacity planner for KubeVirt live migration')
  .version('0.1.0')
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
  .action((file: string, opts: { json?: boolean }) => {
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

try {
  program.parse();
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof ScenarioError) {
    process.stderr.write(err.format() + '\n');
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
