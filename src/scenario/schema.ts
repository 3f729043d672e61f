// Zod schemas of the raw scenario file (docs/scenario.md), strict: an unknown key is an error.
// Each field is parsed into the simulator's units as it is read (transforms); defaults that depend
// on the KubeVirt version, count expansion and cross references are left to build.ts.
//
// parseRawScenario() validates the sections and each list entry separately, so that one bad entry
// neither hides the problems of the others nor the reference checks that build.ts runs on the
// entries that did parse.

import * as z from 'zod';
import type { ControlPlaneSpec, HypervisorSpec } from './types.js';
import type { PathIssue, PathSegment } from './errors.js';
import {
  CONTROL_PLANE_DEFAULTS,
  DEFAULT_KUBEVIRT_VERSION,
  HARVESTER_DEFAULTS,
  HYPERVISOR_DEFAULTS,
  MIGRATION_DEFAULTS,
  NODE_DEFAULTS,
  SCENARIO_DEFAULTS,
  type GivenMigrationConfiguration,
} from './defaults.js';
import {
  PARSE_OPTIONS,
  addIssue,
  byShape,
  byteRate,
  count,
  cpu,
  distribution,
  duration,
  evictionStrategy,
  fraction,
  isPlainObject,
  labels,
  linkRate,
  nonEmptyString,
  namedMetadata,
  parsed,
  positiveDuration,
  positiveSize,
  size,
  timeline,
  toPathIssues,
} from './fields.js';
import { EXPECTED, MiB, UnitError, parseKubeVirtVersion } from './units.js';
import { VmPoolSchema } from './schema-vm.js';
import { FaultsSchema, OperationSchema } from './schema-operations.js';

export const API_VERSION = 'migsim/v1alpha1';
export const KIND = 'Scenario';

// --- KubeVirt CR ---------------------------------------------------------------------------------

/**
 * virt-launcher's conversion of bandwidthPerMigration (§2.6): 0 stays 0 (unlimited), anything
 * below 1 MiB becomes 1 MiB, the rest is rounded to the nearest whole MiB. Result in bytes/s.
 */
export function virtLauncherBandwidth(bytesPerSecond: number): number {
  if (bytesPerSecond === 0) return 0;
  if (bytesPerSecond < MiB) return MiB;
  return Math.round(bytesPerSecond / MiB) * MiB;
}

const bandwidth = () => byteRate().transform(virtLauncherBandwidth);
const [MIN_DOWNTIME_MS, MAX_DOWNTIME_MS] = MIGRATION_DEFAULTS.maxDowntimeMsRange;
const maxDowntimeMs = () => z.number().int().min(MIN_DOWNTIME_MS).max(MAX_DOWNTIME_MS);

/** KubeVirt's MigrationConfiguration, every field optional (unset = the version's default). */
const MigrationsSchema = z.strictObject({
  parallelMigrationsPerCluster: count().optional(),
  parallelOutboundMigrationsPerNode: count().optional(),
  bandwidthPerMigration: bandwidth().optional(),
  completionTimeoutPerGiB: count().optional(),
  progressTimeout: count().optional(),
  allowAutoConverge: z.boolean().optional(),
  allowPostCopy: z.boolean().optional(),
  allowWorkloadDisruption: z.boolean().nullable().optional(),
  unsafeMigrationOverride: z.boolean().optional(),
  disableTLS: z.boolean().optional(),
  network: nonEmptyString().nullable().optional(),
  nodeDrainTaintKey: nonEmptyString().optional(),
  maxDowntimeMs: maxDowntimeMs().optional(),
  utilityVolumesTimeout: count().optional(),
  matchSELinuxLevelOnMigration: z.boolean().nullable().optional(),
  experimental: z.record(z.string(), z.unknown()).optional(),
}) satisfies z.ZodType<GivenMigrationConfiguration>;

