// The text report: readable at any size, one line per distinct failure, never "LiveMigration"
// for a VM that did not or cannot migrate, "still down at end" instead of a horizon-made number.
import { describe, expect, it } from 'vitest';
import { warningsRecorder } from '../../src/metrics/warnings.js';
import { LARGE_RUN_ROWS, formatWarning, textReport } from '../../src/report/text.js';
import type { Operation, Scenario } from '../../src/scenario/types.js';
import { simulate } from '../../src/sim/simulation.js';
import { Gi, migrate, node, scenario, vm } from '../helpers/scenario.js';

const nic = { nics: { pod: 1 * Gi } };
const live = { evictionStrategy: 'LiveMigrate' as const };
const rwo = { name: 'root', type: 'persistentVolumeClaim' as const, accessModes: ['ReadWriteOnce'], shared: false, attachment: 'disk' as const, readOnly: false, size: 10 * Gi };
const drain = (n: string, at = 0): Operation => ({ kind: 'drain', at, nodes: { kind: 'names', names: [n] } });

function report(s: Scenario, verbose = false): string {
  const w = warningsRecorder(s);
  const r = simulate(s, { observers: [w] }).results!;
  return textReport('t', 1, r, w.finish(), { verbose });
}

/** the rows of the table whose header starts with `first` */
function rows(text: string, first: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(first));
  if (at < 0) return [];
  const end = lines.indexOf('', at);
  return lines.slice(at + 1, end < 0 ? undefined : end);
}

describe('size', () => {
  // n VMs on a, each migrated to b at 0 (b has room for all): n migration lines, n VM lines.
  const many = (n: number): Scenario =>
    scenario({
      nodes: [node('a', { ...nic, cpu: 128 }), node('b', { ...nic, cpu: 128 })],
      vms: Array.from({ length: n }, (_, i) => vm(`v${i}`, 'a', { memory: 1 * Gi })),
      operations: Array.from({ length: n }, (_, i) => migrate(`default/v${i}`)),
    });

  it.each([
    { n: LARGE_RUN_ROWS, verbose: false, migrationRows: LARGE_RUN_ROWS, omitted: false },
    { n: LARGE_RUN_ROWS + 1, verbose: false, migrationRows: 0, omitted: true },
    { n: LARGE_RUN_ROWS + 1, verbose: true, migrationRows: LARGE_RUN_ROWS + 1, omitted: false },
  ])('$n migrations, verbose $verbose: $migrationRows migration lines', ({ n, verbose, migrationRows, omitted }) => {
    const text = report(many(n), verbose);
    expect(rows(text, 'MIGRATION ')).toHaveLength(migrationRows);
    expect(rows(text, 'VMI ')).toHaveLength(migrationRows);
    if (omitted) {
      expect(text).toContain(`(${n} migration lines omitted: more than ${LARGE_RUN_ROWS}; -v/--verbose shows them)`);
      expect(text).toContain(`omitted for size: ${n} migration lines, ${n} VM lines; run with -v/--verbose (or --json) to see them`);
    } else {
      expect(text).not.toContain('omitted');
    }
    expect(text).toContain(`summary: ${n} migrations, ${n} succeeded, 0 failed, 0 unfinished, 0 stalled`);
  });
});

describe('lists cut at the size limit', () => {
  it('shows 50 of 51 unfinished migrations and says how many more', () => {
    // limit 0: all 51 migrations stay Pending, the run ends at 0 s. a has 64 cores: a VM given a
    // node must fit there (51 × 1 core would not fit the default 32).
    const s = scenario({
      nodes: [node('a', { cpu: 64 }), node('b')],
      vms: Array.from({ length: 51 }, (_, i) => vm(`v${i}`, 'a', { memory: 1 * Gi })),
      operations: Array.from({ length: 51 }, (_, i) => migrate(`default/v${i}`)),
      migrations: { parallelMigrationsPerCluster: 0 },
    });
    const lines = rows(report(s), 'unfinished at the end (51):');
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('  … and 1 more (-v/--verbose shows them)');
    expect(rows(report(s, true), 'unfinished at the end (51):')).toHaveLength(51);
    expect(rows(report(s, true), 'unfinished at the end (51):')[50]).toMatch(/\(default\/v50\): Pending: queued at parallelMigrationsPerCluster/);
  });
});

describe('an unschedulable drain', () => {
  it('prints its repeated failure once, with a count, and the retry still waiting', () => {
    // b is cordoned and a is being drained: no node takes v's target pod.
    //   VMIM 1 created 0, target pod deleted at 300 (unschedulable timeout)
    //   VMIM 2 created 300, back-off 20 s → pod 320, deleted 620
    //   VMIM 3 created 620, back-off 40 s → pod 660, deleted 960
    //   VMIM 4 created 960, back-off 80 s → 1040, after the 1000 s horizon.
    const s = scenario({
      nodes: [node('a'), node('b', { unschedulable: true })],
      vms: [vm('v', 'a', live)],
      operations: [drain('a')],
      over: { horizon: 1000 },
    });
    const text = report(s);
    const failures = rows(text, 'failures:');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^ {2}default\/v: 3 migrations failed the same way \(kubevirt-evacuation-\w+ … kubevirt-evacuation-\w+, 0s to 16m0s\): TargetPodUnschedulable: Migration target pod was removed during active migration\. \(target pod was unschedulable for 300s/,
    );
    const unfinished = rows(text, 'unfinished at the end (1):');
    expect(unfinished).toHaveLength(1);
    expect(unfinished[0]).toMatch(/\(default\/v\): Pending: evacuation back-off after failed migrations of this VMI, until 1040s$/);
    expect(text).toContain('[HorizonReached] the horizon (16m40s) ended the run with 1 migration(s) unfinished (0 copying), 1 drain(s) unfinished');
    expect(text).toContain('  drains:             1, 0 completed, 1 unfinished');
  });
});

describe('the VM table', () => {
  it('says how each VM ended: moved, shut down, not migratable, still down', () => {
    // one node drained with cluster-wide strategy None: "moved" has its own LiveMigrate and
    // goes to b (1 GiB in 1 s); "off" is shut down (restart after 1 h: after the run);
    // "pinned" cannot migrate (RWO PVC) and blocks the drain (LiveMigrate → 429).
    const s = scenario({
      nodes: [node('a', nic), node('b', nic)],
      vms: [vm('moved', 'a', { memory: 1 * Gi, ...live }), vm('off', 'a', { restartTime: 3600 }), vm('pinned', 'a', { volumes: [rwo], ...live })],
      operations: [drain('a')],
      over: { horizon: 100 },
    });
    const text = report(s);
    expect(rows(text, 'VMI ')).toEqual([
      'default/moved   a             b           1      1         0s                 LiveMigration',
      'default/off     a             -           0      0         still down at end  shut down',
      'default/pinned  a             a           0      0         0s                 -              DisksNotLiveMigratable',
    ]);
    expect(rows(text, 'not running at the end (1):')).toEqual(['  default/off: shut down on a at 0s: evicted: eviction strategy None']);
    expect(text).toContain('  max VM downtime:    0s among VMs running at the end; 1 still down at end');
  });
});

describe('warnings', () => {
  it.each([
    [{ code: 'X', message: 'm' }, '[X] m'],
    [{ code: 'X', message: 'm', field: 'spec.horizon' }, '[X] m (spec.horizon)'],
    [{ code: 'X', message: 'm', vms: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], nodes: ['n'] }, '[X] m (nodes: n; VMs: a, b, c, d, e and 2 more)'],
  ])('%o reads %s', (w, text) => {
    expect(formatWarning(w)).toBe(text);
  });
});
