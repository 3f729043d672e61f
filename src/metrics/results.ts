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
  /** created → started copying (or → final / end of run if it never started): queue and target pod */
  queuedSeconds: number;
  /** started copying → final (or → end of run); null if it never started */
  copySeconds: number | null;
  /** not final when the run ended: the state that held it (its copy so far is in the fields above) */
  unfinishedReason: string | null;
}

/** One drain of a node: a node drained several times has one per drain, in order. */
export interface DrainRecord {
  wave: string | null;
  startedAt: number;
  completedAt: number | null;
  /** startedAt → completedAt; null while unfinished */
  durationSeconds: number | null;
  upgradeCompletedAt: number | null;
  /** evacuation migrations of this drain that succeeded */
  migrationsOut: number;
  vmsShutDown: number;
  /** why it did not finish; null once completed */
  blockedReason: string | null;
}

export interface NodeRecord {
  name: string;
  drainStartedAt: number | null;
  drainCompletedAt: number | null;
  upgradeCompletedAt: number | null;
  migrationsOut: number;
  vmsShutDown: number;
  blockedReason: string | null;
  /** every drain of the node; the fields above repeat the last one's (and total the counts) */
  drains: DrainRecord[];
  /** the VMIs that keep the node's last drain from completing, and why (empty once it completed) */
  blockedVms: { vmi: string; reason: string }[];
}

export interface VmRecord {
  vmi: string;
  /** migrations that started copying (or succeeded) */
  migrations: number;
  /** migrations that moved the VM (succeeded) */
  moves: number;
  /** VMIMs created or refused for the VM, whatever became of them */
  attempts: number;
  downtimeSeconds: number;
  /** the VM is not running when the run ends: its downtime counts up to the end and is not final */
  stillDownAtEnd: boolean;
  /** why it is not running at the end (shut down, lost, never placed); null when running */
  notRunningReason: string | null;
  initialNode: string | null;
  finalNode: string | null;
  migratable: boolean;
  migrationMethod: 'BlockMigration' | 'LiveMigration';
  notMigratableReason: string | null;
  shutDowns: number;
  lost: boolean;
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
  /** why the wave did not complete; null once completed */
  unfinishedReason: string | null;
  /** refused by Harvester's upgrade webhook: the VMs its detector listed; null when admitted */
  refused: { message: string; vmis: { vmi: string; reason: string }[] } | null;
}

