// Entry points of the scenario loader: a file, a text (YAML or JSON) or a raw object, with
// optional `PATH=VALUE` overrides → a validated, normalised, frozen Scenario, or a ScenarioError
// listing every problem with its position.
//
// The common path is kept cheap for large files: JSON is read with JSON.parse (plus a linear scan
// for duplicate keys), YAML is parsed once, and line/column positions are computed only when an
// error or a warning needs them.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseAllDocuments, parseDocument, visit, LineCounter, type Document, isAlias, isCollection, isScalar, type Node } from 'yaml';
import type { Scenario } from './types.js';
import { ScenarioError, describeValue, formatIssue, formatPath, type PathIssue, type PathSegment, type ScenarioIssue } from './errors.js';
import { API_VERSION, KIND, parseRawScenario } from './schema.js';
import { isPlainObject } from './fields.js';
import { buildScenario } from './build.js';
import { locate, type Position } from './locate.js';
import { extractUncertainty } from './uncertain.js';
import { checkLimits, DEPTH_MESSAGE, MAX_DEPTH, MAX_FILE_BYTES, shortPath } from './limits.js';
import { applyAll, overrideFor, OverrideError, type AppliedOverride } from './override.js';
import { SourceError, decodeSource, jsonOffsets, scanJson, positionOf, readSource } from './source.js';

export { ScenarioError } from './errors.js';
export { applyOverrides } from './override.js';

export interface LoadOptions {
  /** `PATH=VALUE` edits of the raw document, applied in order before validation (see override.ts) */
  overrides?: readonly string[];
}

/**
 * A scenario document as read, before validation: the raw value, and where each of its fields is
 * in the text (computed on first use). Read a file once and load it many times with different
 * overrides (a sweep).
 */
export class ScenarioDocument {
  private located: { doc: Document; lineCounter: LineCounter } | undefined;

  constructor(
    /** the file name used in messages */
    readonly source: string,
    readonly raw: unknown,
    /** the JSON text it was parsed from, to locate fields in */
    private readonly json?: string,
    yaml?: { doc: Document; lineCounter: LineCounter },
  ) {
    this.located = yaml;
  }

  /** Line and column of each field path, where the document came from a text and the path is in it. */
  positions(requests: readonly { path: readonly PathSegment[]; atKey?: boolean }[]): (Position | undefined)[] {
    if (this.located) {
      const { doc, lineCounter } = this.located;
      return requests.map((r) => locate(doc, lineCounter, r.path, r.atKey));
    }
    if (this.json !== undefined) {
      const lines = lineStarts(this.json);
      return jsonOffsets(this.json, requests).map((offset) => (offset === undefined ? undefined : lineAndColumn(lines, offset)));
    }
    return requests.map(() => undefined);
  }
}

/** Offsets where lines start. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAndColumn(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

function fileError(source: string, message: string, pos?: { line: number; column: number }): ScenarioError {
  return new ScenarioError(source, [{ path: '', message, ...pos }]);
}

/** Reads a scenario file (`.json` as JSON, anything else as YAML) without validating it. */
export function readScenarioFile(path: string): ScenarioDocument {
  let bytes: Buffer;
  try {
    bytes = readSource(path);
  } catch (e) {
    if (e instanceof SourceError) throw fileError(path, e.message);
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw fileError(path, `cannot read the scenario file: ${reason}`);
  }
  let text: string;
  try {
    text = decodeSource(bytes);
  } catch (e) {
    if (e instanceof SourceError) throw fileError(path, e.message);
    throw e;
  }
  return readScenarioText(text, path);
}

/** Reads scenario text without validating it; `format` defaults to JSON for a `.json` name. */
export function readScenarioText(text: string, sourceName: string, format?: 'yaml' | 'json'): ScenarioDocument {
  if (text.length > MAX_FILE_BYTES) throw fileError(sourceName, `the text is ${text.length} characters; a scenario may be at most ${MAX_FILE_BYTES}`);
  const fmt = format ?? (sourceName.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
  return fmt === 'json' ? readJson(text, sourceName) : readYaml(text, sourceName);
}

function readJson(text: string, source: string): ScenarioDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    throw fileError(source, `JSON syntax: ${message}`, at ? positionOf(text, Number(at[1])) : undefined);
  }
  const { duplicates, tooDeep } = scanJson(text, MAX_DEPTH);
  if (tooDeep) throw new ScenarioError(source, [{ path: formatPath(shortPath(tooDeep.path)), message: DEPTH_MESSAGE, ...positionOf(text, tooDeep.offset) }]);
  if (duplicates.length > 0) {
    throw new ScenarioError(
      source,
      duplicates.map((d) => ({ path: formatPath(d.path), message: 'duplicate key; a key may appear once in a mapping', ...positionOf(text, d.offset) })),
    );
  }
  return new ScenarioDocument(source, raw, text);
}

