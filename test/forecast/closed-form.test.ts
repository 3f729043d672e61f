// Forecasts with answers derivable by hand, run in-process (the same functions the workers call).
import { describe, expect, it } from 'vitest';
import { forecastDocument } from '../../src/forecast/aggregate.js';
import { quantiles } from '../../src/forecast/quantiles.js';
import { runReplication } from '../../src/forecast/replicate.js';
import { forecastLayout } from '../../src/forecast/summary.js';
import { parseScenario } from '../../src/scenario/load.js';
import { BERNOULLI, UNIFORM_BANDWIDTH } from './fixtures.js';

function forecast(text: string, runs: number, window: number | null = null) {
  const scenario = parseScenario(text, 'forecast.yaml');
  const layout = forecastLayout(scenario);
  const summaries = Array.from({ length: runs }, (_, i) => runReplication(scenario, layout, scenario.seed, i));
  return { summaries, doc: forecastDocument(layout, summaries, { runs, seed: scenario.seed, window }) };
}

// On the wire each 4 KiB page carries QEMU's 8-byte header (save_page_header): 4 GiB of pages is
// 4096 · 513/512 = 4104 MiB, so at b MiB/s the copy takes 4104 / b s.
describe('one migration at a uniform bandwidth: D = 4104 MiB / B, B ~ U(64Mi, 256Mi)', () => {
  const runs = 400;
  const { summaries, doc } = forecast(UNIFORM_BANDWIDTH, runs);

  it('every replication takes exactly 4104 / b seconds, b its bandwidth in whole MiB/s', () => {
    // Nothing is dirtied and every latency is 0: the one round puts 4104 MiB on the wire at b MiB/s,
    // and virt-launcher rounds bandwidthPerMigration to whole MiB, so 4104/D is an integer in 64..256.
    for (const s of summaries) {
      const b = 4104 / s.makespanSeconds;
      expect(Math.abs(b - Math.round(b))).toBeLessThan(1e-9);
      expect(Math.round(b)).toBeGreaterThanOrEqual(64);
      expect(Math.round(b)).toBeLessThanOrEqual(256);
    }
    expect(doc.operations[0]!.durationSeconds).toEqual(quantiles(summaries.map((s) => s.makespanSeconds)));
  });

  // D is decreasing in B, so D's p-quantile is 4104 / B's (1-p)-quantile = 4104 / (64 + 192 (1 - p)).
  // Sampling error: B's sample quantile has SE 192 sqrt(p(1-p)/n); through D = 4104/B that is
  // SE_D = 4104 / B² · SE_B. Allowed: 3 SE_D plus the ±0.5 MiB/s of the rounding.
  it.each([
    ['p50', 0.5], // 4104 / 160   = 25.65 s
    ['p90', 0.9], // 4104 / 83.2  = 49.33 s
    ['p95', 0.95], // 4104 / 73.6  = 55.76 s
    ['p99', 0.99], // 4104 / 65.92 = 62.26 s
  ] as const)('%s of the duration ≈ 4104 / (64 + 192·(1-p)) s', (key, p) => {
    const b = 64 + 192 * (1 - p);
    const se = (4104 / (b * b)) * 192 * Math.sqrt((p * (1 - p)) / runs);
    const rounding = 4104 / (b - 0.5) - 4104 / b;
    expect(Math.abs(doc.makespanSeconds![key] - 4104 / b)).toBeLessThan(3 * se + rounding);
  });

  it('the maximum is at most 4104 / 64 = 64.125 s and the worst runs are listed slowest first', () => {
    expect(doc.makespanSeconds!.max).toBeLessThanOrEqual(64.125);
    expect(doc.worstRuns).toHaveLength(10); // 5 % of 400 = 20, capped at 10
    expect(doc.worstRuns[0]!.makespanSeconds).toBe(doc.makespanSeconds!.max);
    const ms = doc.worstRuns.map((r) => r.makespanSeconds);
    expect([...ms].sort((a, b) => b - a)).toEqual(ms);
    for (const r of doc.worstRuns) expect(r.seed).toBe(100 + r.replication); // replication i ↔ seed s + i
  });
});

describe('a Bernoulli failure: dirtyRate is 10Gi/s with probability 1/4 (never converges at 64Mi/s)', () => {
  const runs = 400;
  const window = 100;
  const { summaries, doc } = forecast(BERNOULLI, runs, window);
  const vm = doc.vms.find((v) => v.vmi === 'default/db')!;

  it('fails in about 1/4 of the runs: within 3 standard errors, sqrt(p(1-p)/n) = 0.0217', () => {
    expect(Math.abs(vm.failureProbability - 0.25)).toBeLessThan(3 * Math.sqrt((0.25 * 0.75) / runs));
    // at 64Mi/s, 4Gi (4104 MiB on the wire) takes 64.125 s; dirtying 10Gi/s it is aborted at
    // completionTimeoutPerGiB 150 × 4 = 600 s
    expect(vm.reasons).toEqual({ CompletionTimeout: 1 });
  });

  it('the window (100 s) holds exactly in the runs that did not fail (64.125 s each), failed runs take > 600 s', () => {
    expect(doc.withinWindowProbability).toBe(1 - vm.failureProbability);
    for (const s of summaries) {
      if (s.failures.length === 0) expect(s.makespanSeconds).toBe(64.125);
      else expect(s.makespanSeconds).toBeGreaterThan(600);
    }
    expect(doc.failedMigrations!.max).toBe(1);
  });
});
