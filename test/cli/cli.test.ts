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

describe('run --set', () => {
  it('overrides a field as if the file said so (single-migration: post-copy instead of the completion timeout)', () => {
    const set = 'spec.kubevirt.configuration.migrations.allowPostCopy=true';
    const doc = JSON.parse(migsim('run', 'scenarios/single-migration.yaml', '--json', '--set', set).out);
    const db = doc.migrations.find((m: { vmi: string }) => m.vmi === 'prod/db');
    expect(db).toMatchObject({ phase: 'Succeeded', mode: 'PostCopy' });
  });

  it('is repeatable, and later ones win', () => {
    const r = migsim('run', 'scenarios/single-migration.yaml', '--json', '--set', 'spec.seed=3', '--set', 'spec.seed=11');
    expect(JSON.parse(r.out).seed).toBe(11);
  });

  it.each([
    [['--set', 'spec.vms[name=db].memory=8GG'], '--set spec.vms[name=db].memory=8GG: expected a Kubernetes quantity such as 8Gi, got "8GG"'],
    [['--set', 'spec.vms[name=cache].cpu=2'], '--set spec.vms[name=cache].cpu=2: no entry of spec.vms has name "cache" (names: "db", "web")'],
    [['--set', 'spec.seed'], '--set spec.seed: expected PATH=VALUE, e.g. spec.kubevirt.configuration.migrations.bandwidthPerMigration=256Mi'],
  ])('a bad override %j exits 2 with one line naming it', (args, message) => {
    const r = migsim('run', 'scenarios/single-migration.yaml', ...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`${message}\n`);
  });
});

describe('limits through the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-limits-'));

  it.each([
    ['a seed of 2^53', ['--seed', '9007199254740992'], "error: option '--seed <n>' argument '9007199254740992' is invalid. expected an integer between -9007199254740991 and 9007199254740991 (2^53 − 1)"],
    ['a billion VMs', ['--set', 'spec.vms[0].count=1e9'], '--set spec.vms[0].count=1e9: expected at most 1000000 VMs in a scenario, got 1000000000'],
  ])('%s exits 2', (_what, args, message) => {
    const r = migsim('run', 'scenarios/single-migration.yaml', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${message}\n`);
  });

  it('a file that is not text exits 2 with one line', () => {
    const p = join(dir, 'garbage.yaml');
    writeFileSync(p, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    const r = migsim('run', p);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${p}: not a text file (a NUL byte at offset 8); expected a YAML or JSON scenario (UTF-8 text)\n`);
  });

  it('a JSON file with a duplicate key exits 2', () => {
    const p = join(dir, 'dup.json');
    writeFileSync(p, '{"apiVersion": "migsim/v1alpha1", "kind": "Scenario", "metadata": {"name": "a", "name": "b"}, "spec": {}}');
    const r = migsim('run', p);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${p}:1:81: metadata.name: duplicate key; a key may appear once in a mapping\n`);
  });

  it('reads a scenario from a pipe (/dev/stdin), whose size is not known in advance', () => {
    const r = spawnSync('sh', ['-c', `cat scenarios/drain-node.yaml | "${process.execPath}" "${main}" run /dev/stdin --json`], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(migsim('run', 'scenarios/drain-node.yaml', '--json').out);
  });

  it('`migsim run … | head` ends quietly, without an EPIPE stack trace', () => {
    // 300 VMs drained: far more JSON than a pipe holds (64 KiB), so the write meets a closed pipe
    const p = join(dir, 'many.yaml');
    writeFileSync(
      p,
      [
        'apiVersion: migsim/v1alpha1',
        'kind: Scenario',
        'metadata: {name: many}',
        'spec:',
        '  nodes: [{name: node, count: 4, memory: 512Gi, cpu: 128}]',
        '  vms: [{name: vm, count: 300, node: node-0, memory: 1Gi, evictionStrategy: LiveMigrate}]',
        '  operations: [{at: 1s, drain: {node: node-0}}]',
        '',
      ].join('\n'),
    );
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${main}" run "${p}" --json | head -c 100 >/dev/null`], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
