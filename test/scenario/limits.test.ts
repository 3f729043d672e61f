// Hard limits and files that are not a scenario: one clear line each, never an out-of-memory
// abort, a stack overflow or hundreds of syntax errors. Large and binary files are generated here.
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { loadScenarioFile, loadScenarioObject, parseScenario } from '../../src/scenario/load.js';
import { MAX_DEPTH, MAX_FILE_BYTES, MAX_LINK_RATE, MAX_NODES, MAX_VMS } from '../../src/scenario/limits.js';
import { baseDoc, type Doc } from './doc.js';

function errorOf(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const LINK = 'a bit rate such as 10Gbit or 25Gbps, or a byte rate such as 1250Mi/s';
const HEAD = 'apiVersion: migsim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\n';

describe('stated limits', () => {
  it('are the documented figures', () => {
    // 32 MiB; 10 Tbit/s = 1e13 / 8 bytes/s
    expect([MAX_FILE_BYTES, MAX_DEPTH, MAX_NODES, MAX_VMS, MAX_LINK_RATE]).toEqual([33_554_432, 64, 100_000, 1_000_000, 1.25e12]);
  });

  it.each<[string, (d: Doc) => void, string]>([
    ['a billion nodes', (d) => (d.spec['nodes'][0].count = 1e9), 'spec.nodes[0].count: expected at most 100000 nodes in a scenario, got 1000000000'],
    ['a billion VMs', (d) => (d.spec['vms'][0].count = 1e9), 'spec.vms[0].count: expected at most 1000000 VMs in a scenario, got 1000000000'],
    [
      // 600,000 + 500,000 = 1,100,000: the second pool crosses the limit
      'VM pools that add up past the limit',
      (d) => (d.spec['vms'] = [{ name: 'a', count: 600_000, memory: '1Gi' }, { name: 'b', count: 500_000, memory: '1Gi' }]),
      'spec.vms[1]: this entry brings the scenario to 1100000 VMs; a scenario may have at most 1000000',
    ],
    [
      'a list of a million entries',
      (d) => (d.spec['vms'] = Array.from({ length: 1_000_000 }, (_, i) => ({ name: `v${i}`, memory: '1Gi' }))),
      'spec.vms: expected at most 100000 entries, got 1000000 (count stands for many identical nodes or VMs)',
    ],
    [
      'random outages a billion times an hour',
      (d) => (d.spec['faults'] = { randomOutages: [{ ratePerHour: 1e9, duration: '1s' }] }),
      'spec.faults.randomOutages[0].ratePerHour: expected at most 3600, got 1000000000',
    ],
    [
      // 12 an hour × 8760 h = 105,120 outages drawn up front
      'random outages over a year',
      (d) => Object.assign(d.spec, { horizon: '365d', faults: { randomOutages: [{ ratePerHour: 12, duration: '1s' }] } }),
      'spec.faults.randomOutages[0].ratePerHour: 105120 random outages on average over the 8760h horizon; a run may draw at most 100000 (lower ratePerHour or spec.horizon)',
    ],
    [
      // 2 entries: 40 + 80 an hour over 30 d (720 h) = 28,800 + 57,600 = 86,400; a third of 20 an hour adds 14,400 → 100,800
      'random outages that add up past the limit',
      (d) =>
        Object.assign(d.spec, {
          horizon: '30d',
          faults: { randomOutages: [40, 80, 20].map((ratePerHour) => ({ ratePerHour, duration: '1s' })) },
        }),
      'spec.faults.randomOutages[2].ratePerHour: 100800 random outages on average over the 720h horizon; a run may draw at most 100000 (lower ratePerHour or spec.horizon)',
    ],
    ['a NIC of 1e30 bytes/s', (d) => (d.spec['nodes'][0].network = 1e30), `spec.nodes[0].network: expected ${LINK}, got 1e+30 (the limit is 10Tbit)`],
    ['a NIC of 100 Tbit/s', (d) => (d.spec['nodes'][0].network = '100Tbit'), `spec.nodes[0].network: expected ${LINK}, got "100Tbit" (the limit is 10Tbit)`],
    ['a rack uplink of 1e30', (d) => (d.spec['racks'] = [{ name: 'r', uplink: '1e30/s' }]), `spec.racks[0].uplink: expected ${LINK}, got "1e30/s" (the limit is 10Tbit)`],
    ['a seed beyond 2^53 − 1', (d) => (d.spec['seed'] = 2 ** 53), 'spec.seed: expected at most 9007199254740991, got 9007199254740992'],
  ])('%s', (_, edit, message) => {
    const d = baseDoc();
    edit(d);
    expect(errorOf(() => loadScenarioObject(d, { file: 't.yaml' })).format()).toBe(`t.yaml: ${message}`);
  });

  it('exactly at the limit is accepted (10Tbit, 3600 outages an hour)', () => {
    const d = baseDoc();
    d.spec['nodes'][0].network = '10Tbit';
    d.spec['faults'] = { randomOutages: [{ ratePerHour: 3600, duration: '1s' }] };
    expect(loadScenarioObject(d, { file: 't.yaml' }).nodes[0]!.nics['pod']).toBe(1.25e12);
  });
});

describe('nesting', () => {
  const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const MESSAGE = 'nested more than 64 levels deep; a scenario has at most 64 levels of mappings and lists';

  it.each<[string, string, string, string]>([
    // the document (0) → spec (1) → vms (2) → 62 more lists reach depth 64: the 63rd "[" (column 89 + 62) is refused
    ['JSON, just past the limit', 'x.json', `{"apiVersion":"migsim/v1alpha1","kind":"Scenario","metadata":{"name":"t"},"spec":{"vms":${nested(70)}}}`, `x.json:1:151: spec.vms[0][0]: ${MESSAGE}`],
    ['JSON, 100,000 levels', 'x.json', `{"spec":{"vms":${nested(100_000)}}}`, `x.json:1:78: spec.vms[0][0]: ${MESSAGE}`],
    ['YAML, just past the limit', 'x.yaml', `${HEAD}spec:\n  vms: ${nested(70)}\n`, `x.yaml:5:10: spec.vms[0][0]: ${MESSAGE}`],
  ])('%s', (_, name, text, message) => {
    expect(errorOf(() => parseScenario(text, name)).format()).toBe(message);
  });

  it('YAML deep enough to overflow the parser is the same one line, at the parser\'s position', () => {
    const e = errorOf(() => parseScenario(`${HEAD}spec:\n  vms: ${nested(100_000)}\n`, 'x.yaml'));
    expect(e.issues).toHaveLength(1);
    expect(e.format()).toMatch(/^x\.yaml:5:\d+: nested more than 64 levels deep; a scenario has at most 64 levels of mappings and lists$/);
  });
});

describe('duplicate keys in JSON are errors, as in YAML', () => {
  it.each<[string, string, string]>([
    ['a top-level key', '{"apiVersion": "migsim/v1alpha1", "kind": "Scenario", "kind": "Scenario"}', 'x.json:1:55: kind: duplicate key; a key may appear once in a mapping'],
    [
      'a field of a VM, on its line',
      '{\n  "spec": {\n    "vms": [\n      {"name": "a", "memory": "1Gi"},\n      {"name": "b", "memory": "1Gi", "memory": "2Gi"}\n    ]\n  }\n}',
      'x.json:5:38: spec.vms[1].memory: duplicate key; a key may appear once in a mapping',
    ],
    // "\u0061" is "a": JSON.parse would keep the second silently
    ['the same key spelt with an escape', '{"metadata": {"a": 1, "\\u0061": 2}}', 'x.json:1:23: metadata.a: duplicate key; a key may appear once in a mapping'],
  ])('%s', (_, text, message) => {
    expect(errorOf(() => parseScenario(text, 'x.json')).format()).toBe(message);
  });

  it('the same key in two different mappings, and keys that only look alike inside strings, are fine', () => {
    const doc = baseDoc();
    doc.spec['vms'] = [
      { name: 'a', memory: '1Gi', labels: { x: '"name": "y", "name"' } },
      { name: 'b', memory: '1Gi' },
    ];
    expect(parseScenario(JSON.stringify(doc), 'x.json').vms.map((v) => v.name)).toEqual(['a', 'b']);
  });
});

describe('YAML that is not one scenario', () => {
  it('a stream of several documents says which one starts where', () => {
    const text = `${HEAD}spec: {}\n---\n${HEAD}spec: {}\n---\nfoo: 1\n`;
    expect(errorOf(() => parseScenario(text, 'x.yaml')).format()).toBe(
      'x.yaml:5:1: a YAML stream of 3 documents; a scenario file holds one document (document 2 of 3 starts here)',
    );
  });

  it('a stray --- before or after the one document is fine', () => {
    expect(parseScenario(`---\n${HEAD}spec: {}\n---\n`, 'x.yaml').name).toBe('t');
  });

  it('an alias bomb is one line, at the alias that multiplies', () => {
    // each level holds 9 aliases of the one above: 9^4 copies of the first list
    const text = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    expect(errorOf(() => parseScenario(text, 'x.yaml')).format()).toBe(
      'x.yaml:3:8: YAML: alias *b expands to too many values (aliases of aliases, a "billion laughs" document); aliases may be used, not to build huge documents',
    );
  });

  it('a few aliases are fine', () => {
    const text = `${HEAD}spec:\n  nodes: [{name: n, count: 2, labels: &l {zone: a}}]\n  vms: [{name: v, memory: 1Gi, labels: *l}]\n`;
    expect(parseScenario(text, 'x.yaml').vms[0]!.labels).toEqual({ zone: 'a' });
  });
});

describe('documents that are not a scenario: one line', () => {
  const NOT = 'not a scenario (expected YAML or JSON with apiVersion: migsim/v1alpha1, kind: Scenario)';

  it.each<[string, string, string]>([
    ['a list', 'x.json', `x.json: ${NOT}, got a list`],
    ['some other JSON document', 'x.json', `x.json: ${NOT}, got a mapping with neither apiVersion, kind nor spec`],
    ['a line of text', 'x.yaml', `x.yaml: ${NOT}, got "hello, world"`],
    // eleven list items of prose, each with two YAML syntax errors (nested mappings in a compact mapping)
    ['prose', 'x.md', `x.md: ${NOT}: 22 YAML syntax errors, and no apiVersion or kind`],
  ])('%s', (what, name, message) => {
    const text =
      what === 'a list' ? '[1, 2]' : what === 'some other JSON document' ? '{"name": "migsim", "lockfileVersion": 3}' : what === 'a line of text' ? 'hello, world' : Array.from({ length: 11 }, (_, i) => `- item ${i}\n  more: text: here`).join('\n');
    expect(errorOf(() => parseScenario(text, name)).format()).toBe(message);
  });

  it('a scenario with many syntax errors lists the first ten and counts the rest', () => {
    const text = `${HEAD}spec:\n` + Array.from({ length: 14 }, (_, i) => `  k${i}: a: b`).join('\n');
    const lines = errorOf(() => parseScenario(text, 'x.yaml')).format().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('x.yaml: … and 4 more YAML syntax errors');
  });
});

describe('files that are not a scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-limits-'));
  const write = (name: string, bytes: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const yaml = `${HEAD}spec: {}\n`;

  it.each<[string, string, () => Uint8Array | string, string]>([
    ['binary garbage', 'x.yaml', () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256), 'not a text file (a NUL byte at offset 61); expected a YAML or JSON scenario (UTF-8 text)'],
    ['invalid UTF-8', 'x.yaml', () => Buffer.concat([Buffer.from('apiVersion: x\n'), Buffer.from([0xc3, 0x28])]), 'not a text file (byte 0xC3 at offset 14 is not UTF-8); expected a YAML or JSON scenario (UTF-8 text)'],
    ['UTF-16 LE with a byte-order mark', 'x.yaml', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml, 'utf16le')]), 'the file is UTF-16 encoded (byte-order mark FF FE); save it as UTF-8'],
    ['UTF-16 BE with a byte-order mark', 'x.json', () => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(yaml, 'utf16le').swap16()]), 'the file is UTF-16 encoded (byte-order mark FE FF); save it as UTF-8'],
    ['UTF-16 without a byte-order mark', 'x.yaml', () => Buffer.from(yaml, 'utf16le'), 'the file looks UTF-16 encoded (every other byte is NUL); save it as UTF-8'],
  ])('%s', (_, name, bytes, message) => {
    const p = write(`${_.replace(/\W/g, '-')}-${name}`, bytes());
    expect(errorOf(() => loadScenarioFile(p)).format()).toBe(`${p}: ${message}`);
  });

  it('a UTF-8 byte-order mark is fine', () => {
    const p = write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(baseDoc()))]));
    expect(loadScenarioFile(p).name).toBe('t');
  });

  it('a 50 MB file is refused before it is read', () => {
    const p = write('huge.yaml', '');
    truncateSync(p, 50_000_000); // sparse: nothing to read, and nothing is
    expect(errorOf(() => loadScenarioFile(p)).format()).toBe(`${p}: the file is 47.7 MiB; a scenario file may be at most 32.0 MiB (use count for identical nodes and VMs)`);
  });

  it('a directory', () => {
    expect(errorOf(() => loadScenarioFile(dir)).format()).toBe(`${dir}: cannot read the scenario file: is a directory`);
  });
});
