// One run's concrete scenario: every uncertain field drawn from its (seed, purpose, entity) stream.
// The loaded scenario is never changed: a realised scenario is new objects wherever a value was
// drawn (untouched VMs and nodes are shared, they are read-only to the simulation). What derives
// from a drawn value (used memory from guest memory, the NICs of a node, virt-launcher's rounding
// of bandwidthPerMigration…) is recomputed by the loader's own schemas on the patched raw entry —
// the same path a value written in the file takes.

import type { NodeSpec, Scenario, VmSpec } from './types.js';
import { RandomStreams, type Rng } from '../engine/random.js';
import { ScenarioError, formatPath, type PathIssue, type PathSegment } from './errors.js';
import { PARSE_OPTIONS, toPathIssues } from './fields.js';
import { buildScenario, expandNames, makeNode } from './build.js';
import { NodePoolSchema, parseRawScenario } from './schema.js';
import { VmPoolSchema } from './schema-vm.js';
import { GiB, MiB, UnitError, formatDuration } from './units.js';
import { checkUnitValue, isInteger, setAt, type FieldDistribution, type UncertainField } from './uncertain.js';

/** One draw of `d` from `rng` (Box–Muller for the normal: two numbers per draw, always). */
export function sampleField(d: FieldDistribution, rng: Rng): number {
  switch (d.kind) {
    case 'uniform':
      return d.min + (d.max - d.min) * rng();
    case 'normal':
      return Math.min(d.max, Math.max(d.min, d.mean + d.stddev * standardNormal(rng)));
    case 'lognormal':
      return d.median * Math.exp(d.sigma * standardNormal(rng));
    case 'exponential':
      return -d.mean * Math.log(1 - rng());
    case 'choice': {
      const total = d.weights.reduce((a, w) => a + w, 0);
      let u = rng() * total;
      for (let i = 0; i < d.values.length; i++) {
        u -= d.weights[i]!;
        if (u < 0 && d.weights[i]! > 0) return d.values[i]!;
      }
      // u·total rounded up to the total: the last value with a weight
      for (let i = d.values.length - 1; i >= 0; i--) if (d.weights[i]! > 0) return d.values[i]!;
      return d.values[0]!;
    }
    case 'empirical':
      return d.samples[Math.floor(rng() * d.samples.length)]!;
  }
}

function standardNormal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** drawField with the stream's state prepared by RandomStreams.states (at 3·index). */
function drawPrepared(field: UncertainField, random: RandomStreams, states: Float64Array, at: number): number {
  const x = random.drawFrom(states, at, (rng) => sampleField(field.distribution, rng));
  return isInteger(field.unit) ? Math.round(x) : x;
}

/** The value of `field` for `entity` in the run with `seed`. */
export function drawField(field: UncertainField, random: RandomStreams, entity: string): number {
  const x = random.draw(field.purpose, entity, (rng) => sampleField(field.distribution, rng));
  return isInteger(field.unit) ? Math.round(x) : x;
}

// VM fields copied into VmSpec as they are, nothing derived from them: set directly instead of
// parsing the pool entry again (a pool of thousands of VMs with random dirty rates is the common
// case, and a parse costs more than the draw). test/forecast/realize.test.ts checks that each
// gives the same VmSpec as the parse.
const DIRECT_VM_FIELDS: Record<string, (vm: VmSpec, x: number) => VmSpec | undefined> = {
  dirtyRate: (vm, x) => (vm.dirty.kind === 'constant' ? { ...vm, dirty: { ...vm.dirty, rate: x } } : undefined),
  restartTime: (vm, x) => ({ ...vm, restartTime: x }),
  throttleSensitivity: (vm, x) => ({ ...vm, throttleSensitivity: x }),
};

/** Set to false by a test to compare the direct path with the parse. */
export const realizeOptions = { direct: true };

/**
 * The scenario of the run with `seed`. Without uncertain fields, the loaded scenario itself.
 * Throws ScenarioError when a drawn value breaks a rule of the file (naming field, entity, seed).
 */
