// The HTML report's pieces, without a browser: the document shell, the effective configuration,
// remedies from the numbers, the sampling rules for big runs, the forecast report on synthetic
// data, and the CLI (determinism, provenance, errors). test/report/browser.test.ts renders them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MigrationRecord } from '../../src/metrics/results.js';
import { concurrencyPoints, ganttSample, MAX_GANTT_MIGRATIONS, timeTicks } from '../../src/report/html/charts.js';
import { effectiveConfiguration } from '../../src/report/html/config.js';
import { renderHtml, type ReportDocument } from '../../src/report/html/document.js';
import { bandwidthToConverge, explainNonConvergence, nominalDirtyRate } from '../../src/report/html/explain.js';
import { forecastReport, percentile } from '../../src/report/html/forecast.js';
import type { RoundPoint, RunSeries } from '../../src/report/series.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { rawScenario } from '../../src/cli/report.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');
const MiB = 2 ** 20;

function migsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const ASSETS = { vega: '/*vega*/', vegaLite: '/*vega-lite*/', vegaEmbed: '/*vega-embed*/', versions: 'test' };
const provenance = { version: '0.1.0', seed: 7, command: 'migsim run x.yaml --report r.html' };

describe('renderHtml', () => {
  const doc: ReportDocument = {
    title: 'A <b> title',
    subtitle: 'sub',
    provenance,
    sections: [
      { id: 's1', title: 'Text & table', blocks: [{ kind: 'text', paragraphs: ['<script>alert(1)</script>'] }, { kind: 'table', header: ['a'], rows: [['x"y']] }] },
      { id: 's2', title: 'Chart', blocks: [{ kind: 'chart', id: 'c1', spec: { data: { values: [{ v: '</script><script>alert(2)</script>' }] }, mark: 'bar' } }] },
    ],
  };
  const html = renderHtml(doc, ASSETS);

  it('escapes every text and keeps chart data from closing its script element', () => {
    expect(html).toContain('<h1>A &lt;b&gt; title</h1>');
    expect(html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).toContain('<td>x&quot;y</td>');
    expect(html).not.toContain('</script><script>alert(2)');
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(2)');
  });

  it('inlines the bundles and loads nothing from anywhere: no src, no link, no import', () => {
    expect(html).toContain('<script>/*vega*/</script>\n<script>/*vega-lite*/</script>\n<script>/*vega-embed*/</script>');
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link\b|<img\b|@import/);
  });

  it('states the version, seed and command, and no time of day', () => {
    expect(html).toContain('migsim 0.1.0 · seed 7 · <code>migsim run x.yaml --report r.html</code>');
    expect(html).not.toMatch(/20\d\d-\d\d-\d\d/);
  });
});

describe('effectiveConfiguration', () => {
  it.each([
    ['drain-node.yaml', 'spec.kubevirt.configuration.evictionStrategy', 'LiveMigrate', false],
    ['drain-node.yaml', 'spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster', '5', true],
    ['drain-node.yaml', 'spec.controlPlane.handoff', '1s', false],
    ['drain-node.yaml', 'spec.controlPlane.cleanup', '2s', true],
    ['rolling-upgrade-40.yaml', 'spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster', '5', false],
    ['rolling-upgrade-40.yaml', 'spec.kubevirt.configuration.migrations.bandwidthPerMigration', '0 (unlimited)', true],
    ['rolling-upgrade-40.yaml', 'spec.horizon', '72h', false],
  ])('%s: %s = %s (default: %s)', (file, path, value, isDefault) => {
    const f = join(root, 'scenarios', file);
    const row = effectiveConfiguration(loadScenarioFile(f), rawScenario(f)).find((r) => r.path === path);
    expect(row).toEqual({ path, value, isDefault });
  });
});

describe('effectiveConfiguration with --set', () => {
  it('marks a setting given by --set as set, not as a default', () => {
    const f = join(root, 'scenarios', 'drain-node.yaml');
    const set = ['spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster=3'];
    const row = effectiveConfiguration(loadScenarioFile(f, { overrides: set }), rawScenario(f, set)).find((r) => r.path.endsWith('.parallelMigrationsPerCluster'));
    expect(row).toEqual({ path: 'spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster', value: '3', isDefault: false });
  });
});

