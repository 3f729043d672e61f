// The terminal report of one run: warnings first, then what every migration, drain, wave and VM
// did, then the summary. A large run prints only what needs reading (warnings, failures grouped,
// what did not finish, VMs not running, the summary) unless asked for every line.
import type { DrainRecord, MigrationRecord, Results, VmRecord } from '../metrics/results.js';
import type { Warning } from '../scenario/warnings.js';
import { bytes, seconds, table } from './format.js';

/** Above this many rows a table is left out unless `verbose`. */
export const LARGE_RUN_ROWS = 50;

export interface TextOptions {
  /** print every migration, drain and VM line even for a large run */
  verbose?: boolean;
}

export function textReport(scenario: string, seed: number, r: Results, warnings: readonly Warning[], opts: TextOptions = {}): string {
  const out: string[] = [];
  const s = r.summary;
  const omitted: string[] = [];
  const showAll = (rows: number, what: string): boolean => {
    if (opts.verbose || rows <= LARGE_RUN_ROWS) return true;
    omitted.push(`${rows} ${what}`);
    out.push(`(${rows} ${what} omitted: more than ${LARGE_RUN_ROWS}; -v/--verbose shows them)`);
    return false;
  };

  out.push(`scenario ${scenario}  seed ${seed}  simulated ${seconds(s.simulatedSeconds)}${s.horizonReached ? ' (horizon reached)' : ''}`);
  // the one-screen summary first, then what it is made of
  out.push('');
  out.push(...summaryLines(r));
  if (warnings.length > 0) {
    out.push('');
    out.push(`warnings (${warnings.length}):`);
    for (const w of warnings) out.push(`  ${formatWarning(w)}`);
  }

  out.push('');
  if (r.migrations.length === 0) out.push('no migrations');
  else if (showAll(r.migrations.length, 'migration lines')) out.push(migrationTable(r.migrations));

  const unfinished = r.migrations.filter((m) => m.unfinishedReason !== null);
  if (unfinished.length > 0) {
    out.push('');
    out.push(`unfinished at the end (${unfinished.length}):`);
    const line = (m: MigrationRecord): string => {
      const copy = m.startedAt !== null ? `, ${m.iterations} rounds, ${bytes(m.transferredBytes)} sent${m.maxThrottlePercent > 0 ? `, throttle ${m.maxThrottlePercent}%` : ''} so far` : '';
      return `${m.name} (${m.vmi}): ${m.unfinishedReason}${copy}`;
    };
    listLines(out, unfinished, line, opts, omitted, 'unfinished migration lines');
  }

  const failures = groupFailures(r.migrations);
  if (failures.length > 0) {
    out.push('');
    out.push('failures:');
    listLines(out, failures, (f) => f, opts, omitted, 'failure lines');
  }

  const stalled = r.migrations.filter((m) => m.outages.length > 0 || m.stalledSeconds > 0);
  if (stalled.length > 0) {
    out.push('');
    out.push('stalled by outages:');
    const line = (m: MigrationRecord): string =>
      `${m.name} (${m.vmi}): stalled ${seconds(m.stalledSeconds)} by ${m.outages.join(', ') || 'zero bandwidth'} -> ${m.phase}${m.reason ? ` (${m.reason})` : ''}`;
    listLines(out, stalled, line, opts, omitted, 'stalled migration lines');
  }

  const drains = r.nodes.flatMap((n) => n.drains.map((d) => ({ node: n.name, d })));
  if (drains.length > 0) {
    out.push('');
    // a large run still lists the drains that did not finish
    const rows = showAll(drains.length, 'drain lines') ? drains : drains.filter((x) => x.d.completedAt === null);
    if (rows.length > 0) out.push(drainTable(rows));
  }

  for (const w of r.waves) {
    out.push('');
    if (w.refused !== null) {
      out.push(`wave ${w.name}: REFUSED: ${w.refused.message}`);
      for (const v of w.refused.vmis) out.push(`  ${v.vmi}: ${v.reason}`);
      continue;
    }
    out.push(
      `wave ${w.name}: ${w.completedAt !== null ? `completed in ${seconds(w.makespanSeconds)}` : `NOT COMPLETED: ${w.unfinishedReason}`}, ` +
        `${w.migrations} migrations, ${w.failedMigrations} failed, at most ${w.maxMigrationsPerVm} migrations per VM`,
    );
    for (const b of w.blockedNodes) {
      out.push(`  blocked ${b.node}: ${b.reason}`);
      // every VMI that keeps the node from draining (Harvester's pre-drain can have several)
      const node = r.nodes.find((n) => n.name === b.node);
      for (const v of node?.blockedVms ?? []) if (v.reason !== b.reason) out.push(`    ${v.reason}`);
    }
  }

  if (r.vms.length > 0) {
    out.push('');
    if (showAll(r.vms.length, 'VM lines')) out.push(vmTable(r.vms));
  }
  const down = r.vms.filter((v) => v.stillDownAtEnd);
  if (down.length > 0) {
    out.push('');
    out.push(`not running at the end (${down.length}):`);
    listLines(out, down, (v) => `${v.vmi}: ${v.notRunningReason}`, opts, omitted, 'not-running VM lines');
  }

  if (omitted.length > 0) {
    out.push('');
    out.push(`omitted for size: ${omitted.join(', ')}; run with -v/--verbose (or --json) to see them`);
  }
  return out.join('\n') + '\n';
}

