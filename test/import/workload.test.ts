// Workload figures from monitoring and from QEMU: which figure each VM gets, and where from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCluster } from '../../src/import/import.js';
import { quantile, readMetrics } from '../../src/import/metrics.js';
import { ScenarioError } from '../../src/scenario/errors.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'cluster');
const dumps = () => ['dump.yaml', 'vmims.yaml'].map((n) => ({ text: readFileSync(join(dir, n), 'utf8'), source: n }));
const Mi = 1024 ** 2;
const Gi = 1024 ** 3;
const T0 = 1796115600; // 2026-12-01T09:00:00Z

// web-0 dirtied 100, 200, …, 1000 MiB/s over ten 5 s polls; db-0 and the dev VMs have no samples.
const webRates = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => k * 100 * Mi);
const queryRange = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      {
        metric: { __name__: 'kubevirt_vmi_migration_dirty_memory_rate_bytes', namespace: 'prod', name: 'web-0', node: 'worker-1' },
        values: webRates.map((v, i) => [T0 + 5 * i, String(v)]),
      },
      {
        metric: { __name__: 'kubevirt_vmi_memory_used_bytes', namespace: 'prod', name: 'web-0', node: 'worker-2' },
        values: [[T0, String(3 * Gi)], [T0 + 60, String(5 * Gi)]],
      },
      // a VMI that is not in the dump: reported, not used
      { metric: { __name__: 'kubevirt_vmi_migration_dirty_memory_rate_bytes', namespace: 'prod', name: 'gone' }, values: [[T0, '1']] },
    ],
  },
});

describe('quantile', () => {
  it.each([
    // linear between order statistics: h = (n − 1)·p
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 0.9, expected: 9.1 }, // h = 8.1 → 9 + 0.1·1
    { values: [10, 20], p: 0.5, expected: 15 },
    { values: [7], p: 0.9, expected: 7 },
  ])('p$p of $values = $expected', ({ values, p, expected }) => {
    expect(quantile(values, p)).toBeCloseTo(expected, 12);
  });
});

