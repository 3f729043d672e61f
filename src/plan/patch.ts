// A plan point applied to the raw scenario document, as the user would edit it: the overrides by
// path, MigrationPolicy manifests appended to spec.migrationPolicies, and — when the failing VMs
// share no label of their own — the planner's class label on their entries in spec.vms. The
// result goes through the normal loader; nothing loaded is ever mutated.
import type { Scenario } from '../scenario/types.js';
import { CLASS_LABEL, needsClassLabel, policyManifest } from './policies.js';
import type { PolicyPatch } from './search.js';

type Doc = Record<string, unknown>;

const isObject = (x: unknown): x is Doc => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A deep copy of `doc` with `policies` added (the overrides are applied by the loader's applyOverrides). */
export function withPolicies(doc: unknown, policies: readonly PolicyPatch[], scenario: Scenario): unknown {
  if (policies.length === 0) return doc;
  const out = structuredClone(doc) as Doc;
  const spec = (isObject(out.spec) ? out.spec : (out.spec = {})) as Doc;
  const list = Array.isArray(spec.migrationPolicies) ? spec.migrationPolicies : (spec.migrationPolicies = []);
  for (const p of policies) {
    list.push(policyManifest(p));
    if (needsClassLabel(p)) labelPools(spec, p, scenario);
  }
  return out;
}

/** Put the class label on the spec.vms entries (pools) the policy's VMs come from. */
function labelPools(spec: Doc, p: PolicyPatch, scenario: Scenario): void {
  const byKey = new Map(scenario.vms.map((v) => [v.key, v]));
  const pools = new Set(p.vms.map((k) => byKey.get(k)).filter((v) => v !== undefined).map((v) => `${v.namespace}/${v.pool}`));
  const vms = Array.isArray(spec.vms) ? spec.vms : [];
  for (const entry of vms) {
    if (!isObject(entry)) continue;
    const ns = typeof entry.namespace === 'string' ? entry.namespace : 'default';
    if (!pools.has(`${ns}/${String(entry.name)}`)) continue;
    const labels = isObject(entry.labels) ? entry.labels : (entry.labels = {});
    (labels as Doc)[CLASS_LABEL] = p.selector[CLASS_LABEL];
  }
}

/** VMs that get the class label along with the failing ones, because they share a pool (count > 1). */
export function labelledAlong(p: PolicyPatch, scenario: Scenario): string[] {
  if (!needsClassLabel(p)) return [];
  const chosen = new Set(p.vms);
  const pools = new Set(scenario.vms.filter((v) => chosen.has(v.key)).map((v) => `${v.namespace}/${v.pool}`));
  return scenario.vms.filter((v) => pools.has(`${v.namespace}/${v.pool}`) && !chosen.has(v.key)).map((v) => v.key);
}
