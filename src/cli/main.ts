#!/usr/bin/env node
// The migsim command line. User errors exit 2 with a message, never a stack trace.
import { Command, InvalidArgumentError } from 'commander';
import { ScenarioError } from '../scenario/errors.js';
import { runCommand } from './run.js';

function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('expected an integer');
  const n = Number(v);
  // beyond 2^53 − 1 two different seeds would be the same double: refuse rather than collide
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (2^53 − 1)`);
  return n;
}

function collect(v: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), v];
}

// `migsim run … | head`: the reader has gone, which is not an error of ours. Stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`migsim: cannot write the output: ${err.message}\n`);
  process.exit(1);
});

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
  .option('--set <path=value>', 'override a field of the scenario, e.g. spec.vms[name=db].dirtyRate=50Mi (repeatable; value read as YAML)', collect)
  .action((file: string, opts: { seed?: number; json?: boolean; set?: string[] }) => {
    process.stdout.write(runCommand(file, opts));
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
  const e = err as { code?: string; exitCode?: number; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    // commander already printed its message (help, version or a usage error).
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
  }
  process.stderr.write(`migsim: internal error: ${e.message ?? String(err)}\n`);
  return 1;
}
