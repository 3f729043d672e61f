// From the parsed file to the normalised Scenario: version defaults, `count` expansion into named
// nodes and VMs, and the checks that need more than one entry (duplicate names, references to
// nodes, racks, VMs and migrations). Every problem is collected; none stops the others.

import type {
  KubeVirtSpec,
  Labels,
  MigrationPolicySpec,
  NodeSpec,
  Operation,
  RackSpec,
  RandomOutages,
  HarvesterSpec,
  Scenario,
  VmSpec,
  WaveStyle,
} from './types.js';
import { didYouMean, formatPath, type PathIssue, type PathSegment } from './errors.js';
import {
  EVICTION_STRATEGY_DEFAULT,
  NAMESPACE_NAME_LABEL,
  NEWEST_KNOWN_VERSION,
  HARVESTER_DEFAULTS,
  NODE_LABELS,
  SCENARIO_DEFAULTS,
  formatVersion,
  openshiftEvictionStrategy,
  resolveMigrationConfiguration,
  versionAtLeast,
  workloadDisruptionSupported,
  type KubeVirtVersion,
} from './defaults.js';
import { SECTION_SCHEMAS, type MigrationPolicyEntry, type NodeCpuModel, type NodePool, type ParsedScenario, type Sections } from './schema.js';
import type { ParsedScope, Ref } from './schema-operations.js';
import { formatDuration } from './units.js';
import { featureGateRemarks, UNMODELLED_AFTER_NEWEST } from './versions.js';
import { NEWEST_MODELLED_HARVESTER } from '../cluster/harvester.js';
import { loadWarnings } from './warnings.js';

/** A section as if the file had left it out (all defaults). */
function sectionDefault<K extends keyof Sections>(key: K): Sections[K] {
  return SECTION_SCHEMAS[key].parse(undefined) as Sections[K];
}

export interface BuildResult {
  scenario: Scenario;
  issues: PathIssue[];
  warnings: PathIssue[];
}

/** `name` with count N → name-0 … name-(N-1); without count → the name itself. */
export function expandNames(name: string, count: number | undefined): string[] {
  return count === undefined ? [name] : Array.from({ length: count }, (_, i) => `${name}-${i}`);
}

/**
 * The names of one kind of object (nodes, VMs, racks, migrations…): reports duplicates, and
 * references to names that do not exist. Names that entries which failed to parse would have
 * defined are not reported as unknown; if such a name cannot even be guessed, reference checks
 * are skipped altogether (the real problem has been reported already).
 */
class Registry {
  private readonly defined = new Map<string, { path: PathSegment[]; at: number }>();
  private readonly guessed = new Set<string>();
  private uncertain = false;

  constructor(
    private readonly what: string,
    private readonly issues: PathIssue[],
  ) {}

  /** Defines `name` at `path` (at scenario time `at`); false, and an issue, if it is taken. */
  define(name: string, path: PathSegment[], at = 0): boolean {
    const first = this.defined.get(name);
    if (first !== undefined) {
      this.issues.push({ path, message: `duplicate ${this.what} name "${name}" (also defined at ${formatPath(first.path)})` });
      return false;
    }
    this.defined.set(name, { path, at });
    return true;
  }

  /** Names a broken entry would define; undefined = cannot tell. */
  guess(names: string[] | undefined): void {
    if (names === undefined) this.uncertain = true;
    else for (const n of names) this.guessed.add(n);
  }

  get(name: string): { path: PathSegment[]; at: number } | undefined {
    return this.defined.get(name);
  }

  /** true if it exists; otherwise false, and an issue at `base + ref.path` unless it may exist */
  check(ref: Ref, base: PathSegment[]): boolean {
    if (this.defined.has(ref.name)) return true;
    if (this.guessed.has(ref.name) || this.uncertain) return false;
    this.issues.push({ path: [...base, ...ref.path], message: `unknown ${this.what} "${ref.name}"${didYouMean(ref.name, this.defined.keys())}` });
    return false;
  }
}

