// The Kubernetes manifests of deploy/ run locally: each index of the Indexed Job as its own
// process (its shell command, JOB_COMPLETION_INDEX set, /scenario and /results mapped to temporary
// directories, fewer runs), then the merge Job's command; the result must be byte-identical to
// one `migsim forecast --json` of all the replications.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { BERNOULLI } from './fixtures.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');

type Job = { kind: string; spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: { containers: { command: string[]; args: string[] }[] } } } };

function jobs(file: string): Job[] {
  return parseAllDocuments(readFileSync(join(root, 'deploy', file), 'utf8'))
    .map((d) => d.toJS() as Job)
    .filter((d) => d.kind === 'Job');
}

describe('deploy/forecast-job.yaml and forecast-merge-job.yaml', () => {
  const [shardJob] = jobs('forecast-job.yaml');
  const [mergeJob] = jobs('forecast-merge-job.yaml');
  const shardScript = shardJob!.spec.template.spec.containers[0]!.args[0]!;
  const mergeScript = mergeJob!.spec.template.spec.containers[0]!.args[0]!;

  it('is an Indexed Job whose completions match the shard count of its command', () => {
    expect(shardJob!.spec.completionMode).toBe('Indexed');
    const n = Number(/--shard \$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/(\d+)/.exec(shardScript)![1]);
    expect(shardJob!.spec.completions).toBe(n);
    expect(shardJob!.spec.parallelism).toBe(n);
    expect(mergeScript).toContain(`part-*-of-${n}.json`);
  });

  it('run index by index, then merged, equals one run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migsim-job-'));
    const bin = join(dir, 'bin');
    const results = join(dir, 'results');
    mkdirSync(bin);
    mkdirSync(results);
    writeFileSync(join(bin, 'migsim'), `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`);
    chmodSync(join(bin, 'migsim'), 0o755);
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(scenario, BERNOULLI);
    const local = (script: string) => script.replaceAll('/scenario/scenario.yaml', scenario).replaceAll('/results', results).replace('--runs 10000', '--runs 20');
    const sh = (script: string, env: Record<string, string> = {}) =>
      spawnSync('sh', ['-c', local(script)], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env['PATH']}`, ...env } });

    const n = shardJob!.spec.completions!;
    for (let k = 0; k < n; k++) {
      const r = sh(shardScript, { JOB_COMPLETION_INDEX: String(k) });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const merged = sh(mergeScript);
    expect(merged.status).toBe(0);
    expect(merged.stdout).toContain('forecast: one-vm, 20 replications');
    const seedAndWindow = /--seed (\d+) --window (\S+)/.exec(shardScript)!;
    const one = spawnSync(process.execPath, [main, 'forecast', scenario, '--runs', '20', '--seed', seedAndWindow[1]!, '--window', seedAndWindow[2]!, '--json', '--workers', '2'], { encoding: 'utf8' });
    expect(readFileSync(join(results, 'forecast.json'), 'utf8')).toBe(one.stdout);
  }, 120_000);
});
