// Plain explanations and concrete remedies for what went wrong in a run, computed from the
// numbers of the run (the last pre-copy round, the bandwidth a migration got, the cap it had).
import type { MigrationRecord, Results } from '../../metrics/results.js';
import type { DirtyModelSpec } from '../../scenario/types.js';
import type { RoundPoint, RunSeries } from '../series.js';
import { humanBytes, humanDuration } from '../timeline.js';

const MiB = 1024 * 1024;

export interface Finding {
  subject: string;
  what: string;
  explanation: string;
  remedy: string;
}

export interface ExplainContext {
  /** libvirt keepalive on the migration connection: interval (s) × count */
  keepaliveSeconds: number;
  /** each VM's dirty rate as the scenario gives it (bytes/s), by "namespace/name" */
  dirtyRates: ReadonlyMap<string, number>;
}

/**
 * The dirty rate a scenario gives a VM, bytes/s: the constant rate, the highest phase, or a
 * curve's first slope. A round that re-dirties its whole working set only shows a lower bound.
 */
export function nominalDirtyRate(d: DirtyModelSpec): number | null {
  switch (d.kind) {
    case 'constant':
      return d.rate;
    case 'phases':
      return d.phases.reduce((a, p) => Math.max(a, p.rate), 0);
    case 'curve': {
      const first = d.points.find((p) => p.t > 0);
      return first ? first.bytes / first.t : null;
    }
  }
}

const mibps = (bps: number): string => `${Math.round(bps / MiB)} MiB/s`;

/**
 * Bandwidth for a constant-rate writer to converge briskly: at 4/3 of the dirty rate every round
 * is at most 3/4 of the one before, rounded up to the next whole MiB/s (KubeVirt rounds
 * bandwidthPerMigration to MiB/s, pkg/virt-launcher/virtwrap/live-migration-source.go).
 */
export function bandwidthToConverge(dirtyBytesPerSecond: number): number {
  return Math.ceil((dirtyBytesPerSecond * 4) / 3 / MiB) * MiB;
}

/**
 * Why a migration did not converge, from its last round: the bandwidth it got, and the dirty
 * rate (the scenario's when known, else the round's dirtied bytes over its duration).
 */
export function explainNonConvergence(m: MigrationRecord, last: RoundPoint | undefined, cap: number | null, nominalDirty: number | null = null): { explanation: string; remedy: string } {
  const timeout = m.reason === 'CompletionTimeout' ? `it ran past its acceptable completion time (${humanDuration(m.acceptableCompletionTime ?? 0)})` : 'it made no progress for progressTimeout';
  if (!last || last.durationSeconds <= 0) {
    return {
      explanation: `${timeout} before the first full pass of ${humanBytes(m.transferredBytes)} was sent.`,
      remedy: 'Give it more bandwidth (bandwidthPerMigration, fewer parallel migrations per node, a dedicated migration network) or raise completionTimeoutPerGiB.',
    };
  }
  const measured = last.remainingBytes / last.durationSeconds;
  // a round that re-dirtied about exactly what it sent has likely hit the working set (the same
  // pages again): the round then shows only a lower bound of the rate
  const saturated = Math.abs(last.remainingBytes - last.sentBytes) <= 0.05 * last.sentBytes;
  const dirty = nominalDirty !== null ? Math.max(nominalDirty, saturated ? 0 : measured) : measured;
  const atLeast = nominalDirty === null && saturated ? 'at least ' : '';
  const got = last.bytesPerSecond;
  const capped = cap !== null && cap > 0 && got >= cap * 0.99;
  const need = bandwidthToConverge(dirty);
  if (dirty >= got * 0.75) {
    const lever = capped
      ? `raise bandwidthPerMigration to ≥ ${need / MiB}Mi`
      : `give it ≥ ${need / MiB} MiB/s (it got ${mibps(got)} of a shared NIC: lower parallelOutboundMigrationsPerNode or use a dedicated migration network)`;
    return {
      explanation: `Dirty rate ${atLeast}${mibps(dirty)} ${dirty >= got ? 'exceeds' : 'is close to'} the ${mibps(got)} ${capped ? 'per-migration bandwidth (bandwidthPerMigration)' : 'this migration got'}: each round re-sends about as much as it sent, so ${timeout}.`,
      remedy: `${lever[0]!.toUpperCase()}${lever.slice(1)}, or allow auto-converge for this VM (allowAutoConverge in a MigrationPolicy that selects it).`,
    };
  }
  return {
    explanation: `Rounds shrink (dirty rate ${mibps(dirty)} < ${mibps(got)}) but stop at ${humanBytes(last.remainingBytes)}, the pages the guest keeps rewriting, above the switch-over threshold ${humanBytes(last.thresholdBytes)} (bandwidth × downtime limit); ${timeout}.`,
    remedy: `Allow auto-converge or post-copy for this VM, or give it ≥ ${Math.ceil(last.remainingBytes / (last.thresholdBytes / got) / MiB)} MiB/s so ${humanBytes(last.remainingBytes)} fits in the downtime limit.`,
  };
}

