// `migsim check`: what would block a drain or a wave, found without running the operations.
//
// Numbered order, each step a kind of finding:
//  1. the starting point: where every VM runs, as the simulation's own placement puts it;
//  2. per drained node: VMs that are not migratable and whose eviction strategy keeps the drain
//     waiting (LiveMigrate: KubeVirt's eviction webhook refuses the eviction for good), or that the
//     drain shuts down (None, LiveMigrateIfPossible, or a non-migratable VM);
//  3. per drained node: a target pod for every VM that leaves, on the other nodes, in scenario
//     order with the real scheduler (filters, then capacity) — "no compatible target" when no node
//     would take the VM even empty, "insufficient capacity" when the others are too full;
//  4. per wave: the maxUnavailable most loaded nodes of the wave drained at once;
//  5. per VM that will migrate: the closed-form pre-copy verdict at the bandwidth it will get
//     (does it converge, how long does it take, does that fit its completion deadline).
// Findings name the VMs and nodes and say what would change the verdict.
import { acceptableCompletionTime, blockMigrationDiskBytes, migrationDataSize, migrationMethod } from '../cluster/migratability.js';
import { harvesterDetector, upgradeRefused } from '../cluster/harvester.js';
import { matchesSelector } from '../cluster/nodeselector.js';
import { resolveMigrationConfiguration, selectMigrationPolicy } from '../cluster/policy.js';
import { schedule, SchedulerCache, type NodeView } from '../cluster/scheduler.js';
import { targetPodRequirements } from '../cluster/targetpod.js';
import type { LogEvent } from '../log/events.js';
import type { DirtyModelSpec, EvictionStrategy, MigrationConfiguration, NodeSpec, NodeTarget, Scenario, VmSpec } from '../scenario/types.js';
import { simulate } from '../sim/simulation.js';
import { convergence } from './convergence.js';

export type Severity = 'block' | 'warning' | 'info';

export interface Finding {
  /** stable identifier of the kind of finding */
  code: string;
  severity: Severity;
  message: string;
  vms: string[];
  nodes: string[];
  /** what would change the verdict; null when nothing needs doing */
  remedy: string | null;
}

export interface CheckReport {
  scenario: string;
  findings: Finding[];
  summary: { blocking: number; warnings: number; info: number; nodesChecked: number; vmsChecked: number };
}

const MiB = 2 ** 20;

