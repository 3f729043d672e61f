// Inventory mapping: the cluster's own objects → the raw scenario document (docs/scenario.md), plus
// the notes the summary prints. Field by field from the KubeVirt API types
// (staging/src/kubevirt.io/api/core/v1/types.go, schema.go) and core/v1 Node and PVC.
// What the API does not say (NIC bandwidth) comes from the options and is marked as an assumption.

import type { Dump, KubeObject } from './kube.js';
import { isObject, objectName } from './kube.js';
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

const get = (o: unknown, ...path: string[]): unknown => {
  let cur = o;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const quantity = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

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
const VOLUME_SOURCES = [
  'persistentVolumeClaim',
  'dataVolume',
  'containerDisk',
  'cloudInitNoCloud',
  'cloudInitConfigDrive',
  'configMap',
  'secret',
  'serviceAccount',
  'downwardAPI',
  'emptyDisk',
  'ephemeral',
  'hostDisk',
] as const;

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

interface VmiContext {
  pvcs: Map<string, KubeObject>;
  mediated: Set<string>;
  bindings: unknown;
  cpuAllocationRatio: number;
  clusterCpuModel: string | undefined;
  nodeNames: Set<string>;
}

/** One VMI → one `spec.vms[]` entry (inventory only; the workload block is added later). */
function mapVmi(vmi: KubeObject, key: string, c: VmiContext, note: (what: string, why: string) => void): Record<string, unknown> | null {
  const what = `VirtualMachineInstance ${key}`;
  const [namespace, name] = key.split('/') as [string, string];
  const s = vmi['spec'];
  const domain = get(s, 'domain');
  const entry: Record<string, unknown> = { name, namespace };
  const node = str(get(vmi, 'status', 'nodeName'));
  if (node && c.nodeNames.has(node)) entry['node'] = node;
  else if (node) note(what, `runs on node ${node}, which is not in the dump: placed by the scheduler`);

  // CPU request: given, or what virt-controller asks for the launcher pod (vCPUs / cpuAllocationRatio,
  // all vCPUs with dedicated placement): pkg/virt-controller/services/renderresources.go.
  const vcpus = ['sockets', 'cores', 'threads'].reduce((a, k) => a * (Number(get(domain, 'cpu', k)) || 1), 1);
  const dedicated = get(domain, 'cpu', 'dedicatedCpuPlacement') === true;
  const cpuRequest = quantity(get(domain, 'resources', 'requests', 'cpu'));
  entry['cpu'] = cpuRequest ?? (dedicated ? String(vcpus) : `${Math.ceil((vcpus * 1000) / c.cpuAllocationRatio)}m`);
  const cpuLimit = quantity(get(domain, 'resources', 'limits', 'cpu'));
  if (cpuLimit) entry['cpuLimit'] = cpuLimit;
  if (dedicated) entry['dedicatedCpus'] = true;

  const memRequest = quantity(get(domain, 'resources', 'requests', 'memory'));
  const guest = quantity(get(domain, 'memory', 'guest')) ?? quantity(get(vmi, 'status', 'memory', 'guestAtBoot'));
  if (!memRequest && !guest) {
    note(what, 'skipped: neither a memory request nor memory.guest');
    return null;
  }
  entry['memory'] = memRequest ?? guest;
  if (guest && guest !== entry['memory']) entry['guestMemory'] = guest;

  const labels = safeMap(vmi.metadata?.labels, (k, why) => note(`${what} label ${k}`, `not copied: ${why}`));
  if (Object.keys(labels).length > 0) entry['labels'] = labels;
  const annotations = safeMap(vmi.metadata?.annotations, (k, why) => note(`${what} annotation ${k}`, `not copied: ${why}`));
  if (Object.keys(annotations).length > 0) entry['annotations'] = annotations;
  const nodeSelector = get(s, 'nodeSelector');
  if (isObject(nodeSelector) && Object.keys(nodeSelector).length > 0) entry['nodeSelector'] = nodeSelector;

  // Required node affinity is modelled; preferred terms and pod (anti-)affinity are not.
  const affinity = get(s, 'affinity');
  if (isObject(affinity)) {
    const terms = arr(get(affinity, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms'));
    const usable = terms.filter((t) => arr(get(t, 'matchExpressions')).length > 0).map((t) => ({ matchExpressions: arr(get(t, 'matchExpressions')) }));
    if (usable.length > 0) entry['affinity'] = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: usable } } };
    if (terms.some((t) => arr(get(t, 'matchFields')).length > 0)) note(`${what} affinity`, 'matchFields terms not modelled');
    const other = Object.keys(affinity).filter((k) => k !== 'nodeAffinity');
    if (get(affinity, 'nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution')) other.push('nodeAffinity.preferred…');
    if (other.length > 0) note(`${what} affinity`, `not modelled: ${other.join(', ')}`);
  }
  const tolerations = arr(get(s, 'tolerations')).filter(isObject).map((t) => {
    const out: Record<string, unknown> = {};
    if (t['key'] !== undefined) out['key'] = t['key'];
    if (t['operator'] !== undefined) out['operator'] = t['operator'];
    if (t['value'] !== undefined && t['operator'] !== 'Exists') out['value'] = t['value'];
    if (t['effect'] !== undefined && t['effect'] !== '') out['effect'] = t['effect'];
    if (t['tolerationSeconds'] !== undefined) note(`${what} toleration ${String(t['key'])}`, 'tolerationSeconds not modelled');
    return out;
  });
  if (tolerations.length > 0) entry['tolerations'] = tolerations;

  // CPU model: the VMI's, else the cluster default (spec.configuration.cpuModel), else host-model.
  const model = str(get(domain, 'cpu', 'model')) ?? c.clusterCpuModel ?? 'host-model';
  entry['cpuModel'] = model;
  const features = arr(get(domain, 'cpu', 'features'))
    .filter((f) => { const p = get(f, 'policy'); return p === undefined || p === 'require'; })
    .map((f) => str(get(f, 'name')))
    .filter((x): x is string => !!x);
  if (features.length > 0) entry['cpuFeatures'] = features;

  entry['volumes'] = mapVolumes(vmi, namespace, c, what, note);

  const devices = get(domain, 'devices');
  const hostDevices = arr(get(devices, 'hostDevices')).length;
  if (hostDevices > 0) entry['hostDevices'] = hostDevices;
  const gpus = arr(get(devices, 'gpus')).map((g) => ({ name: str(get(g, 'name')) ?? 'gpu', mediated: c.mediated.has(str(get(g, 'deviceName')) ?? '') }));
  if (gpus.length > 0) entry['gpus'] = gpus;

  // Interfaces: the one on the pod network gives the binding; SR-IOV ones are counted.
  const networks = arr(get(s, 'networks'));
  const interfaces = arr(get(devices, 'interfaces'));
  const podNet = networks.find((n) => isObject(get(n, 'pod')));
  const sriov = interfaces.filter((i) => isObject(get(i, 'sriov')) && get(i, 'name') !== get(podNet, 'name')).length;
  if (sriov > 0) entry['sriovInterfaces'] = sriov;
  if (!podNet) entry['podNetwork'] = 'none';
  else {
    const iface = interfaces.find((i) => get(i, 'name') === get(podNet, 'name'));
    const binding = ['masquerade', 'bridge', 'passt', 'sriov'].find((b) => isObject(get(iface, b)));
    const plugin = str(get(iface, 'binding', 'name'));
    if (plugin) entry['podNetwork'] = { plugin, migration: isObject(get(c.bindings, plugin, 'migration')) };
    else if (binding) entry['podNetwork'] = binding;
    else if (iface) note(`${what} interface ${String(get(iface, 'name'))}`, 'binding not recognised: masquerade assumed');
    // no interface for the pod network: the webhook would have added one; masquerade (the default) it is
  }

  if (get(domain, 'launchSecurity') !== undefined) entry['secureExecution'] = true;
  if (get(domain, 'features', 'hypervPassthrough', 'enabled') === true) entry['hypervPassthrough'] = true;
  const eviction = str(get(s, 'evictionStrategy'));
  if (eviction) entry['evictionStrategy'] = eviction;
  return entry;
}

