// `spec.operations[]` (what happens when) and `spec.faults`. An operation is either a shorthand
// `{at, <action>: {...}}` or an inline Kubernetes manifest (VirtualMachineInstanceMigration, or the
// legacy kubevirt.io/v1alpha1 Migration). References to VMs, nodes, racks and migrations are
// checked in build.ts, which knows them all; each parsed operation carries the paths to its
// references so those messages point at the right field.

import * as z from 'zod';
import type { Distribution, Labels, NodeTarget, OutageScope } from './types.js';
import type { PathSegment } from './errors.js';
import { UPGRADE_DEFAULTS, VM_DEFAULTS } from './defaults.js';
import { describeValue } from './errors.js';
import {
  addIssue,
  byShape,
  distribution,
  duration,
  isPlainObject,
  labelSelector,
  labels,
  nonEmptyString,
  metadata,
  positiveDuration,
} from './fields.js';
import { MAX_OUTAGES_PER_HOUR } from './limits.js';

/** A name this entry refers to, and where (relative to the entry). */
export interface Ref {
  name: string;
  path: PathSegment[];
}

export type ParsedNodeTarget = { target: NodeTarget; refs: Ref[] };
export type ParsedScope = { scope: OutageScope; nodeRefs: Ref[]; rackRefs: Ref[] };

export type ParsedOperation =
  | {
      kind: 'migrate';
      at: number;
      /** "namespace/name" */
      vmi: Ref;
      name: string | null;
      namePath: PathSegment[];
      addedNodeSelector: Labels;
      apiKind: 'VirtualMachineInstanceMigration' | 'shorthand';
      annotations: Labels;
    }
  | {
      kind: 'legacyMigration';
      at: number;
      name: string | null;
      namespace: string;
      selector: Labels;
      nodeSelector: Labels;
      annotations: Labels;
    }
  | { kind: 'cancel'; at: number; migration: Ref }
  | { kind: 'drain'; at: number; nodes: ParsedNodeTarget }
  | {
      kind: 'upgrade';
      at: number;
      name: string | null;
      nodes: ParsedNodeTarget | null;
      maxUnavailable: number;
      order: 'listed' | 'name' | 'fewest-vms' | 'most-vms' | 'random';
      duration: Distribution;
      style: 'kubectl-drain' | 'kubevirt' | 'harvester' | null;
    }
  | { kind: 'outage'; at: number; duration: number; scope: ParsedScope; network: Ref | null };

/** Exactly one of the given keys is set: the problems otherwise, relative to the object. */
function exactlyOne(obj: Record<string, unknown>, keys: readonly string[], ctx: z.RefinementCtx): string | undefined {
  const present = keys.filter((k) => obj[k] !== undefined);
  if (present.length === 0) addIssue(ctx, [], `expected exactly one of ${keys.join(', ')}`);
  for (const k of present.slice(1)) {
    ctx.addIssue({ code: 'custom', path: [k], message: `give only one of ${keys.join(', ')} (this entry already has ${present[0]})`, params: { atKey: true } });
  }
  return present.length === 1 ? present[0] : undefined;
}

// --- targets -----------------------------------------------------------------------------------------

const namesTarget = (names: string[], path: PathSegment[]): ParsedNodeTarget => ({
  target: { kind: 'names', names },
  refs: names.map((name, i) => ({ name, path: [...path, i] })),
});

const drainTarget = z
  .strictObject({
    node: nonEmptyString().optional(),
    nodes: z.array(nonEmptyString()).min(1).optional(),
    selector: labelSelector().optional(),
  })
  .transform((d, ctx): ParsedNodeTarget => {
    const which = exactlyOne(d, ['node', 'nodes', 'selector'], ctx);
    if (which === 'node') return { target: { kind: 'names', names: [d.node!] }, refs: [{ name: d.node!, path: ['node'] }] };
    if (which === 'nodes') return namesTarget(d.nodes!, ['nodes']);
    if (which === 'selector') return { target: { kind: 'selector', matchLabels: d.selector!.matchLabels }, refs: [] };
    return z.NEVER;
  });

const objectScope = z
  .strictObject({
    node: nonEmptyString().optional(),
    path: z.array(nonEmptyString()).length(2).optional(),
    rack: nonEmptyString().optional(),
  })
  .transform((s, ctx): ParsedScope => {
    const which = exactlyOne(s, ['node', 'path', 'rack'], ctx);
    if (which === 'node') return { scope: { kind: 'node', node: s.node! }, nodeRefs: [{ name: s.node!, path: ['node'] }], rackRefs: [] };
    if (which === 'rack') return { scope: { kind: 'rack', rack: s.rack! }, nodeRefs: [], rackRefs: [{ name: s.rack!, path: ['rack'] }] };
    if (which === 'path') {
      const [from, to] = s.path as [string, string];
      if (from === to) addIssue(ctx, ['path', 1], `expected two different nodes, got "${to}" twice`);
      return {
        scope: { kind: 'path', from, to },
        nodeRefs: [{ name: from, path: ['path', 0] }, { name: to, path: ['path', 1] }],
        rackRefs: [],
      };
    }
    return z.NEVER;
  });

