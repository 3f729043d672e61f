// migsim import and calibrate on the command line: dump → import → run, exit codes on bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');
const dump = ['test/fixtures/cluster/dump.yaml', 'test/fixtures/cluster/vmims.yaml'];

function migsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// each case spawns node: allow for a machine shared with other builds
describe('migsim import', { timeout: 60_000 }, () => {
  it('dump → import -o → run', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'migsim-import-')), 'cluster.yaml');
    const imp = migsim('import', '--from', ...dump, '--network', '25Gbit', '-o', out);
    expect(imp.code).toBe(0);
    expect(imp.out).toBe('');
    expect(imp.err).toContain('read: 1 KubeVirt, 1 MigrationPolicy, 3 Node, 3 PersistentVolumeClaim, 1 Secret, 2 VirtualMachine, 6 VirtualMachineInstance, 3 VirtualMachineInstanceMigration\n');
    expect(imp.err).toContain(`written: ${out}\n`);
    const r = migsim('run', out, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).vms.map((v: { vmi: string; migratable: boolean }) => [v.vmi, v.migratable])).toEqual([
      ['prod/db-0', true],
      ['prod/web-0', true],
      ['dev/legacy-0', false],
      ['dev/gpu-0', false],
      ['dev/bridge-0', false],
    ]);
    // re-import onto the same file merges (and says so)
    expect(migsim('import', '--from', ...dump, '-o', out).err).toContain('(merged with the existing file)');
  });

  it('prints the scenario on stdout without -o', () => {
    const r = migsim('import', '--from', ...dump);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# Imported by migsim import/);
  });

  it.each([
    { args: ['--from', 'nope.yaml'], err: 'nope.yaml: cannot read the cluster dump: no such file\n' },
    { args: ['--from', ...dump, '--network', '10G'], err: "option '--network <rate>' argument '10G' is invalid" },
    { args: ['--from', ...dump, '--network-label', 'rack=a'], err: 'expected LABEL=VALUE:RATE' },
    { args: ['--from', 'scenarios/single-migration.yaml'], err: 'scenarios/single-migration.yaml: no Node and no VirtualMachineInstance objects (found: Scenario)' },
  ])('bad input $args exits 2 with a message, no stack trace', ({ args, err }) => {
    const r = migsim('import', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(err);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('migsim calibrate', { timeout: 60_000 }, () => {
  it('--json reports every finished VMIM, and the skipped in-flight one', () => {
    const r = migsim('calibrate', '--from', ...dump, '--network', '25Gbit', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.summary.replayed).toBe(2);
    expect(doc.skipped).toEqual([{ name: 'prod/pending-one', why: 'not finished (phase Pending)' }]);
    // observed 09:00:07 → 09:00:41 = 34 s; 8 GiB at 25 Gbit alone: 8·2^30 / 3.125e9 = 2.75 s
    const web = doc.migrations.find((m: { name: string }) => m.name === 'prod/kubevirt-evacuation-7xk2p');
    expect(web.observed.durationSeconds).toBe(34);
    expect(web.predicted.durationSeconds).toBeCloseTo(2.75, 1);
    expect(web.wrong).toBe(true);
  });

  it('--write-scenario writes the fitted bandwidth into the imported scenario', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'migsim-cal-')), 'cluster.yaml');
    const r = migsim('calibrate', '--from', ...dump, '--network', '25Gbit', '--write-scenario', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('fitted effective bandwidth per source node (median):\n  worker-1: ');
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/network: \d+Mbit # fitted by migsim calibrate: median of 1 past migration\(s\) from this node/);
    // the fixture's evacuation: Scheduling 09:00:00 → Scheduled 09:00:05 → PreparingTarget :05 → TargetReady :06 → Running :07
    expect(text).toContain('targetPodStartup: 5s # measured by migsim calibrate: median of 1 VMIM phase transition(s), p90 5s');
    expect(text).toContain('handoff: 0s # measured');
    expect(text).toContain('targetPreparation: 1s # measured');
    expect(text).toContain('migrationStart: 1s # measured');
    expect(migsim('run', out).code).toBe(0);
  });

  it('--scenario replays with the user\'s workload model, which is then not blamed as guessed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migsim-cal-'));
    const file = join(dir, 'cluster.yaml');
    expect(migsim('import', '--from', ...dump, '--network', '25Gbit', '-o', file).code).toBe(0);
    // the user knows db-0 dirties 4000 MiB/s, more than 25 Gbit (≈ 2980 MiB/s) can copy, paced by
    // the wall clock (throttleSensitivity 0), so the policy's auto-converge cannot save it
    const text = readFileSync(file, 'utf8').replace(/(- name: db-0[\s\S]*?workload:\n(\s*))dirtyRate: 0Mi[^\n]*/, '$1dirtyRate: 4000Mi\n$2throttleSensitivity: 0');
    writeFileSync(file, text);
    const r = migsim('calibrate', '--from', ...dump, '--scenario', file, '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`replays use the model of ${file}: 5 workload blocks`);
    const db = JSON.parse(r.out).migrations.find((m: { vmi: string }) => m.vmi === 'prod/db-0');
    // observed Failed (stuck, aborted); with the user's dirty rate migsim predicts the failure too
    expect([db.observed.outcome, db.predicted.outcome]).toEqual(['Failed', 'Failed']);
    expect(db.wrong).toBe(false);
  });
});

