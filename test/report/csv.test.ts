// `migsim run --csv DIR`: the tables parse back, have one row per migration / pre-copy round /
// node / VM, and carry the same numbers as `--json`; the same command twice gives the same bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvFile } from '../../src/report/csv.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');

function migsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

type Row = Record<string, string>;
const read = (dir: string, name: string): Row[] => parse(readFileSync(join(dir, name), 'utf8'), { columns: true }) as Row[];
/** A CSV cell as the JSON value it came from: '' is null. */
const num = (v: string | undefined): number | null => (v === '' || v === undefined ? null : Number(v));
const text = (v: string | undefined): string | null => (v === '' || v === undefined ? null : v);

describe.each([['scenarios/drain-node.yaml'], ['scenarios/upgrade-network-blip.yaml']])('migsim run %s --csv', (scenario) => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-csv-'));
  const log = join(dir, 'events.jsonl');
  const r = migsim('run', scenario, '--json', '--csv', dir, '--log', log);
  const json = JSON.parse(r.out);
  const events = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));

  it('exits 0 and still prints the JSON document', () => {
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });

  it('migrations.csv: one row per migration, in the JSON order, with the JSON numbers', () => {
    const rows = read(dir, 'migrations.csv');
    expect(rows.map((x) => x['migration'])).toEqual(json.migrations.map((m: { name: string }) => m.name));
    for (const [i, m] of json.migrations.entries()) {
      const x = rows[i]!;
      expect([text(x['vmi']), text(x['source_node']), text(x['target_node']), x['phase'], text(x['reason']), x['mode']]).toEqual([m.vmi, m.sourceNode, m.targetNode, m.phase, m.reason, m.mode]);
      expect([num(x['created_at_s']), num(x['started_at_s']), num(x['ended_at_s']), num(x['downtime_s']), num(x['transferred_bytes']), num(x['iterations'])]).toEqual([
        m.createdAt,
        m.startedAt,
        m.endedAt,
        m.downtimeSeconds,
        m.transferredBytes,
        m.iterations,
      ]);
      expect(x['vm_lost']).toBe(String(m.vmLost));
      expect([num(x['queue_s']), num(x['copy_s']), text(x['unfinished_reason'])]).toEqual([m.queuedSeconds, m.copySeconds, m.unfinishedReason]);
      // derived: the difference of the JSON's times (each rounded to 1e-6, so within 2e-6)
      if (m.endedAt !== null) expect(num(x['duration_s'])).toBeCloseTo(m.endedAt - m.createdAt, 5);
    }
  });

  it('rounds.csv: one row per pre-copy round, the logged ones equal to the Iteration events', () => {
    const rows = read(dir, 'rounds.csv');
    const logged = rows.filter((x) => x['steady_state'] === 'false');
    const its = events.filter((e) => e.type === 'Iteration');
    expect(logged.length).toBe(its.length);
    expect(logged.length).toBeGreaterThan(0);
    logged.forEach((x, i) => {
      const e = its[i]!;
      expect([x['migration'], num(x['iteration']), num(x['ended_at_s']), num(x['sent_bytes']), num(x['remaining_bytes']), num(x['threshold_bytes'])]).toEqual([
        e.migration,
        e.iteration,
        Math.round(e.t * 1e6) / 1e6,
        Math.round(e.bytes * 1e6) / 1e6,
        Math.round(e.dirtied * 1e6) / 1e6,
        Math.round(e.threshold * 1e6) / 1e6,
      ]);
      expect(x['converged']).toBe(String(e.dirtied <= e.threshold));
    });
    // with the passes of a steady state (not logged one by one), the rows of each migration that
    // ended number its iterations, 1, 2, …, iterations
    for (const m of json.migrations.filter((m: { endedAt: number | null }) => m.endedAt !== null)) {
      expect(rows.filter((x) => x['migration'] === m.name).map((x) => num(x['iteration']))).toEqual(Array.from({ length: m.iterations }, (_, i) => i + 1));
    }
  });

  it('nodes.csv and vms.csv: one row per node and per VM, with the JSON numbers', () => {
    const nodes = read(dir, 'nodes.csv');
    expect(nodes.map((x) => [x['node'], num(x['drain_started_at_s']), num(x['drain_completed_at_s']), num(x['migrations_out']), num(x['vms_shut_down'])])).toEqual(
      json.nodes.map((n: Record<string, unknown>) => [n['name'], n['drainStartedAt'], n['drainCompletedAt'], n['migrationsOut'], n['vmsShutDown']]),
    );
    const vms = read(dir, 'vms.csv');
    expect(vms.map((x) => [x['vmi'], num(x['migrations']), num(x['moves']), num(x['downtime_s']), x['still_down_at_end'], text(x['final_node']), x['lost']])).toEqual(
      json.vms.map((v: Record<string, unknown>) => [v['vmi'], v['migrations'], v['moves'], v['downtimeSeconds'], String(v['stillDownAtEnd']), v['finalNode'], String(v['lost'])]),
    );
  });

  it('the same command twice writes byte-identical files', () => {
    const again = mkdtempSync(join(tmpdir(), 'migsim-csv-'));
    expect(migsim('run', scenario, '--csv', again).code).toBe(0);
    for (const f of ['migrations.csv', 'rounds.csv', 'nodes.csv', 'vms.csv']) expect(readFileSync(join(again, f), 'utf8')).toBe(readFileSync(join(dir, f), 'utf8'));
  });
});

describe('csvFile', () => {
  it('quotes what needs quoting, leaves null empty, writes booleans as words and rounds like the JSON', () => {
    const f = csvFile('t.csv', [{ name: 'a', value: (r: { a: unknown }) => r.a as never }], [{ a: 'x, "y"' }, { a: null }, { a: true }, { a: 1 / 3 }, { a: 2 ** 40 }]);
    expect(f.content).toBe('a\n"x, ""y"""\n\ntrue\n0.333333\n1099511627776\n');
  });

  it('writes the header alone for an empty table', () => {
    expect(csvFile('t.csv', [{ name: 'a_s', value: () => 1 }, { name: 'b_bytes', value: () => 2 }], []).content).toBe('a_s,b_bytes\n');
  });
});

describe('--csv errors', () => {
  it('names the directory it cannot write, exit 2, no stack trace', () => {
    // a directory inside a regular file cannot be made
    const r = migsim('run', 'scenarios/single-migration.yaml', '--csv', join(root, 'package.json', 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^migsim: cannot write the CSV files to .*package\.json\/x: /);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
