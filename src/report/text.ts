// The terminal summary of one run.
import type { Results } from '../metrics/results.js';
import { bytes, seconds, table } from './format.js';

export function textReport(scenario: string, seed: number, r: Results, warnings: string[]): string {
  const out: string[] = [];
  out.push(`scenario ${scenario}  seed ${seed}  simulated ${seconds(r.summary.endTime)}${r.summary.horizonReached ? ' (horizon reached)' : ''}`);
  for (const w of warnings) out.push(`warning: ${w}`);
  out.push('');
  if (r.migrations.length > 0) {
    out.push(
      table(
        ['MIGRATION', 'VMI', 'SOURCE -> TARGET', 'PHASE', 'REASON', 'MODE', 'DURATION', 'DOWNTIME', 'ROUNDS', 'SENT', 'THROTTLE'],
        r.migrations.map((m) => [
          m.name,
          m.vmi,
          `${m.sourceNode ?? '-'} -> ${m.targetNode ?? '-'}`,
          m.phase,
          m.reason ?? '',
          m.mode,
          m.endedAt !== null ? seconds(m.endedAt - m.createdAt) : '-',
          m.startedAt !== null ? seconds(m.downtimeSeconds) : '-',
          String(m.iterations),
          bytes(m.transferredBytes),
          m.maxThrottlePercent > 0 ? `${m.maxThrottlePercent}%` : '',
        ]),
      ),
    );
    const failed = r.migrations.filter((m) => m.phase === 'Failed' && m.message);
    if (failed.length > 0) {
      out.push('');
      out.push('failures:');
      for (const m of failed) out.push(`  ${m.name} (${m.vmi}): ${m.message}`);
    }
    const stalled = r.migrations.filter((m) => m.outages.length > 0 || m.stalledSeconds > 0);
    if (stalled.length > 0) {
      out.push('');
      out.push('stalled by outages:');
      for (const m of stalled) out.push(`  ${m.name} (${m.vmi}): stalled ${seconds(m.stalledSeconds)} by ${m.outages.join(', ') || 'zero bandwidth'} -> ${m.phase}${m.reason ? ` (${m.reason})` : ''}`);
    }
  } else {
    out.push('no migrations');
  }
  const drained = r.nodes.filter((n) => n.drainStartedAt !== null);
  if (drained.length > 0) {
    out.push('');
    out.push(
      table(
        ['NODE', 'DRAIN START', 'DRAIN END', 'UPGRADED', 'MIGRATIONS OUT', 'VMS SHUT DOWN', 'BLOCKED'],
        drained.map((n) => [
          n.name,
          seconds(n.drainStartedAt),
          seconds(n.drainCompletedAt),
          seconds(n.upgradeCompletedAt),
          String(n.migrationsOut),
          String(n.vmsShutDown),
          n.blockedReason ?? '',
        ]),
      ),
    );
  }
  for (const w of r.waves) {
    out.push('');
    if (w.refused !== null) {
      out.push(`wave ${w.name}: REFUSED: ${w.refused.message}`);
      for (const v of w.refused.vmis) out.push(`  ${v.vmi}: ${v.reason}`);
      continue;
    }
    out.push(
      `wave ${w.name}: ${w.completedAt !== null ? `completed in ${seconds(w.makespanSeconds)}` : 'BLOCKED'}, ` +
        `${w.migrations} migrations, ${w.failedMigrations} failed, at most ${w.maxMigrationsPerVm} migrations per VM`,
    );
    for (const b of w.blockedNodes) {
      out.push(`  blocked ${b.node}: ${b.reason}`);
      const node = r.nodes.find((n) => n.name === b.node);
      for (const v of node?.blockedVms ?? []) if (v.reason !== b.reason) out.push(`    ${v.reason}`);
    }
  }
  if (r.vms.length > 0) {
    out.push('');
    out.push(
      table(
        ['VMI', 'MIGRATIONS', 'DOWNTIME', 'FINAL NODE', 'METHOD', 'NOT MIGRATABLE'],
        r.vms.map((v) => [
          v.vmi + (v.lost ? ' (lost)' : ''),
          String(v.migrations),
          seconds(v.downtimeSeconds),
          v.finalNode ?? (v.stillDown ? '- (still down)' : '-'),
          v.migrationMethod,
          v.notMigratableReason ?? '',
        ]),
      ),
    );
  }
  const down = r.vms.filter((v) => v.shutDownReason !== null);
  if (down.length > 0) {
    out.push('');
    out.push('shut down:');
    for (const v of down) out.push(`  ${v.vmi}${v.stillDown ? ' (still down)' : ''}: ${v.shutDownReason}`);
  }
  const unplaced = r.vms.filter((v) => v.unplaceable !== null);
  if (unplaced.length > 0) {
    out.push('');
    out.push('not running, no node fits:');
    for (const v of unplaced) out.push(`  ${v.vmi}: ${v.unplaceable}`);
  }
  const s = r.summary;
  out.push('');
  out.push(
    `summary: ${s.migrations} migrations, ${s.succeeded} succeeded, ${s.failed} failed` +
      `${s.rejected ? ` (${s.rejected} rejected)` : ''}${s.unfinished ? `, ${s.unfinished} unfinished` : ''}, ` +
      `makespan ${seconds(s.makespanSeconds)}, ${s.stalled} stalled, ${s.lostVms} VMs lost, ${s.vmsShutDown} VMs shut down, ` +
      `max VM downtime ${seconds(s.maxDowntimeSeconds)}`,
  );
  return out.join('\n') + '\n';
}
