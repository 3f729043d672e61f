// `migsim run <scenario> [--seed N] [--json] [-v] [--set PATH=VALUE]… [--log FILE] [--max-events N]`
import { closeSync, openSync, writeSync } from 'node:fs';
import type { LogEvent, Observer } from '../log/events.js';
import { runDocument, toJson } from '../report/json.js';
import { textReport } from '../report/text.js';
import { runCsv } from '../report/csv.js';
import { renderHtml } from '../report/html/document.js';
import { runReport } from '../report/html/run.js';
import { seriesRecorder } from '../report/series.js';
import { check } from '../plan/check.js';
import { terminalTimeline } from '../report/timeline.js';
import { commandLine, migsimVersion, rawScenario, vegaAssets, writeCsvFiles, writeReport } from './report.js';
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
  /** `PATH=VALUE` overrides of the scenario document, in order */
  set?: readonly string[];
  /** write a self-contained HTML report to this file */
  report?: string;
  /** write migrations.csv, rounds.csv, nodes.csv and vms.csv into this directory */
  csv?: string;
  /** draw the terminal timeline after the summary */
  timeline?: boolean;
  /** how the timeline is drawn (default: stdout's width, colour on a TTY without NO_COLOR) */
  timelineStyle?: { width: number; color: boolean };
  /** the command line, for the report's provenance (default: rebuilt from the options) */
  argv?: string[];
}

export function runCommand(file: string, opts: RunOptions): string {
  const scenario = loadScenarioFile(file, { overrides: opts.set ?? [] });
  const seed = opts.seed ?? scenario.seed;
  const log = opts.log !== undefined ? new JsonLinesLog(opts.log) : null;
  const runWarnings = warningsRecorder(scenario);
  try {
    const series = opts.report !== undefined || opts.csv !== undefined ? seriesRecorder() : null;
    const observers: Observer[] = [runWarnings];
    if (log) observers.push(log);
    if (series) observers.push(series);
    const result = simulate(scenario, { seed, observers, maxEvents: opts.maxEvents });
    const results = result.results!;
    const warnings = [...loaderWarnings(scenario), ...runWarnings.finish()];
    if (series) {
      const s = series.finish();
      if (opts.csv !== undefined) writeCsvFiles(opts.csv, runCsv(results, s));
      if (opts.report !== undefined) {
        const provenance = { version: migsimVersion(), seed, command: commandLine(opts.argv ?? ['run', file, ...(opts.seed !== undefined ? ['--seed', String(opts.seed)] : []), '--report', opts.report]) };
        const doc = runReport({ scenario, raw: rawScenario(file, opts.set ?? []), seed, results, series: s, warnings, check: check(scenario), provenance });
        writeReport(opts.report, renderHtml(doc, vegaAssets()));
      }
    }
    if (opts.json) return toJson(runDocument(scenario.name, seed, results, warnings)) + '\n';
    const text = textReport(scenario.name, seed, results, warnings, { verbose: opts.verbose });
    if (!opts.timeline) return text;
    const style = opts.timelineStyle ?? { width: process.stdout.columns ?? 100, color: process.stdout.isTTY === true && !process.env['NO_COLOR'] };
    return text + '\n' + terminalTimeline(results, style);
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
