// `migsim run <scenario> [--seed N] [--json] [--log FILE]`
import { closeSync, openSync, writeSync } from 'node:fs';
import type { LogEvent, Observer } from '../log/events.js';
import { runDocument, toJson } from '../report/json.js';
import { textReport } from '../report/text.js';
import { loadScenarioFile } from '../scenario/load.js';
import { simulate } from '../sim/simulation.js';

export interface RunOptions {
  seed?: number;
  json?: boolean;
  /** write every event as one JSON line to this file */
  log?: string;
  maxEvents?: number;
}

export function runCommand(file: string, opts: RunOptions): string {
  const scenario = loadScenarioFile(file);
  const seed = opts.seed ?? scenario.seed;
  const log = opts.log !== undefined ? new JsonLinesLog(opts.log) : null;
  try {
    const result = simulate(scenario, { seed, observers: log ? [log] : [], maxEvents: opts.maxEvents });
    const results = result.results!;
    if (opts.json) return toJson(runDocument(scenario.name, seed, results, scenario.warnings)) + '\n';
    return textReport(scenario.name, seed, results, scenario.warnings);
  } finally {
    log?.close();
  }
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
