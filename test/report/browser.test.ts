// Every kind of report opened in a real browser: Debian's chromium driven by playwright-core,
// from file://, with every request that is not file: or data: aborted and counted as a failure.
// Each page must log no console error or warning and draw every chart with marks. The 30,000-VM
// wave's report must open within OPEN_BOUND_MS (measured: 0.8–4.6 s on a shared 2-core machine).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawScenario, vegaAssets } from '../../src/cli/report.js';
import { chartsOf, renderHtml, type ReportDocument } from '../../src/report/html/document.js';
import { forecastReport } from '../../src/report/html/forecast.js';
import { runReport } from '../../src/report/html/run.js';
import { seriesRecorder } from '../../src/report/series.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { loaderWarnings } from '../../src/cli/run.js';
import { warningsRecorder } from '../../src/metrics/warnings.js';
import { simulate } from '../../src/sim/simulation.js';
import { wave30kDocument, writeScenario } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The 30,000-VM report must be drawn within this (measured 0.8–4.6 s; the bound leaves room for a loaded CI machine). */
const OPEN_BOUND_MS = 60_000;

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'migsim-browser-'));
const assets = vegaAssets();
const provenance = { version: '0.1.0', seed: 1, command: 'test' };

function runReportFile(scenarioPath: string, name: string): { file: string; doc: ReportDocument } {
  const scenario = loadScenarioFile(scenarioPath);
  const series = seriesRecorder();
  const runWarnings = warningsRecorder(scenario);
  const sim = simulate(scenario, { observers: [runWarnings, series] });
  const warnings = [...loaderWarnings(scenario), ...runWarnings.finish()];
  const doc = runReport({ scenario, raw: rawScenario(scenarioPath), seed: sim.seed, results: sim.results!, series: series.finish(), warnings, provenance });
  const file = join(dir, `${name}.html`);
  writeFileSync(file, renderHtml(doc, assets));
  return { file, doc };
}

interface Opened {
  ms: number;
  blocked: string[];
  problems: string[];
  errors: string[];
  marks: Record<string, number>;
}

let context: BrowserContext;

beforeAll(async () => {
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'migsim-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
}, 60_000);

afterAll(async () => {
  await context?.close();
});

async function open(file: string): Promise<Opened> {
  const page = await context.newPage();
  const blocked: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const start = Date.now();
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => (globalThis as unknown as { migsimCharts?: { done: boolean } }).migsimCharts?.done === true, null, { timeout: OPEN_BOUND_MS });
  const ms = Date.now() - start;
  const state = await page.evaluate(() => {
    type Node = { marktype?: string; role?: string; items?: Node[] };
    // data marks drawn: scenegraph items of the spec's own marks (role "mark"), not axes or legends
    const count = (n: Node | undefined): number => (n?.items ?? []).reduce((a, it) => a + (n!.marktype !== 'group' && n!.role === 'mark' ? 1 : 0) + count(it), 0);
    const s = (globalThis as unknown as { migsimCharts: { errors: string[]; views: Record<string, { scenegraph(): { root: Node } }> } }).migsimCharts;
    return { errors: s.errors, marks: Object.fromEntries(Object.entries(s.views).map(([id, v]) => [id, count(v.scenegraph().root)])) };
  });
  await page.close();
  return { ms, blocked, problems, ...state };
}

function expectDrawn(o: Opened, doc: ReportDocument): void {
  expect(o.blocked).toEqual([]);
  expect(o.problems).toEqual([]);
  expect(o.errors).toEqual([]);
  const ids = chartsOf(doc).map((c) => c.id);
  expect(Object.keys(o.marks).sort()).toEqual([...ids].sort());
  for (const id of ids) expect(o.marks[id], id).toBeGreaterThan(0);
}

describe('run reports of the bundled scenarios in chromium', () => {
  it.each([['single-migration'], ['drain-node'], ['drain-blocked'], ['post-copy'], ['harvester-upgrade'], ['upgrade-network-blip'], ['rolling-upgrade-40']])(
    '%s: no network, no console error, every chart drawn',
    async (name) => {
      const { file, doc } = runReportFile(join(root, 'scenarios', `${name}.yaml`), name);
      // migrations, concurrency, bandwidth and rounds always; the node timeline when a node drained
      expect(chartsOf(doc).length).toBeGreaterThanOrEqual(4);
      expectDrawn(await open(file), doc);
    },
    120_000,
  );
});

