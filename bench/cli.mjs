// The CLI as a user runs it, whole process: `migsim run FILE --json` with the output sent to
// /dev/null, wall time measured around the child, its peak RSS and CPU time reported by the
// child itself at exit (bench/rss-hook.mjs).
//
//   node bench/cli.mjs [--nodes 1000] [--migrations 10000] [--runs 3]
//
// Two rows: the 1,000-node upgrade through the CLI, and `--migrations` one-after-another
// migrations with the start-up (the same scenario with one migration) subtracted.
import { openSync, readFileSync, rmSync, writeFileSync, mkdtempSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sequentialDocument, upgradeDocument } from './scenarios.mjs';
import { bareHeapOpsPerSecond, emitResult, fmtRate, int, median, mib, ms, now, rows } from './util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'cli', 'main.js');
const hook = pathToFileURL(path.join(here, 'rss-hook.mjs')).href;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** One `run FILE --json` in a child: wall ms, CPU ms and peak RSS bytes of the whole process. */
function runCli(file, dir) {
  const stats = path.join(dir, 'stats.json');
  rmSync(stats, { force: true });
  const devNull = openSync(os.devNull, 'w');
  const t0 = now();
  const r = spawnSync(process.execPath, ['--import', hook, cli, 'run', file, '--json'], {
    stdio: ['ignore', devNull, 'pipe'],
    env: { ...process.env, MIGSIM_BENCH_STATS: stats },
  });
  const wallMs = now() - t0;
  closeSync(devNull);
  if (r.status !== 0) throw new Error(`migsim run ${file} exited with ${r.status ?? r.signal}: ${r.stderr}`);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  return { wallMs, cpuMs: s.cpuMs, rssBytes: s.maxRssKiB * 1024 };
}

function medianRun(file, dir, runs) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(runCli(file, dir));
  return {
    wallMs: median(all.map((r) => r.wallMs)),
    cpuMs: median(all.map((r) => r.cpuMs)),
    rssBytes: Math.max(...all.map((r) => r.rssBytes)),
    walls: all.map((r) => r.wallMs),
  };
}

export async function benchCli(nodeCount = 1000, migrations = 10_000, runs = 3) {
  const heapOps = await bareHeapOpsPerSecond();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migsim-bench-'));
  try {
    const upgradeFile = path.join(dir, 'upgrade.json');
    writeFileSync(upgradeFile, JSON.stringify(upgradeDocument(nodeCount, 30)));
    const up = medianRun(upgradeFile, dir, runs);
    console.log(`Upgrade through the CLI (run --json > /dev/null), ${int(nodeCount)} nodes / ${int(nodeCount * 30)} VMs, whole process, median of ${runs}`);
    rows([
      ['wall time', `${ms(up.wallMs)}  (runs: ${up.walls.map((t) => t.toFixed(0)).join(' ')})`],
      ['CPU time (user+sys)', ms(up.cpuMs)],
      ['peak RSS (largest of the runs)', mib(up.rssBytes)],
      ['bare heap, same bench process', `${fmtRate(heapOps)} push+pop`],
    ]);
    emitResult({ case: 'cli-upgrade', nodes: nodeCount, wallMs: up.wallMs, cpuMs: up.cpuMs, peakRssBytes: up.rssBytes, heapOps });

    const oneFile = path.join(dir, 'one.json');
    const manyFile = path.join(dir, 'many.json');
    writeFileSync(oneFile, JSON.stringify(sequentialDocument(1)));
    writeFileSync(manyFile, JSON.stringify(sequentialDocument(migrations)));
    const one = medianRun(oneFile, dir, runs);
    const many = medianRun(manyFile, dir, runs);
    const perSec = (migrations - 1) / ((many.wallMs - one.wallMs) / 1000);
    const perSecCpu = (migrations - 1) / ((many.cpuMs - one.cpuMs) / 1000);
    console.log('');
    console.log(`${int(migrations)} one-after-another migrations through the CLI (run --json > /dev/null), start-up subtracted, median of ${runs}`);
    rows([
      ['start-up: the same scenario, 1 migration', `${ms(one.wallMs)}  (CPU ${ms(one.cpuMs)})`],
      [`${int(migrations)} migrations`, `${ms(many.wallMs)}  (CPU ${ms(many.cpuMs)}, peak RSS ${mib(many.rssBytes)})`],
      ['migrations / s, start-up subtracted', `${fmtRate(perSec)} wall  (${fmtRate(perSecCpu)} by CPU time)`],
      ['bare heap, same bench process', `${fmtRate(heapOps)} push+pop`],
    ]);
    emitResult({ case: 'cli-sequential', migrations, startupMs: one.wallMs, wallMs: many.wallMs, perSec, perSecCpu, heapOps });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchCli(arg('--nodes', 1000), arg('--migrations', 10_000), arg('--runs', 3));
}
