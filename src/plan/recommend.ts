// The plan's answer as a user applies it: a merge patch of the KubeVirt CR
// (spec.configuration.migrations), MigrationPolicy manifests, the waves' maxUnavailable (a setting
// of whatever drives the upgrade, not of KubeVirt), and what bounds the result.
import { stringify } from 'yaml';
import { mean } from '../engine/random.js';
import type { Scenario } from '../scenario/types.js';
import { check, type Finding } from './check.js';
import type { Axis } from './grid.js';
import { labelledAlong } from './patch.js';
import { needsClassLabel, policyManifest, CLASS_LABEL } from './policies.js';
import type { Evaluated, PlanPoint, PolicyPatch } from './search.js';
import { MIGRATIONS } from './space.js';

export interface Recommendation {
  /** the fields of spec.configuration.migrations to set, as written in the KubeVirt CR */
  migrations: Record<string, string | number | boolean>;
  migrationPolicies: Record<string, unknown>[];
  /** per upgrade wave (by operation index): maxUnavailable; empty when no wave was tuned */
  maxUnavailable: { wave: string; value: number }[];
  /** other overrides (a --vary outside the migration configuration) */
  other: Record<string, string>;
  /** VMs that must carry the planner's class label for a policy to select them */
  labelVms: string[];
}

/** The YAML value of an override, as the user wrote it ("256Mi", 5, true). */
function value(v: string): string | number | boolean {
  if (v === 'true' || v === 'false') return v === 'true';
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

export function recommendation(point: PlanPoint, scenario: Scenario): Recommendation {
  const r: Recommendation = { migrations: {}, migrationPolicies: [], maxUnavailable: [], other: {}, labelVms: [] };
  for (const o of point.overrides) {
    const eq = o.indexOf('=');
    const path = o.slice(0, eq);
    const v = o.slice(eq + 1);
    const wave = /^spec\.operations\[(\d+)\]\.upgrade\.maxUnavailable$/.exec(path);
    if (path.startsWith(`${MIGRATIONS}.`)) r.migrations[path.slice(MIGRATIONS.length + 1)] = value(v);
    else if (wave) {
      const op = scenario.operations[Number(wave[1])];
      r.maxUnavailable.push({ wave: op?.kind === 'upgrade' ? op.name : `operation ${wave[1]}`, value: Number(v) });
    } else r.other[path] = v;
  }
  for (const p of point.policies) {
    r.migrationPolicies.push(policyManifest(p));
    if (needsClassLabel(p)) r.labelVms.push(...p.vms, ...labelledAlong(p, scenario));
  }
  return r;
}

/** Ready-to-apply YAML: the CR patch, then each MigrationPolicy, as one multi-document stream. */
export function recommendationYaml(r: Recommendation, policies: readonly PolicyPatch[]): string {
  const docs: string[] = [];
  if (Object.keys(r.migrations).length > 0) {
    docs.push(
      '# kubectl patch kubevirt kubevirt -n kubevirt --type merge --patch-file <this document>\n' +
        stringify({ spec: { configuration: { migrations: r.migrations } } }),
    );
  }
  policies.forEach((p, i) => {
    const label = needsClassLabel(p)
      ? `# the VMs share no label of their own: label them first, e.g.\n#   kubectl label vmi -n <namespace> <name> ${CLASS_LABEL}=${p.selector[CLASS_LABEL]}\n# (${r.labelVms.join(', ')})\n`
      : '';
    docs.push(label + stringify(r.migrationPolicies[i]));
  });
  for (const w of r.maxUnavailable) docs.push(`# upgrade wave ${w.wave}: drain at most ${w.value} node(s) at a time (your upgrade tooling's setting)\n`);
  if (docs.length === 0) return '# nothing to change: the scenario as written is the best found\n';
  return docs.join('---\n');
}

/**
 * What bounds the best point: check's findings on it (VMs that do not converge, capacity), an axis
 * whose best value is the largest tried (more would help), the NIC when each node already moves
 * as fast as its link allows, and the control plane when its latencies exceed the copy.
 */
export function bounds(best: Evaluated, scenario: Scenario, axes: readonly Axis[]): string[] {
  const out: string[] = [];
  // what limits the operations: not notes, nor VMs that never ran
  const findings: Finding[] = check(scenario).findings.filter((f) => f.severity !== 'info' && f.code !== 'vm-unplaceable');
  for (const f of findings) out.push(`${f.code}: ${f.message}`);
  for (const axis of axes) {
    const chosen = best.point.overrides.find((o) => o.startsWith(`${axis.path}=`))?.slice(axis.path.length + 1);
    const numeric = axis.values.filter((v) => /^\d/.test(v) && v !== '0');
    if (chosen !== undefined && numeric.length > 1 && chosen === numeric[numeric.length - 1]) {
      out.push(`${axis.path.split('.').at(-1)}: the best value is the largest tried (${chosen}); more may shorten the wave further`);
    }
  }
  const m = scenario.kubevirt.migrations;
  const nic = Math.min(...scenario.nodes.map((n) => n.nics[m.network ?? 'pod'] ?? n.nics['pod'] ?? Infinity));
  const perMigration = m.bandwidthPerMigration > 0 ? m.bandwidthPerMigration : nic;
  if (Number.isFinite(nic) && perMigration * m.parallelOutboundMigrationsPerNode >= nic) {
    out.push(`NIC bandwidth: ${m.parallelOutboundMigrationsPerNode} outbound migration(s) at ${rate(perMigration)} fill a ${rate(nic)} link: a node cannot drain faster than its NIC`);
  }
  const cp = scenario.controlPlane;
  const latency = [cp.targetPodStartup, cp.handoff, cp.targetPreparation, cp.migrationStart, cp.cleanup].reduce((a, d) => a + mean(d), 0);
  const copies = scenario.vms.map((v) => v.usedMemory / Math.min(perMigration, nic));
  const meanCopy = copies.reduce((a, b) => a + b, 0) / Math.max(1, copies.length);
  if (latency > meanCopy) {
    out.push(`control plane: ${latency.toFixed(1)} s of latencies per migration (target pod, hand-off, preparation, start, cleanup) exceed the mean copy time of ${meanCopy.toFixed(1)} s`);
  }
  if (out.length === 0) out.push('nothing stands out: the wave is bounded by the mix of the above at the chosen settings');
  return out;
}

function rate(bytesPerSecond: number): string {
  const gbit = (bytesPerSecond * 8) / 1e9;
  return gbit >= 1 ? `${Number(gbit.toPrecision(3))} Gbit/s` : `${Math.round(bytesPerSecond / 2 ** 20)} MiB/s`;
}
