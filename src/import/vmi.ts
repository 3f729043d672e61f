// One VirtualMachineInstance → one `spec.vms[]` entry (inventory only; the workload block is added
// by workload.ts). Field by field from KubeVirt's VirtualMachineInstanceSpec
// (staging/src/kubevirt.io/api/core/v1/schema.go); volumes joined with their PVCs.

import type { KubeObject } from './kube.js';
import { arr, get, isObject, quantity, str } from './kube.js';
import { safeMap } from './secrets.js';
import { VOLUME_TYPES } from '../scenario/schema-vm.js';

/** The volume sources the scenario format knows (KubeVirt's v1.VolumeSource fields). */
const VOLUME_SOURCES = VOLUME_TYPES;

export interface VmiContext {
  pvcs: Map<string, KubeObject>;
  mediated: Set<string>;
  bindings: unknown;
  cpuAllocationRatio: number;
  clusterCpuModel: string | undefined;
  nodeNames: Set<string>;
}

/** One VMI → one `spec.vms[]` entry, or null (and a note) when it cannot be. */
export function mapVmi(vmi: KubeObject, key: string, c: VmiContext, note: (what: string, why: string) => void): Record<string, unknown> | null {
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

