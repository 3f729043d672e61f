// Problems found while loading a scenario file, and how they are shown to the user.
// A user error is never a stack trace: it is one line per problem, naming the file,
// the position (YAML input), the field path and what was expected.

export type PathSegment = string | number;

/** One problem of a scenario file, located. */
export interface ScenarioIssue {
  /** field path in the file, e.g. `spec.vms[0].memory`; '' for the document as a whole */
  path: string;
  message: string;
  /** 1-based line and column of the offending node, when known (YAML input) */
  line?: number;
  column?: number;
  /** the `PATH=VALUE` override the problem comes from (then it has no position in the file), and the path it set */
  override?: { text: string; path: string };
}

/** A problem before it is located in the source text. */
export interface PathIssue {
  path: PathSegment[];
  message: string;
  /** point at the key instead of the value (unknown fields, duplicate keys) */
  atKey?: boolean;
}

export class ScenarioError extends Error {
  readonly source: string;
  readonly issues: ScenarioIssue[];

  constructor(source: string, issues: ScenarioIssue[]) {
    super(formatIssues(source, issues));
    this.name = 'ScenarioError';
    this.source = source;
    this.issues = issues;
  }

  /** One line per problem: `file:line:col: path: message`. */
  format(): string {
    return formatIssues(this.source, this.issues);
  }
}

/**
 * `file:line:col: path: message`; a problem that comes from an override names the override
 * instead of the file (`--set spec.vms[0].memory=8GG: expected …`), with the path only when it is
 * not the override's own.
 */
export function formatIssue(source: string, issue: ScenarioIssue): string {
  if (issue.override !== undefined) {
    const own = issue.path === '' || issue.path === issue.override.path;
    return own ? `--set ${issue.override.text}: ${issue.message}` : `--set ${issue.override.text}: ${issue.path}: ${issue.message}`;
  }
  const where = issue.line === undefined ? source : `${source}:${issue.line}:${issue.column ?? 1}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

export function formatIssues(source: string, issues: readonly ScenarioIssue[]): string {
  return issues.map((i) => formatIssue(source, i)).join('\n');
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['spec', 'vms', 0, 'labels', 'app.kubernetes.io/name']` → `spec.vms[0].labels["app.kubernetes.io/name"]` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** How a raw value is quoted in "got …" (short, YAML-ish). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** ` (did you mean "memory"?)` when one candidate is close enough, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  const shape = (s: string) => s.replace(/\d+/g, '#');
  for (const c of candidates) {
    // "node-7" is not a typo of "node-0": names that differ only in their numbers are not suggested
    if (shape(c) === shape(word)) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // Close enough = at most a third of the word wrong (so "memroy" → "memory", not "foo" → "node").
  return best !== undefined && bestDistance > 0 && bestDistance <= Math.max(1, Math.floor(word.length / 3))
    ? ` (did you mean ${JSON.stringify(best)}?)`
    : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
