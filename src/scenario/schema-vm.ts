// The `spec.vms[]` entry: one pool of identical VMs (a VirtualMachineInstance spec reduced to
// what migration depends on). Everything that depends only on the entry itself (guest memory,
// used memory, the dirty model) is resolved here; names and references are resolved in build.ts.

import * as z from 'zod';
import type { CpuModel, DirtyModelSpec, NodeSelectorRequirement, VmSpec, VolumeSpec, VolumeType } from './types.js';
import { VM_DEFAULTS, VOLUME_SIZE_DEFAULTS } from './defaults.js';
import {
  addIssue,
  byShape,
  byteRate,
  closedFraction,
  count,
  cpu,
  duration,
  evictionStrategy,
  fraction,
  isPlainObject,
  labels,
  nonEmptyString,
  positiveSize,
  size,
  timeline,
} from './fields.js';
import { formatBytes, formatDuration } from './units.js';

// --- volumes -------------------------------------------------------------------------------------

export const VOLUME_TYPES = [
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
] as const satisfies readonly VolumeType[];

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;

const VolumeSchema = z
  .strictObject({
    name: nonEmptyString(),
    type: z.enum(VOLUME_TYPES),
    accessModes: z.array(z.enum(ACCESS_MODES)).optional(),
    size: size().optional(),
    // emptyDisk's own field name in KubeVirt
    capacity: size().optional(),
    attachment: z.enum(['disk', 'cdrom', 'lun', 'filesystem']).default('disk'),
    readOnly: z.boolean().default(false),
    shared: z.boolean().default(false),
    // a claim bound to a local PersistentVolume (node affinity to one node)
    local: z.boolean().default(false),
  })
  .transform((v, ctx): VolumeSpec => {
    if (v.size !== undefined && v.capacity !== undefined) addIssue(ctx, ['capacity'], 'give size or capacity, not both');
    const bytes = v.size ?? v.capacity ?? VOLUME_SIZE_DEFAULTS[v.type];
    if (bytes === null) {
      addIssue(ctx, ['size'], `required field is missing; an ${v.type} volume needs a size such as 10Gi (or capacity)`);
      return z.NEVER;
    }
    const claim = v.type === 'persistentVolumeClaim' || v.type === 'dataVolume';
    if (v.local && !claim) addIssue(ctx, ['local'], `only a persistentVolumeClaim or dataVolume can be a local PV (a ${v.type} volume cannot)`);
    if (v.local && v.accessModes?.includes('ReadWriteMany')) addIssue(ctx, ['local'], 'a local PV lives on one node: it cannot be ReadWriteMany');
    return {
      name: v.name,
      type: v.type,
      accessModes: v.accessModes ?? (claim ? ['ReadWriteOnce'] : []),
      shared: v.shared,
      attachment: v.attachment,
      readOnly: v.readOnly,
      size: bytes,
      ...(v.local ? { local: true } : {}),
    };
  });

// --- dirty memory -----------------------------------------------------------------------------------

type DirtyRate = { kind: 'constant'; rate: number } | { kind: 'phases'; phases: { at: number; rate: number }[] };

function startAtZero<T extends { at: number }>(items: T[], zero: T): T[] {
  return items.length > 0 && items[0]!.at === 0 ? items : [zero, ...items];
}

const dirtyRatePhases = z
  .array(z.strictObject({ at: duration(), dirtyRate: byteRate() }))
  .min(1)
  .transform((items, ctx): DirtyRate => {
    const phases = timeline(items, ctx).map((p) => ({ at: p.at, rate: p.dirtyRate }));
    // before the first phase the guest dirties nothing
    return { kind: 'phases', phases: startAtZero(phases, { at: 0, rate: 0 }) };
  });

// built once: constructing zod schemas per value dominated loading 30,000 VMs
const constantDirtyRate = byteRate().transform((rate): DirtyRate => ({ kind: 'constant', rate }));

