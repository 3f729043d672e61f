// Events → result records. Everything a report shows is computed here from the events alone,
// incrementally: the recorder is an observer of the run, so no log needs to be stored.
import type { LogEvent, Observer } from '../log/events.js';
import type { MigrationMode } from '../precopy/job.js';

export interface MigrationRecord {
  name: string;
  vmi: string;
  sourceNode: string | null;
  targetNode: string | null;
  phase: 'Succeeded' | 'Failed' | 'Pending' | 'Scheduling' | 'Scheduled' | 'PreparingTarget' | 'TargetReady' | 'Running';
  reason: string | null;
  message: string | null;
  mode: MigrationMode;
  priority: number | null;
  evacuationNode: string | null;
  wave: string | null;
  policy: string | null;
  migrationMethod: 'BlockMigration' | 'LiveMigration' | null;
  acceptableCompletionTime: number | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  downtimeSeconds: number;
  transferredBytes: number;
  iterations: number;
  maxThrottlePercent: number;
  postCopySeconds: number;
  stalledSeconds: number;
  outages: string[];
  vmLost: boolean;
}

export interface NodeRecord {
  name: string;
  drainStartedAt: number | null;
  drainCompletedAt: number | null;
  upgradeCompletedAt: number | null;
  migrationsOut: number;
  vmsShutDown: number;
  blockedReason: string | null;
  /** the VMIs that kept an unfinished drain from completing, and why */
  blockedVms: { vmi: string; reason: string }[];
}

export interface VmRecord {
  vmi: string;
  migrations: number;
  downtimeSeconds: number;
  finalNode: string | null;
  migratable: boolean;
  migrationMethod: 'BlockMigration' | 'LiveMigration';
  notMigratableReason: string | null;
  shutDowns: number;
  lost: boolean;
  /** not running at the end of the run (its downtime runs to the end) */
  stillDown: boolean;
  /** why no node could take it, while it could not be placed or restarted; null once running */
  unplaceable: string | null;
  /** why it was last shut down or lost (eviction, Harvester's detector, `virtctl stop`, …); null if never */
  shutDownReason: string | null;
  migrationsPerWave: Record<string, number>;
}

export interface WaveRecord {
  name: string;
  startedAt: number;
  completedAt: number | null;
  makespanSeconds: number | null;
  migrations: number;
  failedMigrations: number;
  blockedNodes: { node: string; reason: string }[];
  maxMigrationsPerVm: number;
  /** refused by Harvester's upgrade webhook: the VMs its detector listed; null when admitted */
  refused: { message: string; vmis: { vmi: string; reason: string }[] } | null;
}

export interface Summary {
  migrations: number;
  succeeded: number;
  failed: number;
  rejected: number;
  unfinished: number;
  makespanSeconds: number;
  stalled: number;
  lostVms: number;
  vmsShutDown: number;
  totalDowntimeSeconds: number;
  maxDowntimeSeconds: number;
  endTime: number;
  horizonReached: boolean;
}

export interface Results {
  migrations: MigrationRecord[];
  nodes: NodeRecord[];
  vms: VmRecord[];
  waves: WaveRecord[];
  summary: Summary;
}

/** An observer that builds the result records as the run goes; `finish()` after the last event. */
export interface ResultsRecorder extends Observer {
  finish(): Results;
}

/** The result records of a stored log: the same recorder, fed from the log. */
export function computeResults(events: readonly LogEvent[], nodeNames: readonly string[]): Results {
  const recorder = resultsRecorder(nodeNames);
  for (const e of events) recorder.record(e);
  return recorder.finish();
}