export function formatWarning(w: Warning): string {
  const about: string[] = [];
  if (w.field) about.push(w.field);
  if (w.nodes && w.nodes.length > 0) about.push(`nodes: ${list(w.nodes)}`);
  if (w.vms && w.vms.length > 0) about.push(`VMs: ${list(w.vms)}`);
  return `[${w.code}] ${w.message}${about.length > 0 ? ` (${about.join('; ')})` : ''}`;
}

function list(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

/** At most LARGE_RUN_ROWS lines of a list unless verbose; what is cut is said in place. */
function listLines<T>(out: string[], rows: readonly T[], line: (row: T) => string, opts: TextOptions, omitted: string[], what: string): void {
  const shown = opts.verbose || rows.length <= LARGE_RUN_ROWS ? rows : rows.slice(0, LARGE_RUN_ROWS);
  for (const r of shown) out.push(`  ${line(r)}`);
  if (shown.length < rows.length) {
    omitted.push(`${rows.length - shown.length} ${what}`);
    out.push(`  … and ${rows.length - shown.length} more (-v/--verbose shows them)`);
  }
}

function migrationTable(ms: readonly MigrationRecord[]): string {
  return table(
    ['MIGRATION', 'VMI', 'SOURCE -> TARGET', 'PHASE', 'REASON', 'POLICY', 'MODE', 'QUEUED', 'COPY', 'DOWNTIME', 'ROUNDS', 'SENT', 'THROTTLE'],
    ms.map((m) => [
      m.name,
      m.vmi,
      `${m.sourceNode ?? '-'} -> ${m.targetNode ?? '-'}`,
      m.unfinishedReason !== null ? `${m.phase} (unfinished)` : m.phase,
      m.reason ?? '',
      m.policy ?? '-',
      m.mode,
      seconds(m.queuedSeconds),
      seconds(m.copySeconds),
      m.startedAt !== null ? seconds(m.downtimeSeconds) : '-',
      String(m.iterations),
      bytes(m.transferredBytes),
      m.maxThrottlePercent > 0 ? `${m.maxThrottlePercent}%` : '',
    ]),
  );
}

/**
 * One line per distinct failure: a drain retrying an unschedulable target pod fails the same way
 * many times, which reads as one fact with a count, not as many.
 */
function groupFailures(ms: readonly MigrationRecord[]): string[] {
  const groups = new Map<string, MigrationRecord[]>();
  for (const m of ms) {
    if (m.phase !== 'Failed' || !m.message) continue;
    const key = `${m.vmi}\u0000${m.reason}\u0000${m.message}`;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()].map((g) => {
    const m = g[0]!;
    if (g.length === 1) return `${m.name} (${m.vmi}): ${m.message}`;
    const last = g[g.length - 1]!;
    return `${m.vmi}: ${g.length} migrations failed the same way (${m.name} … ${last.name}, ${seconds(m.createdAt)} to ${seconds(last.endedAt)}): ${m.reason}: ${m.message}`;
  });
}

function drainTable(rows: readonly { node: string; d: DrainRecord }[]): string {
  return table(
    ['NODE', 'WAVE', 'DRAIN START', 'DRAIN END', 'DRAIN TIME', 'UPGRADED', 'MIGRATIONS OUT', 'VMS SHUT DOWN', 'BLOCKED'],
    rows.map(({ node, d }) => [
      node,
      d.wave ?? '-',
      seconds(d.startedAt),
      d.completedAt !== null ? seconds(d.completedAt) : 'unfinished',
      seconds(d.durationSeconds),
      seconds(d.upgradeCompletedAt),
      String(d.migrationsOut),
      String(d.vmsShutDown),
      d.blockedReason ?? '',
    ]),
  );
}

/** What the VM's migrations would use; never "LiveMigration" for a VM that did not or cannot migrate. */
function method(v: VmRecord): string {
  if (!v.migratable) return '-';
  if (v.moves === 0 && v.shutDowns > 0) return v.lost ? 'lost' : 'shut down';
  return v.migrationMethod;
}

function vmTable(vms: readonly VmRecord[]): string {
  return table(
    ['VMI', 'INITIAL NODE', 'FINAL NODE', 'MOVES', 'ATTEMPTS', 'DOWNTIME', 'METHOD', 'NOT MIGRATABLE'],
    vms.map((v) => [
      v.vmi + (v.lost ? ' (lost)' : ''),
      v.initialNode ?? '-',
      v.finalNode ?? '-',
      String(v.moves),
      String(v.attempts),
      v.stillDownAtEnd ? 'still down at end' : seconds(v.downtimeSeconds),
      method(v),
      v.notMigratableReason ?? '',
    ]),
  );
}

function summaryLines(r: Results): string[] {
  const s = r.summary;
  const upVms = r.vms.filter((v) => !v.stillDownAtEnd);
  const maxDown = upVms.reduce((a, v) => Math.max(a, v.downtimeSeconds), 0);
  const lines = [
    `summary: ${s.migrations} migrations, ${s.succeeded} succeeded, ${s.failed} failed` +
      `${s.rejected ? ` (${s.rejected} rejected)` : ''}, ${s.unfinished} unfinished, ${s.stalled} stalled`,
    `  simulated span:     ${seconds(s.simulatedSeconds)}${s.horizonReached ? ' (the horizon ended the run)' : ' (nothing was left to happen)'}`,
    `  migration activity: ${s.migrationActivityFrom === null ? 'none' : `${seconds(s.makespanSeconds)} (${seconds(s.migrationActivityFrom)} to ${seconds(s.migrationActivityTo)})`}`,
  ];
  if (s.drains > 0) {
    const times = r.nodes.flatMap((n) => n.drains).flatMap((d) => (d.durationSeconds !== null ? [d.durationSeconds] : []));
    const longest = times.reduce((a, t) => Math.max(a, t), 0);
    lines.push(
      `  drains:             ${s.drains}, ${s.drainsCompleted} completed${times.length > 0 ? ` (longest ${seconds(longest)})` : ''}, ${s.drainsUnfinished} unfinished`,
    );
  }
  if (s.waves > 0) {
    const done = r.waves.filter((w) => w.makespanSeconds !== null).map((w) => `${w.name} ${seconds(w.makespanSeconds)}`);
    lines.push(`  waves:              ${s.waves}, ${s.wavesCompleted} completed${done.length > 0 ? ` (${done.join(', ')})` : ''}, ${s.wavesUnfinished} unfinished`);
  }
  lines.push(
    `  VMs:                ${r.vms.length}, shut down by eviction ${s.vmsShutDown} times, ${s.lostVms} lost, ${s.vmsNotRunning} not running at the end`,
    `  max VM downtime:    ${seconds(maxDown)}${s.vmsNotRunning > 0 ? ` among VMs running at the end; ${s.vmsNotRunning} still down at end` : ''}`,
  );
  return lines;
}