export function realize(scenario: Scenario, seed: number): Scenario {
  const u = scenario.uncertainty;
  if (u === undefined || u.fields.length === 0) return scenario;
  const random = new RandomStreams(seed);
  const fail: Fail = (path, entity, drawn, message) => {
    const who = entity === '' ? '' : ` for ${entity}`;
    const values = drawn.map(({ f, x }) => `${formatPath(f.relPath)} = ${showValue(f, x)}`).join(', ');
    throw new ScenarioError(scenario.source, [{ path: formatPath(path), message: `drawn ${values}${who} in the run with seed ${seed}: ${message}` }]);
  };

  // 1. Cluster-wide fields: patch the raw document and load it again.
  let base = scenario;
  const cluster = u.fields.filter((f) => f.scope.kind === 'cluster');
  if (cluster.length > 0) {
    const raw = structuredClone(u.raw);
    const drawn = cluster.map((f) => ({ f, x: drawField(f, random, '') }));
    for (const { f, x } of drawn) setAt(raw, f.path, x);
    const { parsed, issues } = parseRawScenario(raw);
    const built = buildScenario(parsed, scenario.source);
    const all = [...issues, ...built.issues];
    if (all.length > 0) {
      const first = all[0]!;
      fail(first.path, '', drawn, first.message);
    }
    base = { ...built.scenario, source: scenario.source, warnings: scenario.warnings, uncertainty: u };
  }

  // 2. Per-VM and per-node fields, pool by pool.
  const spec = (u.raw as { spec: { vms?: unknown[]; nodes?: unknown[] } }).spec;
  const vmFields = groupByPool(u.fields, 'vm');
  const nodeFields = groupByPool(u.fields, 'node');
  let vms = base.vms;
  if (vmFields.size > 0) {
    vms = [...base.vms];
    let offset = 0;
    (spec.vms ?? []).forEach((entry, pool) => {
      const e = entry as { name: string; count?: number; namespace?: string };
      const names = expandNames(e.name, e.count);
      const fields = vmFields.get(pool);
      if (fields) {
        // every VM's stream of each field seeded together (the same numbers as one by one)
        const keys = names.map((_, j) => vms[offset + j]!.key);
        const states = fields.map((f) => random.states(f.purpose, keys));
        for (let j = 0; j < names.length; j++) {
          const vm = vms[offset + j]!;
          vms[offset + j] = realizeVm(vm, entry, fields, (f, i) => drawPrepared(f, random, states[i]!, 3 * j), fail);
        }
      }
      offset += names.length;
    });
  }
  let nodes = base.nodes;
  if (nodeFields.size > 0) {
    nodes = [...base.nodes];
    let offset = 0;
    (spec.nodes ?? []).forEach((entry, pool) => {
      const e = entry as { name: string; count?: number };
      const names = expandNames(e.name, e.count);
      const fields = nodeFields.get(pool);
      if (fields) {
        for (let j = 0; j < names.length; j++) {
          nodes[offset + j] = realizeNode(nodes[offset + j]!, entry, fields, random, base.kubevirt.migrations.network, fail);
        }
      }
      offset += names.length;
    });
  }
  return vms === base.vms && nodes === base.nodes ? base : { ...base, vms, nodes };
}

type Drawn = { f: UncertainField; x: number }[];
type Fail = (path: PathSegment[], entity: string, drawn: Drawn, message: string) => never;

/** A drawn value the way the file would write it (approximately: for messages). */
function showValue(f: UncertainField, x: number): string {
  const scaled = (unit: number, suffix: string) => `${Number((x / unit).toFixed(2))}${suffix}`;
  switch (f.unit) {
    case 'size':
      return x >= GiB ? scaled(GiB, 'Gi') : x >= MiB ? scaled(MiB, 'Mi') : String(x);
    case 'byteRate':
    case 'linkRate':
      return x >= MiB ? scaled(MiB, 'Mi/s') : `${Number(x.toFixed(2))}/s`;
    case 'duration':
      return formatDuration(x);
    default:
      return String(Number(x.toFixed(4)));
  }
}

function groupByPool(fields: readonly UncertainField[], kind: 'vm' | 'node'): Map<number, UncertainField[]> {
  const out = new Map<number, UncertainField[]>();
  for (const f of fields) {
    if (f.scope.kind !== kind) continue;
    const list = out.get(f.scope.pool) ?? [];
    list.push(f);
    out.set(f.scope.pool, list);
  }
  return out;
}

function realizeVm(vm: VmSpec, entry: unknown, fields: readonly UncertainField[], draw: (f: UncertainField, i: number) => number, fail: Fail): VmSpec {
  const drawn = fields.map((f, i) => ({ f, x: draw(f, i) }));
  let out: VmSpec = vm;
  const rest: typeof drawn = [];
  for (const d of drawn) {
    const direct = realizeOptions.direct && d.f.relPath.length === 1 ? DIRECT_VM_FIELDS[d.f.relPath[0] as string] : undefined;
    const next: VmSpec | undefined = direct ? direct(out, d.x) : undefined;
    if (next === undefined) {
      rest.push(d);
      continue;
    }
    try {
      checkUnitValue(d.f.unit, d.x);
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      fail(d.f.path, vm.key, [d], e.message);
    }
    out = next;
  }
  if (rest.length === 0) return out;
  // Parse the pool entry again with every draw of this VM (the direct ones included: the parse
  // replaces the whole VmSpec).
  const patched = structuredClone(entry);
  for (const d of drawn) setAt(patched, d.f.relPath, d.x);
  const r = VmPoolSchema.safeParse(patched, PARSE_OPTIONS);
  if (!r.success) {
    const issue = toPathIssues(r.error.issues)[0]!;
    fail([...rest[0]!.f.path.slice(0, 3), ...issue.path], vm.key, drawn, issue.message);
  }
  const { count: _count, ...template } = r.data!;
  return { ...template, name: vm.name, key: vm.key, pool: vm.pool };
}

function realizeNode(
  node: NodeSpec,
  entry: unknown,
  fields: readonly UncertainField[],
  random: RandomStreams,
  migrationNetwork: string | null,
  fail: Fail,
): NodeSpec {
  const patched = structuredClone(entry);
  const drawn = fields.map((f) => ({ f, x: drawField(f, random, node.name) }));
  for (const d of drawn) setAt(patched, d.f.relPath, d.x);
  const r = NodePoolSchema.safeParse(patched, PARSE_OPTIONS);
  if (!r.success) {
    const issue: PathIssue = toPathIssues(r.error.issues)[0]!;
    fail([...drawn[0]!.f.path.slice(0, 3), ...issue.path], node.name, drawn, issue.message);
  }
  return makeNode(r.data!, node.name, migrationNetwork);
}
