// Time series of one run for charts and the terminal timeline, built by an observer from the
// LogEvents alone (never from simulator internals): concurrency against KubeVirt's limits, bytes
// per second on each source NIC, every pre-copy round against its switch-over threshold, the
// drain / upgrade windows of each node and the outages.
import type { LogEvent, Observer } from '../log/events.js';

/** A change of the number of migrations in flight: cluster-wide and on the source node. */
export interface ConcurrencyPoint {
  t: number;
  cluster: number;
  /** the busiest source node at this instant (outbound migrations in flight) */
  busiestNode: number;
}

/**
 * One span of traffic on a source node's NIC. Approximation: a round's bytes are spread evenly
 * over the round (Iteration.bytes / Iteration.duration); what the migration sent beyond its
 * rounds (the stop-and-copy pass, post-copy pulls, a pass cut short by a failure) is spread from
 * its last round's end to its end, so the spans of a migration add up to its transferredBytes.
 */
export interface TrafficSpan {
  node: string;
  from: number;
  to: number;
  bytes: number;
}

/** One pre-copy round (a bitmap sync) of one migration. */
export interface RoundPoint {
  migration: string;
  vmi: string;
  sourceNode: string | null;
  /** 1-based, as QEMU counts dirty-sync iterations */
  iteration: number;
  /** instant of the sync that ended the round */
  t: number;
  durationSeconds: number;
  /** bytes sent in the round (what remained at its start) */
  sentBytes: number;
  /** bytes dirtied during the round: what remains to send after it */
  remainingBytes: number;
  /** bandwidth × downtime limit at that sync: remaining ≤ threshold switches over */
  thresholdBytes: number;
  /** the migration's bandwidth during the round, bytes/s */
  bytesPerSecond: number;
  /**
   * true: a pass of a steady state (identical passes that cannot converge) that the simulation
   * did not log one by one; reconstructed as a copy of the logged round before it, one period
   * later, from the gap in the iteration numbers or the migration's final iteration count
   */
  steadyState: boolean;
}

export interface NodeWindow {
  node: string;
  kind: 'drain' | 'upgrade';
  from: number;
  /** null: still open when the run ended */
  to: number | null;
}

export interface OutageWindow {
  outage: string;
  scope: string;
  from: number;
  to: number | null;
}

export interface RunSeries {
  endTime: number;
  /** one point per change, in time order (several at one instant: the last one holds) */
  concurrency: ConcurrencyPoint[];
  /** outbound migrations in flight per source node: one point per change of that node */
  nodeConcurrency: { t: number; node: string; running: number }[];
  traffic: TrafficSpan[];
  rounds: RoundPoint[];
  /** per migration: the threshold in force and the bytes left when it switched over (StopAndCopy) */
  switchovers: { migration: string; t: number; bytes: number }[];
  nodeWindows: NodeWindow[];
  outages: OutageWindow[];
  /** what each migration started with (MigrationStarted): the inputs of a remedy */
  started: { migration: string; t: number; bandwidthPerMigration: number; acceptableCompletionTime: number; policy: string | null }[];
  /** every VM shut down or lost, with KubeVirt's / Harvester's reason */
  vmStops: { vmi: string; node: string; t: number; lost: boolean; reason: string }[];
  /** VMs no node could start again (VmiUnplaceable), last message per VM */
  unplaceable: { vmi: string; t: number; message: string }[];
}

export interface SeriesRecorder extends Observer {
  finish(): RunSeries;
}

const FINAL = new Set(['Succeeded', 'Failed']);

/**
 * A migration counts against parallelMigrationsPerCluster / parallelOutboundMigrationsPerNode
 * from its first phase past Pending until it is final, as KubeVirt's migration controller counts
 * running migrations (pkg/virt-controller/watch/migration/migration.go, findRunningMigrations).
 */
