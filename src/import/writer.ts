// The written scenario: YAML with the provenance of every assumed figure in comments, and the merge
// with an existing file on re-import. What the cluster says (inventory) is rewritten; what the user
// models (each VM's `workload:` block, node NIC assumptions, operations, faults, control-plane and
// hypervisor parameters) is kept from the existing file.

import { Document, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import { ScenarioError } from '../scenario/errors.js';
import type { PathComment } from './inventory.js';

/** spec sections that belong to the user's model, kept as they are on re-import */
const MODEL_SECTIONS = ['seed', 'horizon', 'hypervisor', 'controlPlane', 'racks', 'operations', 'faults', 'scheduler'];
/** node fields that are assumptions (not in the API), kept on re-import unless --network is given */
const NODE_ASSUMPTIONS = ['network', 'migrationNetwork', 'rack', 'backgroundLoad'];

export interface MergeReport {
  keptWorkloads: number;
  /** "namespace/name" of the VMs whose workload block came from the existing file */
  keptWorkloadKeys: string[];
  keptNodeAssumptions: number;
  keptSections: string[];
}

export function buildDocument(doc: object, comments: readonly PathComment[], header: string): Document {
  const d = new Document(doc);
  d.commentBefore = header;
  for (const c of comments) {
    const node = d.getIn(c.path, true) as YamlNode | undefined;
    if (!node) continue;
    if (c.before) {
      // a comment before a whole sequence goes on its key
      const parent = d.getIn(c.path.slice(0, -1), true);
      const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === c.path[c.path.length - 1]) : undefined;
      if (pair && isScalar(pair.key)) pair.key.commentBefore = c.text;
      else node.commentBefore = c.text;
    } else node.comment = c.text;
  }
  return d;
}

function vmKey(entry: unknown): string | null {
  if (!isMap(entry)) return null;
  const name = entry.get('name');
  const ns = entry.get('namespace') ?? 'default';
  return typeof name === 'string' ? `${String(ns)}/${name}` : null;
}

/**
 * Carries the user's model from `existingText` into `fresh`. `keepNetwork` false when the user gave
 * --network / --network-label this time (the new assumption wins).
 */
export function mergeExisting(fresh: Document, existingText: string, source: string, opts: { keepNetwork: boolean; keepWorkload: boolean }): MergeReport {
  const old = parseDocument(existingText, { uniqueKeys: true });
  if (old.errors.length > 0) throw new ScenarioError(source, [{ path: '', message: `YAML syntax: ${old.errors[0]!.message.split('\n')[0]}; cannot merge the re-import into it` }]);
  if (!isMap(old.get('spec'))) throw new ScenarioError(source, [{ path: 'spec', message: 'expected the migsim scenario this import wrote before (no spec mapping); cannot merge' }]);
  const report: MergeReport = { keptWorkloads: 0, keptWorkloadKeys: [], keptNodeAssumptions: 0, keptSections: [] };

  for (const key of MODEL_SECTIONS) {
    const node = old.getIn(['spec', key], true);
    if (node === undefined) continue;
    fresh.setIn(['spec', key], node);
    report.keptSections.push(key);
  }
  const oldMeta = old.get('metadata');
  if (isMap(oldMeta)) fresh.set('metadata', oldMeta);

  const oldVms = old.getIn(['spec', 'vms']);
  const freshVms = fresh.getIn(['spec', 'vms']);
  if (opts.keepWorkload && isSeq(oldVms) && isSeq(freshVms)) {
    const byKey = new Map<string, YAMLMap>();
    for (const e of oldVms.items) {
      const k = vmKey(e);
      if (k && isMap(e) && e.has('workload')) byKey.set(k, e);
    }
    for (const e of freshVms.items) {
      const k = vmKey(e);
      const prev = k ? byKey.get(k) : undefined;
      if (!prev || !isMap(e)) continue;
      e.set('workload', prev.get('workload', true));
      report.keptWorkloads++;
      report.keptWorkloadKeys.push(k!);
    }
  }

  const oldNodes = old.getIn(['spec', 'nodes']);
  const freshNodes = fresh.getIn(['spec', 'nodes']);
  if (opts.keepNetwork && isSeq(oldNodes) && isSeq(freshNodes)) {
    const byName = new Map<string, YAMLMap>();
    for (const e of oldNodes.items) if (isMap(e) && typeof e.get('name') === 'string') byName.set(e.get('name') as string, e);
    for (const e of freshNodes.items) {
      if (!isMap(e)) continue;
      const prev = byName.get(e.get('name') as string);
      if (!prev) continue;
      let kept = false;
      for (const f of NODE_ASSUMPTIONS) {
        if (prev.has(f)) {
          const pair = prev.items.find((p) => isScalar(p.key) && p.key.value === f)!;
          const mine = e.items.find((p) => isScalar(p.key) && p.key.value === f);
          if (mine) mine.value = pair.value;
          else e.items.push(pair);
          kept = true;
        } else if (f !== 'network') e.delete(f);
      }
      if (kept) report.keptNodeAssumptions++;
    }
  }
  return report;
}

export function toYaml(d: Document): string {
  return d.toString({ lineWidth: 0 });
}

/** Sets the migration NIC rate of the named nodes, with the reason as the line's comment. */
export function applyNetworkOverrides(d: Document, overrides: ReadonlyMap<string, { rate: string; why: string }>): void {
  const nodes = d.getIn(['spec', 'nodes']);
  if (!isSeq(nodes)) return;
  // with a dedicated migration network, migrations use that NIC (migrationNetwork)
  const field = typeof d.getIn(['spec', 'kubevirt', 'configuration', 'migrations', 'network']) === 'string' ? 'migrationNetwork' : 'network';
  for (const e of nodes.items) {
    if (!isMap(e)) continue;
    const o = overrides.get(e.get('name') as string);
    if (!o) continue;
    const value = d.createNode(o.rate);
    value.comment = ` ${o.why}`;
    e.set(field, value);
  }
}

/** Sets a value at a path (creating mappings on the way), with a line comment. */
export function setWithComment(d: Document, path: string[], value: string, why: string): void {
  const node = d.createNode(value);
  node.comment = ` ${why}`;
  d.setIn(path, node);
}
