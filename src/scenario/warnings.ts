// Load-time warnings: what the scenario file asks for that the run will silently not do, or do
// against the user's likely intent. The file is valid (errors are reported elsewhere and stop the
// run); these are read in a change review by people who did not write the scenario, so each one
// names the field it concerns and has a stable machine-readable code.
import { didYouMean, formatPath, type PathSegment } from './errors.js';
import { HYPERVISOR_DEFAULTS } from './defaults.js';
import type { ParsedScenario } from './schema.js';
import type { Labels, Scenario } from './types.js';
import { formatDuration } from './units.js';

/** One warning of a run: load-time (this module) or run-time (src/metrics/warnings.ts). */
export interface Warning {
  /** stable, machine-readable: e.g. OperationAfterHorizon, EvictionStrategyNone */
  code: string;
  message: string;
  /** the scenario field it concerns, e.g. `spec.operations[3].at` */
  field?: string;
  vms?: string[];
  nodes?: string[];
}

/**
 * KubeVirt's feature gate names, active and graduated/discontinued (KubeVirt
 * pkg/virt-config/featuregate/active.go, inactive.go and the per-SIG files under it). A gate
 * outside this list does nothing in KubeVirt either: virt-config ignores names it does not know.
 */
export const KUBEVIRT_FEATURE_GATES: readonly string[] = [
  'AlignCPUs', 'AutoResourceLimitsGate', 'BochsDisplayForEFIGuests', 'CPUManager', 'CPUNodeDiscovery',
  'ClusterProfiler', 'CommonInstancetypesDeploymentGate', 'DecentralizedLiveMigration', 'DeclarativeHotplugVolumes',
  'DisableCustomSELinuxPolicy', 'DisableMDEVConfiguration', 'DockerSELinuxMCSWorkaround', 'DownwardMetrics',
  'DynamicPodInterfaceNaming', 'EnableVirtioFsConfigVolumes', 'EnableVirtioFsStorageVolumes', 'ExpandDisks',
  'ExperimentalIgnitionSupport', 'ExperimentalVirtiofsSupport', 'GPU', 'GPUsWithDRA', 'HostDevices',
  'HostDevicesWithDRA', 'HostDisk', 'HotplugNICs', 'HotplugVolumes', 'HypervStrictCheck', 'ImageVolume',
  'IncrementalBackup', 'InstancetypeReferencePolicy', 'KubevirtSeccompProfile', 'LiveMigration', 'LiveUpdateNADRef',
  'Macvtap', 'MigrationPriorityQueue', 'MigrationStallDetection', 'MultiArchitecture', 'NUMA', 'NetworkBindingPlugins',
  'NodeRestriction', 'NonRoot', 'ObjectGraph', 'PSA', 'PanicDevices', 'Passt', 'PasstIPStackMigration',
  'PersistentReservation', 'Root', 'SRIOVLiveMigration', 'SecureExecution', 'Sidecar', 'Snapshot', 'UtilityVolumes',
  'VGPULiveMigration', 'VMExport', 'VMLiveUpdateFeatures', 'VMPersistentState', 'VSOCK', 'VideoConfig',
  'VolumeMigration', 'VolumesUpdateStrategy', 'WorkloadEncryptionSEV', 'WorkloadEncryptionTDX',
];

// Kubernetes object names (apimachinery validation IsDNS1123Subdomain / IsDNS1123Label).
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const at = (path: PathSegment[]): string => formatPath(path);

