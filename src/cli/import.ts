// `migsim import --from FILE… [-o scenario.yaml] [--network RATE | --network-label K=V:RATE…]
//  [--metrics FILE…] [--dirty-rate FILE] [--refresh-workload]`
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { importCluster, type TextFile } from '../import/import.js';
import type { NetworkLabelRule } from '../import/inventory.js';
import { ScenarioError } from '../scenario/errors.js';
import { parseLinkRate } from '../scenario/units.js';

export interface ImportOptions {
  from: string[];
  output?: string;
  network?: string;
  networkLabel?: NetworkLabelRule[];
  metrics?: string[];
  dirtyRate?: string;
  refreshWorkload?: boolean;
  name?: string;
}

export function readText(path: string, what: string): TextFile {
  try {
    return { text: readFileSync(path, 'utf8'), source: path };
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ScenarioError(path, [{ path: '', message: `cannot read the ${what}: ${reason}` }]);
  }
}

/** commander parser for --network: a link rate as the scenario accepts it. */
export function parseNetwork(v: string): string {
  try {
    parseLinkRate(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return v;
}

/** commander parser for repeated --network-label LABEL=VALUE:RATE */
export function parseNetworkLabel(v: string, prev: NetworkLabelRule[] = []): NetworkLabelRule[] {
  const eq = v.indexOf('=');
  const colon = v.lastIndexOf(':');
  if (eq <= 0 || colon < eq) throw new InvalidArgumentError(`expected LABEL=VALUE:RATE such as node.kubernetes.io/instance-type=m5.metal:25Gbit, got "${v}"`);
  const rule = { key: v.slice(0, eq), value: v.slice(eq + 1, colon), rate: parseNetwork(v.slice(colon + 1)) };
  return [...prev, rule];
}

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

/** Returns the scenario (for stdout when there is no -o) and writes the summary to `log`. */
export function importCommand(opts: ImportOptions, log: (line: string) => void): string {
  const existing = opts.output && existsSync(opts.output) ? readText(opts.output, 'existing scenario') : undefined;
  const result = importCluster({
    dumps: opts.from.map((f) => readText(f, 'cluster dump')),
    ...(opts.metrics ? { metrics: opts.metrics.map((f) => readText(f, 'metrics file')) } : {}),
    ...(opts.dirtyRate ? { dirtyRate: readText(opts.dirtyRate, 'dirty-rate file') } : {}),
    ...(existing ? { existing } : {}),
    ...(opts.network !== undefined ? { network: opts.network } : {}),
    ...(opts.networkLabel ? { networkLabels: opts.networkLabel } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    refreshWorkload: opts.refreshWorkload === true,
    outputName: opts.output ?? 'imported scenario',
  });
  for (const line of result.summary) log(line);
  if (opts.output) {
    writeFileSync(opts.output, result.yaml);
    log(`written: ${opts.output}${existing ? ' (merged with the existing file)' : ''}`);
    return '';
  }
  return result.yaml;
}