const dirtyRateSchema = byShape<DirtyRate>('a byte rate such as 200Mi, or a list of {at, dirtyRate}', (raw) => {
  if (Array.isArray(raw)) return dirtyRatePhases;
  if (typeof raw === 'string' || typeof raw === 'number') return constantDirtyRate;
  return undefined;
});

/** A dirty-set growth curve before it is scaled to the VM: bytes, or fractions of guest memory. */
type CurveInput =
  | { kind: 'points'; points: { t: number; bytes: number }[] }
  | { kind: 'sampled'; points: { t: number; fraction: number }[]; zeroFraction: number | null };

/** Sorts by window length; rejects equal windows and a dirty set that shrinks as the window grows. */
function monotonic<T extends { t: number; v: number; index: number }>(
  items: T[],
  ctx: z.RefinementCtx,
  tPath: (i: number) => (string | number)[],
  vPath: (i: number) => (string | number)[],
  show: (v: number) => string,
): T[] {
  const sorted = [...items].sort((a, b) => a.t - b.t);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!;
    const cur = sorted[k]!;
    if (cur.t === prev.t) addIssue(ctx, tPath(cur.index), `two samples for the same window (also entry ${prev.index})`);
    else if (cur.v < prev.v) {
      addIssue(ctx, vPath(cur.index), `the dirty set must not shrink as the window grows: ${show(prev.v)} at ${formatDuration(prev.t)}, then ${show(cur.v)} at ${formatDuration(cur.t)}`);
    }
  }
  return sorted;
}

const curvePoints = z
  .strictObject({ points: z.array(z.strictObject({ t: duration(), bytes: size() })).min(1) })
  .transform((c, ctx): CurveInput => {
    const items = c.points.map((p, index) => ({ t: p.t, v: p.bytes, index }));
    const sorted = monotonic(items, ctx, (i) => ['points', i, 't'], (i) => ['points', i, 'bytes'], formatBytes);
    return { kind: 'points', points: sorted.map((p) => ({ t: p.t, bytes: p.v })) };
  });

// QEMU calc-dirty-rate page sampling, as in predict_migration.py: pages sampled from the guest,
// how many were zero, and how many of them were dirtied within each window (ms).
const curveSampled = z
  .strictObject({
    pageSize: z.number().int().min(1).default(4096),
    sampledPages: z.number().int().min(1),
    zeroPages: count().optional(),
    periods: z.array(z.number().positive()).min(1),
    dirtyPages: z.array(count()).min(1),
  })
  .transform((s, ctx): CurveInput => {
    if (s.periods.length !== s.dirtyPages.length) {
      addIssue(ctx, ['dirtyPages'], `expected ${s.periods.length} entries (one per period), got ${s.dirtyPages.length}`);
    }
    if (s.zeroPages !== undefined && s.zeroPages > s.sampledPages) {
      addIssue(ctx, ['zeroPages'], `expected at most sampledPages (${s.sampledPages}), got ${s.zeroPages}`);
    }
    s.dirtyPages.forEach((d, i) => {
      if (d > s.sampledPages) addIssue(ctx, ['dirtyPages', i], `expected at most sampledPages (${s.sampledPages}), got ${d}`);
    });
    const n = Math.min(s.periods.length, s.dirtyPages.length);
    const items = Array.from({ length: n }, (_, index) => ({ t: s.periods[index]! / 1000, v: s.dirtyPages[index]!, index }));
    const sorted = monotonic(items, ctx, (i) => ['periods', i], (i) => ['dirtyPages', i], (v) => `${v} pages`);
    return {
      kind: 'sampled',
      points: sorted.map((p) => ({ t: p.t, fraction: p.v / s.sampledPages })),
      zeroFraction: s.zeroPages === undefined ? null : s.zeroPages / s.sampledPages,
    };
  });

const dirtyCurveSchema = byShape<CurveInput>(
  '{points: [{t, bytes}, …]} or QEMU calc-dirty-rate samples {sampledPages, zeroPages, periods, dirtyPages}',
  (raw) => {
    if (!isPlainObject(raw)) return undefined;
    if ('points' in raw) return curvePoints;
    if (['sampledPages', 'zeroPages', 'periods', 'dirtyPages', 'pageSize'].some((k) => k in raw)) return curveSampled;
    return undefined;
  },
);

