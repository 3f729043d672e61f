// Uncertain fields in the scenario file: how each distribution is read (in the field's own unit),
// what the loaded scenario carries, and the loader's messages.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import { Z95 } from '../../src/scenario/uncertain.js';
import { oneVm } from './fixtures.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

function load(vm: string, migrations = '') {
  return parseScenario(oneVm(vm, migrations), 'u.yaml');
}

function errorOf(text: string, name = 'u.yaml'): string {
  try {
    parseScenario(text, name);
  } catch (e) {
    if (e instanceof ScenarioError) return e.format();
    throw e;
  }
  throw new Error('no error');
}

describe('distributions, read in the unit of their field', () => {
  it.each([
    ['dirtyRate uniform in byte rates', 'memory: 4Gi, dirtyRate: {distribution: uniform, min: 5Mi, max: 120Mi}', { kind: 'uniform', min: 5 * Mi, max: 120 * Mi }, 62.5 * Mi],
    // a quantity field, by median and p95: sigma = ln(p95/median) / z0.95 = ln 2 / 1.6449
    ['memory lognormal', 'memory: {distribution: lognormal, median: 4Gi, p95: 8Gi}', { kind: 'lognormal', median: 4 * Gi, p95: 8 * Gi, sigma: Math.log(2) / Z95 }, 4 * Gi],
    // normal: min defaults to 0 (every uncertain field is non-negative), no max
    ['restartTime normal', 'memory: 4Gi, restartTime: {distribution: normal, mean: 1m, stddev: 20s}', { kind: 'normal', mean: 60, stddev: 20, min: 0, max: Infinity }, 60],
    ['restartTime normal with bounds', 'memory: 4Gi, restartTime: {distribution: normal, mean: 1m, stddev: 20s, min: 30s, max: 2m}', { kind: 'normal', mean: 60, stddev: 20, min: 30, max: 120 }, 60],
    // nominal of an exponential: its median, mean · ln 2
    ['restartTime exponential', 'memory: 4Gi, restartTime: {distribution: exponential, mean: 100s}', { kind: 'exponential', mean: 100 }, 100 * Math.LN2],
    // nominal of a choice: the most likely value
    ['dirtyRate choice', 'memory: 4Gi, dirtyRate: {distribution: choice, values: [0, 10Gi], weights: [3, 1]}', { kind: 'choice', values: [0, 10 * Gi], weights: [3, 1] }, 0],
    ['dirtyRate choice, equal weights', 'memory: 4Gi, dirtyRate: {distribution: choice, values: [1Mi, 2Mi]}', { kind: 'choice', values: [Mi, 2 * Mi], weights: [1, 1] }, Mi],
    // nominal of an empirical distribution: its median sample (the ⌈n/2⌉-th)
    ['dirtyRate empirical', 'memory: 4Gi, dirtyRate: {distribution: empirical, samples: [30Mi, 10Mi, 20Mi]}', { kind: 'empirical', samples: [30 * Mi, 10 * Mi, 20 * Mi] }, 20 * Mi],
  ])('%s', (_name, vm, distribution, nominal) => {
    const s = load(vm);
    expect(s.uncertainty!.fields).toHaveLength(1);
    const f = s.uncertainty!.fields[0]!;
    expect(f.distribution).toEqual(distribution);
    expect(f.nominal).toBeCloseTo(nominal, 6);
    expect(f.scope).toEqual({ kind: 'vm', pool: 0 });
    expect(f.purpose).toBe(`vm/${f.relPath.join('.')}`);
  });

  it('node, network, KubeVirt and operation fields: scope and purpose', () => {
    const text = oneVm('memory: 4Gi', 'bandwidthPerMigration: {distribution: uniform, min: 64Mi, max: 128Mi}')
      .replace('- {name: node, count: 2}', '- {name: node, count: 2, network: {distribution: choice, values: [10Gbit, 25Gbit]}}')
      .replace('{at: 0s, migrate', '{at: {distribution: uniform, min: 0s, max: 1h}, migrate');
    const s = parseScenario(text, 'u.yaml');
    const byPurpose = Object.fromEntries(s.uncertainty!.fields.map((f) => [f.purpose, f]));
    expect(Object.keys(byPurpose).sort()).toEqual(['node/network', 'spec.kubevirt.configuration.migrations.bandwidthPerMigration', 'spec.operations[0].at']);
    expect(byPurpose['node/network']!.distribution).toEqual({ kind: 'choice', values: [10e9 / 8, 25e9 / 8], weights: [1, 1] });
    expect(byPurpose['spec.operations[0].at']!.distribution).toEqual({ kind: 'uniform', min: 0, max: 3600 });
    // the nominal values are in the loaded scenario, derived values included (96Mi is whole MiB)
    expect(s.kubevirt.migrations.bandwidthPerMigration).toBe(96 * Mi);
    expect(s.nodes[0]!.nics['pod']).toBe(10e9 / 8);
    expect(s.operations[0]!.at).toBe(1800);
  });

  it('an empirical distribution from a CSV column, relative to the scenario file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migsim-u-'));
    writeFileSync(join(dir, 'rates.csv'), 'vm,dirtyRate\na,10Mi\nb,"20Mi"\n\nc,30Mi\n');
    writeFileSync(join(dir, 's.yaml'), oneVm('memory: 4Gi, dirtyRate: {distribution: empirical, file: rates.csv, column: dirtyRate}'));
    const s = loadScenarioFile(join(dir, 's.yaml'));
    expect(s.uncertainty!.fields[0]!.distribution).toEqual({ kind: 'empirical', samples: [10 * Mi, 20 * Mi, 30 * Mi] });
  });

  it('warns when a normal distribution puts more than 5 % of its draws on a bound', () => {
    // mean 10Mi, stddev 20Mi, min 0: Φ((0 - 10) / 20) = Φ(-0.5) = 30.9 % of the draws are clamped to 0
    const s = load('memory: 4Gi, dirtyRate: {distribution: normal, mean: 10Mi, stddev: 20Mi}');
    expect(s.warnings).toEqual([
      'u.yaml:14:87: spec.vms[0].dirtyRate: 31% of the draws of this normal distribution fall outside [min, max] and are clamped to a bound; a lognormal or uniform distribution may be what was meant',
    ]);
    // mean 60, stddev 20, min 0: Φ(-3) = 0.13 %: no warning
    expect(load('memory: 4Gi, restartTime: {distribution: normal, mean: 1m, stddev: 20s}').warnings).toEqual([]);
  });

  it('a scenario without distributions has no uncertainty', () => {
    expect(load('memory: 4Gi').uncertainty).toBeUndefined();
  });
});