export function explainMigration(m: MigrationRecord, ctx: ExplainContext, lastRound: Map<string, RoundPoint>, caps: Map<string, number>): Finding {
  const subject = `${m.vmi} (${m.name})`;
  const what = `${m.reason ?? m.phase}${m.vmLost ? ', VM lost' : ''}`;
  switch (m.reason) {
    case 'CompletionTimeout':
    case 'ProgressTimeout':
      return { subject, what, ...explainNonConvergence(m, lastRound.get(m.name), caps.get(m.name) ?? null, ctx.dirtyRates.get(m.vmi) ?? null) };
    case 'ConnectionLost': {
      const seen = m.outages.length > 0 ? ` during ${m.outages.join(', ')}` : '';
      if (m.vmLost) {
        return {
          subject,
          what,
          explanation: `The migration connection dropped${seen} while the VM ran in post-copy: its memory was split between source and target, so neither side can continue (QEMU cannot recover a post-copy whose connection is lost past the ${humanDuration(ctx.keepaliveSeconds)} keepalive).`,
          remedy: 'Keep allowPostCopy false for VMs whose migration path can fail (a MigrationPolicy), or make that path redundant; pre-copy only fails the migration and keeps the VM running.',
        };
      }
      return {
        subject,
        what,
        explanation: `No bytes crossed for longer than libvirt's keepalive (${humanDuration(ctx.keepaliveSeconds)})${seen}: the migration failed and the VM stayed on its source.`,
        remedy: 'Nothing is lost; the evacuation retries it. Schedule the work away from network maintenance, or use a dedicated migration network.',
      };
    }
    case 'TargetPodUnschedulable':
    case 'TargetPodPendingTimeout':
      return {
        subject,
        what,
        explanation: `No node could take the target pod: ${m.message ?? 'unschedulable'}.`,
        remedy: 'Free CPU/memory on a schedulable node (or add one), or relax the VM’s nodeSelector/affinity, before draining.',
      };
    default:
      return {
        subject,
        what,
        explanation: m.message ?? `ended ${m.phase}`,
        remedy: m.priority === null ? 'The VM cannot live-migrate as configured: fix the condition above, or expect a shut-down and restart when its node drains.' : 'See the message; the migration can be retried.',
      };
  }
}

export interface Explained {
  failedMigrations: Finding[];
  shutDown: Finding[];
  lost: Finding[];
  stillDown: Finding[];
}

export function explainRun(results: Results, series: RunSeries, ctx: ExplainContext): Explained {
  const lastRound = new Map<string, RoundPoint>();
  for (const r of series.rounds) lastRound.set(r.migration, r);
  const caps = new Map(series.started.map((s) => [s.migration, s.bandwidthPerMigration]));
  const failedMigrations = results.migrations.filter((m) => m.phase === 'Failed').map((m) => explainMigration(m, ctx, lastRound, caps));

  const restartTime = new Map<string, number>();
  const shutDown: Finding[] = [];
  const lost: Finding[] = [];
  for (const s of series.vmStops) {
    const f: Finding = { subject: s.vmi, what: `${s.lost ? 'lost' : 'shut down'} on ${s.node} at ${humanDuration(s.t)}`, explanation: s.reason, remedy: stopRemedy(s.reason, s.lost) };
    (s.lost ? lost : shutDown).push(f);
    restartTime.set(s.vmi, s.t);
  }
  const unplaceable = new Map(series.unplaceable.map((u) => [u.vmi, u.message]));
  const stillDown = results.vms
    .filter((v) => v.stillDownAtEnd)
    .map((v) => ({
      subject: v.vmi,
      what: `down ${humanDuration(v.downtimeSeconds)} in all${restartTime.has(v.vmi) ? `, since ${humanDuration(restartTime.get(v.vmi)!)}` : ''}`,
      explanation: v.notRunningReason ?? unplaceable.get(v.vmi) ?? 'It was stopped and had not started again when the run ended.',
      remedy: unplaceable.has(v.vmi)
        ? 'No node can run it: free CPU/memory on a node that matches its nodeSelector/affinity, or add one.'
        : v.lost
          ? 'Restart it by hand after the maintenance, and see the lost-VM table for how to avoid the loss.'
          : 'It restarts after its restart time; lengthen spec.horizon to see it back, or keep it migratable so it never stops.',
    }));
  return { failedMigrations, shutDown, lost, stillDown };
}

function stopRemedy(reason: string, lost: boolean): string {
  if (lost) return 'Keep allowPostCopy false for VMs whose migration path can fail, or make the migration network redundant.';
  if (reason.includes('eviction strategy None')) return 'Set spec.evictionStrategy: LiveMigrate on this VM (or the cluster-wide evictionStrategy) so a drain live-migrates it instead of stopping it.';
  if (reason.includes('not live-migratable')) return 'It cannot live-migrate (see the reason): fix that (RWX storage for its PVCs, a migratable network binding, no host devices) or plan for its restart.';
  if (reason.includes('failed')) return 'The evacuation migration failed first: see the failed-migrations table for why and how to make it converge.';
  return 'Make the VM live-migratable with evictionStrategy LiveMigrate, or plan for its restart.';
}