const NETWORK_SCOPE: ParsedScope = { scope: { kind: 'network' }, nodeRefs: [], rackRefs: [] };

const scopeSchema = byShape<ParsedScope>('network, {node: name}, {path: [a, b]} or {rack: name}', (raw) => {
  if (typeof raw === 'string') return z.literal('network').transform((): ParsedScope => structuredClone(NETWORK_SCOPE));
  if (isPlainObject(raw)) return objectScope;
  return undefined;
});

/** `network: pod` or the migration network's name; null = the migration network in use. */
const networkName = nonEmptyString()
  .nullable()
  .default(null)
  .transform((n): Ref | null => (n === null ? null : { name: n, path: ['network'] }));

// --- actions -----------------------------------------------------------------------------------------

/** "ns/name" or "name" → "ns/name" */
function vmiKey(ref: string, namespace: string): string | undefined {
  const parts = ref.split('/');
  if (parts.some((p) => p === '') || parts.length > 2) return undefined;
  return parts.length === 2 ? ref : `${namespace}/${ref}`;
}

const migrateAction = z.strictObject({
  vmi: nonEmptyString(),
  name: nonEmptyString().optional(),
  addedNodeSelector: labels().default(() => ({})),
});

const upgradeAction = z
  .strictObject({
    name: nonEmptyString().optional(),
    nodes: z.array(nonEmptyString()).min(1).optional(),
    selector: labelSelector().optional(),
    maxUnavailable: z.number().int().min(1).default(UPGRADE_DEFAULTS.maxUnavailable),
    order: z.enum(['listed', 'name', 'fewest-vms', 'most-vms', 'random']).default(UPGRADE_DEFAULTS.order),
    duration: distribution().default((): Distribution => ({ kind: 'fixed', value: UPGRADE_DEFAULTS.duration })),
    // 'kubevirt' is the old spelling of 'kubectl-drain' (KubeVirt itself orchestrates no node upgrade)
    style: z.enum(['kubectl-drain', 'kubevirt', 'harvester']).optional(),
  })
  .transform((u, ctx) => {
    if (u.nodes !== undefined && u.selector !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['selector'], message: 'give nodes or selector, not both', params: { atKey: true } });
    }
    const nodes: ParsedNodeTarget | null =
      u.nodes !== undefined
        ? namesTarget(u.nodes, ['nodes'])
        : u.selector !== undefined
          ? { target: { kind: 'selector', matchLabels: u.selector.matchLabels }, refs: [] }
          : null;
    return { ...u, nodes };
  });

const outageAction = z.strictObject({
  duration: positiveDuration(),
  scope: scopeSchema.default(() => structuredClone(NETWORK_SCOPE)),
  network: networkName,
});

const ACTIONS = ['migrate', 'cancel', 'drain', 'upgrade', 'outage'] as const;

/** Prefixes the relative paths of a reference with the action's key. */
function under<T extends { path: PathSegment[] }>(key: string, refs: T[]): T[] {
  return refs.map((r) => ({ ...r, path: [key, ...r.path] }));
}

const actionOperation = z
  .strictObject({
    at: duration().default(0),
    migrate: migrateAction.optional(),
    cancel: z.strictObject({ migration: nonEmptyString() }).optional(),
    drain: drainTarget.optional(),
    upgrade: upgradeAction.optional(),
    outage: outageAction.optional(),
  })
  .transform((op, ctx): ParsedOperation => {
    const present = ACTIONS.filter((k) => op[k] !== undefined);
    if (present.length !== 1) {
      if (present.length === 0) {
        addIssue(ctx, [], `expected exactly one of ${ACTIONS.join(', ')} (or an inline VirtualMachineInstanceMigration manifest)`);
      }
      for (const k of present.slice(1)) {
        ctx.addIssue({ code: 'custom', path: [k], message: `only one action per operation (this entry already has ${present[0]})`, params: { atKey: true } });
      }
      return z.NEVER;
    }
    const at = op.at;
    if (op.migrate) {
      const m = op.migrate;
      const key = vmiKey(m.vmi, VM_DEFAULTS.namespace);
      if (key === undefined) {
        addIssue(ctx, ['migrate', 'vmi'], `expected "namespace/name" or "name", got ${describeValue(m.vmi)}`);
        return z.NEVER;
      }
      return {
        kind: 'migrate',
        at,
        vmi: { name: key, path: ['migrate', 'vmi'] },
        name: m.name ?? null,
        namePath: ['migrate', 'name'],
        addedNodeSelector: m.addedNodeSelector,
        apiKind: 'shorthand',
        annotations: {},
      };
    }
    if (op.cancel) return { kind: 'cancel', at, migration: { name: op.cancel.migration, path: ['cancel', 'migration'] } };
    if (op.drain) return { kind: 'drain', at, nodes: { target: op.drain.target, refs: under('drain', op.drain.refs) } };
    if (op.upgrade) {
      const u = op.upgrade;
      const nodes = u.nodes && { target: u.nodes.target, refs: under('upgrade', u.nodes.refs) };
      return { kind: 'upgrade', at, name: u.name ?? null, nodes, maxUnavailable: u.maxUnavailable, order: u.order, duration: u.duration, style: u.style ?? null };
    }
    const o = op.outage!;
    return {
      kind: 'outage',
      at,
      duration: o.duration,
      scope: { scope: o.scope.scope, nodeRefs: under('outage', under('scope', o.scope.nodeRefs)), rackRefs: under('outage', under('scope', o.scope.rackRefs)) },
      network: o.network && { name: o.network.name, path: ['outage', ...o.network.path] },
    };
  });

