// The effective configuration of a run: every setting that shapes migrations, with the value the
// loaded scenario has and whether the user wrote it or it is a default (absent from the raw
// document, filled in by the loader for the chosen KubeVirt version).
import type { Distribution, Scenario } from '../../scenario/types.js';
import { humanBytes, humanDuration } from '../timeline.js';

export interface ConfigRow {
  /** path in the scenario document, e.g. spec.kubevirt.configuration.migrations.bandwidthPerMigration */
  path: string;
  value: string;
  isDefault: boolean;
}

function has(raw: unknown, path: readonly string[]): boolean {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !(k in v)) return false;
    v = (v as Record<string, unknown>)[k];
  }
  return v !== undefined && v !== null;
}

function dist(d: Distribution): string {
  switch (d.kind) {
    case 'fixed':
      return humanDuration(d.value);
    case 'uniform':
      return `uniform ${humanDuration(d.min)} – ${humanDuration(d.max)}`;
    case 'normal':
      return `normal mean ${humanDuration(d.mean)}, stddev ${humanDuration(d.stddev)}, min ${humanDuration(d.min)}`;
    case 'lognormal':
      return `lognormal median ${humanDuration(d.median)}, sigma ${d.sigma}`;
    case 'exponential':
      return `exponential mean ${humanDuration(d.mean)}`;
  }
}

const rate = (bps: number): string => (bps === 0 ? '0 (unlimited)' : `${humanBytes(bps)}/s`);

/** `raw` is the scenario document as parsed from the file (before defaults). */
export function effectiveConfiguration(s: Scenario, raw: unknown): ConfigRow[] {
  const rows: ConfigRow[] = [];
  const add = (path: string, value: string): void => {
    rows.push({ path, value, isDefault: !has(raw, path.split('.')) });
  };
  const m = s.kubevirt.migrations;
  add('spec.profile', s.profile);
  add('spec.horizon', humanDuration(s.horizon));
  add('spec.kubevirt.version', `v${s.kubevirt.version.major}.${s.kubevirt.version.minor}`);
  const mig = 'spec.kubevirt.configuration.migrations';
  add(`${mig}.parallelMigrationsPerCluster`, String(m.parallelMigrationsPerCluster));
  add(`${mig}.parallelOutboundMigrationsPerNode`, String(m.parallelOutboundMigrationsPerNode));
  add(`${mig}.bandwidthPerMigration`, rate(m.bandwidthPerMigration));
  add(`${mig}.completionTimeoutPerGiB`, `${m.completionTimeoutPerGiB}s`);
  add(`${mig}.progressTimeout`, m.progressTimeout === 0 ? '0 (disabled)' : `${m.progressTimeout}s`);
  add(`${mig}.allowAutoConverge`, String(m.allowAutoConverge));
  add(`${mig}.allowPostCopy`, String(m.allowPostCopy));
  add(`${mig}.allowWorkloadDisruption`, String(m.allowWorkloadDisruption));
  add(`${mig}.unsafeMigrationOverride`, String(m.unsafeMigrationOverride));
  add(`${mig}.disableTLS`, String(m.disableTLS));
  add(`${mig}.network`, m.network ?? 'pod network');
  add(`${mig}.nodeDrainTaintKey`, m.nodeDrainTaintKey);
  add(`${mig}.maxDowntimeMs`, `${m.maxDowntimeMs}`);
  add(`${mig}.utilityVolumesTimeout`, `${m.utilityVolumesTimeout}s`);
  add('spec.kubevirt.configuration.evictionStrategy', s.kubevirt.evictionStrategy);
  const h = s.hypervisor;
  add('spec.hypervisor.downtimeLimit', humanDuration(h.downtimeLimit));
  add('spec.hypervisor.switchoverCost', humanDuration(h.switchoverCost));
  add('spec.hypervisor.pageSize', humanBytes(h.pageSize));
  add('spec.hypervisor.keepalive.interval', humanDuration(h.keepalive.interval));
  add('spec.hypervisor.keepalive.count', String(h.keepalive.count));
  // QEMU's cpu-throttle-initial, cpu-throttle-increment, max-cpu-throttle, throttle-trigger-threshold
  const pct = (f: number): string => `${Math.round(f * 100)}%`;
  add('spec.hypervisor.autoConverge.initial', pct(h.throttle.initial));
  add('spec.hypervisor.autoConverge.increment', pct(h.throttle.increment));
  add('spec.hypervisor.autoConverge.max', pct(h.throttle.max));
  add('spec.hypervisor.autoConverge.triggerThreshold', pct(h.throttle.triggerThreshold));
  const c = s.controlPlane;
  add('spec.controlPlane.targetPodStartup', dist(c.targetPodStartup));
  add('spec.controlPlane.handoff', dist(c.handoff));
  add('spec.controlPlane.targetPreparation', dist(c.targetPreparation));
  add('spec.controlPlane.migrationStart', dist(c.migrationStart));
  add('spec.controlPlane.cleanup', dist(c.cleanup));
  add('spec.controlPlane.unschedulablePendingTimeout', humanDuration(c.unschedulablePendingTimeout));
  add('spec.controlPlane.catchAllPendingTimeout', humanDuration(c.catchAllPendingTimeout));
  add('spec.scheduler.scoring', s.scheduler.scoring);
  return rows;
}