export function resultsRecorder(nodeNames: readonly string[]): ResultsRecorder {
  const migs = new Map<string, MigrationRecord>();
  const nodes = new Map<string, NodeRecord>(
    nodeNames.map((n) => [n, { name: n, drainStartedAt: null, drainCompletedAt: null, upgradeCompletedAt: null, migrationsOut: 0, vmsShutDown: 0, blockedReason: null, blockedVms: [] }]),
  );
  const vms = new Map<string, VmRecord>();
  const waves = new Map<string, WaveRecord>();
  const activeOutages = new Set<string>();
  const lastFailureByNode = new Map<string, string>();
  const drainBlock = new Map<string, string>();
  const downSince = new Map<string, number>();
  const waveNodes = new Map<string, readonly string[]>();
  let endTime = 0;
  let horizonReached = false;

  const vm = (key: string): VmRecord => {
    let r = vms.get(key);
    if (!r) {
      r = { vmi: key, migrations: 0, downtimeSeconds: 0, finalNode: null, migratable: true, migrationMethod: 'LiveMigration', notMigratableReason: null, shutDowns: 0, lost: false, stillDown: false, unplaceable: null, shutDownReason: null, migrationsPerWave: {} };
      vms.set(key, r);
    }
    return r;
  };

  const record = (e: LogEvent): void => {
    switch (e.type) {
      case 'VmiAnalyzed': {
        const r = vm(e.vmi);
        r.migratable = e.migratable;
        r.migrationMethod = e.migrationMethod;
        r.notMigratableReason = e.reason;
        break;
      }
      case 'VmiPlaced': {
        const r = vm(e.vmi);
        r.finalNode = e.node;
        r.unplaceable = null;
        break;
      }
      case 'VmiUnplaceable':
        vm(e.vmi).unplaceable = e.message;
        break;
      case 'VmiMoved':
        vm(e.vmi).finalNode = e.to;
        break;
      case 'VmiShutDown':
      case 'VmiLost': {
        const r = vm(e.vmi);
        r.finalNode = null;
        r.shutDowns++;
        r.shutDownReason = e.reason;
        downSince.set(e.vmi, e.t);
        if (e.type === 'VmiLost') r.lost = true;
        const n = nodes.get(e.node);
        if (n && e.type === 'VmiShutDown') n.vmsShutDown++;
        break;
      }
      case 'VmiStarted': {
        const r = vm(e.vmi);
        r.unplaceable = null;
        r.finalNode = e.node;
        r.downtimeSeconds += e.downtimeSeconds;
        downSince.delete(e.vmi);
        break;
      }
      case 'MigrationCreated':
        migs.set(e.migration, {
          ...blankMigration(e.migration, e.vmi, e.t),
          sourceNode: e.sourceNode,
          priority: e.priority,
          evacuationNode: e.evacuationNode,
          wave: e.wave,
        });
        break;
      case 'MigrationRejected':
        // Refused at admission: never queued, so it has no priority.
        migs.set(e.migration, { ...blankMigration(e.migration, e.vmi, e.t), phase: 'Failed', reason: e.reason, message: e.message, endedAt: e.t });
        break;
      case 'MigrationPhase': {
        const m = migs.get(e.migration);
        if (m) m.phase = e.phase;
        break;
      }
      case 'TargetPodScheduled': {
        const m = migs.get(e.migration);
        if (m) m.targetNode = e.node;
        break;
      }
      case 'MigrationStarted': {
        const m = migs.get(e.migration)!;
        m.startedAt = e.t;
        m.targetNode = e.targetNode;
        m.policy = e.policy;
        m.migrationMethod = e.method;
        m.acceptableCompletionTime = e.acceptableCompletionTime;
        break;
      }
      case 'PostCopyStarted':
        migs.get(e.migration)!.mode = 'PostCopy';
        break;
      case 'GuestPaused':
        migs.get(e.migration)!.mode = 'Paused';
        break;
      case 'Stalled': {
        const m = migs.get(e.migration)!;
        for (const o of activeOutages) if (!m.outages.includes(o)) m.outages.push(o);
        break;
      }
      case 'OutageStarted':
        activeOutages.add(e.outage);
        break;
      case 'OutageEnded':
        activeOutages.delete(e.outage);
        break;
      case 'MigrationSucceeded':
      case 'MigrationFailed': {
        const m = migs.get(e.migration)!;
        m.endedAt = e.t;
        const r = e.result;
        if (r) {
          m.mode = r.mode;
          m.downtimeSeconds = r.downtimeSeconds;
          m.transferredBytes = r.transferredBytes;
          m.iterations = r.iterations;
          m.maxThrottlePercent = r.maxThrottlePercent;
          m.postCopySeconds = r.postCopySeconds;
          m.stalledSeconds = r.stalledSeconds;
        }
        if (e.type === 'MigrationFailed') {
          m.reason = e.reason;
          m.message = e.message;
          m.vmLost = e.vmLost;
          if (m.evacuationNode) lastFailureByNode.set(m.evacuationNode, `${m.vmi}: ${e.reason}: ${e.message}`);
        } else {
          // the guest paused only for the switch-over: that is the VM's downtime
          vm(m.vmi).downtimeSeconds += m.downtimeSeconds;
          if (m.sourceNode) nodes.get(m.sourceNode)!.migrationsOut++;
        }
        break;
      }
      case 'DrainStarted': {
        const n = nodes.get(e.node)!;
        n.drainStartedAt = e.t;
        n.drainCompletedAt = null;
        n.blockedReason = null;
        n.blockedVms = [];
        drainBlock.delete(e.node);
        lastFailureByNode.delete(e.node);
        break;
      }
      case 'DrainBlocked': {
        if (!drainBlock.has(e.node)) drainBlock.set(e.node, e.reason);
        const n = nodes.get(e.node);
        if (n && e.vmi !== undefined) n.blockedVms.push({ vmi: e.vmi, reason: e.reason });
        break;
      }
      case 'DrainCompleted':
        nodes.get(e.node)!.drainCompletedAt = e.t;
        break;
      case 'NodeUpgraded':
        nodes.get(e.node)!.upgradeCompletedAt = e.t;
        break;
      case 'WaveStarted':
        waveNodes.set(e.wave, e.nodes);
        waves.set(e.wave, { name: e.wave, startedAt: e.t, completedAt: null, makespanSeconds: null, migrations: 0, failedMigrations: 0, blockedNodes: [], maxMigrationsPerVm: 0, refused: null });
        break;
      case 'WaveRefused':
        waves.set(e.wave, {
          name: e.wave,
          startedAt: e.t,
          completedAt: null,
          makespanSeconds: null,
          migrations: 0,
          failedMigrations: 0,
          blockedNodes: [],
          maxMigrationsPerVm: 0,
          refused: { message: e.message, vmis: e.vmis.map((v) => ({ vmi: v.vmi, reason: v.reason })) },
        });
        break;
      case 'WaveCompleted': {
        const w = waves.get(e.wave)!;
        w.completedAt = e.t;
        w.makespanSeconds = e.t - w.startedAt;
        break;
      }
      case 'SimulationEnded':
        endTime = e.t;
        horizonReached = e.horizonReached;
        break;
      default:
        break;
    }
  };

  const finish = (): Results => {
    // Downtime of VMs still down at the end counts up to the end.
    for (const [key, since] of downSince) {
      const r = vm(key);
      r.downtimeSeconds += endTime - since;
      r.stillDown = true;
    }

    for (const n of nodes.values()) {
      if (n.drainCompletedAt !== null) n.blockedVms = [];
      if (n.drainStartedAt !== null && n.drainCompletedAt === null) {
        n.blockedReason = drainBlock.get(n.name) ?? lastFailureByNode.get(n.name) ?? 'drain did not finish before the end of the simulation';
      }
    }

    const migrations = [...migs.values()];
    for (const m of migrations) {
      const r = vm(m.vmi);
      if (m.startedAt !== null || m.phase === 'Succeeded') r.migrations++;
      if (m.wave) {
        const w = waves.get(m.wave);
        if (w) {
          w.migrations++;
          if (m.phase === 'Failed') w.failedMigrations++;
        }
      }
    }
    // Migrations per VM per wave count every VMIM that moved (or tried to move) the VM during the wave.
    for (const w of waves.values()) {
      const end = w.completedAt ?? endTime;
      for (const m of migrations) {
        if (m.createdAt < w.startedAt || m.createdAt > end || m.phase !== 'Succeeded') continue;
        const r = vm(m.vmi);
        r.migrationsPerWave[w.name] = (r.migrationsPerWave[w.name] ?? 0) + 1;
        w.maxMigrationsPerVm = Math.max(w.maxMigrationsPerVm, r.migrationsPerWave[w.name]!);
      }
      if (w.completedAt === null && w.refused === null) {
        for (const n of nodes.values()) {
          if (n.blockedReason !== null && waveNodes.get(w.name)?.includes(n.name)) w.blockedNodes.push({ node: n.name, reason: n.blockedReason });
        }
      }
    }

    const created = migrations.filter((m) => m.priority !== null);
    // reduce, not Math.min(...xs): a spread of a million arguments overflows the stack
    const first = created.reduce((a, m) => Math.min(a, m.createdAt), Infinity);
    const last = created.reduce((a, m) => Math.max(a, m.endedAt ?? endTime), -Infinity);
    const vmList = [...vms.values()];
    const summary: Summary = {
      migrations: migrations.length,
      succeeded: migrations.filter((m) => m.phase === 'Succeeded').length,
      failed: migrations.filter((m) => m.phase === 'Failed').length,
      rejected: migrations.filter((m) => m.priority === null).length,
      unfinished: migrations.filter((m) => m.phase !== 'Succeeded' && m.phase !== 'Failed').length,
      makespanSeconds: created.length > 0 ? last - first : 0,
      stalled: migrations.filter((m) => m.stalledSeconds > 0 || m.outages.length > 0).length,
      lostVms: vmList.filter((v) => v.lost).length,
      vmsShutDown: [...nodes.values()].reduce((a, n) => a + n.vmsShutDown, 0),
      totalDowntimeSeconds: vmList.reduce((a, v) => a + v.downtimeSeconds, 0),
      maxDowntimeSeconds: vmList.reduce((a, v) => Math.max(a, v.downtimeSeconds), 0),
      endTime,
      horizonReached,
    };
    return { migrations, nodes: [...nodes.values()], vms: vmList, waves: [...waves.values()], summary };
  };

  return { record, finish };
}

function blankMigration(name: string, vmi: string, createdAt: number): MigrationRecord {
  return {
    name,
    vmi,
    sourceNode: null,
    targetNode: null,
    phase: 'Pending',
    reason: null,
    message: null,
    mode: 'PreCopy',
    priority: null,
    evacuationNode: null,
    wave: null,
    policy: null,
    migrationMethod: null,
    acceptableCompletionTime: null,
    createdAt,
    startedAt: null,
    endedAt: null,
    downtimeSeconds: 0,
    transferredBytes: 0,
    iterations: 0,
    maxThrottlePercent: 0,
    postCopySeconds: 0,
    stalledSeconds: 0,
    outages: [],
    vmLost: false,
  };
}
