// `migsim calibrate --from DUMP… [--metrics FILE…] [--dirty-rate FILE] [--network RATE |
//  --network-label K=V:RATE…] [--scenario FILE] [--fit] [--json] [--write-scenario FILE]`
import { existsSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { calibrate, controlPlaneLatencies, pastMigrations, type CalibrationReport, type RawScenario } from '../import/calibrate.js';
import { calibrationText } from '../import/calibration-report.js';
import { buildImport, importCluster } from '../import/import.js';
import type { NetworkLabelRule } from '../import/inventory.js';
import { toJson } from '../report/json.js';
import { readText } from './import.js';

export interface CalibrateOptions {
  from: string[];
  metrics?: string[];
  dirtyRate?: string;
  network?: string;
  networkLabel?: NetworkLabelRule[];
  fit?: boolean;
  json?: boolean;
  writeScenario?: string;
  scenario?: string;
}

export function calibrateCommand(opts: CalibrateOptions, log: (line: string) => void): string {
  const input = {
    dumps: opts.from.map((f) => readText(f, 'cluster dump')),
    ...(opts.metrics ? { metrics: opts.metrics.map((f) => readText(f, 'metrics file')) } : {}),
    ...(opts.dirtyRate ? { dirtyRate: readText(opts.dirtyRate, 'dirty-rate file') } : {}),
    ...(opts.network !== undefined ? { network: opts.network } : {}),
    ...(opts.networkLabel ? { networkLabels: opts.networkLabel } : {}),
  };
  const built = buildImport(input);
  let base: RawScenario = built.inventory.doc;
  const workloads = built.workloads;
  if (opts.scenario) {
    // the user's model (workload blocks, NIC assumptions, control plane…) over today's inventory
    const merged = importCluster({ ...input, existing: readText(opts.scenario, 'scenario'), outputName: opts.scenario });
    base = parse(merged.yaml) as RawScenario;
    for (const key of merged.merge?.keptWorkloadKeys ?? []) {
      const w = workloads.get(key);
      if (w) workloads.set(key, { ...w, dirtySource: 'scenario' });
    }
    log(`replays use the model of ${opts.scenario}: ${merged.merge?.keptWorkloads ?? 0} workload blocks`);
  }
  const skipped: CalibrationReport['skipped'] = [];
  const past = pastMigrations(built.dump, built.metrics, (name, why) => skipped.push({ name, why }));
  const fit = opts.fit === true || opts.writeScenario !== undefined;
  const report = calibrate({ base, past, workloads, fit, controlPlane: controlPlaneLatencies(built.dump) }, skipped);

  if (opts.writeScenario) {
    const overrides = new Map(
      Object.entries(report.fittedBandwidth).map(([node, f]) => [
        node,
        { rate: `${Math.round((f.bytesPerSecond * 8) / 1e6)}Mbit`, why: `fitted by migsim calibrate: median of ${f.migrations} past migration(s) from this node` },
      ]),
    );
    const existing = existsSync(opts.writeScenario) ? readText(opts.writeScenario, 'existing scenario') : undefined;
    // measured medians, as fixed latencies: KubeVirt's timestamps have whole seconds, too coarse to fit a spread
    const controlPlaneOverrides = report.controlPlane.map((l) => ({
      field: l.field,
      value: `${l.median}s`,
      why: `measured by migsim calibrate: median of ${l.samples} VMIM phase transition(s), p90 ${l.p90}s`,
    }));
    const result = importCluster({ ...input, ...(existing ? { existing } : {}), networkOverrides: overrides, controlPlaneOverrides, outputName: opts.writeScenario });
    writeFileSync(opts.writeScenario, result.yaml);
    log(`written: ${opts.writeScenario} (${overrides.size} node bandwidth(s) fitted, ${controlPlaneOverrides.length} control-plane latencies measured${existing ? ', merged with the existing file' : ''})`);
  }
  return opts.json ? toJson(report) + '\n' : calibrationText(report);
}
