// Uncertain fields: a numeric VM, node, network, control-plane or operation field written as a
// distribution (`dirtyRate: {distribution: uniform, min: 5Mi, max: 120Mi}`). The loader takes them
// out of the raw document before validation, puts a nominal value in their place (so the loaded
// Scenario stays concrete and fully checked), and records each one as (purpose, entity scope,
// distribution, target path). realize.ts draws them at the start of every run.
//
// Parameters are read in the field's own unit: a quantity field takes quantities, a duration field
// durations, a rate field rates. Fields that already draw per migration (the control-plane
// latencies, an upgrade's node duration, a random outage's duration) keep their own parser.

import { formatPath, describeValue, didYouMean, type PathIssue, type PathSegment } from './errors.js';
import {
  EXPECTED,
  UnitError,
  nonNegative,
  parseByteRate,
  parseByteSize,
  parseCpu,
  parseDuration,
  parseLinkRate,
} from './units.js';

/** The unit of a field that may be uncertain; draws are in the simulator's units (bytes, seconds, bytes/s, cores). */
export type FieldUnit = 'size' | 'cpu' | 'duration' | 'byteRate' | 'linkRate' | 'count' | 'fraction' | 'closedFraction' | 'number';

/** A distribution of one field, parameters already in the simulator's units. */
export type FieldDistribution =
  | { kind: 'uniform'; min: number; max: number }
  /** clamped to [min, max] (min defaults to 0: every uncertain field is non-negative) */
  | { kind: 'normal'; mean: number; stddev: number; min: number; max: number }
  /** given by its median and 95th percentile; sigma = ln(p95 / median) / z(0.95) */
  | { kind: 'lognormal'; median: number; p95: number; sigma: number }
  | { kind: 'exponential'; mean: number }
  | { kind: 'choice'; values: number[]; weights: number[] }
  /** one of the samples, each equally likely (a bootstrap of measured values) */
  | { kind: 'empirical'; samples: number[] };

/** Which entities draw their own value. */
export type UncertainScope =
  /** one draw per VM of the pool `spec.vms[pool]`, entity = "namespace/name" */
  | { kind: 'vm'; pool: number }
  /** one draw per node of the pool `spec.nodes[pool]`, entity = the node's name */
  | { kind: 'node'; pool: number }
  /** one draw per run, entity '' */
  | { kind: 'cluster' };

export interface UncertainField {
  /** the stream's purpose: `vm/dirtyRate`, `node/network`, or the full path for cluster fields */
  purpose: string;
  scope: UncertainScope;
  /** path of the field in the raw document */
  path: PathSegment[];
  /** path inside the pool entry (vm and node scopes); equal to `path` for cluster fields */
  relPath: PathSegment[];
  unit: FieldUnit;
  distribution: FieldDistribution;
  /** the value the loaded (nominal) scenario carries */
  nominal: number;
}

export interface Uncertainty {
  /** the raw document with every uncertain field replaced by its nominal value (JSON data) */
  raw: unknown;
  fields: UncertainField[];
}

// --- which fields may be uncertain -------------------------------------------------------------------

type Pattern = readonly (string | '*')[];