describe('loader errors: file:line:column: field: what was expected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migsim-u-'));
  writeFileSync(join(dir, 'rates.csv'), 'vm,dirtyRate\na,10Mi\nb,fast\nc,30Mi\n');
  const at = (vm: string) => oneVm(vm);
  it.each([
    ['unknown kind', at('memory: 4Gi, dirtyRate: {distribution: unifrom, min: 1Mi, max: 2Mi}'), 'u.yaml:14:', 'spec.vms[0].dirtyRate.distribution: expected one of uniform, normal, lognormal, exponential, choice, empirical, got "unifrom" (did you mean "uniform"?)'],
    ['a parameter in the wrong unit', at('memory: 4Gi, dirtyRate: {distribution: uniform, min: 1Mi, max: 2h}'), 'u.yaml:14:', 'spec.vms[0].dirtyRate.max: expected a byte rate such as 200Mi or 200Mi/s, got "2h"'],
    ['max below min', at('memory: 4Gi, restartTime: {distribution: uniform, min: 2m, max: 1m}'), 'u.yaml:14:', 'spec.vms[0].restartTime.max: expected at least min ("2m"), got "1m"'],
    ['a missing parameter', at('memory: {distribution: lognormal, median: 4Gi}'), 'u.yaml:14:', 'spec.vms[0].memory.p95: required field is missing; expected a Kubernetes quantity such as 8Gi'],
    ['p95 below the median', at('memory: {distribution: lognormal, median: 4Gi, p95: 2Gi}'), 'u.yaml:14:', 'spec.vms[0].memory.p95: expected at least the median ("4Gi"), got "2Gi"'],
    ['an unknown parameter', at('memory: 4Gi, restartTime: {distribution: exponential, mean: 1m, sigma: 2}'), 'u.yaml:14:', 'spec.vms[0].restartTime.sigma: unknown field for a exponential distribution; expected mean'],
    ['weights of the wrong length', at('memory: 4Gi, dirtyRate: {distribution: choice, values: [0, 1Gi], weights: [1]}'), 'u.yaml:14:', 'spec.vms[0].dirtyRate.weights: expected 2 weights (one per value), got 1'],
    ['a whole-number field', at('memory: 4Gi, hostDevices: {distribution: choice, values: [0, 1.5]}'), 'u.yaml:14:', 'spec.vms[0].hostDevices.values[1]: expected a whole number, got 1.5'],
    ['a field that is not numeric', at('memory: 4Gi, namespace: {distribution: choice, values: [a]}'), 'u.yaml:14:', 'spec.vms[0].namespace: spec.vms[0].namespace does not take a distribution: only numeric fields may be uncertain'],
    ['samples and file', at('memory: 4Gi, dirtyRate: {distribution: empirical, samples: [1Mi], file: x.csv}'), 'u.yaml:14:', 'spec.vms[0].dirtyRate: expected exactly one of samples (a list) or file (a CSV file, with column)'],
  ])('%s', (_name, text, where, message) => {
    const err = errorOf(text);
    expect(err).toContain(where);
    expect(err).toContain(message);
    expect(err.split('\n')).toHaveLength(1);
  });

  it.each([
    ['a bad cell, with its line in the CSV', 'column: dirtyRate', 'spec.vms[0].dirtyRate.file: rates.csv:3: column "dirtyRate": expected a byte rate such as 200Mi or 200Mi/s, got "fast"'],
    ['a missing column', 'column: dirtyRat', 'spec.vms[0].dirtyRate.file: rates.csv:1: no column "dirtyRat" (did you mean "dirtyRate"?)'],
  ])('CSV: %s', (_name, column, message) => {
    writeFileSync(join(dir, 's.yaml'), oneVm(`memory: 4Gi, dirtyRate: {distribution: empirical, file: rates.csv, ${column}}`));
    try {
      loadScenarioFile(join(dir, 's.yaml'));
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).format()).toContain(message);
    }
  });
});
