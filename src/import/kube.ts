// Reading `kubectl get … -o yaml|json` output: a `List`, a multi-document YAML stream, one object,
// or several files. Objects are sorted into the kinds migsim reads; everything else is counted as
// skipped with the reason, so the summary can say what was not used. Pure: text in, objects out.

import { parseAllDocuments } from 'yaml';
import { ScenarioError } from '../scenario/errors.js';

/** A Kubernetes object as the API server prints it (only the parts we read are typed loosely). */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

export interface Dump {
  nodes: KubeObject[];
  vmis: KubeObject[];
  vms: KubeObject[];
  pvcs: KubeObject[];
  kubevirts: KubeObject[];
  policies: KubeObject[];
  migrations: KubeObject[];
  namespaces: KubeObject[];
  /** what was read, skipped and why: one line each, for the summary */
  skipped: { what: string; why: string }[];
  /** objects read per kind */
  counts: Record<string, number>;
}

const KINDS: Record<string, keyof Omit<Dump, 'skipped' | 'counts'>> = {
  Node: 'nodes',
  VirtualMachineInstance: 'vmis',
  VirtualMachine: 'vms',
  PersistentVolumeClaim: 'pvcs',
  KubeVirt: 'kubevirts',
  MigrationPolicy: 'policies',
  VirtualMachineInstanceMigration: 'migrations',
  Namespace: 'namespaces',
};

/** Kinds whose content must never be read, let alone copied. */
const SECRET_KINDS = new Set(['Secret', 'ServiceAccount', 'ConfigMap']);

export function emptyDump(): Dump {
  return { nodes: [], vmis: [], vms: [], pvcs: [], kubevirts: [], policies: [], migrations: [], namespaces: [], skipped: [], counts: {} };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A nested field of a parsed object, or undefined. */
export function get(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** a Kubernetes quantity as the API printed it (string, or a bare number) */
export const quantity = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** "ns/name" or "name" of an object, for messages. */
export function objectName(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  const name = o.metadata?.name ?? '(unnamed)';
  return ns ? `${ns}/${name}` : name;
}

/** Parses one file's text (JSON or YAML, one or many documents) into `dump`. */
export function readDumpText(text: string, source: string, dump: Dump = emptyDump()): Dump {
  const docs: unknown[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      docs.push(JSON.parse(text));
    } catch (e) {
      throw new ScenarioError(source, [{ path: '', message: `JSON syntax: ${(e as Error).message}; expected the output of kubectl get -o json` }]);
    }
  } else {
    // kubectl's YAML may repeat keys in old annotations; uniqueKeys off is what kubectl itself tolerates
    for (const d of parseAllDocuments(text, { uniqueKeys: false })) {
      if (!('errors' in d)) continue;
      if (d.errors.length > 0) {
        throw new ScenarioError(source, [{ path: '', message: `YAML syntax: ${d.errors[0]!.message.split('\n')[0]}; expected the output of kubectl get -o yaml` }]);
      }
      docs.push(d.toJS({ maxAliasCount: 1000 }));
    }
  }
  let n = 0;
  const add = (o: unknown, where: string): void => {
    if (o === null || o === undefined) return;
    if (Array.isArray(o)) return o.forEach((x, i) => add(x, `${where}[${i}]`));
    if (!isObject(o) || typeof o['kind'] !== 'string') {
      dump.skipped.push({ what: `${source} ${where}`, why: 'not a Kubernetes object (no kind)' });
      return;
    }
    const kind = o['kind'];
    if (kind === 'List' || kind.endsWith('List')) return add(o['items'] ?? [], `${where}.items`);
    n++;
    dump.counts[kind] = (dump.counts[kind] ?? 0) + 1;
    const obj = o as KubeObject;
    if (SECRET_KINDS.has(kind)) {
      dump.skipped.push({ what: `${kind} ${objectName(obj)}`, why: 'never read: may hold credentials' });
      return;
    }
    const bucket = KINDS[kind];
    if (!bucket) {
      dump.skipped.push({ what: `${kind} ${objectName(obj)}`, why: 'kind not used by migsim' });
      return;
    }
    dump[bucket].push(obj);
  };
  docs.forEach((d, i) => add(d, docs.length > 1 ? `document ${i + 1}` : 'document'));
  if (n === 0) throw new ScenarioError(source, [{ path: '', message: 'no Kubernetes objects found; expected the output of kubectl get nodes,vmi,vm,pvc,kubevirt,migrationpolicies,vmim -A -o yaml' }]);
  return dump;
}