/** The names a list entry that failed to parse would define, if they can be read from it. */
function guessNames(raw: unknown, withNamespace: boolean): string[] | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r['name'] !== 'string') return undefined;
  const count = r['count'];
  if (count !== undefined && !(typeof count === 'number' && Number.isInteger(count) && count >= 0)) return undefined;
  const ns = r['namespace'] === undefined ? 'default' : r['namespace'];
  if (withNamespace && typeof ns !== 'string') return undefined;
  return expandNames(r['name'], count as number | undefined).map((n) => (withNamespace ? `${ns}/${n}` : n));
}

/** The migration name a failed operation entry would define ([] if none). */
function guessMigrationNames(raw: unknown): string[] | undefined {
  if (typeof raw !== 'object' || raw === null) return [];
  const r = raw as Record<string, unknown>;
  const holder = r['migrate'] ?? r['metadata'];
  if (typeof holder !== 'object' || holder === null || !('name' in holder)) return [];
  const name = (holder as Record<string, unknown>)['name'];
  return typeof name === 'string' ? [name] : undefined;
}

/** Node labels from the CPU model, as virt-handler's node labeller sets them. */
export function cpuModelLabels(cpu: NodeCpuModel | null): Labels {
  if (cpu === null) return {};
  const L = NODE_LABELS;
  const labels: Labels = {
    [`${L.hostModelCpu}${cpu.hostModel}`]: 'true',
    [`${L.cpuModelMigration}${cpu.hostModel}`]: 'true',
    [`${L.cpuVendor}${cpu.vendor}`]: 'true',
  };
  for (const m of cpu.models) labels[`${L.cpuModel}${m}`] = 'true';
  for (const f of cpu.requiredFeatures) {
    labels[`${L.hostModelRequiredFeatures}${f}`] = 'true';
    labels[`${L.cpuFeature}${f}`] = 'true';
  }
  return labels;
}

