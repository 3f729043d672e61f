// Entry points of the scenario loader: text (YAML or JSON) → validated, normalised Scenario, or a
// ScenarioError listing every problem of the file with its position.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { Scenario } from './types.js';
import { ScenarioError, formatIssue, formatPath, type PathIssue, type ScenarioIssue } from './errors.js';
import { API_VERSION, KIND, parseRawScenario } from './schema.js';
import { buildScenario } from './build.js';
import { locate } from './locate.js';
import { extractUncertainty } from './uncertain.js';

export { ScenarioError } from './errors.js';

/** Reads and loads a scenario file; `.json` files are read as JSON, anything else as YAML. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ScenarioError(path, [{ path: '', message: `cannot read the scenario file: ${reason}` }]);
  }
  return parseScenario(text, path);
}

interface Source {
  raw: unknown;
  /** for positions; absent when the text could not be read as YAML */
  doc?: Document;
  lineCounter?: LineCounter;
}

function readYaml(text: string, sourceName: string): Source {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      sourceName,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { path: '', message: `YAML syntax: ${e.message.split('\n')[0]}`, line, column: col };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ScenarioError(sourceName, [{ path: '', message: `YAML: ${(e as Error).message}` }]);
  }
  return { raw, doc, lineCounter };
}

function readJson(text: string, sourceName: string): Source {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    const pos = at ? positionOf(text, Number(at[1])) : undefined;
    throw new ScenarioError(sourceName, [{ path: '', message: `JSON syntax: ${message}`, ...pos }]);
  }
  // Valid JSON is valid YAML: parse it again only to know where each field is.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  return doc.errors.length === 0 ? { raw, doc, lineCounter } : { raw };
}

/** 1-based line and column of a character offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function located(issues: readonly PathIssue[], src: Source): ScenarioIssue[] {
  const out = issues.map((i): ScenarioIssue => {
    const pos = src.doc && src.lineCounter ? locate(src.doc, src.lineCounter, i.path, i.atKey) : undefined;
    return { path: formatPath(i.path), message: i.message, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  });
  // in file order; issues without a position keep the order they were found in, at the end
  return out
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.n - b.n)
    .map((x) => x.issue);
}

/**
 * Parses and validates scenario text. `sourceName` is used in messages (and, when `format` is not
 * given, picks JSON for a `.json` name). Throws ScenarioError with every problem at once.
 */
export function parseScenario(text: string, sourceName: string, format?: 'yaml' | 'json'): Scenario {
  const fmt = format ?? (sourceName.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
  const src = fmt === 'json' ? readJson(text, sourceName) : readYaml(text, sourceName);
  if (src.raw === null || src.raw === undefined) {
    throw new ScenarioError(sourceName, [{ path: '', message: `the file is empty; expected a ${KIND} (apiVersion: ${API_VERSION}, kind, metadata, spec)` }]);
  }

  // Uncertain fields come out first (nominal values in their place); CSV files of empirical
  // distributions are read relative to the scenario file.
  const uncertain = extractUncertainty(src.raw, (rel) => readFileSync(resolve(dirname(sourceName), rel), 'utf8'));
  const { parsed, issues } = parseRawScenario(uncertain.raw);
  const built = buildScenario(parsed, sourceName);
  const all = uncertain.issues([...issues, ...built.issues]);
  if (all.length > 0) throw new ScenarioError(sourceName, located(all, src));

  built.scenario.warnings = located([...uncertain.warnings, ...built.warnings], src).map((w) => formatIssue(sourceName, w));
  if (uncertain.fields.length > 0) built.scenario.uncertainty = { raw: uncertain.raw, fields: uncertain.fields };
  return built.scenario;
}
