// `migsim sweep` and `migsim plan` end to end, on scenarios whose answers are derived by hand.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');
const fixtures = 'test/fixtures/plan';

function migsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const OUTBOUND = 'spec.kubevirt.configuration.migrations.parallelOutboundMigrationsPerNode';

describe('migsim sweep', () => {
  it('more outbound parallelism shortens an uncontended drain, monotonically, by ⌈8/p⌉ migrations of 16.03225 s', () => {
    // one migration: 4 GiB · 513/512 on the wire at 256 MiB/s = 16.03125 s, plus the 1 ms switch-over
    const r = migsim('sweep', `${fixtures}/uncontended-drain.yaml`, '--set', `${OUTBOUND}=1..4/1`, '--runs', '2', '--workers', '1', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.axes).toEqual([{ path: OUTBOUND, values: ['1', '2', '3', '4'] }]);
    const p95 = doc.points.map((p: { makespanSeconds: { p95: number } }) => p.makespanSeconds.p95);
    [1, 2, 3, 4].forEach((p, i) => expect(p95[i]).toBeCloseTo(Math.ceil(8 / p) * 16.03225, 6));
    for (let i = 1; i < p95.length; i++) expect(p95[i]).toBeLessThan(p95[i - 1]);
  }, 60_000);

  it('writes the grid as CSV, one row per point, units in the column names', () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'migsim-sweep-')), 'sweep.csv');
    const r = migsim('sweep', `${fixtures}/uncontended-drain.yaml`, '--set', `${OUTBOUND}=1,4`, '--runs', '1', '--workers', '1', '--csv', csv);
    expect(r.code).toBe(0);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(`${OUTBOUND},runs,makespan_p50_s,makespan_p95_s,makespan_max_s,within_window_probability,failure_probability,failed_migrations_p95,max_downtime_p95_s,incomplete_probability`);
    expect(lines).toHaveLength(3);
    expect(Number(lines[2]!.split(',')[3])).toBeCloseTo(2 * 16.03225, 6);
  });

  it.each([
    [['--set', 'spec.nope=1,2'], /spec\.nope|unknown field/],
    [['--set', `${OUTBOUND}=1..x/1`], /start, end and step must be numbers/],
    [['--set', `${OUTBOUND}=x,1`], /--set spec\.kubevirt\.configuration\.migrations\.parallelOutboundMigrationsPerNode=x: /],
  ])('a bad grid %j exits 2 before any run', (args, message) => {
    const r = migsim('sweep', `${fixtures}/uncontended-drain.yaml`, ...args, '--runs', '1', '--workers', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('migsim plan', () => {
  it('fixes a non-converging database with a MigrationPolicy for it alone, and forecasting the written scenario confirms it', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'migsim-plan-')), 'planned.yaml');
    const r = migsim('plan', `${fixtures}/hot-db.yaml`, '--window', '30m', '--runs', '4', '--workers', '1', '--json', '--write-scenario', out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    // as written, the database is aborted at its 1350 s deadline and retried: never inside 30 min
    expect(doc.baseline).toMatchObject({ feasible: false, withinWindowProbability: 0, failureProbability: 1 });
    expect(doc.feasible).toBe(true);
    expect(doc.recommendation.migrationPolicies).toEqual([
      {
        apiVersion: 'migrations.kubevirt.io/v1alpha1',
        kind: 'MigrationPolicy',
        metadata: { name: 'migsim-plan' },
        spec: { selectors: { virtualMachineInstanceSelector: { app: 'db' } }, allowAutoConverge: true },
      },
    ]);
    expect(doc.recommendation).toMatchObject({ feasible: true, withinWindowProbability: 1, failureProbability: 0 });
    expect(doc.yaml).toContain('kind: MigrationPolicy');
    expect(doc.simulations).toBeGreaterThan(0);

    const f = migsim('forecast', out, '--runs', '4', '--workers', '1', '--window', '30m', '--json', '--quiet');
    expect(f.code).toBe(0);
    const forecast = JSON.parse(f.out);
    expect(forecast.withinWindowProbability).toBe(1);
    expect(forecast.failedMigrations.max).toBe(0);
  }, 120_000);

  it('says when nothing meets the constraints, shows the best found and which constraint fails (exit 3)', () => {
    // the four VMs cannot leave node-0 in 10 s whatever the configuration
    const r = migsim('plan', `${fixtures}/hot-db.yaml`, '--window', '10s', '--runs', '2', '--workers', '1', '--vary', `${OUTBOUND}=1,2`);
    expect(r.code).toBe(3);
    expect(r.out).toContain('NOTHING MEETS THE CONSTRAINTS. The best found:');
    expect(r.out).toMatch(/still failing:\n  window: 0\.0% of runs end inside 10s, 95% asked/);
  }, 120_000);
});