describe('a run without migrations', () => {
  it('has no charts, says so, and still opens cleanly', async () => {
    const path = writeScenario(join(dir, 'idle.yaml'), {
      apiVersion: 'migsim/v1alpha1',
      kind: 'Scenario',
      metadata: { name: 'idle' },
      spec: { nodes: [{ name: 'n', count: 2 }], vms: [{ name: 'v', count: 2, memory: '1Gi' }] },
    });
    const { file, doc } = runReportFile(path, 'idle');
    expect(chartsOf(doc)).toEqual([]);
    expect(doc.subtitle).toMatch(/^0 of 0 migrations succeeded, no VM stopped/);
    expectDrawn(await open(file), doc);
  }, 120_000);
});

describe('hovering a migration in the Gantt chart', () => {
  it('shows its VM, bytes, rounds, downtime and reason in a tooltip', async () => {
    const { file } = runReportFile(join(root, 'scenarios', 'upgrade-network-blip.yaml'), 'hover');
    const page = await context.newPage();
    await page.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => (globalThis as unknown as { migsimCharts?: { done: boolean } }).migsimCharts?.done === true);
    await page.locator('#chart-gantt').scrollIntoViewIfNeeded();
    // the centre of the widest copy bar, in page coordinates: the view's padding and origin
    // (where the plot starts inside the SVG) plus the bar's position in the plot
    const target = await page.evaluate(() => {
      type Item = { x: number; y: number; width: number; height: number; datum?: { part?: string; vm?: string } };
      type Node = { marktype?: string; role?: string; items?: (Node & Item)[] };
      type View = { scenegraph(): { root: Node }; origin(): [number, number]; padding(): { left: number; top: number }; container(): { querySelector(s: string): { getBoundingClientRect(): { left: number; top: number } } | null } };
      const v = (globalThis as unknown as { migsimCharts: { views: Record<string, View> } }).migsimCharts.views['chart-gantt']!;
      let best: Item | null = null;
      const walk = (n: Node): void => {
        for (const it of n.items ?? []) {
          if (n.marktype === 'rect' && n.role === 'mark' && it.datum?.part === 'copy' && (!best || it.width > best.width)) best = it;
          walk(it);
        }
      };
      walk(v.scenegraph().root);
      const b = best as Item | null;
      const box = v.container().querySelector('svg')!.getBoundingClientRect();
      const [ox, oy] = v.origin();
      const pad = v.padding();
      return b ? { x: box.left + pad.left + ox + b.x + b.width / 2, y: box.top + pad.top + oy + b.y + b.height / 2, vm: b.datum!.vm! } : null;
    });
    expect(target).not.toBeNull();
    await page.mouse.move(target!.x, target!.y);
    const tip = page.locator('#vg-tooltip-element.visible');
    await tip.waitFor({ timeout: 5000 });
    const text = await tip.textContent();
    await page.close();
    for (const field of ['vm', target!.vm, 'bytes', 'rounds', 'downtime', 'reason', 'part', 'copy']) expect(text).toContain(field);
  }, 120_000);
});

describe('a forecast report in chromium', () => {
  it('draws the histogram, CDF, drain spread and failure charts from synthetic data', async () => {
    // a deterministic spread of 200 replications around 40 min, five blocked
    const durations = Array.from({ length: 200 }, (_, i) => (i % 40 === 0 ? null : 2400 + ((i * 37) % 101) * 12));
    const doc = forecastReport({
      scenario: 'synthetic',
      durations,
      window: 3000,
      nodeDrainTimes: Array.from({ length: 6 }, (_, n) => ({ node: `node-${n}`, seconds: Array.from({ length: 50 }, (_, i) => 300 + ((i * 13 + n * 7) % 50) * 4) })),
      vmFailures: Array.from({ length: 30 }, (_, i) => ({ vmi: `default/db-${i}`, probability: (i % 7) / 10, reasons: [{ reason: 'CompletionTimeout', count: i % 7 }] })),
      provenance,
    });
    const file = join(dir, 'forecast.html');
    writeFileSync(file, renderHtml(doc, assets));
    expect(chartsOf(doc).length).toBe(4);
    expectDrawn(await open(file), doc);
  }, 120_000);
});

describe('the report of `migsim forecast --report` in chromium', () => {
  it('draws the duration, CDF and drain charts of a real forecast', async () => {
    const file = join(dir, 'forecast-cli.html');
    const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'forecast', 'scenarios/harvester-upgrade.yaml', '--runs', '6', '--workers', '2', '--quiet', '--window', '3h', '--report', file], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const o = await open(file);
    expect(o.blocked).toEqual([]);
    expect(o.problems).toEqual([]);
    expect(o.errors).toEqual([]);
    expect(Object.keys(o.marks).sort()).toEqual(['chart-cdf', 'chart-drains', 'chart-failures', 'chart-histogram']);
    for (const n of Object.values(o.marks)) expect(n).toBeGreaterThan(0);
  }, 300_000);
});

