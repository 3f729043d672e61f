// Overrides by path on the raw scenario document, as `kubectl patch` or a Helm `--set` does: a
// sweep point or a command-line `--set` edits what the user wrote, and the normal loader then
// derives everything again (version defaults, the allowWorkloadDisruption rule, bandwidth
// rounding, migration-network NICs). A loaded, defaulted Scenario is never edited: its derived
// values would go stale.
//
//   spec.kubevirt.configuration.migrations.bandwidthPerMigration=256Mi
//   spec.vms[0].dirtyRate=50Mi        spec.vms.0.dirtyRate=50Mi        spec.vms[name=db].dirtyRate=50Mi
//   spec.nodes[0].labels["topology.kubernetes.io/zone"]=a
//
// The value is read as a YAML value, so `true`, `5`, `256Mi`, `1h`, `[a, b]` mean what they mean
// in a file.

import { parseDocument } from 'yaml';
import { formatPath, type PathSegment } from './errors.js';

/** One `PATH=VALUE`, parsed. */
export interface Override {
  /** as given, for messages: `--set <text>` */
  readonly text: string;
  readonly steps: readonly Step[];
  readonly value: unknown;
}

type Step =
  | { kind: 'key'; key: string; /** written as `.N`: an index if the value is a list */ numeric: boolean }
  | { kind: 'index'; index: number }
  | { kind: 'select'; field: string; value: string };

/** Where an override landed in the document: its resolved path, and from where it created mappings. */
export interface AppliedOverride {
  readonly text: string;
  readonly path: readonly PathSegment[];
  /** index in `path` of the first key the override created (path.length if none) */
  readonly createdFrom: number;
}

/** A malformed override, or one whose path does not fit the document. */
export class OverrideError extends Error {
  constructor(
    readonly override: string,
    readonly reason: string,
  ) {
    super(`--set ${override}: ${reason}`);
    this.name = 'OverrideError';
  }
}

const WORD = /^[^.[\]=]+$/;

/** Parses `PATH=VALUE`; throws OverrideError. */
export function parseOverride(text: string): Override {
  const steps: Step[] = [];
  const fail = (reason: string): never => {
    throw new OverrideError(text, reason);
  };
  let i = 0;
  const n = text.length;
  while (i < n && text[i] !== '=') {
    if (text[i] === '[') {
      const close = bracketEnd(text, i);
      if (close < 0) fail('unclosed [ in the path');
      steps.push(bracket(text.slice(i + 1, close), fail));
      i = close + 1;
    } else {
      if (text[i] === '.') {
        if (steps.length === 0) fail('expected PATH=VALUE with a path such as spec.vms[0].dirtyRate');
        i++;
      }
      let j = i;
      while (j < n && text[j] !== '.' && text[j] !== '[' && text[j] !== '=') j++;
      const word = text.slice(i, j);
      if (!WORD.test(word)) fail(`empty or malformed path segment at character ${i + 1}; expected a path such as spec.vms[0].dirtyRate`);
      steps.push(/^\d+$/.test(word) ? { kind: 'key', key: word, numeric: true } : { kind: 'key', key: word, numeric: false });
      i = j;
    }
  }
  if (i >= n) fail('expected PATH=VALUE, e.g. spec.kubevirt.configuration.migrations.bandwidthPerMigration=256Mi');
  if (steps.length === 0) fail('expected a path before =, e.g. spec.seed=7');
  return { text, steps, value: yamlValue(text.slice(i + 1), fail) };
}

function bracketEnd(text: string, open: number): number {
  let quoted = false;
  for (let k = open + 1; k < text.length; k++) {
    const c = text[k];
    if (quoted) {
      if (c === '\\') k++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ']') return k;
  }
  return -1;
}

