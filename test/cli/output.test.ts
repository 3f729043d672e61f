// What `migsim run` prints, end to end: the README's example is what the command prints, warnings
// are structured in JSON and a block in text, and a large run is summary-only unless -v.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');

function migsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function scenarioFile(yaml: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'migsim-output-')), 's.yaml');
  writeFileSync(p, yaml);
  return p;
}

describe('the README', () => {
  it('shows exactly what `migsim run scenarios/single-migration.yaml` prints', () => {
    // If this fails after a model change, paste the new output of
    // `npx migsim run scenarios/single-migration.yaml` into README.md.
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const prompt = '$ npx migsim run scenarios/single-migration.yaml\n';
    const at = readme.indexOf(prompt);
    expect(at).toBeGreaterThan(0);
    const shown = readme.slice(at + prompt.length, readme.indexOf('```', at));
    expect(migsim('run', 'scenarios/single-migration.yaml').out).toBe(shown);
  });
});

describe('warnings', () => {
  // Two nodes, one VM, a migration that can never start (limit 0), a drain after the 1h horizon
  // and a field accepted but not modelled (the loader's own remark, located in the file).
  const file = scenarioFile(`apiVersion: migsim/v1alpha1
kind: Scenario
metadata: {name: w}
spec:
  horizon: 1h
  kubevirt:
    configuration:
      migrations: {parallelMigrationsPerCluster: 0, experimental: {}}
  nodes:
    - {name: node, count: 2}
  vms:
    - {name: db, node: node-0, memory: 4Gi}
  operations:
    - {at: 0s, migrate: {vmi: db}}
    - {at: 2h, drain: {node: node-0}}
`);

  it('are a list of {code, message, field?, vms?, nodes?} in JSON, loader remarks first', () => {
    const r = migsim('run', file, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    // the drain at 2h keeps the run going until the 1h horizon, which ends it with the migration Pending
    expect(doc.warnings.map((w: { code: string }) => w.code)).toEqual(['ScenarioNote', 'OperationAfterHorizon', 'NoParallelMigrations', 'HorizonReached']);
    expect(doc.warnings[0].message).toMatch(/s\.yaml:8:\d+: spec\.kubevirt\.configuration\.migrations\.experimental: accepted but not modelled/);
    expect(doc.warnings[1]).toEqual({ code: 'OperationAfterHorizon', field: 'spec.operations[1].at', message: 'the drain at 2h is after the horizon (spec.horizon 1h): it never happens' });
    expect(doc.warnings[3].vms).toEqual(['default/db']);
    // the migration that never started: Pending, with why
    expect(doc.migrations[0]).toMatchObject({ phase: 'Pending', unfinishedReason: 'Pending: queued at parallelMigrationsPerCluster (0 running in the cluster)' });
  });

  it('are a block right after the one-screen summary, before the details', () => {
    const lines = migsim('run', file).out.split('\n');
    expect(lines[2]).toMatch(/^summary: 1 migrations, /);
    const w = lines.indexOf('warnings (4):');
    expect(w).toBeGreaterThan(2);
    expect(lines[w - 1]).toBe('');
    expect(lines[w + 2]).toBe('  [OperationAfterHorizon] the drain at 2h is after the horizon (spec.horizon 1h): it never happens (spec.operations[1].at)');
    expect(lines.findIndex((l) => l.startsWith('MIGRATION '))).toBeGreaterThan(w);
  });
});

describe('size', () => {
  // 51 VMs migrated: more than 50 migration lines.
  const file = scenarioFile(`apiVersion: migsim/v1alpha1
kind: Scenario
metadata: {name: big}
spec:
  kubevirt:
    configuration: {evictionStrategy: LiveMigrate}
  nodes:
    - {name: node, count: 2, cpu: 128, memory: 512Gi}
  vms:
    - {name: vm, count: 51, node: node-0, memory: 1Gi}
  operations:
    - {at: 0s, drain: {node: node-0}}
`);

  it.each([
    [[], 0],
    [['-v'], 51],
    [['--verbose'], 51],
  ])('%o prints %i migration lines', (flags, n) => {
    const out = migsim('run', file, ...flags).out;
    expect(out.split('\n').filter((l) => l.startsWith('kubevirt-evacuation-'))).toHaveLength(n);
    expect(out.includes('(51 migration lines omitted: more than 50; -v/--verbose shows them)')).toBe(n === 0);
  });
});
