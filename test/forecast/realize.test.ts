// Realising a scenario for a seed: draws named by (seed, purpose, entity), new objects only, and
// everything derived from a drawn value recomputed as the loader would.
import { afterEach, describe, expect, it } from 'vitest';
import { RandomStreams } from '../../src/engine/random.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { drawField, realize, realizeOptions, sampleField } from '../../src/scenario/realize.js';
import { simulate } from '../../src/sim/simulation.js';
import type { FieldDistribution } from '../../src/scenario/uncertain.js';
import { oneVm } from './fixtures.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

function pool(vms: string, extraPools = ''): string {
  return oneVm('memory: 4Gi')
    .replace('    - {name: db, node: node-0, evictionStrategy: LiveMigrate, memory: 4Gi}', `${extraPools}    - ${vms}`)
    .replace('{at: 0s, migrate: {vmi: db}}', '{at: 0s, drain: {node: node-0}}');
}

describe('realize', () => {
  afterEach(() => {
    realizeOptions.direct = true;
  });

  it('a pool with count draws per VM, from the stream (seed, vm/<field>, namespace/name)', () => {
    const s = parseScenario(pool('{name: web, count: 3, memory: 4Gi, dirtyRate: {distribution: uniform, min: 0, max: 100Mi}}'), 'u.yaml');
    const r = realize(s, 42);
    const field = s.uncertainty!.fields[0]!;
    const random = new RandomStreams(42);
    r.vms.forEach((vm) => {
      // U(0, 100Mi) = 100Mi · u, u the first number of alea('migsim:42:vm/dirtyRate:default/web-k')
      const u = random.stream('vm/dirtyRate', vm.key)();
      expect(vm.dirty).toEqual({ kind: 'constant', rate: 100 * Mi * u, workingSet: 4 * Gi });
      expect(drawField(field, random, vm.key)).toBe(100 * Mi * u);
    });
    expect(new Set(r.vms.map((v) => (v.dirty as { rate: number }).rate)).size).toBe(3);
  });

  it('draws do not move when another pool is added before (common random numbers)', () => {
    const web = '{name: web, count: 3, memory: 4Gi, dirtyRate: {distribution: uniform, min: 0, max: 100Mi}}';
    const a = realize(parseScenario(pool(web), 'u.yaml'), 7);
    const b = realize(parseScenario(pool(web, '    - {name: other, count: 2, memory: 1Gi, dirtyRate: {distribution: uniform, min: 0, max: 1Gi}}\n'), 'u.yaml'), 7);
    expect(b.vms.slice(2).map((v) => v.dirty)).toEqual(a.vms.map((v) => v.dirty));
  });

  it('never changes the loaded scenario; without uncertain fields returns it as it is', () => {
    const s = parseScenario(pool('{name: web, count: 2, memory: {distribution: uniform, min: 2Gi, max: 6Gi}, zeroFraction: 0.25}'), 'u.yaml');
    const before = structuredClone(s);
    const r = realize(s, 3);
    expect(s).toEqual(before);
    expect(r).not.toBe(s);
    const fixed = parseScenario(oneVm('memory: 4Gi'), 'u.yaml');
    expect(realize(fixed, 3)).toBe(fixed);
  });

  it('recomputes what derives from a drawn value', () => {
    const s = parseScenario(pool('{name: web, count: 2, memory: {distribution: uniform, min: 2Gi, max: 6Gi}, zeroFraction: 0.25}'), 'u.yaml');
    for (const vm of realize(s, 3).vms) {
      // a size is rounded up to whole bytes; round 0 sends the non-zero pages: ⌈m⌉ · (1 - 0.25)
      expect(vm.usedMemory).toBe(Math.round(vm.memory * 0.75));
      expect(vm.dirty).toEqual({ kind: 'constant', rate: 0, workingSet: vm.usedMemory });
      expect(vm.memory).toBeGreaterThanOrEqual(2 * Gi);
      expect(vm.memory).toBeLessThanOrEqual(6 * Gi);
    }
    // bandwidthPerMigration is rounded to whole MiB/s as virt-launcher does
    const bw = parseScenario(oneVm('memory: 4Gi', 'bandwidthPerMigration: {distribution: uniform, min: 64Mi, max: 256Mi}'), 'u.yaml');
    const b = realize(bw, 11).kubevirt.migrations.bandwidthPerMigration;
    expect(b % Mi).toBe(0);
    // a node's NIC from its pool's drawn network
    const net = parseScenario(oneVm('memory: 4Gi').replace('{name: node, count: 2}', '{name: node, count: 2, network: {distribution: choice, values: [10Gbit, 25Gbit]}}'), 'u.yaml');
    for (const n of realize(net, 5).nodes) expect([10e9 / 8, 25e9 / 8]).toContain(n.nics['pod']);
  });

  it.each([
    ['dirtyRate', 'dirtyRate: {distribution: lognormal, median: 20Mi, p95: 150Mi}'],
    ['restartTime', 'restartTime: {distribution: exponential, mean: 2m}'],
    ['throttleSensitivity', 'throttleSensitivity: {distribution: uniform, min: 0, max: 1}'],
  ])('%s: the direct path gives the VmSpec the loader would', (_f, field) => {
    const s = parseScenario(pool(`{name: web, count: 4, memory: 4Gi, workingSet: 1Gi, ${field}}`), 'u.yaml');
    const direct = realize(s, 9);
    realizeOptions.direct = false;
    expect(realize(s, 9).vms).toEqual(direct.vms);
  });

  it('a draw that breaks a rule of the file is an error naming field, VM and seed', () => {
    // workingSet 5Gi must not exceed the guest memory, here drawn in 4Gi..8Gi
    const s = parseScenario(pool('{name: web, count: 20, memory: {distribution: uniform, min: 4Gi, max: 8Gi}, workingSet: 5Gi}'), 'u.yaml');
    let message = '';
    for (let seed = 0; seed < 10 && message === ''; seed++) {
      try {
        realize(s, seed);
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        message = (e as ScenarioError).format();
      }
    }
    expect(message).toMatch(/^u\.yaml: spec\.vms\[0\]\.workingSet: drawn memory = 4\.\d+Gi for default\/web-\d+ in the run with seed \d+: expected at most the guest memory \(\d+, from memory\), got 5Gi$/);
  });

  it('simulate() realises from its seed: migsim run --seed s replays replication s', () => {
    const s = parseScenario(oneVm('memory: 4Gi, dirtyRate: 0', 'bandwidthPerMigration: {distribution: uniform, min: 64Mi, max: 256Mi}'), 'u.yaml');
    const a = simulate(s, { seed: 123 });
    expect(a.scenario.kubevirt.migrations.bandwidthPerMigration).toBe(realize(s, 123).kubevirt.migrations.bandwidthPerMigration);
    expect(simulate(s, { seed: 123 }).results).toEqual(a.results);
  });

  it('sampleField: choice by cumulative weight, empirical by index, normal clamped to its bounds', () => {
    const seq = (...xs: number[]) => {
      let i = 0;
      return () => xs[i++]!;
    };
    const choice: FieldDistribution = { kind: 'choice', values: [1, 2, 3], weights: [1, 0, 3] };
    // u·4: [0, 1) → 1, [1, 4) → 3 (weight 0 never drawn)
    expect([0, 0.2499, 0.25, 0.9999].map((u) => sampleField(choice, seq(u)))).toEqual([1, 1, 3, 3]);
    expect(sampleField({ kind: 'empirical', samples: [5, 6, 7] }, seq(0.67))).toBe(7); // ⌊0.67·3⌋ = 2
    // Box–Muller with u = 1 - 0.999 …: a very negative normal, clamped at min
    expect(sampleField({ kind: 'normal', mean: 10, stddev: 100, min: 2, max: 50 }, seq(0.999, 0.5))).toBe(2);
  });
});