const STACK_OVERFLOW = 'Maximum call stack size exceeded';
/** YAML syntax errors listed one by one; past this, the rest are counted */
const MAX_SYNTAX_ERRORS = 10;
const NOT_A_SCENARIO = `not a scenario (expected YAML or JSON with apiVersion: ${API_VERSION}, kind: ${KIND})`;

function readYaml(text: string, source: string): ScenarioDocument {
  let lineCounter = new LineCounter();
  const options = { prettyErrors: false, uniqueKeys: true, merge: true } as const;
  let doc: Document;
  try {
    doc = parseDocument(text, { ...options, lineCounter });
  } catch (e) {
    if (e instanceof RangeError) throw fileError(source, DEPTH_MESSAGE);
    throw e;
  }
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.some((e) => e.code === 'MULTIPLE_DOCS')) {
    // a LineCounter records every line start it is shown: a second parse needs a new one
    lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { ...options, lineCounter });
    const list = Array.isArray(docs) ? docs : [];
    // a stream whose other documents are empty (a stray `---`) is one scenario
    const nonEmpty = list.filter((d) => !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)) || d.errors.length > 0);
    if (nonEmpty.length === 1) doc = nonEmpty[0]!;
    else {
      const second = nonEmpty[1] ?? list[1];
      const start = second?.range?.[0];
      throw fileError(
        source,
        `a YAML stream of ${list.length} documents; a scenario file holds one document (document 2 of ${list.length} starts here)`,
        start === undefined ? undefined : at(start),
      );
    }
  }
  if (doc.errors.length > 0) {
    const deep = doc.errors.find((e) => e.message.includes(STACK_OVERFLOW));
    if (deep) throw fileError(source, DEPTH_MESSAGE, at(deep.pos[0]));
    const issues: ScenarioIssue[] = doc.errors.map((e) => ({ path: '', message: `YAML syntax: ${e.message.split('\n')[0]}`, ...at(e.pos[0]) }));
    if (issues.length > MAX_SYNTAX_ERRORS) {
      // Markdown, source code, a log…: one line, not one per line of the file
      if (!/^(apiVersion|kind)\s*:/m.test(text)) throw fileError(source, `${NOT_A_SCENARIO}: ${issues.length} YAML syntax errors, and no apiVersion or kind`);
      const more = issues.length - MAX_SYNTAX_ERRORS;
      issues.splice(MAX_SYNTAX_ERRORS, more, { path: '', message: `… and ${more} more YAML syntax errors` });
    }
    throw new ScenarioError(source, issues);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    if (e instanceof RangeError) throw fileError(source, DEPTH_MESSAGE);
    if (e instanceof ReferenceError && /alias count/i.test(e.message)) {
      const bomb = aliasBomb(doc);
      throw fileError(
        source,
        `YAML: ${bomb ? `alias *${bomb.name}` : 'aliases'} expand${bomb ? 's' : ''} to too many values (aliases of aliases, a "billion laughs" document); aliases may be used, not to build huge documents`,
        bomb?.offset === undefined ? undefined : at(bomb.offset),
      );
    }
    throw fileError(source, `YAML: ${(e as Error).message}`);
  }
  return new ScenarioDocument(source, raw, undefined, { doc, lineCounter });
}