function mapVolumes(vmi: KubeObject, namespace: string, c: VmiContext, what: string, note: (what: string, why: string) => void): Record<string, unknown>[] {
  const devices = get(vmi, 'spec', 'domain', 'devices');
  const disks = new Map(arr(get(devices, 'disks')).map((d) => [str(get(d, 'name')), d]));
  const filesystems = new Set(arr(get(devices, 'filesystems')).map((f) => str(get(f, 'name'))));
  const out: Record<string, unknown>[] = [];
  for (const v of arr(get(vmi, 'spec', 'volumes'))) {
    const name = str(get(v, 'name'));
    if (!name || !isObject(v)) continue;
    const type = VOLUME_SOURCES.find((t) => v[t] !== undefined);
    if (!type) {
      const kinds = Object.keys(v).filter((k) => k !== 'name');
      note(`${what} volume ${name}`, `skipped: volume source ${kinds.join(', ') || '(none)'} not modelled`);
      continue;
    }
    // only the kind of volume is kept: never its content (cloud-init user data, secret names' data)
    const vol: Record<string, unknown> = { name, type };
    const disk = disks.get(name);
    if (filesystems.has(name)) vol['attachment'] = 'filesystem';
    else if (disk) {
      const att = ['cdrom', 'lun', 'disk'].find((a) => isObject(get(disk, a)));
      if (att && att !== 'disk') vol['attachment'] = att;
      // a CD-ROM is read-only unless it says otherwise (KubeVirt's defaulting webhook)
      const ro = att === 'cdrom' ? get(disk, 'cdrom', 'readonly') !== false : get(disk, att ?? 'disk', 'readonly') === true;
      if (ro) vol['readOnly'] = true;
    }
    if (type === 'persistentVolumeClaim' || type === 'dataVolume') {
      const claim = type === 'persistentVolumeClaim' ? str(get(v, 'persistentVolumeClaim', 'claimName')) : str(get(v, 'dataVolume', 'name'));
      const pvc = c.pvcs.get(`${namespace}/${claim}`);
      if (!pvc) note(`${what} volume ${name}`, `PVC ${namespace}/${claim} not in the dump: ReadWriteOnce and 10Gi assumed`);
      else {
        const modes = arr(get(pvc, 'status', 'accessModes')).length > 0 ? arr(get(pvc, 'status', 'accessModes')) : arr(get(pvc, 'spec', 'accessModes'));
        if (modes.length > 0) vol['accessModes'] = modes;
        const size = quantity(get(pvc, 'status', 'capacity', 'storage')) ?? quantity(get(pvc, 'spec', 'resources', 'requests', 'storage'));
        if (size) vol['size'] = size;
      }
    } else if (type === 'emptyDisk') {
      vol['size'] = quantity(get(v, 'emptyDisk', 'capacity')) ?? '1Gi';
    } else if (type === 'hostDisk') {
      const cap = quantity(get(v, 'hostDisk', 'capacity'));
      if (cap) vol['size'] = cap;
      if (get(v, 'hostDisk', 'shared') === true) vol['shared'] = true;
    }
    out.push(vol);
  }
  return out;
}