function matches(labels: Labels, selector: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** One node of a pool (also used by realize.ts to rebuild a node from a drawn pool entry). */
export function makeNode(pool: NodePool, name: string, migrationNetwork: string | null): NodeSpec {
  const nics: Record<string, number> = { pod: pool.network };
  if (migrationNetwork !== null) nics[migrationNetwork] = pool.migrationNetwork ?? pool.network;
  return {
    name,
    pool: pool.name,
    cpu: pool.cpu,
    memory: pool.memory,
    // user labels may override the automatic ones, except the hostname, which is the node's name
    labels: { [NODE_LABELS.schedulable]: 'true', ...cpuModelLabels(pool.cpuModel), ...pool.labels, [NODE_LABELS.hostname]: name },
    taints: structuredClone(pool.taints),
    unschedulable: pool.unschedulable,
    nics,
    rack: pool.rack,
    backgroundLoad: structuredClone(pool.backgroundLoad),
  };
}

function makePolicy(entry: MigrationPolicyEntry, version: KubeVirtVersion, at: PathSegment[], warnings: PathIssue[]): MigrationPolicySpec {
  const s = entry.spec;
  const policy: MigrationPolicySpec = {
    name: entry.metadata.name,
    namespaceSelector: s.selectors?.namespaceSelector ?? null,
    virtualMachineInstanceSelector: s.selectors?.virtualMachineInstanceSelector ?? null,
    hasSelectors: s.selectors !== undefined,
  };
  if (s.allowAutoConverge !== undefined) policy.allowAutoConverge = s.allowAutoConverge;
  if (s.bandwidthPerMigration !== undefined) policy.bandwidthPerMigration = s.bandwidthPerMigration;
  if (s.completionTimeoutPerGiB !== undefined) policy.completionTimeoutPerGiB = s.completionTimeoutPerGiB;
  if (s.allowPostCopy !== undefined) policy.allowPostCopy = s.allowPostCopy;
  if (workloadDisruptionSupported(version)) {
    // a policy that sets allowPostCopy but not allowWorkloadDisruption copies it (§1.3)
    const awd = s.allowWorkloadDisruption ?? s.allowPostCopy;
    if (awd !== undefined) policy.allowWorkloadDisruption = awd;
  } else {
    if (s.allowWorkloadDisruption !== undefined) {
      warnings.push({
        path: [...at, 'spec', 'allowWorkloadDisruption'],
        message: `field does not exist before KubeVirt v1.5 (scenario uses ${formatVersion(version)}): ignored, treated as false`,
      });
    }
    if (s.allowWorkloadDisruption !== undefined || s.allowPostCopy !== undefined) policy.allowWorkloadDisruption = false;
  }
  for (const key of ['maxDowntimeMs', 'experimental'] as const) {
    if (s[key] !== undefined) warnings.push({ path: [...at, 'spec', key], message: 'accepted but not modelled in a MigrationPolicy' });
  }
  return policy;
}

export function buildScenario(parsed: ParsedScenario, source: string): BuildResult {
  const issues: PathIssue[] = [];
  const warnings: PathIssue[] = [];
  const { sections, lists, failed } = parsed;

  // Sections that failed to parse are replaced by their defaults: the scenario is then only used
  // to run the remaining checks, never returned (there are issues).
  const kv = sections.kubevirt ?? sectionDefault('kubevirt');
  const version = kv.version;
  if (!versionAtLeast(NEWEST_KNOWN_VERSION, version.major, version.minor)) {
    warnings.push({
      path: ['spec', 'kubevirt', 'version'],
      message: `${formatVersion(version)} is newer than the newest version modelled (${formatVersion(NEWEST_KNOWN_VERSION)}): simulated with ${formatVersion(NEWEST_KNOWN_VERSION)}'s behaviour and defaults; later changes are not modelled (${UNMODELLED_AFTER_NEWEST})`,
    });
  }
  for (const r of featureGateRemarks(version, kv.configuration.developerConfiguration.featureGates)) {
    warnings.push({ path: ['spec', 'kubevirt', 'configuration', 'developerConfiguration', 'featureGates', r.index], message: r.message });
  }
  const resolved = resolveMigrationConfiguration(version, kv.configuration.migrations);
  const migrationsPath = ['spec', 'kubevirt', 'configuration', 'migrations'];
  for (const w of resolved.warnings) warnings.push({ path: [...migrationsPath, ...w.path], message: w.message });
  const migrations = resolved.config;
  const kubevirt: KubeVirtSpec = {
    version,
    migrations,
    evictionStrategy: kv.configuration.evictionStrategy ?? EVICTION_STRATEGY_DEFAULT,
    nodeSelectors: kv.configuration.developerConfiguration.nodeSelectors,
    featureGates: kv.configuration.developerConfiguration.featureGates,
  };
  const profile = sections.profile ?? SCENARIO_DEFAULTS.profile;
  const hv = sections.harvester ?? sectionDefault('harvester');
  const harvester: HarvesterSpec = { version: hv.version, restoreVM: hv.upgradeConfig.restoreVM };
  if (harvester.restoreVM && !versionAtLeast(harvester.version, 1, 4)) {
    // upgrade-config's restoreVM arrived in Harvester v1.4
    warnings.push({
      path: ['spec', 'harvester', 'upgradeConfig', 'restoreVM'],
      message: `does not exist before Harvester v1.4 (scenario uses ${formatVersion(harvester.version)}): ignored, treated as false`,
    });
    harvester.restoreVM = false;
  }
  if (!versionAtLeast(NEWEST_MODELLED_HARVESTER, harvester.version.major, harvester.version.minor)) {
    warnings.push({
      path: ['spec', 'harvester', 'version'],
      message: `${formatVersion(harvester.version)} is newer than the newest Harvester release modelled (${formatVersion(NEWEST_MODELLED_HARVESTER)}): its upgrade rules are used`,
    });
  }

  // --- racks
  const rackReg = new Registry('rack', issues);
  const racks: RackSpec[] = [];
  for (const { index, value } of lists.racks) {
    const path = ['spec', 'racks', index, 'name'];
    if (rackReg.define(value.name, path)) racks.push({ name: value.name, uplink: value.uplink });
  }
  for (const f of failed.racks) rackReg.guess(guessNames(f.raw, false));

  // --- nodes
  const nodeReg = new Registry('node', issues);
  for (const f of failed.nodes) nodeReg.guess(guessNames(f.raw, false));
  const nodes: NodeSpec[] = [];
  for (const { index, value: pool } of lists.nodes) {
    const base = ['spec', 'nodes', index];
    for (const name of expandNames(pool.name, pool.count)) {
      const path = [...base, 'name'];
      if (nodeReg.define(name, path)) nodes.push(makeNode(pool, name, migrations.network));
    }
    if (pool.rack !== null) rackReg.check({ name: pool.rack, path: ['rack'] }, base);
    if (pool.migrationNetwork !== undefined && migrations.network === null) {
      warnings.push({
        path: [...base, 'migrationNetwork'],
        message: 'ignored: spec.kubevirt.configuration.migrations.network is not set, so migrations use the pod network',
      });
    }
  }

  if (profile === 'openshift' && kv.configuration.evictionStrategy === undefined) {
    kubevirt.evictionStrategy = openshiftEvictionStrategy(nodes.length);
  }

  // --- VMs and namespaces
  const vmReg = new Registry('VM', issues);
  for (const f of failed.vms) vmReg.guess(guessNames(f.raw, true));
  const vms: VmSpec[] = [];
  for (const { index, value: pool } of lists.vms) {
    const base = ['spec', 'vms', index];
    const { count: _count, ...template } = pool;
    for (const name of expandNames(pool.name, pool.count)) {
      const key = `${pool.namespace}/${name}`;
      const path = [...base, 'name'];
      // the members of a pool share its (frozen, see load.ts) labels, volumes, dirty model…
      if (vmReg.define(key, path)) vms.push({ ...template, name, key, pool: pool.name });
    }
    if (pool.node !== null) nodeReg.check({ name: pool.node, path: ['node'] }, base);
  }
  const namespaces: Record<string, Labels> = {};
  for (const [ns, { labels }] of Object.entries(sections.namespaces ?? {})) namespaces[ns] = { ...labels };
  for (const vm of vms) namespaces[vm.namespace] ??= {};
  for (const [ns, labels] of Object.entries(namespaces)) labels[NAMESPACE_NAME_LABEL] = ns;

  // --- migration policies
  const policyReg = new Registry('MigrationPolicy', issues);
  const migrationPolicies: MigrationPolicySpec[] = [];
  for (const { index, value } of lists.migrationPolicies) {
    const base = ['spec', 'migrationPolicies', index];
    const path = [...base, 'metadata', 'name'];
    if (policyReg.define(value.metadata.name, path)) migrationPolicies.push(makePolicy(value, version, base, warnings));
  }

  // --- operations and faults
  const refs: References = {
    issues,
    warnings,
    nodeReg,
    rackReg,
    vmReg,
    nodes,
    vms,
    migrationNetwork: migrations.network,
    profile,
    nodesIncomplete: failed.nodes.length > 0,
    vmsIncomplete: failed.vms.length > 0,
  };
  const operations = buildOperations(refs, lists.operations, failed.operations);
  const harvesterGiven = harvester.restoreVM !== HARVESTER_DEFAULTS.restoreVM || formatVersion(harvester.version) !== formatVersion(HARVESTER_DEFAULTS.version);
  if (harvesterGiven && !operations.some((op) => op.kind === 'upgrade' && op.style === 'harvester')) {
    warnings.push({ path: ['spec', 'harvester'], message: 'used only by upgrade waves with style harvester, and there is none: ignored' });
  }
  const randomOutages = (sections.faults ?? sectionDefault('faults')).randomOutages.map((r, j): RandomOutages => {
    const base = ['spec', 'faults', 'randomOutages', j];
    checkScope(refs, r.scope, [...base, 'scope']);
    checkNetwork(refs, r.network, base);
    return { ratePerHour: r.ratePerHour, duration: r.duration, scope: r.scope.scope, networkName: r.network?.name ?? null };
  });

  const scenario: Scenario = {
    source,
    name: parsed.name ?? '',
    seed: sections.seed ?? SCENARIO_DEFAULTS.seed,
    horizon: sections.horizon ?? SCENARIO_DEFAULTS.horizon,
    profile,
    harvester,
    kubevirt,
    hypervisor: sections.hypervisor ?? sectionDefault('hypervisor'),
    controlPlane: sections.controlPlane ?? sectionDefault('controlPlane'),
    scheduler: sections.scheduler ?? sectionDefault('scheduler'),
    nodes,
    racks,
    vms,
    namespaces,
    migrationPolicies,
    operations,
    randomOutages,
    warnings: [],
  };
  // what the valid file asks for that the run will not do, or do against the likely intent
  if (issues.length === 0) scenario.loadWarnings = loadWarnings(scenario, parsed);
  return { scenario, issues, warnings };
}

/** What the operations may refer to, and where their problems go. */
interface References {
  issues: PathIssue[];
  warnings: PathIssue[];
  nodeReg: Registry;
  rackReg: Registry;
  vmReg: Registry;
  nodes: NodeSpec[];
  vms: VmSpec[];
  migrationNetwork: string | null;
  profile: Scenario['profile'];
  /** some node or VM entries failed to parse: "matches nothing" cannot be told */
  nodesIncomplete: boolean;
  vmsIncomplete: boolean;
}

function checkScope(refs: References, scope: ParsedScope, base: PathSegment[]): void {
  for (const r of scope.nodeRefs) refs.nodeReg.check(r, base);
  for (const r of scope.rackRefs) refs.rackReg.check(r, base);
}

/** An outage's `network`: the pod network or the configured migration network. */
function checkNetwork(refs: References, ref: Ref | null, base: PathSegment[]): void {
  const mig = refs.migrationNetwork;
  if (ref === null || ref.name === 'pod' || ref.name === mig) return;
  const expected = mig === null ? '"pod" (no migration network is configured)' : `"pod" or "${mig}"`;
  refs.issues.push({ path: [...base, ...ref.path], message: `expected ${expected}, got "${ref.name}"` });
}

/** Resolves the operations (names, defaults, legacy selectors), checks them, sorts them by time. */
function buildOperations(
  refs: References,
  entries: ParsedScenario['lists']['operations'],
  failed: ParsedScenario['failed']['operations'],
): Operation[] {
  const { issues, warnings, nodeReg, vmReg, nodes, vms } = refs;
  const migrationReg = new Registry('migration', issues);
  for (const f of failed) migrationReg.guess(guessMigrationNames(f.raw));
  const upgradeReg = new Registry('upgrade', issues);
  const operations: Operation[] = [];
  // checked once every migration name is known: a cancel may come first in the file
  const cancels: { at: number; ref: Ref; base: PathSegment[] }[] = [];

  for (const { index, value: op } of entries) {
    const base = ['spec', 'operations', index];
    switch (op.kind) {
      case 'migrate': {
        vmReg.check(op.vmi, base);
        if (op.name !== null) migrationReg.define(op.name, [...base, ...op.namePath], op.at);
        operations.push({ kind: 'migrate', at: op.at, vmi: op.vmi.name, name: op.name, addedNodeSelector: op.addedNodeSelector, apiKind: op.apiKind, annotations: op.annotations });
        break;
      }
      case 'legacyMigration': {
        const picked = vms.filter((vm) => vm.namespace === op.namespace && matches(vm.labels, op.selector));
        const shown = Object.entries(op.selector).map(([k, v]) => `${k}=${v}`).join(',');
        const at = [...base, 'spec', 'selector'];
        if (picked.length === 0 && !refs.vmsIncomplete) {
          issues.push({ path: at, message: `no VM in namespace "${op.namespace}" has the labels ${shown}` });
        } else if (picked.length > 1) {
          const names = picked.slice(0, 5).map((v) => v.name).join(', ') + (picked.length > 5 ? ', …' : '');
          issues.push({ path: at, message: `selects ${picked.length} VMs in namespace "${op.namespace}" (${names}); a Migration must select exactly one` });
        }
        if (op.name !== null) migrationReg.define(op.name, [...base, 'metadata', 'name'], op.at);
        if (picked.length === 1) {
          operations.push({ kind: 'migrate', at: op.at, vmi: picked[0]!.key, name: op.name, addedNodeSelector: op.nodeSelector, apiKind: 'Migration', annotations: op.annotations });
        }
        break;
      }
      case 'cancel': {
        cancels.push({ at: op.at, ref: op.migration, base });
        operations.push({ kind: 'cancel', at: op.at, migration: op.migration.name });
        break;
      }
      case 'drain': {
        for (const r of op.nodes.refs) nodeReg.check(r, base);
        const target = op.nodes.target;
        if (target.kind === 'selector' && !refs.nodesIncomplete && !nodes.some((n) => matches(n.labels, target.matchLabels))) {
          warnings.push({ path: [...base, 'drain', 'selector'], message: 'matches no node: this drain does nothing' });
        }
        operations.push({ kind: 'drain', at: op.at, nodes: target });
        break;
      }
      case 'upgrade': {
        const name = op.name ?? `upgrade-${index}`;
        upgradeReg.define(name, [...base, 'upgrade', 'name']);
        for (const r of op.nodes?.refs ?? []) nodeReg.check(r, base);
        let style: WaveStyle;
        if (op.style === 'kubevirt') {
          warnings.push({
            path: [...base, 'upgrade', 'style'],
            message: 'style "kubevirt" is deprecated: KubeVirt orchestrates no node upgrades; write "kubectl-drain" (cluster tooling draining with kubectl drain)',
          });
          style = 'kubectl-drain';
        } else {
          // OpenShift's Machine Config Operator drains like kubectl drain
          style = op.style ?? (refs.profile === 'harvester' ? 'harvester' : 'kubectl-drain');
        }
        let maxUnavailable = op.maxUnavailable;
        if (style === 'harvester' && maxUnavailable > 1) {
          // Harvester's upgrade controller upgrades one node at a time, whatever is asked.
          warnings.push({
            path: [...base, 'upgrade', 'maxUnavailable'],
            message: `Harvester upgrades one node at a time: maxUnavailable ${maxUnavailable} is clamped to 1`,
          });
          maxUnavailable = 1;
        }
        operations.push({
          kind: 'upgrade',
          at: op.at,
          name,
          nodes: op.nodes?.target ?? { kind: 'names', names: nodes.map((n) => n.name) },
          maxUnavailable,
          order: op.order,
          duration: op.duration,
          style,
        });
        break;
      }
      case 'outage': {
        checkScope(refs, op.scope, base);
        checkNetwork(refs, op.network, base);
        operations.push({ kind: 'outage', at: op.at, duration: op.duration, scope: op.scope.scope, networkName: op.network?.name ?? null });
        break;
      }
    }
  }
  for (const c of cancels) {
    if (!migrationReg.check(c.ref, c.base)) continue;
    const created = migrationReg.get(c.ref.name)!;
    if (c.at < created.at) {
      issues.push({
        path: [...c.base, 'at'],
        message: `the cancel at ${formatDuration(c.at)} comes before migration "${c.ref.name}" is created at ${formatDuration(created.at)}`,
      });
    }
  }
  // stable: operations at the same instant keep the order of the file
  return operations.sort((a, b) => a.at - b.at);
}