/** The first alias of an anchored node that itself holds aliases: where an alias bomb starts multiplying. */
function aliasBomb(doc: Document): { name: string; offset: number | undefined } | undefined {
  let first: { name: string; offset: number | undefined } | undefined;
  let nested: { name: string; offset: number | undefined } | undefined;
  visit(doc, {
    Alias(_, alias) {
      const here = { name: alias.source, offset: alias.range?.[0] };
      first ??= here;
      const target = alias.resolve(doc) as Node | undefined;
      let holdsAlias = false;
      if (target && isCollection(target)) {
        visit(target, {
          Alias() {
            holdsAlias = true;
            return visit.BREAK;
          },
        });
      }
      if (holdsAlias && isAlias(alias)) {
        nested = here;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return nested ?? first;
}

// --- validation -----------------------------------------------------------------------------------

function located(issues: readonly PathIssue[], document: ScenarioDocument, applied: readonly AppliedOverride[]): ScenarioIssue[] {
  const from = issues.map((i) => (applied.length > 0 ? overrideFor(applied, i.path) : undefined));
  const inFile = issues.filter((_, k) => from[k] === undefined);
  const positions = document.positions(inFile);
  let next = 0;
  const out = issues.map((i, k): ScenarioIssue => {
    const path = formatPath(i.path);
    const o = from[k];
    if (o) return { path, message: i.message, override: { text: o.text, path: formatPath(o.path) } };
    const pos = positions[next++];
    return { path, message: i.message, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  });
  // in file order; issues without a position keep the order they were found in, at the end
  return out
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.n - b.n)
    .map((x) => x.issue);
}

/** Freezes a plain-data tree in place (no recursion: the depth is bounded, the width is not). */
function deepFreeze<T>(root: T): T {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue;
    Object.freeze(v);
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    }
  }
  return root;
}

/**
 * A mapping with at least one of the fields of a scenario: anything else (a list, a string, some
 * other JSON document) is one line, not a missing-field error per field.
 */
function looksLikeScenario(raw: unknown): boolean {
  return isPlainObject(raw) && ('apiVersion' in raw || 'kind' in raw || 'spec' in raw);
}

/**
 * Validates a read document, after applying `options.overrides` to a copy of its raw value.
 * Returns a deep-frozen Scenario (edit the document and load it again instead: derived values
 * would go stale); throws ScenarioError with every problem at once.
 */
export function loadScenario(document: ScenarioDocument, options: LoadOptions = {}): Scenario {
  const source = document.source;
  let raw = document.raw;
  let applied: AppliedOverride[] = [];
  if (options.overrides && options.overrides.length > 0) {
    try {
      ({ doc: raw, applied } = applyAll(raw, options.overrides));
    } catch (e) {
      if (!(e instanceof OverrideError)) throw e;
      throw new ScenarioError(source, [{ path: '', message: e.reason, override: { text: e.override, path: '' } }]);
    }
  }
  if (raw === null || raw === undefined) {
    throw new ScenarioError(source, [{ path: '', message: `the file is empty; expected a ${KIND} (apiVersion: ${API_VERSION}, kind, metadata, spec)` }]);
  }
  if (!looksLikeScenario(raw)) {
    throw new ScenarioError(source, [{ path: '', message: `${NOT_A_SCENARIO}, got ${describeValue(raw)}${isPlainObject(raw) ? ` with neither apiVersion, kind nor spec` : ''}` }]);
  }
  const limits = checkLimits(raw);
  if (limits.length > 0) throw new ScenarioError(source, located(limits, document, applied));

  // Uncertain fields come out first (nominal values in their place); CSV files of empirical
  // distributions are read relative to the scenario file.
  const uncertain = extractUncertainty(raw, (rel) => readFileSync(resolve(dirname(source), rel), 'utf8'));
  const { parsed, issues } = parseRawScenario(uncertain.raw);
  const built = buildScenario(parsed, source);
  const all = uncertain.issues([...issues, ...built.issues]);
  if (all.length > 0) throw new ScenarioError(source, located(all, document, applied));

  const warnings = [...uncertain.warnings, ...built.warnings];
  if (warnings.length > 0) built.scenario.warnings = located(warnings, document, applied).map((w) => formatIssue(source, w));
  if (uncertain.fields.length > 0) built.scenario.uncertainty = { raw: uncertain.raw, fields: uncertain.fields };
  return deepFreeze(built.scenario);
}

/** Reads and loads a scenario file. */
export function loadScenarioFile(path: string, options: LoadOptions = {}): Scenario {
  return loadScenario(readScenarioFile(path), options);
}

/**
 * Loads a scenario from a raw object (what YAML.parse or JSON.parse would give). `file` names it
 * in messages; problems have no line and column.
 */
export function loadScenarioObject(doc: unknown, options: LoadOptions & { file: string }): Scenario {
  return loadScenario(new ScenarioDocument(options.file, doc), options);
}

/**
 * Parses and validates scenario text. `sourceName` is used in messages (and, when `format` is not
 * given, picks JSON for a `.json` name). Throws ScenarioError with every problem at once.
 */
export function parseScenario(text: string, sourceName: string, format?: 'yaml' | 'json', options: LoadOptions = {}): Scenario {
  return loadScenario(readScenarioText(text, sourceName, format), options);
}