function migration(p: Partial<MigrationRecord> & Pick<MigrationRecord, 'name'>): MigrationRecord {
  return {
    vmi: `ns/${p.name}`, sourceNode: 'n1', targetNode: 'n2', phase: 'Succeeded', reason: null, message: null, mode: 'PreCopy', priority: 100,
    evacuationNode: null, wave: null, policy: null, migrationMethod: 'LiveMigration', acceptableCompletionTime: 150, createdAt: 0, startedAt: 1, endedAt: 2,
    downtimeSeconds: 0, transferredBytes: 0, iterations: 1, maxThrottlePercent: 0, postCopySeconds: 0, stalledSeconds: 0, outages: [], vmLost: false, queuedSeconds: 1, copySeconds: 1, unfinishedReason: null, ...p,
  };
}

describe('remedies from the numbers', () => {
  // 300 MiB/s × 4/3 = 400 MiB/s: every round at most 3/4 of the one before.
  it.each([
    [300 * MiB, 400 * MiB],
    [64 * MiB, 86 * MiB], // 85.33 → next whole MiB/s
    [1, MiB],
  ])('dirty rate %d B/s needs %d B/s', (dirty, need) => expect(bandwidthToConverge(dirty)).toBe(need));

  const round = (p: Partial<RoundPoint>): RoundPoint => ({
    migration: 'm', vmi: 'ns/db', sourceNode: 'n1', iteration: 9, t: 100, durationSeconds: 10, sentBytes: 0, remainingBytes: 0, thresholdBytes: 0, bytesPerSecond: 0, steadyState: false, ...p,
  });

  it('a dirty rate above the capped bandwidth: raise bandwidthPerMigration or allow auto-converge', () => {
    // the last round sent 640 MiB in 10 s and left 3000 MiB dirtied: 300 MiB/s against a 64 MiB/s cap
    const e = explainNonConvergence(
      migration({ name: 'm', phase: 'Failed', reason: 'CompletionTimeout', acceptableCompletionTime: 1350 }),
      round({ sentBytes: 640 * MiB, remainingBytes: 3000 * MiB, bytesPerSecond: 64 * MiB, thresholdBytes: 64 * MiB * 0.3 }),
      64 * MiB,
    );
    expect(e.explanation).toBe(
      'Dirty rate 300 MiB/s exceeds the 64 MiB/s per-migration bandwidth (bandwidthPerMigration): each round re-sends about as much as it sent, so it ran past its acceptable completion time (22m 30s).',
    );
    expect(e.remedy).toBe('Raise bandwidthPerMigration to ≥ 400Mi, or allow auto-converge for this VM (allowAutoConverge in a MigrationPolicy that selects it).');
  });

  it('a round that re-dirties its whole working set: the scenario gives the dirty rate', () => {
    // single-migration.yaml: 200 MiB/s into a 2 GiB working set at a 64 MiB/s cap. The last round
    // sent 2 GiB in 32 s and found 2 GiB dirty again, which alone only shows ≥ 64 MiB/s.
    // 200 × 4/3 = 266.7 → 267 MiB/s.
    const last = round({ durationSeconds: 32, sentBytes: 2048 * MiB, remainingBytes: 2048 * MiB, bytesPerSecond: 64 * MiB, thresholdBytes: 19.2 * MiB });
    const m = migration({ name: 'm', phase: 'Failed', reason: 'CompletionTimeout', acceptableCompletionTime: 1350 });
    expect(explainNonConvergence(m, last, 64 * MiB, 200 * MiB).explanation).toMatch(/^Dirty rate 200 MiB\/s exceeds the 64 MiB\/s per-migration bandwidth/);
    expect(explainNonConvergence(m, last, 64 * MiB, 200 * MiB).remedy).toMatch(/^Raise bandwidthPerMigration to ≥ 267Mi, or allow auto-converge/);
    expect(explainNonConvergence(m, last, 64 * MiB).explanation).toMatch(/^Dirty rate at least 64 MiB\/s exceeds/);
  });

  it.each([
    [{ kind: 'constant', rate: 5, workingSet: 10 }, 5],
    [{ kind: 'phases', phases: [{ at: 0, rate: 5 }, { at: 60, rate: 9 }], workingSet: 10 }, 9],
    [{ kind: 'curve', points: [{ t: 0, bytes: 0 }, { t: 2, bytes: 10 }, { t: 4, bytes: 12 }] }, 5],
  ] as const)('the scenario’s dirty rate of %o is %d B/s', (d, rate) => expect(nominalDirtyRate(d as never)).toBe(rate));

  it('an uncapped migration on a shared NIC: give it the bandwidth another way', () => {
    const e = explainNonConvergence(migration({ name: 'm', phase: 'Failed', reason: 'ProgressTimeout' }), round({ sentBytes: 2500 * MiB, remainingBytes: 3000 * MiB, bytesPerSecond: 250 * MiB }), 0);
    expect(e.remedy).toMatch(/^Give it ≥ 400 MiB\/s \(it got 250 MiB\/s of a shared NIC/);
  });

  it('rounds that shrink but stall above the threshold: the working set does not fit the downtime', () => {
    // 1000 MiB/s, threshold 300 MiB (0.3 s): 900 MiB left needs 900 / 0.3 = 3000 MiB/s
    const e = explainNonConvergence(
      migration({ name: 'm', phase: 'Failed', reason: 'CompletionTimeout' }),
      round({ sentBytes: 2000 * MiB, remainingBytes: 900 * MiB, durationSeconds: 9, bytesPerSecond: 1000 * MiB, thresholdBytes: 300 * MiB }),
      0,
    );
    expect(e.explanation).toMatch(/^Rounds shrink \(dirty rate 100 MiB\/s < 1000 MiB\/s\) but stop at 900 MiB/);
    expect(e.remedy).toContain('give it ≥ 3000 MiB/s');
  });
});

describe('sampling rules for big runs', () => {
  it(`draws at most ${MAX_GANTT_MIGRATIONS} migrations in the Gantt chart, keeping every failed one`, () => {
    // 3000 migrations, every 30th failed (100): 1900 room for the 2900 succeeded
    const migs = Array.from({ length: 3000 }, (_, i) => migration({ name: `m${i}`, createdAt: i, phase: i % 30 === 0 ? 'Failed' : 'Succeeded' }));
    const { shown, rule } = ganttSample(migs);
    expect(shown.length).toBe(2000);
    expect(shown.filter((m) => m.phase === 'Failed').length).toBe(100);
    expect(rule).toMatch(/^2000 of 3000 migrations drawn: every 100 not succeeded/);
    expect(ganttSample(migs.slice(0, 2000)).rule).toBeNull();
  });

  it('slices more than 2000 concurrency changes into 1000 slices that keep each slice’s peak', () => {
    // 4000 changes, one per second, alternating 1 and 5 in flight: every 4 s slice peaks at 5
    const concurrency = Array.from({ length: 4000 }, (_, i) => ({ t: i, cluster: i % 2 ? 5 : 1, busiestNode: i % 2 ? 2 : 1 }));
    const { points, sliced } = concurrencyPoints({ concurrency, endTime: 4000 } as RunSeries);
    expect(sliced).toBe(1000);
    expect(points.length).toBe(1000);
    expect(points.every((p) => p.cluster === 5 && p.busiestNode === 2)).toBe(true);
    expect(points[1]!.t).toBe(4);
  });

  it.each([
    [2442, [0, 600, 1200, 1800, 2400]], // 300 s steps would give 8.1 intervals: 600 s
    [40, [0, 5, 10, 15, 20, 25, 30, 35, 40]],
    [86400, [0, 10800, 21600, 32400, 43200, 54000, 64800, 75600, 86400]],
  ])('time ticks on [0, %d] s', (end, ticks) => expect(timeTicks(end)).toEqual(ticks));
});

describe('forecastReport on synthetic data', () => {
  // 11 replications: 10 completed in 10, 20, …, 100 min, one blocked. Nearest rank of 10 sorted:
  // p50 = 5th = 50 min, p95 = 10th = 100 min, p99 = 10th. Window 75 min: 7 of 11 (63.6 %).
  const doc = forecastReport({
    scenario: 'wave',
    durations: [...Array.from({ length: 10 }, (_, i) => (10 - i) * 600), null],
    window: 4500,
    nodeDrainTimes: [{ node: 'n1', seconds: [100, 200, 300] }, { node: 'n2', seconds: [] }],
    vmFailures: [
      { vmi: 'ns/a', probability: 0.2, reasons: [{ reason: 'CompletionTimeout', count: 2 }] },
      { vmi: 'ns/b', probability: 0.5, reasons: [{ reason: 'ConnectionLost', count: 1 }, { reason: 'CompletionTimeout', count: 4 }] },
      { vmi: 'ns/c', probability: 0, reasons: [] },
    ],
    provenance,
  });

  it('percentiles by nearest rank', () => {
    expect([percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 51), percentile([7], 99)]).toEqual([2, 3, 7]);
  });

  it('summarises the duration distribution against the window', () => {
    expect(doc.subtitle).toBe('11 replications: p50 50m, p95 1h 40m, 63.6% within the 1h 15m window.');
    const table = doc.sections[0]!.blocks.find((b) => b.kind === 'table');
    expect(table).toMatchObject({ rows: [['replications', '11'], ['completed', '10 (1 did not complete)'], ['p50 / p95 / p99 duration', '50m / 1h 40m / 1h 40m'], ['fastest / slowest', '10m / 1h 40m'], ['within the window', '7 of 11 (63.6%) finish within 1h 15m']] });
  });

  it('has the histogram, CDF, drain spread and failure charts, the VMs most likely to fail first', () => {
    const charts = doc.sections.flatMap((s) => s.blocks).filter((b) => b.kind === 'chart').map((b) => (b as { id: string }).id);
    expect(charts).toEqual(['chart-histogram', 'chart-cdf', 'chart-drains', 'chart-failures']);
    const failures = doc.sections.find((s) => s.id === 'failures')!.blocks.find((b) => b.kind === 'table');
    expect(failures).toMatchObject({ rows: [['ns/b', '50.0%', 'CompletionTimeout (4), ConnectionLost (1)'], ['ns/a', '20.0%', 'CompletionTimeout (2)']] });
  });
});

