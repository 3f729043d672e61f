// Monitoring data → per-VM samples. Reads a Prometheus /api/v1/query_range (or /api/v1/query)
// JSON export, or a text exposition scrape (several scrapes concatenated are fine). KubeVirt's
// virt-handler labels its per-VMI series with `namespace` and `name` (pkg/monitoring/metrics/
// virt-handler); some exporters rename them `exported_namespace` or use `vmi`, accepted too.

import { ScenarioError } from '../scenario/errors.js';
import { isObject } from './kube.js';

export const METRIC = {
  dirtyRate: 'kubevirt_vmi_migration_dirty_memory_rate_bytes',
  dataProcessed: 'kubevirt_vmi_migration_data_processed_bytes',
  dataRemaining: 'kubevirt_vmi_migration_data_remaining_bytes',
  dataTotal: 'kubevirt_vmi_migration_data_bytes_total',
  transferRate: 'kubevirt_vmi_migration_memory_transfer_rate_bytes',
  memoryUsed: 'kubevirt_vmi_memory_used_bytes',
  memoryResident: 'kubevirt_vmi_memory_resident_bytes',
} as const;

export interface Sample {
  /** unix seconds; NaN for a scrape line without timestamp */
  t: number;
  v: number;
}

/** metric name → "namespace/name" → samples, in time order */
export type MetricSet = Map<string, Map<string, Sample[]>>;

function vmiKey(labels: Record<string, string>): string | null {
  const ns = labels['namespace'] ?? labels['exported_namespace'];
  const name = labels['name'] ?? labels['vmi'] ?? labels['exported_name'];
  return ns && name ? `${ns}/${name}` : null;
}

function push(set: MetricSet, metric: string, key: string, samples: Sample[]): void {
  let byVm = set.get(metric);
  if (!byVm) set.set(metric, (byVm = new Map()));
  const list = byVm.get(key) ?? [];
  list.push(...samples.filter((s) => Number.isFinite(s.v)));
  list.sort((a, b) => a.t - b.t);
  byVm.set(key, list);
}

export function readMetrics(text: string, source: string, set: MetricSet = new Map()): MetricSet {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) readPrometheusJson(text, source, set);
  else readExposition(text, source, set);
  return set;
}

function readPrometheusJson(text: string, source: string, set: MetricSet): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(source, [{ path: '', message: `JSON syntax: ${(e as Error).message}` }]);
  }
  // one response, or a list of responses (one per query)
  const responses = Array.isArray(doc) ? doc : [doc];
  responses.forEach((r, i) => {
    const data = isObject(r) ? r['data'] : undefined;
    const result = isObject(data) ? data['result'] : undefined;
    if (!isObject(r) || !Array.isArray(result)) {
      throw new ScenarioError(source, [{ path: responses.length > 1 ? `[${i}].data.result` : 'data.result', message: 'expected a Prometheus query_range response ({status, data: {resultType, result: [...]}})' }]);
    }
    for (const series of result) {
      if (!isObject(series) || !isObject(series['metric'])) continue;
      const labels = series['metric'] as Record<string, string>;
      const metric = labels['__name__'];
      const key = vmiKey(labels);
      if (!metric || !key) continue;
      const values = Array.isArray(series['values']) ? series['values'] : Array.isArray(series['value']) ? [series['value']] : [];
      push(set, metric, key, values.filter(Array.isArray).map((p) => ({ t: Number(p[0]), v: Number(p[1]) })));
    }
  });
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function readExposition(text: string, source: string, set: MetricSet): void {
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) throw new ScenarioError(source, [{ path: '', line: i + 1, column: 1, message: 'expected a Prometheus text exposition line: name{labels} value [timestamp]' }]);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    const key = vmiKey(labels);
    if (!key) return;
    // exposition timestamps are milliseconds
    push(set, m[1]!, key, [{ t: m[4] === undefined ? Number.NaN : Number(m[4]) / 1000, v: Number(m[3]) }]);
  });
}

/** The p-quantile (0…1) of values, linear between order statistics; NaN for none. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
}
