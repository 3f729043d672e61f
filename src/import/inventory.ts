// Inventory mapping: the cluster's own objects → the raw scenario document (docs/scenario.md), plus
// the notes the summary prints. Field by field from the KubeVirt API types
// (staging/src/kubevirt.io/api/core/v1/types.go, schema.go) and core/v1 Node and PVC.
// What the API does not say (NIC bandwidth) comes from the options and is marked as an assumption.

import type { Dump } from './kube.js';
import { arr, get, isObject, objectName, quantity, str } from './kube.js';
import { mapVmi } from './vmi.js';
import { safeMap } from './secrets.js';
import { parseKubeVirtVersion } from '../scenario/units.js';

export interface NetworkLabelRule {
  key: string;
  value: string;
  rate: string;
}

export interface InventoryOptions {
  name: string;
  /** link rate for every node (`--network`) */
  network?: string;
  /** per-label link rates (`--network-label`), first match wins */
  networkLabels?: NetworkLabelRule[];
}

/** A YAML comment to attach to a path of the written document. */
export interface PathComment {
  path: (string | number)[];
  text: string;
  /** on its own line(s) before the entry, instead of at the end of the line */
  before?: boolean;
}

export interface VmiFacts {
  key: string;
  node: string | null;
  /** the cluster's LiveMigratable condition; null when the VMI has none */
  condition: { status: boolean; reason: string | null; message: string | null } | null;
  migrationMethod: string | null;
}

export interface Inventory {
  /** the scenario document, ready to be dumped */
  doc: { apiVersion: string; kind: string; metadata: { name: string; description?: string }; spec: Record<string, unknown> };
  comments: PathComment[];
  notes: { what: string; why: string }[];
  vmis: VmiFacts[];
  /** index in spec.vms of each VMI key */
  vmIndex: Map<string, number>;
  /** link rate written for each node, and where it came from */
  nodeNetwork: Map<string, { rate: string; from: string }>;
}

/** Default when neither --network nor a matching --network-label says anything. */
export const DEFAULT_NETWORK = '10Gbit';


/** KubeVirt's MigrationConfiguration fields (all accepted by the scenario loader). */
const MIGRATION_FIELDS = [
  'parallelMigrationsPerCluster',
  'parallelOutboundMigrationsPerNode',
  'bandwidthPerMigration',
  'completionTimeoutPerGiB',
  'progressTimeout',
  'allowAutoConverge',
  'allowPostCopy',
  'allowWorkloadDisruption',
  'unsafeMigrationOverride',
  'disableTLS',
  'network',
  'nodeDrainTaintKey',
  'maxDowntimeMs',
  'utilityVolumesTimeout',
  'matchSELinuxLevelOnMigration',
  'experimental',
];
const POLICY_FIELDS = ['allowAutoConverge', 'bandwidthPerMigration', 'completionTimeoutPerGiB', 'allowPostCopy', 'allowWorkloadDisruption', 'maxDowntimeMs', 'experimental'];