// Paths relative to `spec`. '*' = any list index.
const FIELD_UNITS: readonly [Pattern, FieldUnit][] = [
  // VM pools
  [['vms', '*', 'memory'], 'size'],
  [['vms', '*', 'guestMemory'], 'size'],
  [['vms', '*', 'usedMemory'], 'size'],
  [['vms', '*', 'workingSet'], 'size'],
  [['vms', '*', 'zeroFraction'], 'fraction'],
  [['vms', '*', 'dirtyRate'], 'byteRate'],
  [['vms', '*', 'dirtyRate', '*', 'dirtyRate'], 'byteRate'],
  [['vms', '*', 'dirtyRate', '*', 'at'], 'duration'],
  // the same workload figures in an imported scenario's per-VM `workload:` block
  [['vms', '*', 'workload', 'usedMemory'], 'size'],
  [['vms', '*', 'workload', 'workingSet'], 'size'],
  [['vms', '*', 'workload', 'dirtyRate'], 'byteRate'],
  [['vms', '*', 'workload', 'throttleSensitivity'], 'closedFraction'],
  [['vms', '*', 'cpu'], 'cpu'],
  [['vms', '*', 'cpuLimit'], 'cpu'],
  [['vms', '*', 'throttleSensitivity'], 'closedFraction'],
  [['vms', '*', 'restartTime'], 'duration'],
  [['vms', '*', 'volumes', '*', 'size'], 'size'],
  [['vms', '*', 'volumes', '*', 'capacity'], 'size'],
  [['vms', '*', 'hostDevices'], 'count'],
  [['vms', '*', 'sriovInterfaces'], 'count'],
  // node pools and the network
  [['nodes', '*', 'cpu'], 'cpu'],
  [['nodes', '*', 'memory'], 'size'],
  [['nodes', '*', 'network'], 'linkRate'],
  [['nodes', '*', 'migrationNetwork'], 'linkRate'],
  [['nodes', '*', 'backgroundLoad'], 'fraction'],
  [['nodes', '*', 'backgroundLoad', '*', 'fraction'], 'fraction'],
  [['racks', '*', 'uplink'], 'linkRate'],
  // KubeVirt migration configuration and policies
  [['kubevirt', 'configuration', 'migrations', 'parallelMigrationsPerCluster'], 'count'],
  [['kubevirt', 'configuration', 'migrations', 'parallelOutboundMigrationsPerNode'], 'count'],
  [['kubevirt', 'configuration', 'migrations', 'bandwidthPerMigration'], 'byteRate'],
  [['kubevirt', 'configuration', 'migrations', 'completionTimeoutPerGiB'], 'count'],
  [['kubevirt', 'configuration', 'migrations', 'progressTimeout'], 'count'],
  [['kubevirt', 'configuration', 'migrations', 'utilityVolumesTimeout'], 'count'],
  [['migrationPolicies', '*', 'spec', 'bandwidthPerMigration'], 'byteRate'],
  [['migrationPolicies', '*', 'spec', 'completionTimeoutPerGiB'], 'count'],
  // hypervisor and control plane
  [['hypervisor', 'downtimeLimit'], 'duration'],
  [['hypervisor', 'switchoverCost'], 'duration'],
  [['hypervisor', 'keepalive', 'interval'], 'duration'],
  [['hypervisor', 'keepalive', 'count'], 'count'],
  [['controlPlane', 'unschedulablePendingTimeout'], 'duration'],
  [['controlPlane', 'catchAllPendingTimeout'], 'duration'],
  // operations and faults
  [['operations', '*', 'at'], 'duration'],
  [['operations', '*', 'upgrade', 'maxUnavailable'], 'count'],
  [['operations', '*', 'outage', 'duration'], 'duration'],
  [['faults', 'randomOutages', '*', 'ratePerHour'], 'number'],
];

// Fields with their own per-migration (or per-node, per-outage) distribution parser.
const NATIVE: readonly Pattern[] = [
  ['controlPlane', 'targetPodStartup'],
  ['controlPlane', 'handoff'],
  ['controlPlane', 'targetPreparation'],
  ['controlPlane', 'migrationStart'],
  ['controlPlane', 'cleanup'],
  ['operations', '*', 'upgrade', 'duration'],
  ['faults', 'randomOutages', '*', 'duration'],
];

function matches(pattern: Pattern, path: readonly PathSegment[]): boolean {
  return pattern.length === path.length && pattern.every((p, i) => (p === '*' ? typeof path[i] === 'number' : p === path[i]));
}

function unitOf(specPath: readonly PathSegment[]): FieldUnit | undefined {
  return FIELD_UNITS.find(([p]) => matches(p, specPath))?.[1];
}

// --- units ---------------------------------------------------------------------------------------------