// --- inline manifests ------------------------------------------------------------------------------

const vmimManifest = z
  .strictObject({
    at: duration().default(0),
    apiVersion: z.enum(['kubevirt.io/v1', 'kubevirt.io/v1alpha3']),
    kind: z.literal('VirtualMachineInstanceMigration'),
    metadata: metadata().prefault({}),
    spec: z.strictObject({ vmiName: nonEmptyString(), addedNodeSelector: labels().default(() => ({})) }),
    status: z.unknown().optional(),
  })
  .transform((m): ParsedOperation => {
    const namespace = m.metadata.namespace ?? VM_DEFAULTS.namespace;
    return {
      kind: 'migrate',
      at: m.at,
      vmi: { name: `${namespace}/${m.spec.vmiName}`, path: ['spec', 'vmiName'] },
      name: m.metadata.name ?? null,
      namePath: ['metadata', 'name'],
      addedNodeSelector: m.spec.addedNodeSelector,
      apiKind: 'VirtualMachineInstanceMigration',
      annotations: m.metadata.annotations,
    };
  });

// The kubevirt.io/v1alpha1 Migration of KubeVirt's oldest docs: a label selector picking one VM.
const legacyMigrationManifest = z
  .strictObject({
    at: duration().default(0),
    apiVersion: z.literal('kubevirt.io/v1alpha1'),
    kind: z.literal('Migration'),
    metadata: metadata().prefault({}),
    spec: z.strictObject({
      selector: labels().refine((s) => Object.keys(s).length > 0, { error: 'expected at least one label, such as {name: testvm}' }),
      nodeSelector: labels().default(() => ({})),
    }),
    status: z.unknown().optional(),
  })
  .transform(
    (m): ParsedOperation => ({
      kind: 'legacyMigration',
      at: m.at,
      name: m.metadata.name ?? null,
      namespace: m.metadata.namespace ?? VM_DEFAULTS.namespace,
      selector: m.spec.selector,
      nodeSelector: m.spec.nodeSelector,
      annotations: m.metadata.annotations,
    }),
  );

const MANIFEST_KINDS = ['VirtualMachineInstanceMigration', 'Migration'];

export const OperationSchema = byShape<ParsedOperation>(
  `{at, ${ACTIONS.join(' | ')}: …} or a VirtualMachineInstanceMigration manifest`,
  (raw) => {
    if (!isPlainObject(raw)) return undefined;
    if (!('kind' in raw) && !('apiVersion' in raw)) return actionOperation;
    if (raw['kind'] === 'VirtualMachineInstanceMigration') return vmimManifest;
    if (raw['kind'] === 'Migration') return legacyMigrationManifest;
    return {
      path: ['kind'],
      message:
        raw['kind'] === undefined
          ? `required field is missing; expected one of ${MANIFEST_KINDS.join(', ')}`
          : `expected one of ${MANIFEST_KINDS.join(', ')}, got ${describeValue(raw['kind'])}`,
    };
  },
);

// --- faults ------------------------------------------------------------------------------------------

export const RandomOutageSchema = z.strictObject({
  // bounded: every outage is an event of the run (limits.ts)
  ratePerHour: z.number().min(0).max(MAX_OUTAGES_PER_HOUR),
  duration: distribution(),
  scope: scopeSchema.default(() => structuredClone(NETWORK_SCOPE)),
  network: networkName,
});

export const FaultsSchema = z
  .strictObject({ randomOutages: z.array(RandomOutageSchema).default(() => []) })
  .prefault({});
