// Hard limits of a scenario, stated (docs/scenario.md, "Limits") and checked on the raw document
// before validation, so that a typo like `count: 1e9` is one clear line instead of an
// out-of-memory abort while the loader expands a billion VMs.

import type { PathIssue, PathSegment } from './errors.js';
import { SCENARIO_DEFAULTS } from './defaults.js';
import { formatDuration, parseDuration } from './units.js';

/** Largest scenario file or text, in bytes (checked before the file is read). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Deepest nesting of mappings and lists (the deepest real field, a VM's affinity term, is 11). */
export const MAX_DEPTH = 64;
/** Entries of one list of `spec` (node pools, VM pools, operations…). */
export const MAX_LIST_ENTRIES = 100_000;
/** Nodes of a scenario after `count` expansion. */
export const MAX_NODES = 100_000;
/** VMs of a scenario after `count` expansion. */
export const MAX_VMS = 1_000_000;
/** spec.faults.randomOutages[].ratePerHour: one outage a second on average. */
export const MAX_OUTAGES_PER_HOUR = 3600;
/**
 * Random outages a run draws up front: the sum over spec.faults.randomOutages of ratePerHour ×
 * the horizon in hours, on average. 3600 an hour is fine for a day (86,400), not for a year.
 */
export const MAX_RANDOM_OUTAGES = 100_000;
/** NICs and rack uplinks: 10 Tbit/s, in bytes/s. */
export const MAX_LINK_RATE = 10e12 / 8;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The first value nested deeper than MAX_DEPTH, as a path; one pass, no recursion. */
function tooDeep(raw: unknown): PathSegment[] | undefined {
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value: raw, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (!isObject(value)) continue;
    if (path.length >= MAX_DEPTH) return path;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) if (isObject(value[i])) stack.push({ value: value[i], path: [...path, i] });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const v = value[keys[i]!];
        if (isObject(v)) stack.push({ value: v, path: [...path, keys[i]!] });
      }
    }
  }
  return undefined;
}

/** A too-deep path as shown: its first levels (the position points at the rest). */
export function shortPath(path: readonly PathSegment[]): PathSegment[] {
  return path.slice(0, 4);
}

export const DEPTH_MESSAGE = `nested more than ${MAX_DEPTH} levels deep; a scenario has at most ${MAX_DEPTH} levels of mappings and lists`;

/** What a pool of `count` stands for: the number, or 1 when absent (a bad count is the schema's to report). */
function members(entry: unknown): number {
  const count = isObject(entry) ? (entry as Record<string, unknown>)['count'] : undefined;
  return typeof count === 'number' && Number.isFinite(count) && count >= 0 ? count : 1;
}

function totalOf(list: unknown[], key: string, what: string, max: number): PathIssue | undefined {
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    total += members(list[i]);
    if (total > max) {
      const single = members(list[i]) > max;
      return {
        path: ['spec', key, i, ...(single ? ['count'] : [])],
        message: single
          ? `expected at most ${max} ${what} in a scenario, got ${members(list[i])}`
          : `this entry brings the scenario to ${total} ${what}; a scenario may have at most ${max}`,
      };
    }
  }
  return undefined;
}

/**
 * The limits a document breaks, before any other check (whose cost grows with what the limits
 * bound). Empty when the document is within them.
 */
export function checkLimits(raw: unknown): PathIssue[] {
  const deep = tooDeep(raw);
  if (deep) return [{ path: shortPath(deep), message: DEPTH_MESSAGE }];
  const issues: PathIssue[] = [];
  const spec = isObject(raw) ? (raw as Record<string, unknown>)['spec'] : undefined;
  if (!isObject(spec) || Array.isArray(spec)) return issues;
  for (const [key, list] of Object.entries(spec)) {
    if (Array.isArray(list) && list.length > MAX_LIST_ENTRIES) {
      issues.push({ path: ['spec', key], message: `expected at most ${MAX_LIST_ENTRIES} entries, got ${list.length} (count stands for many identical nodes or VMs)` });
    }
  }
  if (issues.length > 0) return issues;
  const nodes = spec['nodes'];
  const vms = spec['vms'];
  const n = Array.isArray(nodes) ? totalOf(nodes, 'nodes', 'nodes', MAX_NODES) : undefined;
  const v = Array.isArray(vms) ? totalOf(vms, 'vms', 'VMs', MAX_VMS) : undefined;
  return [n, v, randomOutages(spec)].filter((i): i is PathIssue => i !== undefined);
}

/** The expected number of random outages over the horizon (a bad rate or horizon is the schema's to report). */
function randomOutages(spec: Record<string, unknown>): PathIssue | undefined {
  const faults = spec['faults'];
  const list = isObject(faults) ? (faults as Record<string, unknown>)['randomOutages'] : undefined;
  if (!Array.isArray(list)) return undefined;
  let horizon: number = SCENARIO_DEFAULTS.horizon;
  if (spec['horizon'] !== undefined) {
    try {
      horizon = parseDuration(spec['horizon']);
    } catch {
      return undefined;
    }
  }
  let expected = 0;
  for (let i = 0; i < list.length; i++) {
    const rate = isObject(list[i]) ? (list[i] as Record<string, unknown>)['ratePerHour'] : undefined;
    if (typeof rate !== 'number' || !(rate > 0) || rate > MAX_OUTAGES_PER_HOUR) continue;
    expected += (rate * horizon) / 3600;
    if (expected > MAX_RANDOM_OUTAGES) {
      return {
        path: ['spec', 'faults', 'randomOutages', i, 'ratePerHour'],
        message: `${Math.round(expected)} random outages on average over the ${formatDuration(horizon)} horizon; a run may draw at most ${MAX_RANDOM_OUTAGES} (lower ratePerHour or spec.horizon)`,
      };
    }
  }
  return undefined;
}
