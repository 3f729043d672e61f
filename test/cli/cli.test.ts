// The command line end to end: the bundled scenarios run, output is deterministic, bad input
// exits 2 with located messages and no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');

function migsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const scenarios = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));

describe('migsim run on the bundled scenarios', () => {
  it.each(scenarios)('%s runs, and twice gives byte-identical JSON', (file) => {
    const a = migsim('run', `scenarios/${file}`, '--json');
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    const doc = JSON.parse(a.out);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['scenario', 'seed', 'migrations', 'nodes', 'vms', 'waves', 'summary']));
    expect(doc.summary.migrations).toBe(doc.migrations.length);
    expect(migsim('run', `scenarios/${file}`, '--json').out).toBe(a.out);
  });

  it('prints the one-VM example with the JSON fields users script against', () => {
    const doc = JSON.parse(migsim('run', 'scenarios/single-migration.yaml', '--json').out);
    expect(doc.scenario).toBe('one-vm');
    expect(doc.seed).toBe(7);
    const db = doc.migrations.find((m: { vmi: string }) => m.vmi === 'prod/db');
    expect(Object.keys(db)).toEqual(
      expect.arrayContaining([
        'name', 'vmi', 'sourceNode', 'targetNode', 'phase', 'reason', 'mode', 'createdAt', 'startedAt', 'endedAt',
        'downtimeSeconds', 'transferredBytes', 'iterations', 'maxThrottlePercent',
      ]),
    );
    // 8Gi → 150 × ceil(8.59) = 1350 s; the abort comes at the poll 1351.2 s after the start at 10 s + latencies.
    expect(db).toMatchObject({ sourceNode: 'node-0', targetNode: 'node-1', phase: 'Failed', reason: 'CompletionTimeout', mode: 'PreCopy', acceptableCompletionTime: 1350 });
    expect(db.endedAt - db.startedAt).toBeCloseTo(1351.2, 6);
    expect(doc.summary).toMatchObject({ migrations: 2, succeeded: 1, failed: 1 });
  });

  it('--seed changes the draws and is echoed', () => {
    const a = migsim('run', 'scenarios/drain-node.yaml', '--json', '--seed', '99');
    expect(JSON.parse(a.out).seed).toBe(99);
    expect(a.out).not.toBe(migsim('run', 'scenarios/drain-node.yaml', '--json').out);
  });

  it('prints a text summary by default', () => {
    const r = migsim('run', 'scenarios/drain-blocked.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toContain('summary: 4 migrations, 4 succeeded, 0 failed');
    expect(r.out).toMatch(/node-0 .* VMI default\/legacy-db is not live-migratable \(DisksNotLiveMigratable\)/);
  });
});

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-'));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('lists every problem with file, line, field and expectation, exit 2', () => {
    const p = write(
      'bad.yaml',
      [
        'apiVersion: migsim/v1alpha1',
        'kind: Scenario',
        'metadata: {name: bad}',
        'spec:',
        '  nodes:',
        '    - {name: n, count: 2, network: 10Gbt}',
        '  vms:',
        '    - {name: v, node: n-0, memory: 8GG, colour: red}',
        '  operations:',
        '    - {at: 1s, migrate: {vmi: default/zz}}',
        '',
      ].join('\n'),
    );
    const r = migsim('run', p);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${p}:6:36: spec.nodes[0].network: expected a bit rate such as 10Gbit`);
    expect(r.err).toContain(`${p}:8:36: spec.vms[0].memory: expected a Kubernetes quantity such as 8Gi, got "8GG"`);
    expect(r.err).toContain(`${p}:8:41: spec.vms[0].colour: unknown field`);
    expect(r.err).toContain('spec.operations[0].migrate.vmi: unknown VM "default/zz"');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each([
    ['a missing file', ['run', '/nonexistent/x.yaml'], /cannot read the scenario file/],
    ['no scenario argument', ['run'], /missing required argument/],
    ['an unknown command', ['frob'], /unknown command/],
    ['a bad seed', ['run', 'scenarios/drain-node.yaml', '--seed', 'x'], /expected an integer/],
  ])('%s exits 2', (_what, args, message) => {
    const r = migsim(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