function matches(labels: Labels, selector: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/** The load-time warnings of a built scenario; `parsed` gives the file's own order and indexes. */
export function loadWarnings(scenario: Scenario, parsed: ParsedScenario): Warning[] {
  const out: Warning[] = [];
  const { lists } = parsed;
  const complete = parsed.failed.nodes.length === 0 && parsed.failed.vms.length === 0;

  // --- names a user (or kubectl) could not refer to (grouped by pool once: a filter per pool
  // would be pools × VMs, minutes at 30,000 VMs)
  const nodesOfPool = groupBy(scenario.nodes, (n) => n.pool);
  const vmsOfPool = groupBy(scenario.vms, (v) => `${v.namespace}\u0000${v.pool}`);
  for (const { index, value } of lists.nodes) {
    const names = (nodesOfPool.get(value.name) ?? []).map((n) => n.name);
    const bad = names.filter((n) => n.length > 253 || !DNS1123_SUBDOMAIN.test(n));
    if (bad.length > 0) {
      out.push({
        code: 'UnreferenceableName',
        field: at(['spec', 'nodes', index, 'name']),
        nodes: bad,
        message: `node name "${bad[0]}" is not a valid Kubernetes node name (lower-case letters, digits, '-' and '.'): the API server would reject it, so nothing real can refer to it`,
      });
    }
  }
  for (const { index, value } of lists.vms) {
    const vms = vmsOfPool.get(`${value.namespace}\u0000${value.name}`) ?? [];
    const bad = vms.filter((v) => v.name.length > 63 || !DNS1123_LABEL.test(v.name)).map((v) => v.key);
    if (bad.length > 0) {
      out.push({
        code: 'UnreferenceableName',
        field: at(['spec', 'vms', index, 'name']),
        vms: bad,
        message: `VM name "${bad[0]!.split('/').slice(1).join('/')}" is not a valid KubeVirt VM name (lower-case letters, digits and '-', at most 63): the API server would reject it, and a "/" in it makes "namespace/name" references ambiguous`,
      });
    }
    if (!DNS1123_LABEL.test(value.namespace)) {
      out.push({
        code: 'UnreferenceableName',
        field: at(['spec', 'vms', index, 'namespace']),
        vms: vms.map((v) => v.key),
        message: `namespace "${value.namespace}" is not a valid Kubernetes namespace name (lower-case letters, digits and '-')`,
      });
    }
  }

  // --- operations the run will never reach, or that do nothing
  for (const { index, value: op } of lists.operations) {
    // the kernel runs events up to and including the horizon instant
    if (op.at > scenario.horizon) {
      out.push({
        code: 'OperationAfterHorizon',
        field: at(['spec', 'operations', index, 'at']),
        message: `the ${op.kind === 'legacyMigration' ? 'migrate' : op.kind} at ${formatDuration(op.at)} is after the horizon (spec.horizon ${formatDuration(scenario.horizon)}): it never happens`,
      });
    }
    if (op.kind === 'upgrade' && op.nodes !== null && complete) {
      const target = op.nodes.target;
      if (target.kind === 'selector' && !scenario.nodes.some((n) => matches(n.labels, target.matchLabels))) {
        out.push({ code: 'SelectorMatchesNoNode', field: at(['spec', 'operations', index, 'upgrade', 'selector']), message: 'matches no node: this upgrade wave does nothing' });
      }
    }
    // (a drain selector that matches no node is already a loader warning, build.ts)
  }

  // --- migration limits that let nothing run
  const cfg = scenario.kubevirt.migrations;
  const migrates = scenario.operations.some((o) => o.kind === 'migrate' || o.kind === 'drain' || o.kind === 'upgrade');
  const limitsPath = ['spec', 'kubevirt', 'configuration', 'migrations'];
  for (const key of ['parallelMigrationsPerCluster', 'parallelOutboundMigrationsPerNode'] as const) {
    if (cfg[key] === 0) {
      out.push({
        code: 'NoParallelMigrations',
        field: at([...limitsPath, key]),
        message: `${key} is 0: no migration can ever start${migrates ? '; every migration of this scenario waits in Pending until the end' : ''}`,
      });
    }
  }

  // --- feature gates KubeVirt does not have
  scenario.kubevirt.featureGates.forEach((gate, i) => {
    if (KUBEVIRT_FEATURE_GATES.includes(gate)) return;
    out.push({
      code: 'UnknownFeatureGate',
      field: at(['spec', 'kubevirt', 'configuration', 'developerConfiguration', 'featureGates', i]),
      message: `"${gate}" is not a KubeVirt feature gate${didYouMean(gate, KUBEVIRT_FEATURE_GATES)}: KubeVirt ignores it, and so does the simulation`,
    });
  });

  // --- auto-converge settings that cannot do what they say
  const t = scenario.hypervisor.throttle;
  const acPath = ['spec', 'hypervisor', 'autoConverge'];
  if (t.initial > t.max) {
    // QEMU migration/ram.c mig_throttle_guest_down: the first step sets cpu-throttle-initial, the
    // next ones MIN(current + increment, max-cpu-throttle), so the throttle would go down.
    out.push({
      code: 'AutoConvergeInitialAboveMax',
      field: at([...acPath, 'initial']),
      message: `initial throttle ${pct(t.initial)} is above max ${pct(t.max)}: QEMU starts at ${pct(t.initial)} and its next step lowers the throttle to ${pct(t.max)}`,
    });
  }
  const D = HYPERVISOR_DEFAULTS.autoConvergePercent;
  const tuned = pct(t.initial) !== `${D.initial}%` || pct(t.increment) !== `${D.increment}%` || pct(t.max) !== `${D.max}%` || pct(t.triggerThreshold) !== `${D.triggerThreshold}%`;
  const allowed = cfg.allowAutoConverge || scenario.migrationPolicies.some((p) => p.allowAutoConverge === true);
  if (tuned && !allowed) {
    out.push({
      code: 'AutoConvergeNotAllowed',
      field: at(acPath),
      message: 'auto-converge is tuned but never allowed (allowAutoConverge is false in spec.kubevirt.configuration.migrations and in every MigrationPolicy): these settings have no effect',
    });
  }
  return out;
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
