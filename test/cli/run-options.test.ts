// `migsim run --log FILE` streams the event log as JSON lines; `--max-events` stops a looping run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { simulate } from '../../src/sim/simulation.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');

function migsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('migsim run --log', () => {
  it('writes every event as one JSON line, the same events the simulation keeps in memory', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'migsim-log-')), 'events.jsonl');
    const r = migsim('run', 'scenarios/drain-node.yaml', '--json', '--log', file);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const stored = simulate(loadScenarioFile(join(root, 'scenarios/drain-node.yaml')), { keepLog: true }).log!.events;
    expect(lines).toEqual(JSON.parse(JSON.stringify(stored)));
    // the log does not change the report
    expect(migsim('run', 'scenarios/drain-node.yaml', '--json').out).toBe(r.out);
  });
});

describe('migsim run --max-events', () => {
  it('stops a run past the budget with exit 2, naming what the events were, and no stack trace', () => {
    const r = migsim('run', 'scenarios/drain-node.yaml', '--max-events', '10');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^migsim: the run exceeded 10 events at t=[\d.]+ s; the events after that were: \S+ \d+ %/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it.each([['0'], ['-3'], ['x'], ['1.5']])('rejects --max-events %s', (v) => {
    const r = migsim('run', 'scenarios/drain-node.yaml', '--max-events', v);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a positive integer/);
  });
});

describe('migsim check', () => {
  it.each([
    // drain-blocked: legacy-db cannot migrate and its LiveMigrate strategy keeps node-0's drain waiting
    ['scenarios/drain-blocked.yaml', 3, /BLOCK drain-blocked-not-migratable  nodes: node-0  VMs: default\/legacy-db/],
    ['scenarios/rolling-upgrade-40.yaml', 0, /Nothing blocks a drain or a wave\./],
  ])('%s exits %i', (file, code, text) => {
    const r = migsim('check', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(code);
    expect(r.out).toMatch(text);
  });

  it('--json lists the findings with severity, VMs, nodes and remedy', () => {
    const r = migsim('check', 'scenarios/drain-blocked.yaml', '--json');
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.out);
    expect(doc.summary).toMatchObject({ blocking: 1, nodesChecked: 1 });
    expect(Object.keys(doc.findings[0])).toEqual(['code', 'severity', 'message', 'vms', 'nodes', 'remedy']);
  });

  it('invalid input exits 2', () => {
    expect(migsim('check', '/nonexistent.yaml').code).toBe(2);
  });
});