describe('--metrics', () => {
  const r = importCluster({ dumps: dumps(), metrics: [{ text: queryRange, source: 'metrics.json' }] });
  const vm = (key: string) => r.scenario.vms.find((v) => v.key === key)!;

  it('gives a VM with samples a lognormal through their median and p95, and says so', () => {
    // 100…1000 MiB/s: median h = 4.5 → 550, p95 h = 8.55 → 955, p90 h = 8.1 → 910 MiB/s; the
    // loaded scenario holds the median as the nominal value, each run draws its own
    expect(vm('prod/web-0').dirty).toMatchObject({ kind: 'constant', rate: 550 * Mi });
    expect(r.yaml).toMatch(/dirtyRate:\s+distribution: lognormal\s+median: 550Mi\s+p95: 955Mi\s+# lognormal fitted to 10 samples of kubevirt_vmi_migration_dirty_memory_rate_bytes \(median and p95; p90 910Mi\)/);
    // used memory: p90 of {3Gi, 5Gi} = 3 + 0.9·2 = 4.8 GiB = 4915.2 MiB → rounded up to 4916Mi
    expect(vm('prod/web-0').usedMemory).toBe(4916 * Mi);
  });

  it("gives a VM without samples its namespace's figure, else the cluster's, flagged", () => {
    expect(vm('prod/db-0').dirty).toMatchObject({ rate: 910 * Mi });
    expect(r.yaml).toContain("dirtyRate: 910Mi # NOT MEASURED for this VM: p90 of namespace prod's 10 samples");
    expect(vm('dev/legacy-0').dirty).toMatchObject({ rate: 910 * Mi });
    expect(r.yaml).toContain("dirtyRate: 910Mi # NOT MEASURED for this VM: p90 of the cluster's 10 samples");
    expect(r.summary).toContain('dirty rates: 1 measured, 1 namespace, 3 cluster');
    expect(r.summary).toContain('note: metrics for prod/gone: no such running VMI in the dump: not used');
  });

  it('reads a text exposition scrape the same way', () => {
    const scrape = [
      '# HELP kubevirt_vmi_migration_dirty_memory_rate_bytes The rate of memory being dirty in the Guest.',
      '# TYPE kubevirt_vmi_migration_dirty_memory_rate_bytes gauge',
      ...webRates.map((v, i) => `kubevirt_vmi_migration_dirty_memory_rate_bytes{name="web-0",namespace="prod",node="worker-1"} ${v} ${(T0 + 5 * i) * 1000}`),
    ].join('\n');
    const s = importCluster({ dumps: dumps(), metrics: [{ text: scrape, source: 'scrape.txt' }] });
    expect(s.scenario.vms.find((v) => v.key === 'prod/web-0')!.dirty).toMatchObject({ rate: 550 * Mi });
  });

  it('rejects what is not a Prometheus export, naming the file', () => {
    expect(() => readMetrics('{"data": {}}', 'm.json')).toThrow(ScenarioError);
    expect(() => readMetrics('not a metric line at all!', 'm.txt')).toThrow(/m.txt:1:1: expected a Prometheus text exposition line/);
  });
});

describe('--dirty-rate (QEMU)', () => {
  it.each([
    // query-dirty-rate's dirty-rate is MiB/s (qapi/migration.json DirtyRateInfo)
    { reply: { return: { status: 'measured', 'dirty-rate': 64, 'calc-time': 1, 'sample-pages': 512 } }, expected: { kind: 'constant', rate: 64 * Mi } },
    // page-sampling curve: 4000 of 100000 sampled pages dirty within 1 s → 4 % of 16Gi
    {
      reply: { 'page-size': 4096, 'n-sampled-pages': 100000, 'n-zero-pages': 50000, periods: [125, 1000], 'n-dirty-pages': [900, 4000] },
      expected: { kind: 'curve', points: [{ t: 0, bytes: 0 }, { t: 0.125, bytes: Math.round(0.009 * 16 * Gi) }, { t: 1, bytes: Math.round(0.04 * 16 * Gi) }] },
    },
  ])('a measured reply becomes the VM\'s dirty model', ({ reply, expected }) => {
    const r = importCluster({ dumps: dumps(), dirtyRate: { text: JSON.stringify({ 'prod/db-0': reply }), source: 'dirty.json' } });
    expect(r.scenario.vms.find((v) => v.key === 'prod/db-0')!.dirty).toEqual(expected.kind === 'constant' ? { ...expected, workingSet: 16 * Gi } : expected);
    expect(r.workloads.get('prod/db-0')!.dirtySource).toBe('qemu');
  });

  it('does not use a reply that is not measured, and says why', () => {
    const r = importCluster({ dumps: dumps(), dirtyRate: { text: JSON.stringify({ 'prod/db-0': { status: 'measuring' } }), source: 'dirty.json' } });
    expect(r.summary).toContain('note: --dirty-rate entry prod/db-0: not used: status is "measuring", not "measured"');
    expect(r.workloads.get('prod/db-0')!.dirtySource).toBe('default');
  });
});

describe('the metrics fixture of the README example', () => {
  it('gives web-0 a lognormal through the median and p95 of its seven samples', () => {
    const metrics = { text: readFileSync(join(dir, 'metrics.json'), 'utf8'), source: 'metrics.json' };
    const r = importCluster({ dumps: dumps(), metrics: [metrics] });
    // sorted 88 96 101 117 120 132 140 MiB/s: median h = 3 → 117, p95 h = 5.7 → 132 + 0.7·8 = 137.6
    expect(r.scenario.vms.find((v) => v.key === 'prod/web-0')!.dirty).toMatchObject({ rate: 117 * Mi });
    expect(r.yaml).toMatch(/median: 117Mi\s+p95: 137\.6Mi/);
    expect(r.summary).toContain('dirty rates: 2 measured, 3 cluster');
  });
});