const UNIT_EXPECTED: Record<FieldUnit, string> = {
  size: EXPECTED.size,
  cpu: EXPECTED.cpu,
  duration: EXPECTED.duration,
  byteRate: EXPECTED.byteRate,
  linkRate: EXPECTED.linkRate,
  count: 'a whole number',
  fraction: 'a fraction in [0, 1)',
  closedFraction: 'a number in [0, 1]',
  number: 'a number, at least 0',
};

/** One value in the field's unit → simulator units; throws UnitError with the field's expectation. */
export function parseUnitValue(unit: FieldUnit, raw: unknown): number {
  switch (unit) {
    case 'size':
      return parseByteSize(raw);
    case 'cpu':
      return parseCpu(raw);
    case 'duration':
      return nonNegative(parseDuration(raw), raw, EXPECTED.duration);
    case 'byteRate':
      return parseByteRate(raw);
    case 'linkRate':
      return parseLinkRate(raw);
    default: {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new UnitError(UNIT_EXPECTED[unit], raw);
      return checkUnitValue(unit, n, raw);
    }
  }
}

/** The range rules of the unit (a drawn value must obey them too). */
export function checkUnitValue(unit: FieldUnit, n: number, raw: unknown = n): number {
  const bad =
    n < 0 ||
    (unit === 'count' && !Number.isInteger(n)) ||
    (unit === 'fraction' && n >= 1) ||
    (unit === 'closedFraction' && n > 1);
  if (bad) throw new UnitError(UNIT_EXPECTED[unit], raw);
  return n;
}

/** Draws of whole-number fields are rounded to the nearest integer. */
export function isInteger(unit: FieldUnit): boolean {
  return unit === 'count';
}

// --- distributions ------------------------------------------------------------------------------------

export const DISTRIBUTION_KINDS = ['uniform', 'normal', 'lognormal', 'exponential', 'choice', 'empirical'] as const;

const PARAMS: Record<(typeof DISTRIBUTION_KINDS)[number], { required: string[]; optional: string[] }> = {
  uniform: { required: ['min', 'max'], optional: [] },
  normal: { required: ['mean', 'stddev'], optional: ['min', 'max'] },
  lognormal: { required: ['median', 'p95'], optional: [] },
  exponential: { required: ['mean'], optional: [] },
  choice: { required: ['values'], optional: ['weights'] },
  empirical: { required: [], optional: ['samples', 'file', 'column'] },
};

/** z such that P(Z ≤ z) = 0.95 for a standard normal Z. */
export const Z95 = 1.6448536269514722;

/** Reads a CSV file named in a scenario (relative to the scenario file); absent = no file access. */
export type ReadFile = (relative: string) => string;

type Issues = PathIssue[];

/**
 * Parses `{distribution: …}` for a field of `unit`. Problems go to `issues` with paths relative to
 * `at`; undefined if the distribution is unusable.
 */
