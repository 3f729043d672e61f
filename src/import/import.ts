// `migsim import` without the I/O: dump texts (+ metrics, + QEMU dirty rates, + the existing
// scenario) in; scenario YAML, verdict comparison and the summary out. The written scenario is
// loaded again with the normal loader before it is returned, so it is known to run as-is.

import { ScenarioError } from '../scenario/errors.js';
import { parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { emptyDump, readDumpText, type Dump } from './kube.js';
import { mapInventory, type Inventory, type NetworkLabelRule } from './inventory.js';
import { readMetrics, type MetricSet } from './metrics.js';
import { assignWorkloads, readDirtyRateFile, type DirtyRateFile, type VmWorkload } from './workload.js';
import { applyNetworkOverrides, buildDocument, setWithComment, mergeExisting, toYaml, type MergeReport } from './writer.js';
import { compareVerdicts, type Verdict } from './verify.js';

export interface TextFile {
  text: string;
  source: string;
}

export interface ImportInput {
  dumps: TextFile[];
  metrics?: TextFile[];
  dirtyRate?: TextFile;
  /** the file `-o` points at, when it exists: its model is kept */
  existing?: TextFile;
  name?: string;
  network?: string;
  networkLabels?: NetworkLabelRule[];
  /** replace existing workload blocks with the freshly measured ones */
  refreshWorkload?: boolean;
  /** per-node link rates that win over everything (calibrate's fitted bandwidths), with a comment */
  networkOverrides?: Map<string, { rate: string; why: string }>;
  /** spec.controlPlane fields to set (calibrate's measured latencies), with a comment */
  controlPlaneOverrides?: { field: string; value: string; why: string }[];
  /** name of the output, for the loader's messages */
  outputName?: string;
}

export interface ImportResult {
  yaml: string;
  scenario: Scenario;
  dump: Dump;
  inventory: Inventory;
  workloads: Map<string, VmWorkload>;
  verdicts: Verdict[];
  merge: MergeReport | null;
  /** summary lines for stderr */
  summary: string[];
}

export function readDumps(files: readonly TextFile[]): Dump {
  const dump = emptyDump();
  for (const f of files) readDumpText(f.text, f.source, dump);
  return dump;
}

export function readAllMetrics(files: readonly TextFile[] | undefined): MetricSet | null {
  if (!files || files.length === 0) return null;
  const set: MetricSet = new Map();
  for (const f of files) readMetrics(f.text, f.source, set);
  return set;
}

/** Builds inventory + workload, in memory (shared with calibrate). */
export function buildImport(input: ImportInput): { dump: Dump; inventory: Inventory; workloads: Map<string, VmWorkload>; metrics: MetricSet | null; dirtyRates: DirtyRateFile | null } {
  const dump = readDumps(input.dumps);
  if (dump.nodes.length === 0 && dump.vmis.length === 0) {
    const kinds = Object.keys(dump.counts).sort().join(', ');
    throw new ScenarioError(input.dumps.map((d) => d.source).join(', '), [
      { path: '', message: `no Node and no VirtualMachineInstance objects (found: ${kinds}); expected the output of kubectl get nodes,vmi,vm,pvc,kubevirt,migrationpolicies,vmim -A -o yaml` },
    ]);
  }
  const inventory = mapInventory(dump, {
    name: input.name ?? 'imported-cluster',
    ...(input.network !== undefined ? { network: input.network } : {}),
    ...(input.networkLabels !== undefined ? { networkLabels: input.networkLabels } : {}),
  });
  const metrics = readAllMetrics(input.metrics);
  const dirtyRates = input.dirtyRate ? readDirtyRateFile(input.dirtyRate.text, input.dirtyRate.source) : null;
  const vms = inventory.doc.spec['vms'] as Record<string, unknown>[];
  const workloads = assignWorkloads(
    { vms: vms.map((v) => ({ key: `${String(v['namespace'])}/${String(v['name'])}`, guestMemory: String(v['guestMemory'] ?? v['memory']) })), metrics, dirtyRates },
    (what, why) => inventory.notes.push({ what, why }),
  );
  vms.forEach((v, i) => {
    const w = workloads.get(`${String(v['namespace'])}/${String(v['name'])}`)!;
    v['workload'] = w.block;
    for (const [field, why] of Object.entries(w.why)) inventory.comments.push({ path: ['spec', 'vms', i, 'workload', field], text: ` ${why}` });
  });
  return { dump, inventory, workloads, metrics, dirtyRates };
}

export function importCluster(input: ImportInput): ImportResult {
  const { dump, inventory, workloads } = buildImport(input);
  const header = [
    ' Imported by migsim import. Inventory (nodes, VMs, KubeVirt configuration, policies) is what the',
    ' cluster said and is rewritten by a re-import; each VM\'s `workload:` block, node NIC bandwidths',
    ' (assumptions: not in the Kubernetes API), operations, faults, hypervisor and controlPlane are',
    ' the model, kept on re-import with -o onto this file.',
  ].join('\n');
  const doc = buildDocument(inventory.doc, inventory.comments, header);
  const merge = input.existing
    ? mergeExisting(doc, input.existing.text, input.existing.source, {
        keepNetwork: input.network === undefined && (input.networkLabels ?? []).length === 0,
        keepWorkload: !input.refreshWorkload,
      })
    : null;
  if (input.refreshWorkload && !input.existing) inventory.notes.push({ what: '--refresh-workload', why: 'no existing scenario file (-o) to refresh: nothing to do' });
  if (input.networkOverrides) applyNetworkOverrides(doc, input.networkOverrides);
  for (const o of input.controlPlaneOverrides ?? []) setWithComment(doc, ['spec', 'controlPlane', o.field], o.value, o.why);
  const yaml = toYaml(doc);
  const scenario = parseScenario(yaml, input.outputName ?? 'imported scenario', 'yaml');
  const verdicts = compareVerdicts(scenario, inventory.vmis);
  return { yaml, scenario, dump, inventory, workloads, verdicts, merge, summary: summarize(dump, inventory, workloads, verdicts, merge, scenario) };
}

function summarize(dump: Dump, inv: Inventory, workloads: Map<string, VmWorkload>, verdicts: Verdict[], merge: MergeReport | null, scenario: Scenario): string[] {
  const lines: string[] = [];
  const read = Object.entries(dump.counts).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n} ${k}`);
  lines.push(`read: ${read.join(', ') || 'nothing'}`);
  lines.push(`wrote: ${scenario.nodes.length} nodes, ${scenario.vms.length} VMs, ${scenario.migrationPolicies.length} MigrationPolicies, KubeVirt v${scenario.kubevirt.version.major}.${scenario.kubevirt.version.minor}`);
  const sources = ['measured', 'qemu', 'namespace', 'cluster', 'default'] as const;
  const counted = sources.map((s) => [s, [...workloads.values()].filter((w) => w.dirtySource === s).length] as const).filter(([, n]) => n > 0);
  if (workloads.size > 0) lines.push(`dirty rates: ${counted.map(([s, n]) => `${n} ${s}`).join(', ')}`);
  const nets = new Map<string, number>();
  for (const n of inv.nodeNetwork.values()) nets.set(`${n.rate} (${n.from})`, (nets.get(`${n.rate} (${n.from})`) ?? 0) + 1);
  if (nets.size > 0) lines.push(`NIC bandwidth, an assumption to review: ${[...nets].map(([k, n]) => `${n} nodes ${k}`).join(', ')}`);
  if (merge) lines.push(`kept from the existing file: ${merge.keptWorkloads} workload blocks, ${merge.keptNodeAssumptions} nodes' NIC assumptions, sections ${merge.keptSections.join(', ') || '(none)'}`);
  for (const s of dump.skipped) lines.push(`skipped: ${s.what}: ${s.why}`);
  for (const n of inv.notes) lines.push(`note: ${n.what}: ${n.why}`);
  for (const v of verdicts) if (v.disagreement) lines.push(`warning: VMI ${v.vmi}: ${v.disagreement}`);
  for (const w of scenario.warnings) lines.push(`warning: ${w}`);
  return lines;
}
