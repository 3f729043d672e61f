// `migsim run <scenario> [--seed N] [--json] [--set PATH=VALUE]…`
import { computeResults } from '../metrics/results.js';
import { runDocument, toJson } from '../report/json.js';
import { textReport } from '../report/text.js';
import { loadScenarioFile } from '../scenario/load.js';
import { simulate } from '../sim/simulation.js';

export interface RunOptions {
  seed?: number;
  json?: boolean;
  /** `PATH=VALUE` overrides of the scenario document, in order */
  set?: readonly string[];
}

export function runCommand(file: string, opts: RunOptions): string {
  const scenario = loadScenarioFile(file, { overrides: opts.set ?? [] });
  const seed = opts.seed ?? scenario.seed;
  const result = simulate(scenario, seed);
  const results = computeResults(result.log.events, scenario.nodes.map((n) => n.name));
  if (opts.json) return toJson(runDocument(scenario.name, seed, results, scenario.warnings)) + '\n';
  return textReport(scenario.name, seed, results, scenario.warnings);
}