describe('migsim run --report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-report-'));
  const file = join(dir, 'r.html');

  it('writes the same bytes for the same command, with the version, seed and command line', () => {
    expect(migsim('run', 'scenarios/upgrade-network-blip.yaml', '--report', file).code).toBe(0);
    const first = readFileSync(file, 'utf8');
    expect(migsim('run', 'scenarios/upgrade-network-blip.yaml', '--report', file).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(first).toContain(`migsim 0.1.0 · seed 5 · <code>migsim run scenarios/upgrade-network-blip.yaml --report ${file}</code>`);
    expect(first).toContain('Failed migrations (7)');
    expect(first).toContain('VMs lost (3)');
  });

  it('lists migsim check’s findings', () => {
    expect(migsim('run', 'scenarios/drain-node.yaml', '--report', file).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<h2>Check findings \(\d+\)<\/h2>/);
    expect(html).toContain('What migsim check finds before running');
  });

  it('--seed changes the seed it states', () => {
    expect(migsim('run', 'scenarios/drain-node.yaml', '--seed', '9', '--report', file).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('seed 9 · <code>migsim run scenarios/drain-node.yaml --seed 9 --report');
  });

  it('names a report it cannot write, exit 2, no stack trace', () => {
    const r = migsim('run', 'scenarios/drain-node.yaml', '--report', join(dir, 'missing', 'r.html'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^migsim: cannot write the report .*missing\/r\.html: ENOENT/);
  });
});

describe('migsim run --timeline', () => {
  it('prints the summary first, then the timeline, without colour when piped', () => {
    const r = migsim('run', 'scenarios/drain-node.yaml', '--timeline');
    expect(r.code).toBe(0);
    expect(r.out.indexOf('summary:')).toBeLessThan(r.out.indexOf('timeline: 10 migrations on 1 source nodes'));
    expect(r.out).not.toContain('\x1b[');
  });

  it('refuses --json with --timeline: exit 2', () => {
    const r = migsim('run', 'scenarios/drain-node.yaml', '--timeline', '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('--timeline draws on the terminal and cannot be combined with --json');
  });
});

describe('migsim forecast --report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-forecast-report-'));
  const file = join(dir, 'f.html');

  it('writes the forecast report, the same bytes for the same command', () => {
    const args = ['forecast', 'scenarios/drain-node.yaml', '--runs', '8', '--workers', '2', '--quiet', '--report', file];
    expect(migsim(...args).code).toBe(0);
    const first = readFileSync(file, 'utf8');
    expect(migsim(...args).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(first).toContain('<h1>migsim forecast: drain-node</h1>');
    expect(first).toContain(`<code>migsim forecast scenarios/drain-node.yaml --runs 8 --workers 2 --quiet --report ${file}</code>`);
    expect(first).toContain('8 of 8 replications, seeds 3 to 10');
    for (const id of ['chart-histogram', 'chart-cdf', 'chart-drains']) expect(first).toContain(`id="${id}"`);
  });

  it('refuses --report with a shard file (-o): exit 2', () => {
    const r = migsim('forecast', 'scenarios/drain-node.yaml', '--runs', '4', '--shard', '1/2', '-o', join(dir, 'p.json'), '--report', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--report needs the whole forecast');
  });
});