describe('the report of a 30,000-VM wave', () => {
  it(`opens within ${OPEN_BOUND_MS / 1000} s with every chart drawn, its marks sampled or aggregated`, async () => {
    const path = writeScenario(join(dir, 'wave-30k.yaml'), wave30kDocument());
    const { file, doc } = runReportFile(path, 'wave-30k');
    const o = await open(file);
    expectDrawn(o, doc);
    // Gantt: 2000 migrations at most, each a queue and a copy bar (no outage in this wave)
    expect(o.marks['chart-gantt']).toBeLessThanOrEqual(2 * 2000);
    // concurrency: 1000 slices × 2 lines (+ the two end points) + 2 limit rules + 2 labels
    expect(o.marks['chart-concurrency']).toBeLessThanOrEqual(2 * 1002 + 4);
    // bandwidth: 8 busiest NICs + "other" = 9 lines × (240 slices + end point)
    expect(o.marks['chart-bandwidth']).toBe(9 * 241);
    expect(o.ms).toBeLessThan(OPEN_BOUND_MS);
    console.log(`30,000-VM wave report: ${doc.sections.length} sections, opened and drawn in ${o.ms} ms`);
  }, 600_000);
});

/** Runs the built CLI; the report it writes is the test's subject. */
function migsimReport(args: string[], file: string): void {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), ...args, '--workers', '1', '--quiet', '--report', file], { cwd: root, encoding: 'utf8' });
  // plan exits 3 when nothing meets the constraints, with its report written all the same
  expect([0, 3], r.stderr).toContain(r.status);
}

const PER_NODE = 'spec.kubevirt.configuration.migrations.parallelOutboundMigrationsPerNode';
const BANDWIDTH = 'spec.kubevirt.configuration.migrations.bandwidthPerMigration';
const CLUSTER = 'spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster';

describe('the report of `migsim sweep --report` in chromium', () => {
  it.each([
    // one axis: a line per figure; two: heatmaps; three: heatmaps faceted by the third
    ['one axis', [`--set`, `${PER_NODE}=1,2,4`]],
    ['two axes', [`--set`, `${PER_NODE}=1,2,4`, '--set', `${BANDWIDTH}=128Mi,256Mi`]],
    ['three axes', [`--set`, `${PER_NODE}=1,2`, '--set', `${BANDWIDTH}=128Mi,256Mi`, '--set', `${CLUSTER}=2,5`]],
  ])('%s: no network, no console error, both figures drawn', async (name, sets) => {
    const file = join(dir, `sweep-${name.replace(' ', '-')}.html`);
    migsimReport(['sweep', 'test/fixtures/plan/uncontended-drain.yaml', ...sets, '--runs', '2', '--window', '10m'], file);
    const o = await open(file);
    expect(o.blocked).toEqual([]);
    expect(o.problems).toEqual([]);
    expect(o.errors).toEqual([]);
    expect(Object.keys(o.marks).sort()).toEqual(['chart-sweep-failure', 'chart-sweep-p95']);
    for (const n of Object.values(o.marks)) expect(n).toBeGreaterThan(0);
  }, 300_000);
});

describe('the report of `migsim plan --report` in chromium', () => {
  it.each([['uncontended-drain'], ['hot-db']])('%s: no network, no console error, both charts drawn, the YAML copyable', async (name) => {
    const file = join(dir, `plan-${name}.html`);
    migsimReport(['plan', `test/fixtures/plan/${name}.yaml`, '--window', '1h', '--runs', '4'], file);
    const o = await open(file);
    expect(o.blocked).toEqual([]);
    expect(o.problems).toEqual([]);
    expect(o.errors).toEqual([]);
    expect(Object.keys(o.marks).sort()).toEqual(['chart-plan-durations', 'chart-plan-points']);
    for (const n of Object.values(o.marks)) expect(n).toBeGreaterThan(0);

    // the Copy button copies (clipboard) or selects the YAML (where the clipboard is refused)
    const page = await context.newPage();
    await page.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    await page.goto(`file://${file}`);
    await page.locator('button.copy').click();
    await expect.poll(() => page.locator('button.copy').textContent()).toMatch(/^(Copied|Selected)/);
    const yaml = await page.locator('#recommendation-yaml').textContent();
    await page.close();
    expect(yaml).toMatch(/kubevirt|MigrationPolicy|nothing to change/);
  }, 300_000);
});
