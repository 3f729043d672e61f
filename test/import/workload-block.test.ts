// The loader's per-VM `workload:` block (additive): the same fields as the top level of a VM
// entry, the same result, and a field given in both places is an error.
import { describe, expect, it } from 'vitest';
import { baseDoc, load, problems } from '../scenario/doc.js';

const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

function vmWith(fields: Record<string, unknown>) {
  const doc = baseDoc();
  doc.spec['vms'] = [{ name: 'db', memory: '4Gi', ...fields }];
  return doc;
}

describe('spec.vms[].workload', () => {
  it.each([
    { fields: { dirtyRate: '100Mi', workingSet: '1Gi', usedMemory: '3Gi', throttleSensitivity: 0.5 } },
    { fields: { dirtyCurve: { points: [{ t: '1s', bytes: '500Mi' }] }, zeroFraction: 0.25 } },
  ])('$fields in workload = the same at the top level', ({ fields }) => {
    const inBlock = load(vmWith({ workload: fields })).vms[0]!;
    const top = load(vmWith(fields)).vms[0]!;
    expect(inBlock).toEqual(top);
  });

  it('is what it says: 100Mi/s capped at a 1Gi working set, 3Gi used', () => {
    const v = load(vmWith({ workload: { dirtyRate: '100Mi', workingSet: '1Gi', usedMemory: '3Gi' } })).vms[0]!;
    expect(v.dirty).toEqual({ kind: 'constant', rate: 100 * Mi, workingSet: 1 * Gi });
    expect(v.usedMemory).toBe(3 * Gi);
    expect(v.throttleSensitivity).toBe(1);
  });

  it.each([
    { fields: { dirtyRate: '1Mi', workload: { dirtyRate: '2Mi' } }, path: 'spec.vms[0].workload.dirtyRate', message: 'dirtyRate is also given at the top level of the entry; give it once' },
    { fields: { workload: { dirtyRate: '1Mi', dirtyCurve: { points: [{ t: '1s', bytes: '1Mi' }] } } }, path: 'spec.vms[0].workload.dirtyCurve', message: 'give dirtyRate or dirtyCurve, not both' },
    { fields: { workload: { dirtyRat: '1Mi' } }, path: 'spec.vms[0].workload.dirtyRat', message: 'unknown field (did you mean "dirtyRate"?)' },
    { fields: { workload: { usedMemory: '8Gi' } }, path: 'spec.vms[0].workload.usedMemory', message: 'expected at most the guest memory (4Gi, from memory), got 8Gi' },
  ])('rejects $fields', ({ fields, path, message }) => {
    expect(problems(vmWith(fields))).toContainEqual({ path, message });
  });
});
