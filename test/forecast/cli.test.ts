// migsim forecast and merge end to end (dist/, worker threads): the output does not depend on
// the number of workers, shards merge into exactly one machine's output, a crashed worker's
// replications are run again, and bad input exits 2.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BERNOULLI, UNIFORM_BANDWIDTH, oneVm } from './fixtures.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'migsim-forecast-'));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function migsim(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const bernoulli = write('bernoulli.yaml', BERNOULLI);
const uniform = write('uniform.yaml', UNIFORM_BANDWIDTH);
const RUNS = '30';

describe('migsim forecast', () => {
  const one = migsim(['forecast', bernoulli, '--runs', RUNS, '--workers', '1', '--window', '100s', '--json']);

  it('prints the JSON document with the fields users script against', () => {
    expect(one.err).toBe(''); // no progress bar when stderr is not a terminal
    expect(one.code).toBe(0);
    const doc = JSON.parse(one.out);
    expect(doc).toMatchObject({ runs: 30, seed: 100, completedRuns: 30, partial: false, windowSeconds: 100 });
    for (const key of ['makespanSeconds', 'failedMigrations', 'totalDowntimeSeconds', 'maxDowntimeSeconds', 'vmsShutDown', 'vmsLost', 'vmsStillDown']) {
      expect(Object.keys(doc[key])).toEqual(['p50', 'p90', 'p95', 'p99', 'max']);
    }
    expect(doc.withinWindowProbability).toBe(1 - doc.vms[0].failureProbability);
    expect(doc.vms[0]).toMatchObject({ vmi: 'default/db' });
    expect(doc.worstRuns).toHaveLength(2); // ⌈5 % of 30⌉
    expect(doc.worstRuns[0].seed).toBe(100 + doc.worstRuns[0].replication);
  });

  it('--workers 1 and --workers 2 give byte-identical JSON', () => {
    const two = migsim(['forecast', bernoulli, '--runs', RUNS, '--workers', '2', '--window', '100s', '--json']);
    expect(two.code).toBe(0);
    expect(two.out).toBe(one.out);
  });

  it('a worst run replays with migsim run --seed', () => {
    const doc = JSON.parse(one.out);
    const worst = doc.worstRuns[0];
    const run = JSON.parse(migsim(['run', bernoulli, '--seed', String(worst.seed), '--json']).out);
    const m = run.migrations[0];
    expect(m.endedAt - m.createdAt).toBeCloseTo(worst.makespanSeconds, 6);
  });

  it('a crashed worker is reported, its replications run again, and the result is unchanged', () => {
    const crashed = migsim(['forecast', bernoulli, '--runs', RUNS, '--workers', '2', '--window', '100s', '--json'], { MIGSIM_TEST_CRASH_REPLICATION: '5' });
    expect(crashed.code).toBe(0);
    // worker 1 has replications 0-14; it dies before 5, after finishing 0-4
    expect(crashed.err).toContain('the worker for replications 0-14 crashed (exit code 70) after 5 of them; running the 10 unfinished again');
    expect(crashed.out).toBe(one.out);
  });

  it('prints a text report by default', () => {
    const r = migsim(['forecast', uniform, '--runs', '20', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('forecast: one-vm, 20 replications, seeds 100..119');
    expect(r.out).toMatch(/^makespan\s+\S+s\s+\S+s/m);
    expect(r.out).toContain('no VM failed to migrate in any replication');
  });

  it('Ctrl-C prints the replications finished so far, marked partial', async () => {
    const child = spawn(process.execPath, [main, 'forecast', uniform, '--runs', '1000000', '--workers', '1', '--json'], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    await new Promise((r) => setTimeout(r, 3000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(err).toMatch(/interrupted: printing the \d+ replications finished so far \(partial\)/);
    const doc = JSON.parse(out);
    expect(doc.partial).toBe(true);
    expect(doc.completedRuns).toBeLessThan(1000000);
  }, 30_000);
});

describe('shards and merge', () => {
  const single = migsim(['forecast', bernoulli, '--runs', RUNS, '--window', '100s', '--json', '--workers', '1']).out;
  const parts = [1, 2, 3].map((i) => {
    const r = migsim(['forecast', bernoulli, '--runs', RUNS, '--window', '100s', '--shard', `${i}/3`, '-o', `part-${i}.json`, '--workers', '1']);
    expect(r.code).toBe(0);
    return `part-${i}.json`;
  });

  it('shards 1/3, 2/3, 3/3 merged (in any order) are byte-identical to one run', () => {
    expect(JSON.parse(readFileSync(join(dir, 'part-2.json'), 'utf8')).replications.map((r: { replication: number }) => r.replication)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]); // shard k of 3 over 30 runs: [⌊(k-1)·30/3⌋, ⌊k·30/3⌋)
    const merged = migsim(['merge', parts[2]!, parts[0]!, parts[1]!, '--json']);
    expect(merged.code).toBe(0);
    expect(merged.out).toBe(single);
  });

  it.each([
    ['a missing shard', () => [parts[0]!, parts[1]!], 'replications 20-29 are missing (10 of 30); give all 3 shards of --shard i/3'],
    ['a shard given twice', () => [parts[0]!, parts[0]!, parts[1]!, parts[2]!], 'part-1.json: replication 0 is also in part-1.json'],
    [
      'another seed',
      () => {
        migsim(['forecast', bernoulli, '--runs', RUNS, '--window', '100s', '--seed', '5', '--shard', '3/3', '-o', 'seed5.json', '--workers', '1']);
        return [parts[0]!, parts[1]!, 'seed5.json'];
      },
      'seed5.json: different seed from part-1.json: 5 here, 100 there',
    ],
    [
      'another run count',
      () => {
        migsim(['forecast', bernoulli, '--runs', '31', '--window', '100s', '--shard', '3/3', '-o', 'runs31.json', '--workers', '1']);
        return [parts[0]!, 'runs31.json'];
      },
      'runs31.json: different run count (--runs) from part-1.json: 31 here, 30 there',
    ],
    [
      'another scenario',
      () => {
        write('other.yaml', BERNOULLI.replace('weights: [3, 1]', 'weights: [1, 1]'));
        migsim(['forecast', 'other.yaml', '--runs', RUNS, '--window', '100s', '--shard', '3/3', '-o', 'other.json', '--workers', '1']);
        return [parts[0]!, 'other.json'];
      },
      'other.json: different scenario from part-1.json',
    ],
    [
      'another version',
      () => {
        const p = JSON.parse(readFileSync(join(dir, parts[2]!), 'utf8'));
        write('old.json', JSON.stringify({ ...p, version: '0.0.1' }));
        return [parts[0]!, parts[1]!, 'old.json'];
      },
      'old.json: different migsim version from part-1.json: "0.0.1" here, "0.1.0" there',
    ],
    ['not a shard file', () => [bernoulli], 'bernoulli.yaml: cannot read it as JSON'],
  ])('refuses %s, exit 2', (_name, files, message) => {
    const r = migsim(['merge', ...files(), '--json']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('bad input exits 2 with a message, never a stack trace', () => {
  it.each([
    ['--shard without -o', [bernoulli, '--runs', '3', '--shard', '1/2'], '--shard needs -o FILE'],
    ['a bad shard', [bernoulli, '--runs', '3', '--shard', '3/2', '-o', 'x.json'], "option '--shard <i/n>' argument '3/2' is invalid. expected i/n with 1 ≤ i ≤ n"],
    ['a bad window', [bernoulli, '--runs', '3', '--window', '4 hours'], 'expected a duration such as 4h or 90m'],
    ['no --runs', [bernoulli], "required option '--runs <n>' not specified"],
  ])('%s', (_name, args, message) => {
    const r = migsim(['forecast', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('a scenario error, located', () => {
    const bad = write('bad.yaml', oneVm('memory: 4Gi, dirtyRate: {distribution: uniform, min: 2Mi}'));
    const r = migsim(['forecast', bad, '--runs', '3']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${bad}:14:87: spec.vms[0].dirtyRate.max: required field is missing; expected a byte rate such as 200Mi or 200Mi/s\n`);
  });

  it('a draw that breaks a rule of the file, from a worker', () => {
    const bad = write('draw.yaml', oneVm('memory: {distribution: uniform, min: 4Gi, max: 8Gi}, workingSet: 6Gi'));
    const r = migsim(['forecast', bad, '--runs', '20', '--workers', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/draw\.yaml: spec\.vms\[0\]\.workingSet: drawn memory = [\d.]+Gi for default\/db in the run with seed \d+: expected at most the guest memory/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
