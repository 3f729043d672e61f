import { describe, expect, it } from 'vitest';
import {
  matchesNodeAffinity,
  matchesSelector,
  mergeLegacyMigrationSelector,
  mergeNodeSelectors,
} from '../../src/cluster/nodeselector.js';
import type { Labels, NodeSelectorRequirement } from '../../src/scenario/types.js';

const labels = { zone: 'a', disk: 'ssd', gen: '5' };

describe('matchesSelector', () => {
  it.each([
    { case: 'empty selector matches all', selector: {}, expect: true },
    { case: 'one key equal', selector: { zone: 'a' }, expect: true },
    { case: 'all keys equal', selector: { zone: 'a', disk: 'ssd' }, expect: true },
    { case: 'value differs', selector: { zone: 'b' }, expect: false },
    { case: 'key missing', selector: { gpu: 'true' }, expect: false },
    { case: 'empty value vs missing key', selector: { gpu: '' }, expect: false },
  ] as { case: string; selector: Labels; expect: boolean }[])('$case', ({ selector, expect: want }) => {
    expect(matchesSelector(labels, selector)).toBe(want);
  });
});

const r = (key: string, operator: NodeSelectorRequirement['operator'], values: string[] = []): NodeSelectorRequirement => ({ key, operator, values });

describe('matchesNodeAffinity (OR of terms, AND within a term)', () => {
  it.each([
    { case: 'no terms: no constraint', terms: [], expect: true },
    { case: 'In, value listed', terms: [[r('zone', 'In', ['a', 'b'])]], expect: true },
    { case: 'In, value not listed', terms: [[r('zone', 'In', ['c'])]], expect: false },
    { case: 'In, key missing', terms: [[r('rack', 'In', ['1'])]], expect: false },
    { case: 'NotIn, value listed', terms: [[r('zone', 'NotIn', ['a'])]], expect: false },
    { case: 'NotIn, key missing matches', terms: [[r('rack', 'NotIn', ['1'])]], expect: true },
    { case: 'Exists', terms: [[r('disk', 'Exists')]], expect: true },
    { case: 'Exists, missing', terms: [[r('gpu', 'Exists')]], expect: false },
    { case: 'DoesNotExist', terms: [[r('gpu', 'DoesNotExist')]], expect: true },
    { case: 'DoesNotExist, present', terms: [[r('zone', 'DoesNotExist')]], expect: false },
    { case: 'Gt 4 (gen=5)', terms: [[r('gen', 'Gt', ['4'])]], expect: true },
    { case: 'Gt 5 (strict)', terms: [[r('gen', 'Gt', ['5'])]], expect: false },
    { case: 'Lt 6', terms: [[r('gen', 'Lt', ['6'])]], expect: true },
    { case: 'Lt on a non-integer label', terms: [[r('zone', 'Lt', ['6'])]], expect: false },
    { case: 'Gt, key missing', terms: [[r('rack', 'Gt', ['0'])]], expect: false },
    { case: 'AND: one of two fails', terms: [[r('zone', 'In', ['a']), r('disk', 'In', ['hdd'])]], expect: false },
    { case: 'OR: second term matches', terms: [[r('zone', 'In', ['b'])], [r('disk', 'In', ['ssd'])]], expect: true },
    { case: 'empty term matches nothing', terms: [[]], expect: false },
    { case: 'invalid term (In without values) matches nothing', terms: [[r('zone', 'NotIn', ['x']), r('disk', 'In', [])]], expect: false },
    { case: 'invalid Gt value', terms: [[r('gen', 'Gt', ['four'])]], expect: false },
  ])('$case', ({ terms, expect: want }) => {
    expect(matchesNodeAffinity(labels, terms)).toBe(want);
  });
});

describe('mergeNodeSelectors (VMIM addedNodeSelector: can only add, VMI wins)', () => {
  it.each([
    { case: 'nothing added', base: { a: '1' }, added: {}, expect: { a: '1' } },
    { case: 'new key added', base: { a: '1' }, added: { b: '2' }, expect: { a: '1', b: '2' } },
    { case: 'same key, same value', base: { a: '1' }, added: { a: '1' }, expect: { a: '1' } },
    { case: 'same key, other value: the VMI wins', base: { zone: 'east' }, added: { zone: 'west', host: 'n3' }, expect: { zone: 'east', host: 'n3' } },
  ] as { case: string; base: Labels; added: Labels; expect: Labels }[])('$case', ({ base, added, expect: want }) => {
    expect(mergeNodeSelectors(base, added)).toEqual({ ok: true, selector: want });
  });

  it('does not modify its inputs', () => {
    const base = { a: '1' };
    const added = { b: '2' };
    mergeNodeSelectors(base, added);
    expect(base).toEqual({ a: '1' });
  });
});

describe('mergeLegacyMigrationSelector (legacy Migration kind: a conflict is an error)', () => {
  it.each([
    { case: 'disjoint keys merge', base: { a: '1' }, added: { b: '2' }, expect: { ok: true, selector: { a: '1', b: '2' } } },
    { case: 'same value is no conflict', base: { a: '1' }, added: { a: '1' }, expect: { ok: true, selector: { a: '1' } } },
    {
      case: 'conflicting key reported',
      base: { zone: 'east' },
      added: { zone: 'west' },
      expect: {
        ok: false,
        key: 'zone',
        message: 'node selector conflict on key "zone": the migration asks for "zone=west" but the VMI requires "zone=east"',
      },
    },
  ] as { case: string; base: Labels; added: Labels; expect: unknown }[])('$case', ({ base, added, expect: want }) => {
    expect(mergeLegacyMigrationSelector(base, added)).toEqual(want);
  });
});
