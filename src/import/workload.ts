// The workload model of each imported VM: dirty rate and used memory from monitoring, or QEMU's
// dirty-rate measurement, or a stated default — each figure says where it came from.
// A VM with enough varying samples gets a lognormal through their median and p95 (forecasts draw
// from it, and so does each `migsim run --seed`); otherwise one representative figure, the p90 (a planner
// should not plan on the median guest behaviour).

import { ScenarioError } from '../scenario/errors.js';
import { parseByteSize, MiB } from '../scenario/units.js';
import { isObject } from './kube.js';
import { METRIC, quantile, type MetricSet } from './metrics.js';

/** `scenario`: the user's own figure, kept from an existing scenario file */
export type WorkloadSource = 'measured' | 'qemu' | 'namespace' | 'cluster' | 'default' | 'scenario';

export interface VmWorkload {
  /** the `workload:` block, scenario syntax */
  block: Record<string, unknown>;
  /** one comment per field: where the figure came from */
  why: Record<string, string>;
  /** provenance of the dirty rate (calibrate blames guessed ones) */
  dirtySource: WorkloadSource;
  /** dirty rate in bytes/s, when a constant one was chosen */
  dirtyRate: number | null;
}

export const DIRTY_QUANTILE = 0.9;
/** Samples needed to fit a distribution rather than state one figure. */
export const MIN_FIT_SAMPLES = 5;

/** QEMU `query-dirty-rate` replies (or calc-dirty-rate sampling dumps) per VMI, keyed "ns/name". */
export type DirtyRateFile = Map<string, Record<string, unknown>>;

/**
 * Reads `--dirty-rate FILE`: `{"ns/name": reply, …}` or `[{"vmi": "ns/name", …reply}]`, where a
 * reply is QEMU's `query-dirty-rate` result (qapi/migration.json DirtyRateInfo: `dirty-rate` in
 * MiB/s, `status: measured`), bare or wrapped in QMP's `{"return": …}`; or the page-sampling
 * dump of the calc-dirty-rate predictor (periods in ms and dirty pages per period).
 */
export function readDirtyRateFile(text: string, source: string): DirtyRateFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(source, [{ path: '', message: `JSON syntax: ${(e as Error).message}` }]);
  }
  const out: DirtyRateFile = new Map();
  const add = (key: unknown, reply: unknown, path: string): void => {
    const r = isObject(reply) && isObject(reply['return']) ? reply['return'] : reply;
    if (typeof key !== 'string' || !key.includes('/')) throw new ScenarioError(source, [{ path, message: `expected a VMI as "namespace/name", got ${JSON.stringify(key)}` }]);
    if (!isObject(r)) throw new ScenarioError(source, [{ path, message: 'expected a query-dirty-rate reply object' }]);
    out.set(key, r);
  };
  if (Array.isArray(doc)) doc.forEach((e, i) => add(isObject(e) ? e['vmi'] : undefined, e, `[${i}]`));
  else if (isObject(doc)) for (const [k, v] of Object.entries(doc)) add(k, v, k);
  else throw new ScenarioError(source, [{ path: '', message: 'expected {"namespace/name": query-dirty-rate reply, …}' }]);
  return out;
}

const pick = (r: Record<string, unknown>, ...names: string[]): unknown => names.map((n) => r[n]).find((v) => v !== undefined);

/** A `workload` block from one QEMU reply, or an error message. */
function fromQemu(r: Record<string, unknown>): { block: Record<string, unknown>; why: string; rate: number | null } | string {
  const periods = pick(r, 'periods');
  const dirtyPages = pick(r, 'n-dirty-pages', 'dirtyPages', 'dirty-pages');
  const sampled = pick(r, 'n-sampled-pages', 'sampledPages', 'sample-pages');
  if (Array.isArray(periods) && Array.isArray(dirtyPages) && typeof sampled === 'number') {
    const curve: Record<string, unknown> = { sampledPages: sampled, periods, dirtyPages };
    const zero = pick(r, 'n-zero-pages', 'zeroPages');
    const page = pick(r, 'page-size', 'pageSize');
    if (typeof zero === 'number') curve['zeroPages'] = zero;
    if (typeof page === 'number') curve['pageSize'] = page;
    return { block: { dirtyCurve: curve }, why: 'measured dirty-set growth curve (calc-dirty-rate page sampling)', rate: null };
  }
  const status = r['status'];
  const rate = r['dirty-rate'];
  if (status !== undefined && status !== 'measured') return `status is ${JSON.stringify(status)}, not "measured"`;
  if (typeof rate !== 'number' || rate < 0) return 'no "dirty-rate" (MiB/s) and no periods/dirty pages';
  return { block: { dirtyRate: `${rate}Mi` }, why: `QEMU query-dirty-rate: ${rate} MiB/s over ${String(r['calc-time'] ?? '?')} s`, rate: rate * MiB };
}