export function mapInventory(dump: Dump, opts: InventoryOptions): Inventory {
  const notes: Inventory['notes'] = [];
  const comments: PathComment[] = [];
  const note = (what: string, why: string): void => void notes.push({ what, why });
  const spec: Record<string, unknown> = {};

  // --- the KubeVirt CR ---------------------------------------------------------------------------
  const kv = dump.kubevirts[0];
  if (dump.kubevirts.length > 1) dump.kubevirts.slice(1).forEach((k) => note(`KubeVirt ${objectName(k)}`, `only one KubeVirt CR is used (${objectName(kv!)})`));
  const kvConfig = get(kv, 'spec', 'configuration');
  const mediated = new Set(arr(get(kvConfig, 'permittedHostDevices', 'mediatedDevices')).map((d) => str(get(d, 'resourceName'))).filter((x): x is string => !!x));
  const bindings = get(kvConfig, 'network', 'binding');
  const cpuAllocationRatio = Number(get(kvConfig, 'developerConfiguration', 'cpuAllocationRatio') ?? 10) || 10;
  const clusterCpuModel = str(get(kvConfig, 'cpuModel'));
  if (kv) {
    const kubevirt: Record<string, unknown> = {};
    const observed = str(get(kv, 'status', 'observedKubeVirtVersion'));
    if (observed) {
      try {
        const v = parseKubeVirtVersion(observed);
        kubevirt['version'] = `v${v.major}.${v.minor}`;
      } catch {
        note(`KubeVirt ${objectName(kv)} status.observedKubeVirtVersion`, `"${observed}" is not a version; the default is used`);
      }
    } else note(`KubeVirt ${objectName(kv)}`, 'no status.observedKubeVirtVersion; the default version is used');
    const configuration: Record<string, unknown> = {};
    const migrations = get(kvConfig, 'migrations');
    if (isObject(migrations)) {
      const m: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(migrations)) {
        if (MIGRATION_FIELDS.includes(k)) m[k] = v;
        else note(`KubeVirt spec.configuration.migrations.${k}`, 'not a MigrationConfiguration field migsim knows');
      }
      configuration['migrations'] = m;
    }
    const eviction = str(get(kvConfig, 'evictionStrategy'));
    if (eviction) configuration['evictionStrategy'] = eviction;
    const dev: Record<string, unknown> = {};
    const gates = arr(get(kvConfig, 'developerConfiguration', 'featureGates')).filter((g): g is string => typeof g === 'string');
    if (gates.length > 0) dev['featureGates'] = gates;
    const selectors = get(kvConfig, 'developerConfiguration', 'nodeSelectors');
    if (isObject(selectors) && Object.keys(selectors).length > 0) dev['nodeSelectors'] = selectors;
    if (Object.keys(dev).length > 0) configuration['developerConfiguration'] = dev;
    if (Object.keys(configuration).length > 0) kubevirt['configuration'] = configuration;
    spec['kubevirt'] = kubevirt;
    const ignored = Object.keys(isObject(kvConfig) ? kvConfig : {}).filter((k) => !['migrations', 'evictionStrategy', 'developerConfiguration', 'permittedHostDevices', 'network', 'cpuModel'].includes(k));
    if (ignored.length > 0) note(`KubeVirt spec.configuration`, `not modelled: ${ignored.join(', ')}`);
  } else note('KubeVirt CR', 'none in the dump: the default configuration of the default version is used');

  // --- nodes -------------------------------------------------------------------------------------
  const nodeNetwork = new Map<string, { rate: string; from: string }>();
  const nodes = dump.nodes.map((n, i) => {
    const name = n.metadata?.name ?? `node-${i}`;
    const labels = safeMap(n.metadata?.labels, (k, why) => note(`Node ${name} label ${k}`, `not copied: ${why}`));
    const rule = opts.networkLabels?.find((r) => labels[r.key] === r.value);
    const rate = rule?.rate ?? opts.network ?? DEFAULT_NETWORK;
    const from = rule ? `--network-label ${rule.key}=${rule.value}` : opts.network ? '--network' : 'no --network given: migsim default';
    nodeNetwork.set(name, { rate, from });
    const entry: Record<string, unknown> = { name };
    const cpu = quantity(get(n, 'status', 'allocatable', 'cpu'));
    const memory = quantity(get(n, 'status', 'allocatable', 'memory'));
    if (cpu) entry['cpu'] = cpu;
    else note(`Node ${name}`, 'no status.allocatable.cpu: migsim default used');
    if (memory) entry['memory'] = memory;
    else note(`Node ${name}`, 'no status.allocatable.memory: migsim default used');
    entry['network'] = rate;
    comments.push({ path: ['spec', 'nodes', i, 'network'], text: ` assumption to review: NIC bandwidth is not in the API (${from})` });
    // The real node's labels, as they are: no synthetic CPU-model labels on top.
    entry['cpuModel'] = null;
    entry['labels'] = labels;
    const taints = arr(get(n, 'spec', 'taints')).filter(isObject).map((t) => ({ key: t['key'], value: t['value'] ?? '', effect: t['effect'] }));
    if (taints.length > 0) entry['taints'] = taints;
    if (get(n, 'spec', 'unschedulable') === true) entry['unschedulable'] = true;
    return entry;
  });
  spec['nodes'] = nodes;
  if (nodes.length > 0) comments.push({ path: ['spec', 'nodes'], text: ' inventory: from the cluster (labels, allocatable, taints as the API reports them)', before: true });
  if (nodes.some((n) => Object.keys(n['labels'] as object).some((k) => k.startsWith('harvesterhci.io/')))) {
    spec['profile'] = 'harvester';
    note('profile', 'harvester: the nodes carry harvesterhci.io labels');
  }

  // --- namespaces ---------------------------------------------------------------------------------
  const namespaces: Record<string, { labels: Record<string, string> }> = {};
  for (const ns of dump.namespaces) {
    const name = ns.metadata?.name;
    if (!name) continue;
    const labels = safeMap(ns.metadata?.labels, (k, why) => note(`Namespace ${name} label ${k}`, `not copied: ${why}`));
    delete labels['kubernetes.io/metadata.name']; // migsim adds it to every namespace
    if (Object.keys(labels).length > 0) namespaces[name] = { labels };
  }
  if (Object.keys(namespaces).length > 0) spec['namespaces'] = namespaces;

  // --- VMIs ---------------------------------------------------------------------------------------
  const pvcs = new Map(dump.pvcs.map((p) => [`${p.metadata?.namespace ?? 'default'}/${p.metadata?.name}`, p]));
  const nodeNames = new Set(nodes.map((n) => n['name'] as string));
  const vmis: VmiFacts[] = [];
  const vmIndex = new Map<string, number>();
  const vms: Record<string, unknown>[] = [];
  for (const vmi of dump.vmis) {
    const key = `${vmi.metadata?.namespace ?? 'default'}/${vmi.metadata?.name}`;
    const phase = str(get(vmi, 'status', 'phase'));
    if (phase && phase !== 'Running') {
      note(`VirtualMachineInstance ${key}`, `skipped: phase ${phase} (only running VMIs are placed)`);
      continue;
    }
    const entry = mapVmi(vmi, key, { pvcs, mediated, bindings, cpuAllocationRatio, clusterCpuModel, nodeNames }, note);
    if (!entry) continue;
    vmIndex.set(key, vms.length);
    vms.push(entry);
    const cond = arr(get(vmi, 'status', 'conditions')).find((c) => get(c, 'type') === 'LiveMigratable');
    vmis.push({
      key,
      node: (entry['node'] as string | null) ?? null,
      condition: cond ? { status: get(cond, 'status') === 'True', reason: str(get(cond, 'reason')) ?? null, message: str(get(cond, 'message')) ?? null } : null,
      migrationMethod: str(get(vmi, 'status', 'migrationMethod')) ?? null,
    });
  }
  spec['vms'] = vms;
  if (vms.length > 0) comments.push({ path: ['spec', 'vms'], text: ' inventory: from the VMIs; each `workload:` block is the model (kept on re-import)', before: true });

  // VirtualMachines without a running VMI: stopped, nothing to migrate.
  const running = new Set(dump.vmis.map((v) => `${v.metadata?.namespace ?? 'default'}/${v.metadata?.name}`));
  for (const vm of dump.vms) {
    const key = `${vm.metadata?.namespace ?? 'default'}/${vm.metadata?.name}`;
    if (!running.has(key)) note(`VirtualMachine ${key}`, 'skipped: no running VMI');
  }

  // --- MigrationPolicies, unchanged ------------------------------------------------------------------
  const policies = dump.policies.map((p) => {
    const name = p.metadata?.name ?? '(unnamed)';
    const pspec: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(isObject(p['spec']) ? p['spec'] : {})) {
      if (k === 'selectors' || POLICY_FIELDS.includes(k)) pspec[k] = v;
      else note(`MigrationPolicy ${name} spec.${k}`, 'not a MigrationPolicy field migsim knows');
    }
    const labels = safeMap(p.metadata?.labels, (k, why) => note(`MigrationPolicy ${name} label ${k}`, `not copied: ${why}`));
    return { apiVersion: 'migrations.kubevirt.io/v1alpha1', kind: 'MigrationPolicy', metadata: { name, ...(Object.keys(labels).length ? { labels } : {}) }, spec: pspec };
  });
  if (policies.length > 0) spec['migrationPolicies'] = policies;

  for (const m of dump.migrations) {
    const phase = str(get(m, 'status', 'phase'));
    const final = phase === 'Succeeded' || phase === 'Failed';
    note(`VirtualMachineInstanceMigration ${objectName(m)}`, final ? `history (${phase}): not an operation; migsim calibrate replays it` : `in flight (${phase ?? 'no phase'}): not replayed`);
  }

  return {
    doc: { apiVersion: 'migsim/v1alpha1', kind: 'Scenario', metadata: { name: opts.name, description: 'imported by migsim import' }, spec },
    comments,
    notes,
    vmis,
    vmIndex,
    nodeNetwork,
  };
}