function bracket(inner: string, fail: (reason: string) => never): Step {
  if (/^\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  if (inner.startsWith('"')) {
    try {
      const key: unknown = JSON.parse(inner);
      if (typeof key === 'string') return { kind: 'key', key, numeric: false };
    } catch {
      // reported below
    }
    return fail(`malformed quoted key [${inner}]; expected ["key"] as in JSON`);
  }
  const eq = inner.indexOf('=');
  if (eq > 0) {
    const field = inner.slice(0, eq).trim();
    const value = inner.slice(eq + 1).trim();
    if (WORD.test(field) && value !== '') return { kind: 'select', field, value };
  }
  return fail(`malformed [${inner}]; expected an index [0], a selector [name=db] or a quoted key ["a.b"]`);
}

function yamlValue(source: string, fail: (reason: string) => never): unknown {
  const doc = parseDocument(source, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) fail(`the value is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  try {
    // an empty value is null, as `key:` in a file
    return doc.toJS({ maxAliasCount: 100 }) ?? null;
  } catch (e) {
    return fail(`the value is not valid YAML: ${(e as Error).message}`);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${JSON.stringify(v)} (a ${typeof v})`;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The name a list entry is selected by: `field` itself, or for `name`, `metadata.name` too (manifests). */
function entryField(entry: unknown, field: string): unknown {
  if (!isMapping(entry)) return undefined;
  if (entry[field] !== undefined) return entry[field];
  const meta = entry['metadata'];
  return field === 'name' && isMapping(meta) ? meta['name'] : undefined;
}

/** A copy of `obj` with `key` set, own property even for "__proto__". */
function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...obj };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * Applies one override to `doc`, copying only the mappings and lists along its path: `doc` is left
 * unchanged and shares everything else with the result (a sweep over a 30,000-VM document copies
 * a few objects per point, not the document).
 */
export function applyOverride(doc: unknown, o: Override): { doc: unknown; applied: AppliedOverride } {
  const path: PathSegment[] = [];
  let createdFrom = -1;
  const fail = (reason: string): never => {
    throw new OverrideError(o.text, reason);
  };
  const set = (node: unknown, k: number): unknown => {
    if (k === o.steps.length) return o.value;
    const step = o.steps[k]!;
    const here = path.length === 0 ? 'the document' : formatPath(path);
    if (Array.isArray(node)) {
      let index: number;
      if (step.kind === 'index' || (step.kind === 'key' && step.numeric)) {
        index = step.kind === 'index' ? step.index : Number(step.key);
        if (index >= node.length) fail(`${here} has ${node.length} ${node.length === 1 ? 'entry' : 'entries'}; there is no [${index}]`);
      } else if (step.kind === 'select') {
        const hits: number[] = [];
        node.forEach((e, i) => {
          if (String(entryField(e, step.field)) === step.value && entryField(e, step.field) !== undefined) hits.push(i);
        });
        if (hits.length !== 1) {
          const names = node.map((e) => entryField(e, step.field)).filter((v) => v !== undefined).slice(0, 10).map((v) => JSON.stringify(v));
          fail(
            hits.length === 0
              ? `no entry of ${here} has ${step.field} ${JSON.stringify(step.value)}${names.length > 0 ? ` (${step.field}s: ${names.join(', ')}${node.length > 10 ? ', …' : ''})` : ''}`
              : `${hits.length} entries of ${here} have ${step.field} ${JSON.stringify(step.value)} (${hits.map((h) => `[${h}]`).join(', ')}); select one by index`,
          );
        }
        index = hits[0]!;
      } else {
        return fail(`${here} is a list: select an entry with [0] or [name=…], not .${step.key}`);
      }
      path.push(index);
      const copy = node.slice();
      copy[index] = set(node[index], k + 1);
      return copy;
    }
    if (step.kind !== 'key') {
      return fail(`${here} is ${describe(node)}, not a list: cannot select ${step.kind === 'index' ? `[${step.index}]` : `[${step.field}=${step.value}]`}`);
    }
    if (node === undefined || node === null) {
      if (createdFrom < 0) createdFrom = path.length;
      node = {};
    } else if (!isMapping(node)) {
      return fail(`${here} is ${describe(node)}, not a mapping: cannot set .${step.key} in it`);
    }
    const obj = node as Record<string, unknown>;
    path.push(step.key);
    if (createdFrom < 0 && !Object.prototype.hasOwnProperty.call(obj, step.key)) createdFrom = path.length - 1;
    return withKey(obj, step.key, set(Object.prototype.hasOwnProperty.call(obj, step.key) ? obj[step.key] : undefined, k + 1));
  };
  const result = set(doc, 0);
  return { doc: result, applied: { text: o.text, path, createdFrom: createdFrom < 0 ? path.length : createdFrom } };
}

/**
 * Applies `PATH=VALUE` overrides in order (a later one wins) to a raw scenario document and returns
 * the edited copy; `doc` itself is not modified. Throws OverrideError for a malformed override or
 * a path that does not fit the document (a list index out of range, a selector that matches no
 * entry, a path through a scalar). A path the schema does not know is reported by the loader,
 * naming the override.
 */
export function applyOverrides(doc: unknown, overrides: readonly string[]): unknown {
  return applyAll(doc, overrides).doc;
}

export function applyAll(doc: unknown, overrides: readonly string[]): { doc: unknown; applied: AppliedOverride[] } {
  const applied: AppliedOverride[] = [];
  let current = doc;
  for (const text of overrides) {
    const r = applyOverride(current, parseOverride(text));
    current = r.doc;
    applied.push(r.applied);
  }
  return { doc: current, applied };
}

/**
 * The override a problem at `path` comes from, if any (the last one wins, as it won in the
 * document): the problem lies in what the override set, or at a key the override created.
 */
export function overrideFor(applied: readonly AppliedOverride[], path: readonly PathSegment[]): AppliedOverride | undefined {
  for (let k = applied.length - 1; k >= 0; k--) {
    const o = applied[k]!;
    const within = path.length >= o.path.length && o.path.every((s, i) => s === path[i]);
    const created = path.length < o.path.length && path.length > o.createdFrom && path.every((s, i) => s === o.path[i]);
    if (within || created) return o;
  }
  return undefined;
}