function formatRate(bytesPerSecond: number): string {
  // one decimal of MiB/s, rounded up: a planner errs on the side of more dirtying
  return `${Math.ceil((bytesPerSecond / MiB) * 10) / 10}Mi`;
}

export interface WorkloadInput {
  /** VM key → guest memory text (quantity) for capping used memory */
  vms: { key: string; guestMemory: string }[];
  metrics: MetricSet | null;
  dirtyRates: DirtyRateFile | null;
}

export function assignWorkloads(input: WorkloadInput, note: (what: string, why: string) => void): Map<string, VmWorkload> {
  const dirty = input.metrics?.get(METRIC.dirtyRate) ?? new Map<string, { v: number }[]>();
  const used = input.metrics?.get(METRIC.memoryUsed) ?? new Map<string, { v: number }[]>();
  const known = new Set(input.vms.map((v) => v.key));
  for (const m of [dirty, used]) for (const k of m.keys()) if (!known.has(k)) note(`metrics for ${k}`, 'no such running VMI in the dump: not used');
  if (input.dirtyRates) for (const k of input.dirtyRates.keys()) if (!known.has(k)) note(`--dirty-rate entry ${k}`, 'no such running VMI in the dump: not used');

  const samplesOf = (keys: (k: string) => boolean): number[] => [...dirty.entries()].filter(([k]) => keys(k) && known.has(k)).flatMap(([, s]) => s.map((x) => x.v));
  const clusterSamples = samplesOf(() => true);
  const out = new Map<string, VmWorkload>();
  for (const vm of input.vms) {
    const block: Record<string, unknown> = {};
    const why: Record<string, string> = {};
    let dirtySource: WorkloadSource;
    let dirtyRate: number | null = null;
    const qemu = input.dirtyRates?.get(vm.key);
    const own = dirty.get(vm.key)?.map((s) => s.v) ?? [];
    const q = qemu ? fromQemu(qemu) : null;
    if (typeof q === 'string') note(`--dirty-rate entry ${vm.key}`, `not used: ${q}`);
    if (q && typeof q !== 'string') {
      Object.assign(block, q.block);
      why[Object.keys(q.block)[0]!] = q.why;
      dirtySource = 'qemu';
      dirtyRate = q.rate;
    } else if (own.length > 0) {
      dirtyRate = quantile(own, DIRTY_QUANTILE);
      const median = quantile(own, 0.5);
      const p95 = quantile(own, 0.95);
      if (own.length >= MIN_FIT_SAMPLES && median > 0 && p95 > median) {
        // a lognormal through the samples' median and p95: forecasts draw from it per run
        block['dirtyRate'] = { distribution: 'lognormal', median: formatRate(median), p95: formatRate(p95) };
        why['dirtyRate'] = `lognormal fitted to ${own.length} samples of ${METRIC.dirtyRate} (median and p95; p90 ${formatRate(dirtyRate)})`;
      } else {
        block['dirtyRate'] = formatRate(dirtyRate);
        why['dirtyRate'] = `p90 of ${own.length} samples of ${METRIC.dirtyRate} (median ${formatRate(median)})`;
      }
      dirtySource = 'measured';
    } else {
      const ns = vm.key.split('/')[0]!;
      const nsSamples = samplesOf((k) => k.startsWith(`${ns}/`));
      if (nsSamples.length > 0) {
        dirtyRate = quantile(nsSamples, DIRTY_QUANTILE);
        why['dirtyRate'] = `NOT MEASURED for this VM: p90 of namespace ${ns}'s ${nsSamples.length} samples`;
        dirtySource = 'namespace';
      } else if (clusterSamples.length > 0) {
        dirtyRate = quantile(clusterSamples, DIRTY_QUANTILE);
        why['dirtyRate'] = `NOT MEASURED for this VM: p90 of the cluster's ${clusterSamples.length} samples`;
        dirtySource = 'cluster';
      } else {
        dirtyRate = 0;
        why['dirtyRate'] = 'NOT MEASURED: default (an idle guest); give --metrics or --dirty-rate, or edit';
        dirtySource = 'default';
      }
      block['dirtyRate'] = dirtySource === 'default' ? '0Mi' : formatRate(dirtyRate);
    }
    const usedSamples = used.get(vm.key)?.map((s) => s.v) ?? [];
    if (usedSamples.length > 0 && block['usedMemory'] === undefined && !('dirtyCurve' in block && qemu && pick(qemu, 'n-zero-pages', 'zeroPages') !== undefined)) {
      const guest = parseByteSize(vm.guestMemory);
      const p = Math.min(Math.ceil(quantile(usedSamples, DIRTY_QUANTILE)), guest);
      block['usedMemory'] = `${Math.ceil(p / MiB)}Mi`;
      if (Math.ceil(p / MiB) * MiB > guest) block['usedMemory'] = vm.guestMemory;
      why['usedMemory'] = `p90 of ${usedSamples.length} samples of ${METRIC.memoryUsed}, at most the guest memory`;
    }
    out.set(vm.key, { block, why, dirtySource, dirtyRate });
  }
  return out;
}