export function parseFieldDistribution(
  raw: Record<string, unknown>,
  unit: FieldUnit,
  at: PathSegment[],
  issues: Issues,
  readFile?: ReadFile,
): FieldDistribution | undefined {
  const name = raw['distribution'];
  const expectedKinds = `one of ${DISTRIBUTION_KINDS.join(', ')}`;
  if (typeof name !== 'string' || !(DISTRIBUTION_KINDS as readonly string[]).includes(name)) {
    const hint = typeof name === 'string' ? didYouMean(name, DISTRIBUTION_KINDS) : '';
    issues.push({ path: [...at, 'distribution'], message: `expected ${expectedKinds}, got ${describeValue(name)}${hint}` });
    return undefined;
  }
  const kind = name as (typeof DISTRIBUTION_KINDS)[number];
  const { required, optional } = PARAMS[kind];
  const before = issues.length;
  for (const key of Object.keys(raw)) {
    if (key === 'distribution' || required.includes(key) || optional.includes(key)) continue;
    issues.push({ path: [...at, key], message: `unknown field for a ${kind} distribution${didYouMean(key, [...required, ...optional])}; expected ${[...required, ...optional].join(', ')}`, atKey: true });
  }
  for (const key of required) {
    if (raw[key] === undefined) issues.push({ path: [...at, key], message: `required field is missing; expected ${kind === 'choice' ? 'a list of values' : UNIT_EXPECTED[unit]}` });
  }
  if (issues.length > before) return undefined;

  const value = (key: string): number | undefined => {
    try {
      return parseUnitValue(unit, raw[key]);
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      issues.push({ path: [...at, key], message: e.message });
      return undefined;
    }
  };
  const list = (key: string, item: (v: unknown) => number, expected: string): number[] | undefined => {
    const v = raw[key];
    if (!Array.isArray(v) || v.length === 0) {
      issues.push({ path: [...at, key], message: `expected a non-empty list of ${expected}, got ${describeValue(v)}` });
      return undefined;
    }
    const out: number[] = [];
    v.forEach((x, i) => {
      try {
        out.push(item(x));
      } catch (e) {
        if (!(e instanceof UnitError)) throw e;
        issues.push({ path: [...at, key, i], message: e.message });
      }
    });
    return out.length === v.length ? out : undefined;
  };
  const positiveParam = (key: string, n: number | undefined): number | undefined => {
    if (n !== undefined && n <= 0) {
      issues.push({ path: [...at, key], message: `expected more than 0, got ${describeValue(raw[key])}` });
      return undefined;
    }
    return n;
  };

  switch (kind) {
    case 'uniform': {
      const min = value('min');
      const max = value('max');
      if (min === undefined || max === undefined) return undefined;
      if (max < min) {
        issues.push({ path: [...at, 'max'], message: `expected at least min (${describeValue(raw['min'])}), got ${describeValue(raw['max'])}` });
        return undefined;
      }
      return { kind, min, max };
    }
    case 'normal': {
      const mean = value('mean');
      const stddev = value('stddev');
      const min = raw['min'] === undefined ? 0 : value('min');
      const max = raw['max'] === undefined ? Infinity : value('max');
      if (mean === undefined || stddev === undefined || min === undefined || max === undefined) return undefined;
      if (max < min) {
        issues.push({ path: [...at, 'max'], message: `expected at least min (${describeValue(raw['min'] ?? 0)}), got ${describeValue(raw['max'])}` });
        return undefined;
      }
      return { kind, mean, stddev, min, max };
    }
    case 'lognormal': {
      const median = positiveParam('median', value('median'));
      const p95 = value('p95');
      if (median === undefined || p95 === undefined) return undefined;
      if (p95 < median) {
        issues.push({ path: [...at, 'p95'], message: `expected at least the median (${describeValue(raw['median'])}), got ${describeValue(raw['p95'])}` });
        return undefined;
      }
      return { kind, median, p95, sigma: Math.log(p95 / median) / Z95 };
    }
    case 'exponential': {
      const mean = positiveParam('mean', value('mean'));
      return mean === undefined ? undefined : { kind, mean };
    }
    case 'choice': {
      const values = list('values', (v) => parseUnitValue(unit, v), UNIT_EXPECTED[unit].replace(/^an? /, '') + ' values');
      let weights: number[] | undefined;
      if (raw['weights'] !== undefined) {
        weights = list('weights', (w) => {
          if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new UnitError('a weight, a number at least 0', w);
          return w;
        }, 'weights');
        if (weights && values && weights.length !== values.length) {
          issues.push({ path: [...at, 'weights'], message: `expected ${values.length} weights (one per value), got ${weights.length}` });
          return undefined;
        }
        if (weights && weights.every((w) => w === 0)) {
          issues.push({ path: [...at, 'weights'], message: 'expected at least one weight above 0' });
          return undefined;
        }
      }
      if (values === undefined || (raw['weights'] !== undefined && weights === undefined)) return undefined;
      return { kind, values, weights: weights ?? values.map(() => 1) };
    }
    case 'empirical': {
      const hasSamples = raw['samples'] !== undefined;
      const hasFile = raw['file'] !== undefined;
      if (hasSamples === hasFile) {
        issues.push({ path: at, message: 'expected exactly one of samples (a list) or file (a CSV file, with column)' });
        return undefined;
      }
      if (hasSamples) {
        if (raw['column'] !== undefined) issues.push({ path: [...at, 'column'], message: 'column goes with file, not samples', atKey: true });
        const samples = list('samples', (v) => parseUnitValue(unit, v), 'samples');
        return samples === undefined ? undefined : { kind, samples };
      }
      const file = raw['file'];
      const column = raw['column'];
      if (typeof file !== 'string' || file === '') {
        issues.push({ path: [...at, 'file'], message: `expected the path of a CSV file, got ${describeValue(file)}` });
        return undefined;
      }
      if (typeof column !== 'string' || column === '') {
        issues.push({ path: [...at, 'column'], message: column === undefined ? 'required field is missing; expected the name of a column of the CSV file' : `expected a column name, got ${describeValue(column)}` });
        return undefined;
      }
      if (readFile === undefined) {
        issues.push({ path: [...at, 'file'], message: 'a CSV file can only be read from a scenario file on disk' });
        return undefined;
      }
      let text: string;
      try {
        text = readFile(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        issues.push({ path: [...at, 'file'], message: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}` });
        return undefined;
      }
      const samples = csvColumn(text, file, column, unit, [...at, 'file'], issues);
      return samples === undefined ? undefined : { kind, samples };
    }
  }
}

/** One column of a CSV file (header row first), each cell read in the field's unit. */
function csvColumn(text: string, file: string, column: string, unit: FieldUnit, at: PathSegment[], issues: Issues): number[] | undefined {
  const lines = text.split(/\r?\n/);
  const cells = (line: string) => line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  const header = cells(lines[0] ?? '');
  const index = header.indexOf(column);
  if (index < 0) {
    issues.push({ path: at, message: `${file}:1: no column "${column}"${didYouMean(column, header)}; the header has ${header.map((h) => JSON.stringify(h)).join(', ')}` });
    return undefined;
  }
  const out: number[] = [];
  let bad = 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const cell = cells(lines[i]!)[index];
    try {
      out.push(parseUnitValue(unit, cell ?? ''));
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      // the first few bad cells, each with its line; the count of the rest
      if (++bad <= 3) issues.push({ path: at, message: `${file}:${i + 1}: column "${column}": ${e.message}` });
    }
  }
  if (bad > 3) issues.push({ path: at, message: `${file}: ${bad - 3} more bad values in column "${column}"` });
  if (bad > 0) return undefined;
  if (out.length === 0) {
    issues.push({ path: at, message: `${file}: column "${column}" has no values` });
    return undefined;
  }
  return out;
}

/** The value the loaded scenario carries for an uncertain field: its median (rounded for whole-number fields). */
export function nominalValue(d: FieldDistribution, unit: FieldUnit): number {
  let v: number;
  switch (d.kind) {
    case 'uniform':
      v = (d.min + d.max) / 2;
      break;
    case 'normal':
      v = Math.min(d.max, Math.max(d.min, d.mean));
      break;
    case 'lognormal':
      v = d.median;
      break;
    case 'exponential':
      v = d.mean * Math.LN2;
      break;
    case 'choice': {
      // the most likely value (the first of equals)
      let best = 0;
      d.weights.forEach((w, i) => {
        if (w > d.weights[best]!) best = i;
      });
      v = d.values[best]!;
      break;
    }
    case 'empirical': {
      const sorted = [...d.samples].sort((a, b) => a - b);
      v = sorted[Math.ceil(sorted.length / 2) - 1]!;
      break;
    }
  }
  if (isInteger(unit)) v = Math.round(v);
  if (unit === 'fraction' && v >= 1) v = Math.max(0, 1 - Number.EPSILON);
  return v;
}

// --- extraction ------------------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Takes every `{distribution: …}` out of a raw scenario document. Returns the document with
 * nominal values in their place (a copy; the input is not changed), the uncertain fields, and the
 * problems found (paths from the document root).
 */
export function extractUncertainty(raw: unknown, readFile?: ReadFile): Extracted {
  const issues: PathIssue[] = [];
  const fields: UncertainField[] = [];
  const failed: PathSegment[][] = [];
  const warnings: PathIssue[] = [];
  const result = (doc: unknown): Extracted => ({
    raw: doc,
    fields,
    issues: (more) => [...issues, ...more.filter((i) => !failed.some((f) => within(i.path, f)))],
    warnings,
  });
  if (!isObject(raw) || !isObject(raw['spec'])) return result(raw);
  const found: { path: PathSegment[]; value: Record<string, unknown> }[] = [];
  const walk = (v: unknown, path: PathSegment[]): void => {
    if (NATIVE.some((p) => matches(p, path))) return;
    if (isObject(v)) {
      if ('distribution' in v && path.length > 0) {
        found.push({ path, value: v });
        return;
      }
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]));
    }
  };
  walk(raw['spec'], []);
  if (found.length === 0) return result(raw);

  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const { path, value } of found) {
    const full: PathSegment[] = ['spec', ...path];
    const unit = unitOf(path);
    if (unit === undefined) {
      issues.push({ path: full, message: `${formatPath(full)} does not take a distribution: only numeric fields may be uncertain (see docs/scenario.md, "Uncertain values")` });
      failed.push(full);
      continue;
    }
    const dist = parseFieldDistribution(value, unit, full, issues, readFile);
    if (dist === undefined) {
      failed.push(full);
      continue;
    }
    const clamped = clampedShare(dist);
    if (clamped > 0.05) {
      warnings.push({
        path: full,
        message: `${Math.round(clamped * 100)}% of the draws of this normal distribution fall outside [min, max] and are clamped to a bound; a lognormal or uniform distribution may be what was meant`,
      });
    }
    const nominal = nominalValue(dist, unit);
    setAt(copy, full, nominal);
    const [section, index] = path;
    let scope: UncertainScope;
    let relPath: PathSegment[];
    if ((section === 'vms' || section === 'nodes') && typeof index === 'number') {
      scope = { kind: section === 'vms' ? 'vm' : 'node', pool: index };
      relPath = path.slice(2);
    } else {
      scope = { kind: 'cluster' };
      relPath = full;
    }
    const purpose = scope.kind === 'cluster' ? formatPath(full) : `${scope.kind}/${formatPath(relPath)}`;
    fields.push({ purpose, scope, path: full, relPath, unit, distribution: dist, nominal });
  }
  return result(copy);
}

export interface Extracted {
  /** the document with nominal values in place of the distributions */
  raw: unknown;
  fields: UncertainField[];
  /**
   * The problems of the distributions, and of the rest of the file (`more`, from the schema)
   * except those about a field whose distribution was already reported as wrong.
   */
  issues: (more: readonly PathIssue[]) => PathIssue[];
  /** distributions that will not draw what they seem to say */
  warnings: PathIssue[];
}

/** The probability mass a clamped normal puts on its bounds (0 for other distributions). */
export function clampedShare(d: FieldDistribution): number {
  if (d.kind !== 'normal') return 0;
  if (d.stddev === 0) return d.mean < d.min || d.mean > d.max ? 1 : 0;
  const below = normalCdf((d.min - d.mean) / d.stddev);
  const above = d.max === Infinity ? 0 : 1 - normalCdf((d.max - d.mean) / d.stddev);
  return below + above;
}

/** Φ(z), by the Abramowitz–Stegun 7.1.26 approximation of erf (error < 1.5e-7): enough for a warning. */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function within(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

/** Sets a value at a path of plain JSON data (the path exists). */
export function setAt(root: unknown, path: readonly PathSegment[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]!] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}