// --- scheduling ------------------------------------------------------------------------------------

const requirementSchema = z
  .strictObject({
    key: nonEmptyString(),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
    values: z.array(z.string()).default(() => []),
  })
  .transform((r, ctx): NodeSelectorRequirement => {
    // the rules of the Kubernetes API server's validation of NodeSelectorRequirement
    const n = r.values.length;
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) addIssue(ctx, ['values'], `expected at least 1 value for operator ${r.operator}`);
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) addIssue(ctx, ['values'], `expected no values for operator ${r.operator}`);
    if ((r.operator === 'Gt' || r.operator === 'Lt') && (n !== 1 || !/^-?\d+$/.test(r.values[0]!))) {
      addIssue(ctx, ['values'], `expected exactly one integer value for operator ${r.operator}`);
    }
    return { key: r.key, operator: r.operator, values: r.values };
  });

const affinitySchema = z
  .strictObject({
    nodeAffinity: z
      .strictObject({
        requiredDuringSchedulingIgnoredDuringExecution: z
          .strictObject({
            // an empty term matches no node in Kubernetes, so it cannot be what the user meant
            nodeSelectorTerms: z.array(z.strictObject({ matchExpressions: z.array(requirementSchema).min(1) })).min(1),
          })
          .optional(),
      })
      .optional(),
  })
  .transform((a) => a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.map((t) => t.matchExpressions) ?? []);

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

const tolerationSchema = z
  .strictObject({
    key: z.string().default(''),
    operator: z.enum(['Exists', 'Equal']).default('Equal'),
    value: z.string().default(''),
    effect: z.enum(TAINT_EFFECTS).nullable().default(null),
  })
  .transform((t, ctx): VmSpec['tolerations'][number] => {
    if (t.operator === 'Exists' && t.value !== '') addIssue(ctx, ['value'], 'expected no value with operator Exists');
    if (t.key === '' && t.operator !== 'Exists') addIssue(ctx, ['operator'], 'expected Exists when the key is empty (a toleration without key tolerates every taint)');
    return t;
  });

const cpuModelSchema = nonEmptyString().transform((m): CpuModel =>
  m === 'host-model' ? { kind: 'host-model' } : m === 'host-passthrough' ? { kind: 'host-passthrough' } : { kind: 'named', model: m },
);

type PodNetwork = { binding: VmSpec['podNetworkBinding']; pluginMigratable: boolean };
const BINDINGS = ['masquerade', 'bridge', 'passt', 'sriov', 'none'] as const;

const POD_NETWORK_SHAPES = {
  none: z.null().transform((): PodNetwork => ({ binding: null, pluginMigratable: false })),
  binding: z.enum(BINDINGS).transform((b): PodNetwork => ({ binding: b === 'none' ? null : b, pluginMigratable: false })),
  plugin: z
    .strictObject({ plugin: nonEmptyString(), migration: z.boolean().default(false) })
    .transform((p): PodNetwork => ({ binding: 'plugin', pluginMigratable: p.migration })),
};

const podNetworkSchema = byShape<PodNetwork>(`${BINDINGS.join(', ')}, or {plugin: name, migration: true}`, (raw) => {
  if (raw === null) return POD_NETWORK_SHAPES.none;
  if (typeof raw === 'string') return POD_NETWORK_SHAPES.binding;
  if (isPlainObject(raw)) return POD_NETWORK_SHAPES.plugin;
  return undefined;
});

// --- the workload block ----------------------------------------------------------------------------

/**
 * `workload:` groups the figures that are a model of the guest (what we assume), as opposed to the
 * inventory (what the cluster says). Same fields and meaning as at the top level of the entry;
 * `migsim import` writes them here so that a re-import can keep them.
 */