export function seriesRecorder(): SeriesRecorder {
  const source = new Map<string, { vmi: string; node: string }>();
  const running = new Set<string>();
  const perNode = new Map<string, number>();
  const concurrency: ConcurrencyPoint[] = [];
  const nodeConcurrency: RunSeries['nodeConcurrency'] = [];
  const traffic: TrafficSpan[] = [];
  const rounds: RoundPoint[] = [];
  const switchovers: RunSeries['switchovers'] = [];
  // per migration: its last round (logged or reconstructed), its bytes so far and when it started
  const progress = new Map<string, { last: RoundPoint | null; bytes: number; startedAt: number }>();
  const nodeWindows: NodeWindow[] = [];
  const openWindow = new Map<string, NodeWindow>();
  const outages: OutageWindow[] = [];
  const openOutage = new Map<string, OutageWindow>();
  const started: RunSeries['started'] = [];
  const vmStops: RunSeries['vmStops'] = [];
  const unplaceable: RunSeries['unplaceable'] = [];
  let endTime = 0;
  let busiest = 0;

  const change = (t: number, migration: string, delta: 1 | -1): void => {
    const node = source.get(migration)?.node;
    if (node === undefined) return;
    const n = (perNode.get(node) ?? 0) + delta;
    perNode.set(node, n);
    nodeConcurrency.push({ t, node, running: n });
    if (delta > 0) busiest = Math.max(busiest, n);
    else busiest = Math.max(0, ...perNode.values());
    concurrency.push({ t, cluster: running.size, busiestNode: busiest });
  };

  const addRound = (r: RoundPoint): void => {
    rounds.push(r);
    const p = progress.get(r.migration);
    if (p) {
      p.last = r;
      p.bytes += r.sentBytes;
    }
    if (r.sourceNode !== null && r.durationSeconds > 0) traffic.push({ node: r.sourceNode, from: r.t - r.durationSeconds, to: r.t, bytes: r.sentBytes });
  };

  /** The steady-state passes after the last round, up to iteration `upTo`, none after `until`. */
  const fillSteady = (migration: string, upTo: number, until: number): void => {
    const p = progress.get(migration);
    const last = p?.last;
    if (!last || last.durationSeconds <= 0) return;
    for (let k = last.iteration + 1; k <= upTo; k++) {
      const t = last.t + (k - last.iteration) * last.durationSeconds;
      if (t > until + 1e-9) break;
      addRound({ ...last, iteration: k, t, steadyState: true });
    }
  };

  const open = (node: string, kind: NodeWindow['kind'], t: number): void => {
    const w: NodeWindow = { node, kind, from: t, to: null };
    nodeWindows.push(w);
    openWindow.set(`${kind}/${node}`, w);
  };
  const close = (node: string, kind: NodeWindow['kind'], t: number): void => {
    const w = openWindow.get(`${kind}/${node}`);
    if (w) w.to = t;
    openWindow.delete(`${kind}/${node}`);
  };

  const record = (e: LogEvent): void => {
    switch (e.type) {
      case 'MigrationCreated':
        source.set(e.migration, { vmi: e.vmi, node: e.sourceNode });
        break;
      case 'MigrationStarted':
        progress.set(e.migration, { last: null, bytes: 0, startedAt: e.t });
        started.push({ migration: e.migration, t: e.t, bandwidthPerMigration: e.bandwidthPerMigration, acceptableCompletionTime: e.acceptableCompletionTime, policy: e.policy });
        break;
      case 'VmiShutDown':
      case 'VmiLost':
        vmStops.push({ vmi: e.vmi, node: e.node, t: e.t, lost: e.type === 'VmiLost', reason: e.reason });
        break;
      case 'VmiUnplaceable':
        unplaceable.push({ vmi: e.vmi, t: e.t, message: e.message });
        break;
      case 'MigrationPhase':
        if (FINAL.has(e.phase)) {
          if (running.delete(e.migration)) change(e.t, e.migration, -1);
        } else if (e.phase !== 'Pending' && !running.has(e.migration)) {
          running.add(e.migration);
          change(e.t, e.migration, 1);
        }
        break;
      case 'Iteration': {
        const s = source.get(e.migration);
        // a gap in the numbering: the passes of a steady state in between were not logged
        fillSteady(e.migration, e.iteration - 1, e.t - e.duration);
        addRound({
          migration: e.migration,
          vmi: s?.vmi ?? '',
          sourceNode: s?.node ?? null,
          iteration: e.iteration,
          t: e.t,
          durationSeconds: e.duration,
          sentBytes: e.bytes,
          remainingBytes: e.dirtied,
          thresholdBytes: e.threshold,
          bytesPerSecond: e.rate,
          steadyState: false,
        });
        break;
      }
      case 'StopAndCopy':
        switchovers.push({ migration: e.migration, t: e.t, bytes: e.bytes });
        break;
      case 'MigrationSucceeded':
      case 'MigrationFailed':
      case 'MigrationUnfinished': {
        const p = progress.get(e.migration);
        const s = source.get(e.migration);
        if (!p || !s || !e.result) break;
        fillSteady(e.migration, e.result.iterations, e.t);
        const from = p.last?.t ?? p.startedAt;
        const rest = e.result.transferredBytes - p.bytes;
        if (rest > 0 && e.t > from) traffic.push({ node: s.node, from, to: e.t, bytes: rest });
        progress.delete(e.migration);
        break;
      }
      case 'DrainStarted':
        close(e.node, 'drain', e.t);
        open(e.node, 'drain', e.t);
        break;
      case 'DrainCompleted':
        close(e.node, 'drain', e.t);
        break;
      case 'NodeUpgradeStarted':
        open(e.node, 'upgrade', e.t);
        break;
      case 'NodeUpgraded':
        close(e.node, 'upgrade', e.t);
        break;
      case 'OutageStarted': {
        const o: OutageWindow = { outage: e.outage, scope: e.scope, from: e.t, to: null };
        outages.push(o);
        openOutage.set(e.outage, o);
        break;
      }
      case 'OutageEnded': {
        const o = openOutage.get(e.outage);
        if (o) o.to = e.t;
        openOutage.delete(e.outage);
        break;
      }
      case 'SimulationEnded':
        endTime = e.t;
        break;
      default:
        break;
    }
  };

  return {
    record,
    finish: () => ({ endTime, concurrency, nodeConcurrency, traffic, rounds, switchovers, nodeWindows, outages, started, vmStops, unplaceable }),
  };
}

/**
 * Average bytes per second on each NIC over `bins` equal slices of [0, endTime]: every traffic
 * span adds its bytes to the slices it overlaps, in proportion to the overlap.
 */
export function binTraffic(spans: readonly TrafficSpan[], endTime: number, bins: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (endTime <= 0 || bins < 1) return out;
  const width = endTime / bins;
  for (const s of spans) {
    let row = out.get(s.node);
    if (!row) {
      row = new Array<number>(bins).fill(0);
      out.set(s.node, row);
    }
    const rate = s.bytes / (s.to - s.from);
    const first = Math.max(0, Math.floor(s.from / width));
    const last = Math.min(bins - 1, Math.floor(s.to / width));
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(s.to, (i + 1) * width) - Math.max(s.from, i * width);
      if (overlap > 0) row[i]! += (rate * overlap) / width;
    }
  }
  return out;
}
