// The `migsim run --json` document (docs/output.md). Numbers are rounded to the microsecond /
// byte so that float noise never leaks into the output.
import type { Results } from '../metrics/results.js';
import type { Warning } from '../scenario/warnings.js';

export interface RunDocument extends Results {
  scenario: string;
  seed: number;
  warnings: Warning[];
}

export function runDocument(scenario: string, seed: number, results: Results, warnings: readonly Warning[]): RunDocument {
  return { scenario, seed, ...results, warnings: [...warnings] };
}

export function toJson(doc: unknown): string {
  return JSON.stringify(doc, (_k, v) => (typeof v === 'number' ? round(v) : v), 2);
}

function round(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return v;
  return Math.round(v * 1e6) / 1e6;
}