const WorkloadSchema = z.strictObject({
  usedMemory: size().optional(),
  zeroFraction: fraction().optional(),
  dirtyRate: dirtyRateSchema.optional(),
  workingSet: size().optional(),
  dirtyCurve: dirtyCurveSchema.optional(),
  throttleSensitivity: closedFraction().optional(),
});

const WORKLOAD_FIELDS = ['usedMemory', 'zeroFraction', 'dirtyRate', 'workingSet', 'dirtyCurve', 'throttleSensitivity'] as const;

// --- the VM pool -------------------------------------------------------------------------------------

/** A `spec.vms[]` entry, resolved except for its expansion into named VMs. */
export type VmPool = Omit<VmSpec, 'name' | 'key' | 'pool'> & { name: string; count: number | undefined };

export const VmPoolSchema = z
  .strictObject({
    name: nonEmptyString(),
    namespace: nonEmptyString().default(VM_DEFAULTS.namespace),
    count: count().optional(),
    node: nonEmptyString().nullable().default(null),
    cpu: cpu().default(VM_DEFAULTS.cpu),
    cpuLimit: cpu().default(VM_DEFAULTS.cpuLimit),
    dedicatedCpus: z.boolean().default(false),
    memory: positiveSize(),
    guestMemory: positiveSize().optional(),
    usedMemory: size().optional(),
    zeroFraction: fraction().optional(),
    dirtyRate: dirtyRateSchema.optional(),
    workingSet: size().optional(),
    dirtyCurve: dirtyCurveSchema.optional(),
    throttleSensitivity: closedFraction().optional(),
    workload: WorkloadSchema.optional(),
    labels: labels().default(() => ({})),
    annotations: labels().default(() => ({})),
    nodeSelector: labels().default(() => ({})),
    affinity: affinitySchema.optional(),
    tolerations: z.array(tolerationSchema).default(() => []),
    cpuModel: cpuModelSchema.default((): CpuModel => ({ kind: 'host-model' })),
    cpuFeatures: z.array(nonEmptyString()).default(() => []),
    volumes: z.array(VolumeSchema).default(() => []),
    hostDevices: count().default(0),
    gpus: z.array(z.strictObject({ name: nonEmptyString(), mediated: z.boolean().default(false) })).default(() => []),
    sriovInterfaces: count().default(0),
    podNetwork: podNetworkSchema.default(() => ({ binding: VM_DEFAULTS.podNetwork, pluginMigratable: false })),
    secureExecution: z.boolean().default(false),
    hypervPassthrough: z.boolean().default(false),
    tscFrequencyWithoutHint: z.boolean().default(false),
    evictionStrategy: evictionStrategy().nullable().default(null),
    restartTime: duration().default(VM_DEFAULTS.restartTime),
  })
  .transform((entry, ctx): VmPool => {
    // A workload field may be given at the top level or in `workload`, not both.
    const w = entry.workload ?? {};
    for (const f of WORKLOAD_FIELDS) {
      if (entry[f] !== undefined && w[f] !== undefined) addIssue(ctx, ['workload', f], `${f} is also given at the top level of the entry; give it once`);
    }
    // cross-field problems point where the field was written
    const at = (f: (typeof WORKLOAD_FIELDS)[number]): string[] => (entry[f] === undefined && w[f] !== undefined ? ['workload', f] : [f]);
    const vm = {
      ...entry,
      usedMemory: entry.usedMemory ?? w.usedMemory,
      zeroFraction: entry.zeroFraction ?? w.zeroFraction,
      dirtyRate: entry.dirtyRate ?? w.dirtyRate,
      workingSet: entry.workingSet ?? w.workingSet,
      dirtyCurve: entry.dirtyCurve ?? w.dirtyCurve,
      throttleSensitivity: entry.throttleSensitivity ?? w.throttleSensitivity ?? VM_DEFAULTS.throttleSensitivity,
    };
    const guest = vm.guestMemory ?? vm.memory;
    const guestSource = vm.guestMemory === undefined ? 'memory' : 'guestMemory';
    const curve = vm.dirtyCurve;

    if (vm.usedMemory !== undefined && vm.zeroFraction !== undefined) addIssue(ctx, at('zeroFraction'), 'give usedMemory or zeroFraction, not both');
    if (vm.dirtyRate !== undefined && curve !== undefined) addIssue(ctx, at('dirtyCurve'), 'give dirtyRate or dirtyCurve, not both');

    // Round 0 sends the non-zero pages: given, or derived from a zero fraction (explicit, or
    // measured by the calc-dirty-rate sampling), else all of guest memory.
    const zeroFraction = vm.zeroFraction ?? (curve?.kind === 'sampled' ? curve.zeroFraction : null) ?? 0;
    const usedMemory = vm.usedMemory ?? Math.round(guest * (1 - zeroFraction));
    if (usedMemory > guest) {
      addIssue(ctx, at('usedMemory'), `expected at most the guest memory (${formatBytes(guest)}, from ${guestSource}), got ${formatBytes(usedMemory)}`);
    }
    if (vm.workingSet !== undefined && vm.workingSet > guest) {
      addIssue(ctx, at('workingSet'), `expected at most the guest memory (${formatBytes(guest)}, from ${guestSource}), got ${formatBytes(vm.workingSet)}`);
    }
    if (vm.cpuLimit > 0 && vm.cpuLimit < vm.cpu) {
      addIssue(ctx, ['cpuLimit'], `expected 0 (no limit) or at least the request (${vm.cpu}), got ${vm.cpuLimit}`);
    }
    const seen = new Map<string, number>();
    vm.volumes.forEach((v, i) => {
      const first = seen.get(v.name);
      if (first !== undefined) addIssue(ctx, ['volumes', i, 'name'], `duplicate volume name "${v.name}" (also volumes[${first}])`);
      else seen.set(v.name, i);
    });

    const workingSet = vm.workingSet ?? usedMemory;
    let dirty: DirtyModelSpec;
    if (curve !== undefined) {
      const raw = curve.kind === 'points' ? curve.points : curve.points.map((p) => ({ t: p.t, bytes: Math.round(p.fraction * guest) }));
      const points = raw[0]?.t === 0 ? raw : [{ t: 0, bytes: 0 }, ...raw];
      // a guest cannot have more distinct pages dirty than it has (non-zero) memory to dirty
      dirty = { kind: 'curve', points: points.map((p) => ({ t: p.t, bytes: Math.min(p.bytes, workingSet) })) };
    } else if (vm.dirtyRate?.kind === 'phases') {
      dirty = { kind: 'phases', phases: vm.dirtyRate.phases, workingSet };
    } else {
      dirty = { kind: 'constant', rate: vm.dirtyRate?.rate ?? 0, workingSet };
    }

    return {
      name: vm.name,
      count: vm.count,
      namespace: vm.namespace,
      node: vm.node,
      labels: vm.labels,
      annotations: vm.annotations,
      cpu: vm.cpu,
      cpuLimit: vm.cpuLimit,
      dedicatedCpus: vm.dedicatedCpus,
      memory: vm.memory,
      guestMemory: vm.guestMemory ?? null,
      usedMemory,
      dirty,
      throttleSensitivity: vm.throttleSensitivity,
      nodeSelector: vm.nodeSelector,
      nodeAffinity: vm.affinity ?? [],
      tolerations: vm.tolerations,
      cpuModel: vm.cpuModel,
      cpuFeatures: vm.cpuFeatures,
      volumes: vm.volumes,
      hostDevices: vm.hostDevices,
      gpus: vm.gpus,
      sriovInterfaces: vm.sriovInterfaces,
      podNetworkBinding: vm.podNetwork.binding,
      bindingPluginMigratable: vm.podNetwork.pluginMigratable,
      secureExecution: vm.secureExecution,
      hypervPassthrough: vm.hypervPassthrough,
      tscFrequencyWithoutHint: vm.tscFrequencyWithoutHint,
      evictionStrategy: vm.evictionStrategy,
      restartTime: vm.restartTime,
    };
  });