export function check(scenario: Scenario): CheckReport {
  const findings: Finding[] = [];
  const start = startingPoint(scenario);
  for (const [vmi, message] of start.unplaceable) {
    findings.push({
      code: 'vm-unplaceable',
      severity: 'warning',
      message: `${vmi} cannot be placed at start: ${message}`,
      vms: [vmi],
      nodes: [],
      remedy: 'free capacity or relax its node selectors; it does not run, so no drain moves it',
    });
  }

  const drained = drainedNodes(scenario);
  if (drained.implicit) {
    findings.push({
      code: 'no-drain-in-scenario',
      severity: 'info',
      message: 'the scenario drains no node: every node was checked as if it were drained alone',
      vms: [],
      nodes: [],
      remedy: null,
    });
  }

  const harvester = drained.harvester.size > 0 ? harvesterDetection(scenario, start) : null;
  if (harvester?.refused) {
    findings.push({
      code: 'harvester-upgrade-refused',
      severity: 'block',
      message: `Harvester refuses the upgrade: its detector lists ${harvester.listed.size} running VM(s) that cannot live-migrate (${[...harvester.listed.values()].join('; ')})${scenario.harvester.restoreVM ? ` and Harvester v${scenario.harvester.version.major}.${scenario.harvester.version.minor} refuses whatever restoreVM says (before v1.6)` : ' and upgrade-config restoreVM is false'}`,
      vms: [...harvester.listed.keys()],
      nodes: [],
      remedy: 'stop those VMs before the upgrade, or set restoreVM: true in Harvester\'s upgrade-config (v1.6 and later) so that it stops and restarts them',
    });
  }

  // VMs leaving each node, and every VM that migrates anywhere (for step 5, with its source).
  const leaving = new Map<string, VmSpec>();
  for (const node of drained.nodes) {
    const vms = (start.residents.get(node) ?? []).map((k) => start.vms.get(k)!);
    const detected = drained.harvester.has(node) ? new Map([...harvester!.listed].filter(([k]) => start.node.get(k) === node)) : null;
    const moving = evictionVerdicts(scenario, node, vms, start.notMigratable, detected, findings);
    findings.push(...placeElsewhere(scenario, start, [node], moving, 'drain'));
    for (const vm of moving) leaving.set(vm.key, vm);
  }
  for (const op of scenario.operations) {
    if (op.kind === 'upgrade' && op.maxUnavailable > 1) findings.push(...waveCapacity(scenario, start, op.name, resolve(scenario, op.nodes), op.maxUnavailable));
    if (op.kind === 'migrate') {
      const vm = start.vms.get(op.vmi);
      if (vm && start.node.has(vm.key) && !start.notMigratable.has(vm.key)) leaving.set(vm.key, vm);
    }
  }
  // VMs leaving each node share its NIC, up to parallelOutboundMigrationsPerNode at a time
  const leavingPerNode = new Map<string, number>();
  for (const k of leaving.keys()) leavingPerNode.set(start.node.get(k)!, (leavingPerNode.get(start.node.get(k)!) ?? 0) + 1);
  const nodeSpecs = new Map(scenario.nodes.map((n) => [n.name, n]));
  for (const vm of leaving.values()) {
    const source = start.node.get(vm.key)!;
    const f = convergenceFinding(scenario, vm, nodeSpecs.get(source)!, leavingPerNode.get(source)!);
    if (f) findings.push(f);
  }

  const order: Record<Severity, number> = { block: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  return {
    scenario: scenario.name,
    findings,
    summary: {
      blocking: findings.filter((f) => f.severity === 'block').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      info: findings.filter((f) => f.severity === 'info').length,
      nodesChecked: drained.nodes.length,
      vmsChecked: start.vms.size,
    },
  };
}

// --- 1. starting point ----------------------------------------------------------------------------

interface StartingPoint {
  vms: Map<string, VmSpec>;
  /** VMI → node it runs on at start */
  node: Map<string, string>;
  /** node → VMIs on it, in scenario order */
  residents: Map<string, string[]>;
  /** VMI → why it is not live-migratable (KubeVirt's LiveMigratable reason and message) */
  notMigratable: Map<string, string>;
  unplaceable: Map<string, string>;
  /** node → the requests of the VMs on it at the start */
  requested: Map<string, { cpu: number; memory: number }>;
}

/** Placement and LiveMigratable exactly as the simulation computes them at t = 0. */
function startingPoint(scenario: Scenario): StartingPoint {
  const events: LogEvent[] = [];
  const atStart = { ...scenario, operations: [], randomOutages: [] };
  simulate(atStart, { results: false, observers: [{ record: (e) => events.push(e) }] });
  const out: StartingPoint = {
    vms: new Map(scenario.vms.map((v) => [v.key, v])),
    node: new Map(),
    residents: new Map(scenario.nodes.map((n) => [n.name, []])),
    notMigratable: new Map(),
    unplaceable: new Map(),
    requested: new Map(),
  };
  for (const e of events) {
    if (e.t > 0) break;
    if (e.type === 'VmiPlaced') {
      out.node.set(e.vmi, e.node);
      out.residents.get(e.node)!.push(e.vmi);
    } else if (e.type === 'VmiAnalyzed' && !e.migratable) {
      out.notMigratable.set(e.vmi, `${e.reason}: ${e.message}`);
    } else if (e.type === 'VmiUnplaceable') {
      out.unplaceable.set(e.vmi, e.message);
    }
  }
  for (const k of out.unplaceable.keys()) out.notMigratable.delete(k);
  out.requested = requestedAtStart(scenario, out);
  return out;
}

function resolve(scenario: Scenario, target: NodeTarget): string[] {
  if (target.kind === 'names') return target.names.slice();
  return scenario.nodes.filter((n) => matchesSelector(n.labels, target.matchLabels)).map((n) => n.name);
}

function drainedNodes(scenario: Scenario): { nodes: string[]; implicit: boolean; harvester: Set<string> } {
  const out = new Set<string>();
  const harvester = new Set<string>();
  for (const op of scenario.operations) {
    if (op.kind !== 'drain' && op.kind !== 'upgrade') continue;
    for (const n of resolve(scenario, op.nodes)) {
      out.add(n);
      if (op.kind === 'upgrade' && op.style === 'harvester') harvester.add(n);
    }
  }
  if (out.size > 0) return { nodes: [...out], implicit: false, harvester };
  return { nodes: scenario.nodes.map((n) => n.name), implicit: true, harvester };
}

// --- 2. eviction strategy -------------------------------------------------------------------------

/**
 * What a drain does to each VM on `node` (KubeVirt pkg/virt-api/webhooks/validating-webhook/admitters
 * pod-eviction-admitter.go, and the evacuation controller's strategy switch): returns the VMs that
 * will be live-migrated, and adds a finding for the others.
 *
 * In Harvester's upgrade (`detected` given: the VMs of this node Harvester's own detector lists,
 * harvester pkg/util/virtualmachineinstance GetAllNonLiveMigratableVMINames) the pre-drain stops
 * the listed VMs, then only taints the node: KubeVirt migrates what it can under LiveMigrate or
 * LiveMigrateIfPossible, and every other VM — None included — stays and keeps the node waiting.
 */
function evictionVerdicts(
  scenario: Scenario,
  node: string,
  vms: VmSpec[],
  notMigratable: Map<string, string>,
  detected: Map<string, string> | null,
  findings: Finding[],
): VmSpec[] {
  const moving: VmSpec[] = [];
  const shutDown: string[] = [];
  const blocked: { vm: string; why: string }[] = [];
  let defaultNone = false;
  for (const vm of vms) {
    const strategy: EvictionStrategy = vm.evictionStrategy ?? scenario.kubevirt.evictionStrategy;
    const why = notMigratable.get(vm.key);
    if (strategy === 'External') continue; // an external controller decides; nothing KubeVirt does
    if (detected) {
      if (detected.has(vm.key)) shutDown.push(vm.key);
      else if (strategy === 'None') blocked.push({ vm: vm.key, why: 'eviction strategy None: the pre-drain evicts nothing' });
      else if (why !== undefined) blocked.push({ vm: vm.key, why: `KubeVirt cannot migrate it (${why}) and Harvester's detector does not list it` });
      else moving.push(vm);
      continue;
    }
    if (why !== undefined) {
      if (strategy === 'LiveMigrate') blocked.push({ vm: vm.key, why: `${why}; its eviction strategy LiveMigrate refuses the eviction` });
      else shutDown.push(vm.key);
    } else if (strategy === 'None') {
      shutDown.push(vm.key);
      if (vm.evictionStrategy === null) defaultNone = true;
    } else moving.push(vm);
  }
  if (blocked.length > 0) {
    findings.push({
      code: 'drain-blocked-not-migratable',
      severity: 'block',
      message: `draining ${node} never finishes: ${blocked.length} VM(s) stay on it: ${blocked.map((b) => `${b.vm} (${b.why})`).join('; ')}`,
      vms: blocked.map((b) => b.vm),
      nodes: [node],
      remedy: detected
        ? 'make the VMs migratable with eviction strategy LiveMigrate, or stop them before the upgrade'
        : 'make the VMs migratable (the reason says what stops them), or set their evictionStrategy to LiveMigrateIfPossible or None so that the drain shuts them down',
    });
  }
  if (shutDown.length > 0) {
    findings.push({
      code: 'vms-shut-down-on-drain',
      severity: 'warning',
      message: detected
        ? `Harvester's pre-drain stops ${shutDown.length} VM(s) on ${node} that its detector lists as not live-migratable${scenario.harvester.restoreVM ? ' (restoreVM: true starts them again after the node\'s upgrade)' : ''}`
        : `draining ${node} shuts down ${shutDown.length} VM(s) instead of migrating them`,
      vms: shutDown,
      nodes: [node],
      remedy: detected
        ? 'remove what makes them non-migratable for Harvester (node selectors, host devices, CD-ROMs on older releases) if they must keep running'
        : defaultNone
          ? "the effective eviction strategy is None (KubeVirt's default when spec.kubevirt.configuration.evictionStrategy is unset): set it to LiveMigrate, as most distributions do"
          : 'set the VMs\' evictionStrategy to LiveMigrate (and make them migratable) if they must keep running',
    });
  }
  return moving;
}

/**
 * Harvester's own non-migratable list over every running VM, and whether its upgrade webhook
 * refuses the upgrade because of it (pkg/webhook/resources/upgrade/validator.go).
 */
function harvesterDetection(scenario: Scenario, start: StartingPoint): { listed: Map<string, string>; refused: boolean } {
  const nodes = scenario.nodes.map((spec) => ({ spec, unschedulable: spec.unschedulable }));
  const listed = new Map<string, string>();
  for (const [vmi, node] of start.node) {
    const f = harvesterDetector(start.vms.get(vmi)!, node, nodes, scenario.harvester.version);
    if (f) listed.set(vmi, f.message);
  }
  return { listed, refused: upgradeRefused(scenario.harvester.restoreVM, scenario.harvester.version, listed.size) };
}

// --- 3./4. targets and capacity -------------------------------------------------------------------

/** Every node's requests at the start, summed once. */
function requestedAtStart(scenario: Scenario, start: StartingPoint): Map<string, { cpu: number; memory: number }> {
  const requested = new Map(scenario.nodes.map((n) => [n.name, { cpu: 0, memory: 0 }]));
  for (const [vmi, node] of start.node) {
    const vm = start.vms.get(vmi)!;
    const r = requested.get(node)!;
    r.cpu += vm.cpu;
    r.memory += vm.memory;
  }
  return requested;
}

/** The scheduler's view of the nodes with `cordoned` cordoned: as at the start, or every node empty. */
function views(scenario: Scenario, start: StartingPoint, cordoned: readonly string[], empty: boolean): NodeView[] {
  const off = new Set(cordoned);
  return scenario.nodes.map((spec) => {
    const r = start.requested.get(spec.name)!;
    return {
      spec,
      unschedulable: spec.unschedulable || off.has(spec.name),
      taints: spec.taints.slice(),
      requested: empty ? { cpu: 0, memory: 0 } : { cpu: r.cpu, memory: r.memory },
      vmiPods: new Set<string>(),
    };
  });
}

/**
 * Target pods for `moving` (leaving the `cordoned` nodes), one after another with the real
 * scheduler, each reserving its requests as the target pod would. The sources' requests stay
 * reserved, as they do until each migration completes.
 */
function placeElsewhere(scenario: Scenario, start: StartingPoint, cordoned: readonly string[], moving: readonly VmSpec[], what: 'drain' | 'wave'): Finding[] {
  const loaded = views(scenario, start, cordoned, false);
  // kube-scheduler's own search (sampling, per-shape verdicts), told of each reservation
  const cache = new SchedulerCache(loaded);
  const view = new Map(loaded.map((v) => [v.spec.name, v]));
  let empty: NodeView[] | null = null;
  const byName = new Map(scenario.nodes.map((n) => [n.name, n]));
  const scoring = scenario.scheduler.scoring;
  const noTarget: { vm: string; message: string }[] = [];
  const noRoom: { vm: string; message: string }[] = [];
  for (const vm of moving) {
    const source = byName.get(start.node.get(vm.key)!)!;
    const pod = targetPodRequirements(vm, source, scenario.kubevirt, {}, null);
    if (!pod.ok) {
      noTarget.push({ vm: vm.key, message: pod.message });
      continue;
    }
    const req = { pod: pod.pod, vmiKey: vm.key, antiAffinity: false };
    const res = schedule(req, loaded, scoring, cache);
    if (res.node !== null) {
      const v = view.get(res.node)!;
      v.requested.cpu += vm.cpu;
      v.requested.memory += vm.memory;
      cache.touch(v);
      continue;
    }
    empty ??= views(scenario, start, cordoned, true);
    const alone = schedule(req, empty, scoring);
    (alone.node === null ? noTarget : noRoom).push({ vm: vm.key, message: alone.node === null ? alone.message : res.message });
  }
  const where = cordoned.join(', ');
  const out: Finding[] = [];
  if (noTarget.length > 0) {
    out.push({
      code: 'no-compatible-target',
      severity: 'block',
      message: `${what === 'drain' ? `draining ${where}` : `the wave draining ${where} at once`}: ${noTarget.length} VM(s) have no compatible target node even with every node empty: ${noTarget.map((x) => `${x.vm} (${x.message})`).join('; ')}`,
      vms: noTarget.map((x) => x.vm),
      nodes: [...cordoned],
      remedy: 'add nodes with the labels, CPU model, tolerations or CPU manager the VMs require, or relax their selectors and affinity',
    });
  }
  if (noRoom.length > 0) {
    out.push({
      code: what === 'drain' ? 'insufficient-capacity' : 'wave-capacity',
      severity: 'block',
      message: `${what === 'drain' ? `draining ${where}` : `draining ${where} at once (maxUnavailable)`}: ${noRoom.length} VM(s) do not fit on the other nodes' free CPU/memory: ${noRoom.map((x) => `${x.vm} (${x.message})`).join('; ')}`,
      vms: noRoom.map((x) => x.vm),
      nodes: [...cordoned],
      remedy: what === 'drain' ? 'free capacity on the other nodes (or add a node) before the drain' : 'lower maxUnavailable or add spare capacity',
    });
  }
  return out;
}

/** The maxUnavailable nodes of the wave holding the most memory, drained at the same time. */
function waveCapacity(scenario: Scenario, start: StartingPoint, wave: string, nodes: string[], maxUnavailable: number): Finding[] {
  const load = (n: string): number => (start.residents.get(n) ?? []).reduce((a, k) => a + start.vms.get(k)!.memory, 0);
  const worst = nodes
    .slice()
    .sort((a, b) => load(b) - load(a) || (a < b ? -1 : 1))
    .slice(0, maxUnavailable);
  const moving = worst.flatMap((n) => (start.residents.get(n) ?? []).filter((k) => !start.notMigratable.has(k)).map((k) => start.vms.get(k)!))
    .filter((vm) => (vm.evictionStrategy ?? scenario.kubevirt.evictionStrategy) !== 'None' && (vm.evictionStrategy ?? scenario.kubevirt.evictionStrategy) !== 'External');
  const singly = new Set(worst.flatMap((n) => placeElsewhere(scenario, start, [n], moving.filter((vm) => start.node.get(vm.key) === n), 'drain').flatMap((f) => f.vms)));
  return placeElsewhere(scenario, start, worst, moving, 'wave')
    .map((f) => ({ ...f, vms: f.vms.filter((v) => !singly.has(v)), message: `wave ${wave}: ${f.message}` }))
    .filter((f) => f.vms.length > 0);
}

// --- 5. convergence ---------------------------------------------------------------------------------

/** Highest dirty rate and the working set it saturates at. */
export function dirtyFigures(d: DirtyModelSpec): { rate: number; workingSet: number } {
  switch (d.kind) {
    case 'constant':
      return { rate: d.rate, workingSet: d.workingSet };
    case 'phases':
      return { rate: Math.max(0, ...d.phases.map((p) => p.rate)), workingSet: d.workingSet };
    case 'curve': {
      let rate = 0;
      let prev = { t: 0, bytes: 0 };
      for (const p of d.points) {
        if (p.t > prev.t) rate = Math.max(rate, (p.bytes - prev.bytes) / (p.t - prev.t));
        prev = p;
      }
      return { rate, workingSet: d.points.at(-1)?.bytes ?? 0 };
    }
  }
}

const fmtRate = (b: number): string => `${(b / MiB).toFixed(b < 10 * MiB ? 1 : 0)} MiB/s`;
const fmtMi = (b: number): string => `${Math.ceil(b / MiB)}Mi`;

function convergenceFinding(scenario: Scenario, vm: VmSpec, node: NodeSpec, leavingSource: number): Finding | null {
  const sourceNode = node.name;
  const kv = scenario.kubevirt;
  const policy = selectMigrationPolicy(scenario.migrationPolicies, vm.labels, scenario.namespaces[vm.namespace] ?? {});
  const cfg: MigrationConfiguration = resolveMigrationConfiguration(kv.migrations, policy, kv.version);
  const parallel = Math.max(1, Math.min(cfg.parallelOutboundMigrationsPerNode, cfg.parallelMigrationsPerCluster, leavingSource));
  const nic = nicRate(node, cfg.network);
  const share = nic / parallel;
  const bandwidth = cfg.bandwidthPerMigration > 0 ? Math.min(cfg.bandwidthPerMigration, share) : share;
  const { rate, workingSet } = dirtyFigures(vm.dirty);
  const method = migrationMethod(vm);
  const deadline = acceptableCompletionTime(cfg.completionTimeoutPerGiB, migrationDataSize(vm, method));
  const c = convergence({
    memory: vm.usedMemory,
    disk: blockMigrationDiskBytes(vm),
    bandwidth,
    dirtyRate: rate,
    workingSet,
    downtimeLimit: scenario.hypervisor.downtimeLimit,
    autoConverge: cfg.allowAutoConverge ? { ...scenario.hypervisor.throttle, sensitivity: vm.throttleSensitivity } : null,
  });
  const limitedBy = cfg.bandwidthPerMigration > 0 && cfg.bandwidthPerMigration <= share
    ? `the ${fmtRate(cfg.bandwidthPerMigration)} bandwidthPerMigration${policy ? ` (MigrationPolicy ${policy.name})` : ''}`
    : `its share of ${sourceNode}'s NIC (${fmtRate(nic)} / ${parallel} parallel outbound migrations)`;
  const fallback = cfg.allowPostCopy ? 'post-copy' : cfg.allowWorkloadDisruption ? 'pausing the guest' : null;
  const subject = policy ? `MigrationPolicy ${policy.name}` : 'a MigrationPolicy selecting this VM';

  if (!c.converges) {
    const needed = rate * 1.25;
    const raise = needed <= share
      ? `raise bandwidthPerMigration to ≥ ${fmtMi(needed)} in ${subject}`
      : `give it more than ${fmtRate(rate)} (its NIC share is ${fmtRate(share)}: lower parallelOutboundMigrationsPerNode or use a faster migration network)`;
    const downtime = workingSet / Math.max(bandwidth, 1);
    return {
      code: 'will-not-converge',
      severity: fallback ? 'warning' : 'block',
      message: `${vm.key} dirties ${fmtRate(rate)} (working set ${fmtMi(workingSet)}) against ${fmtRate(bandwidth)} from ${limitedBy}: pre-copy never gets under the ${(scenario.hypervisor.downtimeLimit * 1000).toFixed(0)} ms switch-over threshold${cfg.allowAutoConverge ? ', even with auto-converge throttling it' : ''}${fallback ? `; it completes only by ${fallback} at the completion deadline (${deadline} s)` : deadline > 0 ? `; it is aborted at its completion deadline (${deadline} s) and the drain retries it with back-off` : '; with the completion timeout disabled it copies for ever'}`,
      vms: [vm.key],
      nodes: [sourceNode],
      remedy: [
        fallback ? `to finish in pre-copy, ${raise}` : raise,
        ...(cfg.allowAutoConverge ? [] : [`allow auto-converge in ${subject}`]),
        ...(fallback ? [] : [`allow post-copy in ${subject}`]),
        `or a downtime limit ≥ ${Math.ceil(downtime * 1000)} ms`,
      ].join('; '),
    };
  }
  if (deadline > 0 && c.seconds > deadline) {
    const perGiB = Math.ceil((c.seconds * 1.2) / Math.ceil(migrationDataSize(vm, method) / 1e9));
    return {
      code: 'exceeds-completion-deadline',
      severity: fallback ? 'warning' : 'block',
      message: `${vm.key} needs about ${Math.round(c.seconds)} s to copy (${c.rounds} rounds at ${fmtRate(bandwidth)} from ${limitedBy}${c.throttled ? ', with auto-converge' : ''}) but its completion deadline is ${deadline} s${fallback ? `: it will finish by ${fallback}` : ': it is aborted and the drain retries it with back-off'}`,
      vms: [vm.key],
      nodes: [sourceNode],
      remedy: `raise completionTimeoutPerGiB to ≥ ${perGiB} in ${subject}, or give it more bandwidth`,
    };
  }
  return null;
}

/** The source NIC on the migration network (a dedicated network falls back to the pod network). */
function nicRate(node: NodeSpec, network: string | null): number {
  const bg = node.backgroundLoad.reduce((a, s) => Math.max(a, s.fraction), 0);
  if (network !== null && node.nics[network] !== undefined) return node.nics[network]!;
  return (node.nics['pod'] ?? 0) * (1 - bg);
}
