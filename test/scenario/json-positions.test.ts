// Positions in JSON without a second parse: jsonOffsets must point where the YAML locator points
// when the same text is parsed as YAML (which the loader no longer does on the common path).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parse, parseDocument } from 'yaml';
import type { PathSegment } from '../../src/scenario/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { locate } from '../../src/scenario/locate.js';
import { jsonOffsets, positionOf } from '../../src/scenario/source.js';
import { baseDoc } from './doc.js';

const root = join(import.meta.dirname, '..', '..');

type Request = { path: PathSegment[]; atKey?: boolean };

/** Every value, every key, and a missing child of each, of a document. */
function everyPath(v: unknown, p: PathSegment[] = [], out: Request[] = []): Request[] {
  out.push({ path: p }, { path: [...p, 'missing'] }, { path: [...p, 'missing'], atKey: true });
  if (p.length > 0) out.push({ path: p, atKey: true });
  if (Array.isArray(v)) {
    v.forEach((x, i) => everyPath(x, [...p, i], out));
    out.push({ path: [...p, v.length] });
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) everyPath(x, [...p, k], out);
  }
  return out;
}

const documents: [string, unknown][] = [
  ...readdirSync(join(root, 'scenarios')).map((f): [string, unknown] => [f, parse(readFileSync(join(root, 'scenarios', f), 'utf8'))]),
  ['edge cases', { a: [], b: {}, c: [[], [{}], [1, 'x"y', { 'k\u0041': [true, null, -1.5e3] }]], 'd e': { '': 1 } }],
];

describe('JSON positions equal the YAML locator’s', () => {
  it.each(documents.flatMap(([name, doc]) => [0, 2, '\t'].map((indent): [string, string | number, unknown] => [name, indent, doc])))('%s, indent %j', (_, indent, doc) => {
    const text = JSON.stringify(doc, null, indent);
    const lineCounter = new LineCounter();
    const yaml = parseDocument(text, { lineCounter });
    const requests = everyPath(doc);
    const offsets = jsonOffsets(text, requests);
    const fromJson = offsets.map((o) => (o === undefined ? undefined : positionOf(text, o)));
    expect(fromJson).toEqual(requests.map((r) => locate(yaml, lineCounter, r.path, r.atKey)));
  });
});

describe('JSON warnings are located too', () => {
  it('a warning of a JSON file has its line and column', () => {
    const doc = baseDoc();
    doc.spec['nodes'][0].migrationNetwork = '25Gbit';
    // line 12 of the 2-space-indented text: `        "migrationNetwork": "25Gbit"`, the value at column 29
    expect(parseScenario(JSON.stringify(doc, null, 2), 'x.json').warnings).toEqual([
      'x.json:12:29: spec.nodes[0].migrationNetwork: ignored: spec.kubevirt.configuration.migrations.network is not set, so migrations use the pod network',
    ]);
  });
});
