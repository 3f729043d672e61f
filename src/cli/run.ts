// `migsim run <scenario> [--seed N] [--json] [-v] [--log FILE] [--max-events N]`
import { closeSync, openSync, writeSync } from 'node:fs';
import type { LogEvent, Observer } from '../log/events.js';
import { runDocument, toJson } from '../report/json.js';
import { textReport } from '../report/text.js';
import { loadScenarioFile } from '../scenario/load.js';
import { warningsRecorder } from '../metrics/warnings.js';
import type { Scenario } from '../scenario/types.js';
import type { Warning } from '../scenario/warnings.js';
import { simulate } from '../sim/simulation.js';

export interface RunOptions {
  seed?: number;
  json?: boolean;
  /** write every event as one JSON line to this file */
  log?: string;
  maxEvents?: number;
  /** every migration, drain and VM line even for a large run */
  verbose?: boolean;
}

export function runCommand(file: string, opts: RunOptions): string {
  const scenario = loadScenarioFile(file);
  const seed = opts.seed ?? scenario.seed;
  const log = opts.log !== undefined ? new JsonLinesLog(opts.log) : null;
  const runWarnings = warningsRecorder(scenario);
  try {
    const result = simulate(scenario, { seed, observers: log ? [runWarnings, log] : [runWarnings], maxEvents: opts.maxEvents });
    const results = result.results!;
    const warnings = [...loaderWarnings(scenario), ...runWarnings.finish()];
    if (opts.json) return toJson(runDocument(scenario.name, seed, results, warnings)) + '\n';
    return textReport(scenario.name, seed, results, warnings, { verbose: opts.verbose });
  } finally {
    log?.close();
  }
}

/**
 * The loader's remarks (located `file:line:col: field: message` texts, fields accepted but not
 * modelled) and the load-time warnings, in one list with the run-time ones.
 */
export function loaderWarnings(scenario: Scenario): Warning[] {
  return [...scenario.warnings.map((message): Warning => ({ code: 'ScenarioNote', message })), ...(scenario.loadWarnings ?? [])];
}

/** The event log streamed to a file as JSON lines, in buffered writes: nothing is kept in memory. */
class JsonLinesLog implements Observer {
  private fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  record(ev: LogEvent): void {
    const line = JSON.stringify(ev) + '\n';
    this.buffer.push(line);
    this.size += line.length;
    if (this.size >= 1 << 16) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.size = 0;
  }
}