export const KubeVirtSectionSchema = z
  .strictObject({
    version: parsed(parseKubeVirtVersion, EXPECTED.version).default(() => ({ ...DEFAULT_KUBEVIRT_VERSION })),
    configuration: z
      .strictObject({
        migrations: MigrationsSchema.prefault({}),
        // unset → the profile's default (build.ts): None for KubeVirt, LiveMigrate for OpenShift
        evictionStrategy: evictionStrategy().optional(),
        developerConfiguration: z
          .strictObject({
            nodeSelectors: labels().default(() => ({})),
            featureGates: z.array(nonEmptyString()).default(() => []),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .prefault({});

const HARVESTER_VERSION_EXPECTED = 'a Harvester version such as "v1.6"';

function parseHarvesterVersion(raw: unknown): { major: number; minor: number } {
  try {
    return parseKubeVirtVersion(raw);
  } catch (e) {
    if (e instanceof UnitError) throw new UnitError(HARVESTER_VERSION_EXPECTED, raw, typeof raw === 'number' ? 'quote it: YAML reads 1.10 as the number 1.1' : undefined);
    throw e;
  }
}

/** Harvester's release and its `upgrade-config` setting (used by Harvester-style upgrade waves). */
export const HarvesterSectionSchema = z
  .strictObject({
    version: parsed(parseHarvesterVersion, HARVESTER_VERSION_EXPECTED).default(() => ({ ...HARVESTER_DEFAULTS.version })),
    upgradeConfig: z.strictObject({ restoreVM: z.boolean().default(HARVESTER_DEFAULTS.restoreVM) }).prefault({}),
  })
  .prefault({});

// --- hypervisor, control plane -------------------------------------------------------------------

const percent = (min: number, max: number, def: number) => z.number().int().min(min).max(max).default(def);
const H = HYPERVISOR_DEFAULTS;

export const HypervisorSchema = z
  .strictObject({
    downtimeLimit: positiveDuration().default(H.downtimeLimit),
    switchoverCost: duration().default(H.switchoverCost),
    pageSize: positiveSize().default(H.pageSize),
    switchover: z.enum(['rounds', 'qemu']).default(H.switchover),
    keepalive: z
      .strictObject({ interval: duration().default(H.keepalive.interval), count: count().default(H.keepalive.count) })
      .prefault({}),
    // QEMU's cpu-throttle-initial, cpu-throttle-increment, max-cpu-throttle, throttle-trigger-threshold
    autoConverge: z
      .strictObject({
        initial: percent(1, 99, H.autoConvergePercent.initial),
        increment: percent(1, 99, H.autoConvergePercent.increment),
        max: percent(1, 99, H.autoConvergePercent.max),
        triggerThreshold: percent(1, 100, H.autoConvergePercent.triggerThreshold),
      })
      .prefault({}),
  })
  .prefault({})
  .transform((h, ctx): HypervisorSpec => {
    if (!Number.isInteger(Math.log2(h.pageSize))) addIssue(ctx, ['pageSize'], `expected a power of two such as 4Ki, got ${h.pageSize}`);
    const a = h.autoConverge;
    return {
      downtimeLimit: h.downtimeLimit,
      switchoverCost: h.switchoverCost,
      pageSize: h.pageSize,
      switchover: h.switchover,
      keepalive: { ...h.keepalive },
      throttle: { initial: a.initial / 100, increment: a.increment / 100, max: a.max / 100, triggerThreshold: a.triggerThreshold / 100 },
    };
  });

const C = CONTROL_PLANE_DEFAULTS;
const latency = (d: ControlPlaneSpec['handoff']) => distribution().default(() => ({ ...d }));

export const ControlPlaneSchema = z
  .strictObject({
    targetPodStartup: latency(C.targetPodStartup),
    handoff: latency(C.handoff),
    targetPreparation: latency(C.targetPreparation),
    migrationStart: latency(C.migrationStart),
    cleanup: latency(C.cleanup),
    unschedulablePendingTimeout: positiveDuration().default(C.unschedulablePendingTimeout),
    catchAllPendingTimeout: positiveDuration().default(C.catchAllPendingTimeout),
  })
  .prefault({}) satisfies z.ZodType<ControlPlaneSpec>;

// --- cluster -------------------------------------------------------------------------------------

export const RackSchema = z.strictObject({ name: nonEmptyString(), uplink: linkRate() });

export const NamespacesSchema = z
  .record(z.string(), z.strictObject({ labels: labels().default(() => ({})) }))
  .default(() => ({}));

const taintSchema = z.strictObject({
  key: nonEmptyString(),
  value: z.string().default(''),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

export type NodeCpuModel = { hostModel: string; vendor: string; models: string[]; requiredFeatures: string[] };

const defaultNodeCpuModel = (): NodeCpuModel => ({
  hostModel: NODE_DEFAULTS.cpuModel.hostModel,
  vendor: NODE_DEFAULTS.cpuModel.vendor,
  models: [NODE_DEFAULTS.cpuModel.hostModel],
  requiredFeatures: [],
});

const nodeCpuModelSchema = z
  .strictObject({
    hostModel: nonEmptyString().default(NODE_DEFAULTS.cpuModel.hostModel),
    vendor: nonEmptyString().default(NODE_DEFAULTS.cpuModel.vendor),
    models: z.array(nonEmptyString()).optional(),
    requiredFeatures: z.array(nonEmptyString()).default(() => []),
  })
  .transform((m): NodeCpuModel => ({ ...m, models: m.models ?? [m.hostModel] }));

type Load = { at: number; fraction: number }[];

const backgroundLoadSchema = byShape<Load>('a fraction in [0, 1) or a list of {at, fraction}', (raw) => {
  if (typeof raw === 'number') return fraction().transform((f): Load => [{ at: 0, fraction: f }]);
  if (Array.isArray(raw)) {
    return z
      .array(z.strictObject({ at: duration(), fraction: fraction() }))
      .min(1)
      .transform((items, ctx): Load => {
        const sorted = timeline(items, ctx);
        // no background traffic before the first entry
        return sorted[0]!.at === 0 ? sorted : [{ at: 0, fraction: 0 }, ...sorted];
      });
  }
  return undefined;
});

export const NodePoolSchema = z.strictObject({
  name: nonEmptyString(),
  count: count().optional(),
  cpu: cpu().default(NODE_DEFAULTS.cpu),
  memory: size().default(NODE_DEFAULTS.memory),
  network: linkRate().default(NODE_DEFAULTS.network),
  migrationNetwork: linkRate().optional(),
  rack: nonEmptyString().nullable().default(null),
  backgroundLoad: backgroundLoadSchema.default(() => [{ at: 0, fraction: 0 }]),
  labels: labels().default(() => ({})),
  taints: z.array(taintSchema).default(() => []),
  unschedulable: z.boolean().default(false),
  cpuModel: nodeCpuModelSchema.nullable().default(defaultNodeCpuModel),
});

export type NodePool = z.output<typeof NodePoolSchema>;

// --- MigrationPolicy (migrations.kubevirt.io/v1alpha1), a real manifest --------------------------

export const MigrationPolicySchema = z.strictObject({
  apiVersion: z.literal('migrations.kubevirt.io/v1alpha1'),
  kind: z.literal('MigrationPolicy'),
  metadata: namedMetadata(),
  spec: z
    .strictObject({
      selectors: z
        .strictObject({
          namespaceSelector: labels().optional(),
          virtualMachineInstanceSelector: labels().optional(),
        })
        .optional(),
      allowAutoConverge: z.boolean().optional(),
      bandwidthPerMigration: bandwidth().optional(),
      completionTimeoutPerGiB: count().optional(),
      allowPostCopy: z.boolean().optional(),
      allowWorkloadDisruption: z.boolean().optional(),
      maxDowntimeMs: maxDowntimeMs().optional(),
      experimental: z.record(z.string(), z.unknown()).optional(),
    })
    .prefault({}),
  status: z.unknown().optional(),
});

export type MigrationPolicyEntry = z.output<typeof MigrationPolicySchema>;

// --- the file ------------------------------------------------------------------------------------

/** Sections of `spec` that are one value each. */
export const SECTION_SCHEMAS = {
  seed: z.number().int().default(SCENARIO_DEFAULTS.seed),
  horizon: positiveDuration().default(SCENARIO_DEFAULTS.horizon),
  profile: z.enum(['kubevirt', 'harvester', 'openshift']).default(SCENARIO_DEFAULTS.profile),
  harvester: HarvesterSectionSchema,
  kubevirt: KubeVirtSectionSchema,
  hypervisor: HypervisorSchema,
  controlPlane: ControlPlaneSchema,
  namespaces: NamespacesSchema,
  faults: FaultsSchema,
  /** kube-scheduler's scoring strategy for launcher and target pods */
  scheduler: z
    .strictObject({ scoring: z.enum(['LeastAllocated', 'MostAllocated', 'BalancedAllocation']).default('LeastAllocated') })
    .prefault({}),
};

/** Sections of `spec` that are lists: the schema of one entry. */
export const LIST_SCHEMAS = {
  racks: RackSchema,
  nodes: NodePoolSchema,
  vms: VmPoolSchema,
  migrationPolicies: MigrationPolicySchema,
  operations: OperationSchema,
};

type SectionKey = keyof typeof SECTION_SCHEMAS;
type ListKey = keyof typeof LIST_SCHEMAS;
export type Sections = { [K in SectionKey]: z.output<(typeof SECTION_SCHEMAS)[K]> };
export type ListEntry<K extends ListKey> = z.output<(typeof LIST_SCHEMAS)[K]>;

const MetadataSchema = z.strictObject({
  name: nonEmptyString(),
  labels: labels().optional(),
  annotations: labels().optional(),
  description: z.string().optional(),
});

const SPEC_KEYS = [...Object.keys(SECTION_SCHEMAS), ...Object.keys(LIST_SCHEMAS)];

/** The top level only; the sections of spec are validated one by one (see parseRawScenario). */
const EnvelopeSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  metadata: MetadataSchema,
  spec: z.strictObject(Object.fromEntries(SPEC_KEYS.map((k) => [k, z.unknown().optional()]))),
});

/** The whole file in one schema (same pieces as parseRawScenario uses), e.g. for other tools. */
export const ScenarioFileSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  metadata: MetadataSchema,
  spec: z.strictObject({
    ...SECTION_SCHEMAS,
    racks: z.array(RackSchema).default(() => []),
    nodes: z.array(NodePoolSchema).default(() => []),
    vms: z.array(VmPoolSchema).default(() => []),
    migrationPolicies: z.array(MigrationPolicySchema).default(() => []),
    operations: z.array(OperationSchema).default(() => []),
  }),
});

export interface ParsedScenario {
  name: string | undefined;
  /** sections that parsed; a failed section is absent */
  sections: Partial<Sections>;
  /** list entries that parsed, with their index in the file */
  lists: { [K in ListKey]: { index: number; value: ListEntry<K> }[] };
  /** list entries that did not parse, raw: references to the names they would define are not errors */
  failed: { [K in ListKey]: { index: number; raw: unknown }[] };
}

function prefixed(prefix: PathSegment[], issues: PathIssue[]): PathIssue[] {
  return issues.map((i) => ({ ...i, path: [...prefix, ...i.path] }));
}

/** Validates a raw document (from YAML or JSON) and collects every problem of the schema. */
export function parseRawScenario(raw: unknown): { parsed: ParsedScenario; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  const envelope = EnvelopeSchema.safeParse(raw, PARSE_OPTIONS);
  if (!envelope.success) issues.push(...toPathIssues(envelope.error.issues));

  const doc = isPlainObject(raw) ? raw : {};
  const spec = isPlainObject(doc['spec']) ? doc['spec'] : {};
  const meta = doc['metadata'];
  const parsed: ParsedScenario = {
    name: isPlainObject(meta) && typeof meta['name'] === 'string' ? meta['name'] : undefined,
    sections: {},
    lists: { racks: [], nodes: [], vms: [], migrationPolicies: [], operations: [] },
    failed: { racks: [], nodes: [], vms: [], migrationPolicies: [], operations: [] },
  };

  for (const key of Object.keys(SECTION_SCHEMAS) as SectionKey[]) {
    const result = (SECTION_SCHEMAS[key] as z.ZodType).safeParse(spec[key], PARSE_OPTIONS);
    if (result.success) (parsed.sections as Record<string, unknown>)[key] = result.data;
    else issues.push(...prefixed(['spec', key], toPathIssues(result.error.issues)));
  }

  for (const key of Object.keys(LIST_SCHEMAS) as ListKey[]) {
    const list = spec[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      const r = z.array(z.unknown()).safeParse(list, PARSE_OPTIONS);
      if (!r.success) issues.push(...prefixed(['spec', key], toPathIssues(r.error.issues)));
      continue;
    }
    const schema = LIST_SCHEMAS[key] as z.ZodType;
    list.forEach((entry: unknown, index) => {
      const result = schema.safeParse(entry, PARSE_OPTIONS);
      if (result.success) (parsed.lists[key] as { index: number; value: unknown }[]).push({ index, value: result.data });
      else {
        parsed.failed[key].push({ index, raw: entry });
        issues.push(...prefixed(['spec', key, index], toPathIssues(result.error.issues)));
      }
    });
  }
  return { parsed, issues };
}
