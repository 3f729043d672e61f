// Scenario fields of the KubeVirt / Harvester fidelity work: spec.harvester, the wave style's
// name, Harvester's one-node-at-a-time rule and feature gates by version.
import { describe, expect, it } from 'vitest';
import { baseDoc, load, problems, withSpec } from './doc.js';

const nodes = [{ name: 'node', count: 2 }];
const upgrade = (u: Record<string, unknown>) => ({ nodes, vms: [], operations: [{ upgrade: u }] });

describe('spec.harvester', () => {
  it('defaults: Harvester v1.8, restoreVM false', () => {
    expect(load(baseDoc()).harvester).toEqual({ version: { major: 1, minor: 8 }, restoreVM: false });
  });

  it('version and upgradeConfig.restoreVM', () => {
    const s = load(withSpec({ ...baseDoc().spec, harvester: { version: 'v1.5', upgradeConfig: { restoreVM: true } } }));
    expect(s.harvester).toEqual({ version: { major: 1, minor: 5 }, restoreVM: true });
  });

  it.each([
    { harvester: { version: 'latest' }, path: 'spec.harvester.version', message: 'expected a Harvester version such as "v1.6", got "latest"' },
    { harvester: { upgradeConfig: { restoreVm: true } }, path: 'spec.harvester.upgradeConfig.restoreVm', message: 'unknown field' },
  ])('bad input names the field: $path', ({ harvester, path, message }) => {
    const p = problems(withSpec({ ...baseDoc().spec, harvester }));
    expect(p).toHaveLength(1);
    expect(p[0]!.path).toContain(path);
    expect(p[0]!.message).toContain(message);
  });

  it('a newer Harvester than modelled is a warning', () => {
    expect(load(withSpec({ ...upgrade({ style: 'harvester' }), harvester: { version: 'v1.9' } })).warnings).toEqual([
      expect.stringContaining("spec.harvester.version: v1.9 is newer than the newest Harvester release modelled (v1.8): its upgrade rules are used"),
    ]);
  });

  it('restoreVM before Harvester v1.4 does not exist: forced false, with a warning', () => {
    const s = load(withSpec({ ...upgrade({ style: 'harvester' }), harvester: { version: 'v1.3', upgradeConfig: { restoreVM: true } } }));
    expect(s.harvester.restoreVM).toBe(false);
    expect(s.warnings).toEqual([expect.stringContaining('spec.harvester.upgradeConfig.restoreVM: does not exist before Harvester v1.4 (scenario uses v1.3): ignored, treated as false')]);
  });

  it('spec.harvester without a Harvester wave is ignored, with a warning', () => {
    expect(load(withSpec({ ...baseDoc().spec, harvester: { upgradeConfig: { restoreVM: true } } })).warnings).toEqual([
      expect.stringContaining('spec.harvester: used only by upgrade waves with style harvester, and there is none: ignored'),
    ]);
  });
});

describe('upgrade wave style', () => {
  it.each([
    { given: {}, profile: 'kubevirt', style: 'kubectl-drain', warning: null },
    { given: {}, profile: 'harvester', style: 'harvester', warning: null },
    { given: { style: 'kubectl-drain' }, profile: 'harvester', style: 'kubectl-drain', warning: null },
    { given: { style: 'kubevirt' }, profile: 'kubevirt', style: 'kubectl-drain', warning: 'style "kubevirt" is deprecated' },
    { given: { style: 'harvester', maxUnavailable: 3 }, profile: 'kubevirt', style: 'harvester', warning: 'maxUnavailable 3 is clamped to 1' },
  ])('$given with profile $profile → $style', ({ given, profile, style, warning }) => {
    const s = load(withSpec({ ...upgrade(given), profile }));
    const op = s.operations[0]!;
    expect(op.kind === 'upgrade' && op.style).toBe(style);
    if (op.kind === 'upgrade' && style === 'harvester') expect(op.maxUnavailable).toBe(1);
    if (warning === null) expect(s.warnings).toEqual([]);
    else expect(s.warnings).toEqual([expect.stringContaining(warning)]);
  });

  it('an unknown style lists the accepted ones', () => {
    expect(problems(withSpec(upgrade({ style: 'rancher' })))[0]!.message).toMatch(/kubectl-drain.*kubevirt.*harvester/);
  });
});

describe('feature gates by version', () => {
  const gates = (version: string, featureGates: string[]) =>
    load(withSpec({ ...baseDoc().spec, kubevirt: { version, configuration: { developerConfiguration: { featureGates } } } })).warnings;
  it.each([
    { version: 'v1.8', gates: ['MigrationPriorityQueue'], warning: null },
    { version: 'v1.7', gates: ['MigrationPriorityQueue'], warning: null },
    { version: 'v1.6', gates: ['MigrationPriorityQueue'], warning: 'MigrationPriorityQueue does not exist before KubeVirt v1.7 (scenario uses v1.6): ignored' },
    { version: 'v1.9', gates: ['MigrationPriorityQueue'], warning: 'MigrationPriorityQueue is GA from KubeVirt v1.9 and always on' },
    { version: 'v1.7', gates: ['VGPULiveMigration'], warning: 'VGPULiveMigration does not exist before KubeVirt v1.8' },
  ])('$version $gates', ({ version, gates: g, warning }) => {
    const w = gates(version, g);
    if (warning === null) expect(w).toEqual([]);
    else expect(w).toEqual([expect.stringContaining(`spec.kubevirt.configuration.developerConfiguration.featureGates[0]: ${warning}`)]);
  });
});

describe('a claim on a local PV', () => {
  const vmWith = (volume: Record<string, unknown>) => withSpec({ nodes, vms: [{ name: 'db', memory: '4Gi', volumes: [{ name: 'data', ...volume }] }] });
  it('local: true on a persistentVolumeClaim', () => {
    expect(load(vmWith({ type: 'persistentVolumeClaim', local: true })).vms[0]!.volumes[0]).toMatchObject({ type: 'persistentVolumeClaim', local: true, accessModes: ['ReadWriteOnce'] });
  });
  it.each([
    { volume: { type: 'containerDisk', local: true }, message: 'only a persistentVolumeClaim or dataVolume can be a local PV (a containerDisk volume cannot)' },
    { volume: { type: 'dataVolume', accessModes: ['ReadWriteMany'], local: true }, message: 'a local PV lives on one node: it cannot be ReadWriteMany' },
  ])('$volume.type: $message', ({ volume, message }) => {
    expect(problems(vmWith(volume))).toEqual([{ path: 'spec.vms[0].volumes[0].local', message }]);
  });
});
