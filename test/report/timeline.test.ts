// The terminal timeline: human units, and bars placed on d3-scale's nice axis to the character.
import { describe, expect, it } from 'vitest';
import { blankMigration, type MigrationRecord, type Results } from '../../src/metrics/results.js';
import { humanBytes, humanDuration, terminalTimeline } from '../../src/report/timeline.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('human units', () => {
  it.each([
    [0, '0s'],
    [0.036, '36ms'],
    [0.0042, '4.2ms'],
    [4.2, '4.2s'],
    [42, '42s'],
    [85, '1m 25s'],
    [120, '2m'],
    [3600, '1h'],
    [7500, '2h 05m'], // 125 minutes
  ])('%f s is %s', (s, text) => expect(humanDuration(s)).toBe(text));

  it.each([
    [40, '40 B'],
    [1536, '1.5 KiB'],
    [812 * MiB, '812 MiB'],
    [GiB, '1 GiB'],
    [5.3 * GiB, '5.3 GiB'],
    [12.4 * GiB, '12 GiB'],
  ])('%f bytes is %s', (n, text) => expect(humanBytes(n)).toBe(text));
});

function migration(p: Partial<MigrationRecord> & Pick<MigrationRecord, 'name' | 'sourceNode' | 'createdAt'>): MigrationRecord {
  return {
    ...blankMigration(p.name, `ns/${p.name}`, p.createdAt),
    phase: 'Succeeded',
    priority: 100,
    migrationMethod: 'LiveMigration',
    acceptableCompletionTime: 150,
    queuedSeconds: (p.startedAt ?? p.endedAt ?? 0) - p.createdAt,
    copySeconds: p.startedAt != null && p.endedAt != null ? p.endedAt - p.startedAt : null,
    ...p,
  };
}

function results(migrations: MigrationRecord[], endTime: number): Results {
  return {
    migrations,
    nodes: [],
    vms: [],
    waves: [],
    summary: {
      migrations: migrations.length, succeeded: 0, failed: 0, rejected: 0, unfinished: 0, makespanSeconds: 0, migrationActivityFrom: null, migrationActivityTo: null,
      simulatedSeconds: endTime, drains: 0, drainsCompleted: 0, drainsUnfinished: 0, waves: 0, wavesCompleted: 0, wavesUnfinished: 0, vmsNotRunning: 0,
      stalled: 0, lostVms: 0, vmsShutDown: 0, totalDowntimeSeconds: 0, maxDowntimeSeconds: 0, endTime, horizonReached: false,
    },
  };
}

describe('terminalTimeline', () => {
  // A on n1: queued 0–10 s, copies 10–50 s, succeeds (1 GiB). B on n2: queued 0–20 s, copies
  // 20–40 s, fails (512 MiB). The run ends at 100 s. Width 69 = label 4 + 1 + bars 50 + 1 +
  // "1 × 512 MiB" 11 + 2 spare: the nice domain [0, 100] maps 2 s to a character, so A queues in
  // cells 0–4 and copies in 5–24, B queues in 0–9 and fails in 10–19. d3's ticks(3) on [0, 100]
  // are 0, 50, 100 at cells 0, 25 and 49 (the last cell).
  const r = results(
    [
      migration({ name: 'A', sourceNode: 'n1', createdAt: 0, startedAt: 10, endedAt: 50, transferredBytes: GiB }),
      migration({ name: 'B', sourceNode: 'n2', createdAt: 0, startedAt: 20, endedAt: 40, phase: 'Failed', reason: 'CompletionTimeout', transferredBytes: 512 * MiB }),
    ],
    100,
  );

  it('draws queue, copy and failure to the character on a nice time axis', () => {
    const lines = terminalTimeline(r, { width: 69, color: false }).split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'timeline: 2 migrations on 2 source nodes, 0 → 1m 40s',
      `n1   ${'░'.repeat(5)}${'█'.repeat(20)}${'·'.repeat(25)}   1 × 1 GiB`,
      `n2   ${'░'.repeat(10)}${'✗'.repeat(10)}${'·'.repeat(30)} 1 × 512 MiB`,
      `     ┬${'─'.repeat(24)}┬${'─'.repeat(23)}┬`,
      `     0s${' '.repeat(22)}50s${' '.repeat(19)}1m 40s`,
    ]);
  });

  it('counts a longer axis in minutes: the same run slowed 60 times has ticks at 0, 50m and 1h 40m', () => {
    const slow = results(
      r.migrations.map((m) => ({ ...m, createdAt: m.createdAt * 60, startedAt: m.startedAt! * 60, endedAt: m.endedAt! * 60 })),
      6000,
    );
    const lines = terminalTimeline(slow, { width: 69, color: false }).split('\n');
    expect(lines[0]).toBe('timeline: 2 migrations on 2 source nodes, 0 → 1h 40m');
    expect(lines.slice(1, 4)).toEqual(terminalTimeline(r, { width: 69, color: false }).split('\n').slice(1, 4));
    expect(lines[4]).toBe(`     0s${' '.repeat(22)}50m${' '.repeat(19)}1h 40m`);
  });

  it('uses ANSI colours only when asked, and the same glyphs either way', () => {
    const plain = terminalTimeline(r, { width: 69, color: false });
    const coloured = terminalTimeline(r, { width: 69, color: true });
    expect(plain).not.toContain('\x1b[');
    expect(coloured).toContain('\x1b[1;31m✗');
    expect(coloured.replace(/\x1b\[[\d;]*m/g, '')).toBe(plain);
  });

  it('says so when there is nothing to draw', () => {
    expect(terminalTimeline(results([], 10), { width: 80, color: false })).toBe('timeline: no migrations\n');
  });
});