export interface Summary {
  migrations: number;
  succeeded: number;
  failed: number;
  rejected: number;
  unfinished: number;
  /** span of migration activity: first migration created → last one final (or the end) */
  makespanSeconds: number;
  migrationActivityFrom: number | null;
  migrationActivityTo: number | null;
  /** the simulated span: 0 → the last event, or the horizon */
  simulatedSeconds: number;
  drains: number;
  drainsCompleted: number;
  drainsUnfinished: number;
  waves: number;
  wavesCompleted: number;
  wavesUnfinished: number;
  /** VMs not running at the end: shut down and never restarted, never placed, lost */
  vmsNotRunning: number;
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
    nodeNames.map((n) => [n, { name: n, drainStartedAt: null, drainCompletedAt: null, upgradeCompletedAt: null, migrationsOut: 0, vmsShutDown: 0, blockedReason: null, drains: [], blockedVms: [] }]),
  );
  const vms = new Map<string, VmRecord>();
  const waves = new Map<string, WaveRecord>();
  const activeOutages = new Set<string>();
  /** per drain (by node, the current one): the first DrainBlocked reason and the last failure */
  const drainBlock = new Map<string, string>();
  const lastFailureByNode = new Map<string, string>();
  const downSince = new Map<string, number>();
  /** why a VM is not running, while it is not */
  const downReason = new Map<string, string>();
  /** migrations stalled right now, since when */
  const stalledSince = new Map<string, number>();
  const waveNodes = new Map<string, readonly string[]>();
  let endTime = 0;
  let horizonReached = false;

  const vm = (key: string): VmRecord => {
    let r = vms.get(key);
    if (!r) {
      r = {
        vmi: key,
        migrations: 0,
        moves: 0,
        attempts: 0,
        downtimeSeconds: 0,
        stillDownAtEnd: false,
        notRunningReason: null,
        initialNode: null,
        finalNode: null,
        migratable: true,
        migrationMethod: 'LiveMigration',
        notMigratableReason: null,
        shutDowns: 0,
        lost: false,
        migrationsPerWave: {},
      };
      vms.set(key, r);
    }
    return r;
  };
  /** the node's drain in progress (or its last one) */
  const currentDrain = (node: string): DrainRecord | undefined => nodes.get(node)?.drains.at(-1);

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
        r.initialNode ??= e.node;
        downReason.delete(e.vmi);
        break;
      }
      case 'VmiUnplaceable': {
        const r = vm(e.vmi);
        // never placed yet: not running since the start
        if (r.initialNode === null && !downSince.has(e.vmi)) downSince.set(e.vmi, 0);
        // keep why it went down; the latest scheduler verdict says why it is not back
        const cause = (downReason.get(e.vmi) ?? '').split('; not restarted: ')[0]!;
        downReason.set(e.vmi, r.initialNode === null ? `never placed: ${e.message}` : `${cause || 'down'}; not restarted: ${e.message}`);
        break;
      }
      case 'VmiMoved':
        vm(e.vmi).finalNode = e.to;
        break;
      case 'VmiShutDown':
      case 'VmiLost': {
        const r = vm(e.vmi);
        r.finalNode = null;
        r.shutDowns++;
        downSince.set(e.vmi, e.t);
        downReason.set(e.vmi, `${e.type === 'VmiLost' ? 'lost' : 'shut down'} on ${e.node} at ${instant(e.t)}: ${e.reason}`);
        if (e.type === 'VmiLost') r.lost = true;
        const n = nodes.get(e.node);
        if (n && e.type === 'VmiShutDown') {
          n.vmsShutDown++;
          const d = currentDrain(e.node);
          if (d && d.completedAt === null) d.vmsShutDown++;
        }
        break;
      }
      case 'VmiStarted': {
        const r = vm(e.vmi);
        r.finalNode = e.node;
        r.downtimeSeconds += e.downtimeSeconds;
        downSince.delete(e.vmi);
        downReason.delete(e.vmi);
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
        stalledSince.set(e.migration, e.t);
        for (const o of activeOutages) if (!m.outages.includes(o)) m.outages.push(o);
        break;
      }
      case 'Resumed':
        stalledSince.delete(e.migration);
        break;
      case 'OutageStarted':
        activeOutages.add(e.outage);
        break;
      case 'OutageEnded':
        activeOutages.delete(e.outage);
        break;
      case 'MigrationUnfinished':
      case 'MigrationSucceeded':
      case 'MigrationFailed': {
        const m = migs.get(e.migration)!;
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
        if (e.type === 'MigrationUnfinished') {
          m.phase = e.phase;
          const since = stalledSince.get(e.migration);
          m.unfinishedReason = e.why + (since !== undefined ? `; stalled since ${instant(since)}${m.outages.length > 0 ? ` (${m.outages.join(', ')})` : ''}` : '');
          if (since !== undefined) m.stalledSeconds += e.t - since;
          break;
        }
        m.endedAt = e.t;
        stalledSince.delete(e.migration);
        if (e.type === 'MigrationFailed') {
          m.reason = e.reason;
          m.message = e.message;
          m.vmLost = e.vmLost;
          if (m.evacuationNode) lastFailureByNode.set(m.evacuationNode, `${m.vmi}: ${e.reason}: ${e.message}`);
        } else {
          // the guest paused only for the switch-over: that is the VM's downtime
          vm(m.vmi).downtimeSeconds += m.downtimeSeconds;
          if (m.sourceNode) nodes.get(m.sourceNode)!.migrationsOut++;
          if (m.evacuationNode) {
            const d = currentDrain(m.evacuationNode);
            if (d && d.completedAt === null) d.migrationsOut++;
          }
        }
        break;
      }
      case 'DrainStarted': {
        const n = nodes.get(e.node)!;
        n.drainStartedAt = e.t;
        n.drainCompletedAt = null;
        n.upgradeCompletedAt = null;
        n.blockedReason = null;
        n.drains.push({ wave: e.wave, startedAt: e.t, completedAt: null, durationSeconds: null, upgradeCompletedAt: null, migrationsOut: 0, vmsShutDown: 0, blockedReason: null });
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
      case 'DrainCompleted': {
        nodes.get(e.node)!.drainCompletedAt = e.t;
        const d = currentDrain(e.node);
        if (d) {
          d.completedAt = e.t;
          d.durationSeconds = e.t - d.startedAt;
        }
        break;
      }
      case 'NodeUpgraded': {
        nodes.get(e.node)!.upgradeCompletedAt = e.t;
        const d = currentDrain(e.node);
        if (d) d.upgradeCompletedAt = e.t;
        break;
      }
      case 'WaveStarted':
        waveNodes.set(e.wave, e.nodes);
        waves.set(e.wave, { name: e.wave, startedAt: e.t, completedAt: null, makespanSeconds: null, migrations: 0, failedMigrations: 0, blockedNodes: [], maxMigrationsPerVm: 0, unfinishedReason: null, refused: null });
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
          unfinishedReason: e.message,
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
    const migrations = [...migs.values()];
    for (const m of migrations) {
      const final = m.endedAt ?? endTime;
      m.queuedSeconds = (m.startedAt ?? final) - m.createdAt;
      m.copySeconds = m.startedAt === null ? null : final - m.startedAt;
      const r = vm(m.vmi);
      r.attempts++;
      if (m.phase === 'Succeeded') r.moves++;
      if (m.startedAt !== null || m.phase === 'Succeeded') r.migrations++;
      if (m.wave) {
        const w = waves.get(m.wave);
        if (w) {
          w.migrations++;
          if (m.phase === 'Failed') w.failedMigrations++;
        }
      }
    }

    // VMs not running at the end: their downtime counts up to the end, flagged as not final.
    for (const [key, since] of downSince) {
      const r = vm(key);
      r.downtimeSeconds += endTime - since;
      r.stillDownAtEnd = true;
      r.notRunningReason = downReason.get(key) ?? 'not running';
    }

    const cut = horizonReached ? 'the horizon (spec.horizon) ended the run before the drain finished' : 'nothing left in the run could finish the drain';
    for (const n of nodes.values()) {
      const d = n.drains.at(-1);
      if (d && d.completedAt !== null) n.blockedVms = [];
      if (!d || d.completedAt !== null) continue;
      // the first refusal, else an evacuation still in flight (and the failure before it), else the last failed one
      const inFlight = migrations.find((m) => m.evacuationNode === n.name && m.unfinishedReason !== null);
      const failure = lastFailureByNode.get(n.name);
      d.blockedReason =
        drainBlock.get(n.name) ??
        (inFlight ? `${inFlight.vmi}: migration ${inFlight.name} unfinished: ${inFlight.unfinishedReason}${failure ? ` (after a failed attempt: ${failure})` : ''}` : undefined) ??
        failure ??
        cut;
      n.blockedReason = d.blockedReason;
    }

    // Migrations per VM per wave count every VMIM that moved the VM during the wave.
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
        w.unfinishedReason =
          w.blockedNodes.length > 0
            ? `${w.blockedNodes.length} node(s) never drained: ${w.blockedNodes.map((b) => b.node).join(', ')}`
            : horizonReached
              ? 'the horizon (spec.horizon) ended the run before the wave finished'
              : 'a node of the wave was still being upgraded when the run ended';
      }
    }

    const created = migrations.filter((m) => m.priority !== null);
    // reduce, not Math.min(...xs): a spread of a million arguments overflows the stack
    const first = created.reduce((a, m) => Math.min(a, m.createdAt), Infinity);
    const last = created.reduce((a, m) => Math.max(a, m.endedAt ?? endTime), -Infinity);
    const vmList = [...vms.values()];
    const nodeList = [...nodes.values()];
    const drains = nodeList.flatMap((n) => n.drains);
    const waveList = [...waves.values()];
    const summary: Summary = {
      migrations: migrations.length,
      succeeded: migrations.filter((m) => m.phase === 'Succeeded').length,
      failed: migrations.filter((m) => m.phase === 'Failed').length,
      rejected: migrations.filter((m) => m.priority === null).length,
      unfinished: migrations.filter((m) => m.phase !== 'Succeeded' && m.phase !== 'Failed').length,
      makespanSeconds: created.length > 0 ? last - first : 0,
      migrationActivityFrom: created.length > 0 ? first : null,
      migrationActivityTo: created.length > 0 ? last : null,
      simulatedSeconds: endTime,
      drains: drains.length,
      drainsCompleted: drains.filter((d) => d.completedAt !== null).length,
      drainsUnfinished: drains.filter((d) => d.completedAt === null).length,
      waves: waveList.length,
      wavesCompleted: waveList.filter((w) => w.completedAt !== null).length,
      wavesUnfinished: waveList.filter((w) => w.completedAt === null).length,
      vmsNotRunning: vmList.filter((v) => v.stillDownAtEnd).length,
      stalled: migrations.filter((m) => m.stalledSeconds > 0 || m.outages.length > 0).length,
      lostVms: vmList.filter((v) => v.lost).length,
      vmsShutDown: nodeList.reduce((a, n) => a + n.vmsShutDown, 0),
      totalDowntimeSeconds: vmList.reduce((a, v) => a + v.downtimeSeconds, 0),
      maxDowntimeSeconds: vmList.reduce((a, v) => Math.max(a, v.downtimeSeconds), 0),
      endTime,
      horizonReached,
    };
    return { migrations, nodes: nodeList, vms: vmList, waves: waveList, summary };
  };

  return { record, finish };
}

/** An instant in messages: seconds, to the millisecond. */
function instant(t: number): string {
  return `${Math.round(t * 1000) / 1000}s`;
}

/** A migration record before anything happened to it (also the base of test fixtures). */
export function blankMigration(name: string, vmi: string, createdAt: number): MigrationRecord {
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
    queuedSeconds: 0,
    copySeconds: null,
    unfinishedReason: null,
  };
}
