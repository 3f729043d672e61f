import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import { GiB, MiB } from '../../src/scenario/units.js';
import { baseDoc, load, withSpec } from './doc.js';

describe('defaults of an almost empty scenario', () => {
  const s = load(baseDoc());

  it('scenario-level', () => {
    expect(s).toMatchObject({ source: 't.json', name: 't', seed: 1, horizon: 86400, profile: 'kubevirt', warnings: [] });
  });

  it('KubeVirt v1.9 cluster configuration', () => {
    expect(s.kubevirt).toEqual({
      version: { major: 1, minor: 9 },
      migrations: {
        parallelMigrationsPerCluster: 5,
        parallelOutboundMigrationsPerNode: 2,
        bandwidthPerMigration: 0,
        completionTimeoutPerGiB: 150,
        progressTimeout: 150,
        allowAutoConverge: false,
        allowPostCopy: false,
        allowWorkloadDisruption: false,
        unsafeMigrationOverride: false,
        disableTLS: false,
        network: null,
        nodeDrainTaintKey: 'kubevirt.io/drain',
        maxDowntimeMs: 900,
        utilityVolumesTimeout: 150,
        matchSELinuxLevelOnMigration: null,
      },
      evictionStrategy: 'None',
      nodeSelectors: {},
      featureGates: [],
    });
  });

  it('hypervisor and control plane', () => {
    expect(s.hypervisor).toEqual({
      downtimeLimit: 0.3,
      switchoverCost: 0.001,
      pageSize: 4096,
      switchover: 'rounds',
      keepalive: { interval: 5, count: 5 },
      throttle: { initial: 0.2, increment: 0.1, max: 0.99, triggerThreshold: 0.5 },
    });
    expect(s.controlPlane).toEqual({
      targetPodStartup: { kind: 'fixed', value: 5 },
      handoff: { kind: 'fixed', value: 1 },
      targetPreparation: { kind: 'fixed', value: 2 },
      migrationStart: { kind: 'fixed', value: 1 },
      cleanup: { kind: 'fixed', value: 2 },
      unschedulablePendingTimeout: 300,
      catchAllPendingTimeout: 900,
    });
  });

  it('a node', () => {
    expect(s.nodes[0]).toEqual({
      name: 'node-0',
      pool: 'node',
      cpu: 32,
      memory: 128 * GiB,
      labels: {
        'kubernetes.io/hostname': 'node-0',
        'kubevirt.io/schedulable': 'true',
        'host-model-cpu.node.kubevirt.io/Skylake-Server': 'true',
        'cpu-model-migration.node.kubevirt.io/Skylake-Server': 'true',
        'cpu-model.node.kubevirt.io/Skylake-Server': 'true',
        'cpu-vendor.node.kubevirt.io/Intel': 'true',
      },
      taints: [],
      unschedulable: false,
      nics: { pod: 1.25e9 },
      rack: null,
      backgroundLoad: [{ at: 0, fraction: 0 }],
    });
  });

  it('a VM', () => {
    expect(s.vms[0]).toEqual({
      name: 'db',
      namespace: 'default',
      key: 'default/db',
      pool: 'db',
      node: null,
      labels: {},
      annotations: {},
      cpu: 1,
      cpuLimit: 0,
      dedicatedCpus: false,
      memory: 4 * GiB,
      guestMemory: null,
      usedMemory: 4 * GiB,
      dirty: { kind: 'constant', rate: 0, workingSet: 4 * GiB },
      throttleSensitivity: 1,
      nodeSelector: {},
      nodeAffinity: [],
      tolerations: [],
      cpuModel: { kind: 'host-model' },
      cpuFeatures: [],
      volumes: [],
      hostDevices: 0,
      gpus: [],
      sriovInterfaces: 0,
      podNetworkBinding: 'masquerade',
      bindingPluginMigratable: false,
      secureExecution: false,
      hypervPassthrough: false,
      tscFrequencyWithoutHint: false,
      evictionStrategy: null,
      restartTime: 60,
    });
  });

  it('namespaces carry their name label', () => {
    expect(s.namespaces).toEqual({ default: { 'kubernetes.io/metadata.name': 'default' } });
    expect(s.racks).toEqual([]);
    expect(s.migrationPolicies).toEqual([]);
    expect(s.operations).toEqual([]);
    expect(s.randomOutages).toEqual([]);
  });
});

describe('KubeVirt version', () => {
  it.each([
    ['v1.3', 800],
    ['1.4', 150],
    ['v1.9.0', 150],
  ])('%s → completionTimeoutPerGiB %d', (version, completion) => {
    const s = load(withSpec({ kubevirt: { version } }));
    expect(s.kubevirt.migrations.completionTimeoutPerGiB).toBe(completion);
  });

  it('warns about a version newer than the spec documents', () => {
    const s = load(withSpec({ kubevirt: { version: 'v1.12' } }));
    expect(s.warnings).toEqual([
      "t.json:1:105: spec.kubevirt.version: v1.12 is newer than the newest version modelled (v1.9): simulated with v1.9's behaviour and defaults; later changes are not modelled (such as the alpha downtime tuning, MigrationDowntimeTuning, of KubeVirt main)",
    ]);
  });

  it('allowWorkloadDisruption on v1.4 is accepted with a warning and forced false', () => {
    const s = load(withSpec({ kubevirt: { version: 'v1.4', configuration: { migrations: { allowPostCopy: true, allowWorkloadDisruption: true } } } }));
    expect(s.kubevirt.migrations.allowWorkloadDisruption).toBe(false);
    expect(s.kubevirt.migrations.allowPostCopy).toBe(true);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toContain('spec.kubevirt.configuration.migrations.allowWorkloadDisruption: field does not exist before KubeVirt v1.5');
  });
});

// Pasted from `kubectl get kubevirt -n kubevirt kubevirt -o yaml` (spec.configuration.migrations).
const KUBECTL_MIGRATIONS = `
      migrations:
        allowAutoConverge: false
        allowPostCopy: false
        allowWorkloadDisruption: true
        bandwidthPerMigration: 0Mi
        completionTimeoutPerGiB: 150
        disableTLS: false
        experimental:
          compression: zstd
          stallDetector:
            stallProgressTimeout: 40
        matchSELinuxLevelOnMigration: true
        maxDowntimeMs: 900
        network: migration-net
        nodeDrainTaintKey: kubevirt.io/drain
        parallelMigrationsPerCluster: 5
        parallelOutboundMigrationsPerNode: 2
        progressTimeout: 150
        unsafeMigrationOverride: false
        utilityVolumesTimeout: 150`;

describe('a real migrations block from kubectl loads unchanged', () => {
  const text = `apiVersion: migsim/v1alpha1
kind: Scenario
metadata: {name: pasted}
spec:
  kubevirt:
    version: v1.9.0
    configuration:${KUBECTL_MIGRATIONS}
      evictionStrategy: LiveMigrate
  nodes: [{name: node, count: 2, migrationNetwork: 25Gbit}]
`;
  const s = parseScenario(text, 'scenarios/pasted.yaml');

  it('every field', () => {
    expect(s.kubevirt.migrations).toEqual({
      parallelMigrationsPerCluster: 5,
      parallelOutboundMigrationsPerNode: 2,
      bandwidthPerMigration: 0,
      completionTimeoutPerGiB: 150,
      progressTimeout: 150,
      allowAutoConverge: false,
      allowPostCopy: false,
      allowWorkloadDisruption: true,
      unsafeMigrationOverride: false,
      disableTLS: false,
      network: 'migration-net',
      nodeDrainTaintKey: 'kubevirt.io/drain',
      maxDowntimeMs: 900,
      utilityVolumesTimeout: 150,
      matchSELinuxLevelOnMigration: true,
    });
    expect(s.kubevirt.evictionStrategy).toBe('LiveMigrate');
  });

  it('experimental is accepted but not modelled', () => {
    expect(s.warnings).toEqual([
      'scenarios/pasted.yaml:15:9: spec.kubevirt.configuration.migrations.experimental: accepted but not modelled (alpha stall detector, downtime tuning, compression)',
    ]);
  });

  it('the migration network becomes a NIC of every node', () => {
    expect(s.nodes.map((n) => n.nics)).toEqual([
      { pod: 1.25e9, 'migration-net': 3.125e9 },
      { pod: 1.25e9, 'migration-net': 3.125e9 },
    ]);
  });
});

describe('bandwidthPerMigration', () => {
  it.each([
    ['0Mi', 0],
    [0, 0],
    ['64Mi', 64 * MiB],
    ['100Mi/s', 100 * MiB],
    ['512Ki', MiB],
    ['1.5Mi', 2 * MiB],
    ['1G', 954 * MiB], // 953.67 MiB
  ])('%j → %d bytes/s', (bw, expected) => {
    const s = load(withSpec({ kubevirt: { configuration: { migrations: { bandwidthPerMigration: bw } } } }));
    expect(s.kubevirt.migrations.bandwidthPerMigration).toBe(expected);
  });
});

describe('count expansion', () => {
  const s = load(
    withSpec({
      nodes: [{ name: 'node', count: 3 }, { name: 'gpu-node' }, { name: 'empty', count: 0 }],
      vms: [
        { name: 'db', namespace: 'prod', count: 3, node: 'node-1', memory: '8Gi', labels: { app: 'db' } },
        { name: 'web', memory: '1Gi' },
        { name: 'db', count: 1, memory: '1Gi' }, // same name in another namespace is fine
      ],
    }),
  );

  it('nodes: name-0 … name-(N-1); without count the name itself', () => {
    expect(s.nodes.map((n) => [n.name, n.pool])).toEqual([
      ['node-0', 'node'],
      ['node-1', 'node'],
      ['node-2', 'node'],
      ['gpu-node', 'gpu-node'],
    ]);
    expect(s.nodes.map((n) => n.labels['kubernetes.io/hostname'])).toEqual(['node-0', 'node-1', 'node-2', 'gpu-node']);
  });

  it('VMs, keyed namespace/name', () => {
    expect(s.vms.map((v) => [v.key, v.pool, v.node])).toEqual([
      ['prod/db-0', 'db', 'node-1'],
      ['prod/db-1', 'db', 'node-1'],
      ['prod/db-2', 'db', 'node-1'],
      ['default/web', 'web', null],
      ['default/db-0', 'db', null],
    ]);
  });

  it('the loaded scenario is frozen: expanded objects cannot be changed through one another', () => {
    // Vitest modules run in strict mode, where writing to a frozen object throws.
    expect(() => (s.vms[0]!.labels['x'] = 'y')).toThrow(TypeError);
    expect(() => s.nodes[0]!.taints.push({ key: 'k', value: '', effect: 'NoSchedule' })).toThrow(TypeError);
    expect(s.vms[1]!.labels).toEqual({ app: 'db' });
    expect(s.nodes[1]!.taints).toEqual([]);
  });

  it('namespaces of every VM are known', () => {
    expect(Object.keys(s.namespaces).sort()).toEqual(['default', 'prod']);
  });
});

describe('nodes', () => {
  it('CPU model labels, user labels, taints, background load', () => {
    const s = load(
      withSpec({
        racks: [{ name: 'r1', uplink: '40Gbit' }],
        nodes: [
          {
            name: 'n1',
            cpu: '16000m',
            memory: '256Gi',
            network: '25Gbps',
            rack: 'r1',
            labels: { pool: 'virt', 'kubevirt.io/schedulable': 'false', 'kubernetes.io/hostname': 'ignored' },
            taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
            unschedulable: true,
            backgroundLoad: [
              { at: '10m', fraction: 0.6 },
              { at: '1m', fraction: 0.2 },
            ],
            cpuModel: { hostModel: 'Cascadelake-Server', vendor: 'Intel', models: ['Skylake-Server', 'Cascadelake-Server'], requiredFeatures: ['mpx'] },
          },
          { name: 'bare', cpuModel: null, backgroundLoad: 0.3 },
        ],
        vms: [],
      }),
    );
    const [n1, bare] = s.nodes;
    expect(n1).toMatchObject({ cpu: 16, memory: 256 * GiB, nics: { pod: 3.125e9 }, rack: 'r1', unschedulable: true });
    expect(n1!.labels).toEqual({
      'kubernetes.io/hostname': 'n1',
      'kubevirt.io/schedulable': 'false',
      pool: 'virt',
      'host-model-cpu.node.kubevirt.io/Cascadelake-Server': 'true',
      'cpu-model-migration.node.kubevirt.io/Cascadelake-Server': 'true',
      'cpu-model.node.kubevirt.io/Skylake-Server': 'true',
      'cpu-model.node.kubevirt.io/Cascadelake-Server': 'true',
      'cpu-vendor.node.kubevirt.io/Intel': 'true',
      'host-model-required-features.node.kubevirt.io/mpx': 'true',
      'cpu-feature.node.kubevirt.io/mpx': 'true',
    });
    expect(n1!.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    // sorted, and no background traffic before the first entry
    expect(n1!.backgroundLoad).toEqual([
      { at: 0, fraction: 0 },
      { at: 60, fraction: 0.2 },
      { at: 600, fraction: 0.6 },
    ]);
    expect(bare!.labels).toEqual({ 'kubernetes.io/hostname': 'bare', 'kubevirt.io/schedulable': 'true' });
    expect(bare!.backgroundLoad).toEqual([{ at: 0, fraction: 0.3 }]);
    expect(s.racks).toEqual([{ name: 'r1', uplink: 5e9 }]);
  });

  it('migrationNetwork without a migration network is ignored, with a warning', () => {
    const s = load(withSpec({ nodes: [{ name: 'n', migrationNetwork: '25Gbit' }], vms: [] }));
    expect(s.nodes[0]!.nics).toEqual({ pod: 1.25e9 });
    expect(s.warnings[0]).toContain('spec.nodes[0].migrationNetwork: ignored: spec.kubevirt.configuration.migrations.network is not set');
  });

  it('the migration NIC defaults to the pod NIC', () => {
    const s = load(withSpec({ kubevirt: { configuration: { migrations: { network: 'mig' } } }, nodes: [{ name: 'n', network: '1250Mi' }], vms: [] }));
    expect(s.nodes[0]!.nics).toEqual({ pod: 1250 * MiB, mig: 1250 * MiB });
  });
});

describe('VM memory and dirty models', () => {
  const vm = (fields: Record<string, unknown>) => load(withSpec({ nodes: [], vms: [{ name: 'v', memory: '8Gi', ...fields }] })).vms[0]!;

  it.each([
    // fields                                              guestMemory  usedMemory
    [{}, null, 8 * GiB],
    [{ guestMemory: '6Gi' }, 6 * GiB, 6 * GiB],
    [{ usedMemory: '6Gi' }, null, 6 * GiB],
    [{ zeroFraction: 0.25 }, null, 6 * GiB], // used = guest · (1 − f)
    [{ guestMemory: '4Gi', zeroFraction: 0.5 }, 4 * GiB, 2 * GiB],
  ])('%j → guestMemory %s, usedMemory %d', (fields, guestMemory, usedMemory) => {
    const v = vm(fields);
    expect(v.guestMemory).toBe(guestMemory);
    expect(v.usedMemory).toBe(usedMemory);
  });

  it('constant dirty rate; working set defaults to usedMemory', () => {
    expect(vm({ dirtyRate: '200Mi', usedMemory: '6Gi' }).dirty).toEqual({ kind: 'constant', rate: 200 * MiB, workingSet: 6 * GiB });
    expect(vm({ dirtyRate: '200Mi/s', workingSet: '2Gi' }).dirty).toEqual({ kind: 'constant', rate: 200 * MiB, workingSet: 2 * GiB });
  });

  it('phases, sorted, starting at 0', () => {
    expect(vm({ dirtyRate: [{ at: '10m', dirtyRate: '300Mi' }, { at: '1m', dirtyRate: '50Mi' }], workingSet: '2Gi' }).dirty).toEqual({
      kind: 'phases',
      phases: [
        { at: 0, rate: 0 },
        { at: 60, rate: 50 * MiB },
        { at: 600, rate: 300 * MiB },
      ],
      workingSet: 2 * GiB,
    });
  });

  it('curve from points: sorted, starts at {0, 0}, capped at usedMemory', () => {
    const v = vm({ usedMemory: '5Gi', dirtyCurve: { points: [{ t: '60s', bytes: '5.8Gi' }, { t: '1s', bytes: '500Mi' }] } });
    expect(v.dirty).toEqual({
      kind: 'curve',
      points: [
        { t: 0, bytes: 0 },
        { t: 1, bytes: 500 * MiB },
        { t: 60, bytes: 5 * GiB },
      ],
    });
  });

  it('curve from QEMU calc-dirty-rate samples scales to guest memory and sets usedMemory', () => {
    // 100000 sampled pages of which 61000 zero → used = 39 % of 10 GiB;
    // dirtied within 125 ms: 900/100000 of 10 GiB, …
    const guest = 10 * GiB;
    const v = vm({
      memory: '10Gi',
      dirtyCurve: { pageSize: 4096, sampledPages: 100000, zeroPages: 61000, periods: [125, 250, 500, 1000], dirtyPages: [900, 1500, 2600, 4000] },
    });
    expect(v.usedMemory).toBe(Math.round(guest * 0.39));
    expect(v.dirty).toEqual({
      kind: 'curve',
      points: [
        { t: 0, bytes: 0 },
        { t: 0.125, bytes: Math.round(0.009 * guest) },
        { t: 0.25, bytes: Math.round(0.015 * guest) },
        { t: 0.5, bytes: Math.round(0.026 * guest) },
        { t: 1, bytes: Math.round(0.04 * guest) },
      ],
    });
  });

  it('an explicit usedMemory wins over the sampled zero pages', () => {
    const v = vm({ usedMemory: '7Gi', dirtyCurve: { sampledPages: 100, zeroPages: 50, periods: [1000], dirtyPages: [10] } });
    expect(v.usedMemory).toBe(7 * GiB);
  });
});

describe('VM fields', () => {
  it('volumes with their defaults', () => {
    const v = load(
      withSpec({
        vms: [
          {
            name: 'v',
            memory: '1Gi',
            volumes: [
              { name: 'root', type: 'persistentVolumeClaim' },
              { name: 'shared', type: 'dataVolume', accessModes: ['ReadWriteMany'], size: '20Gi' },
              { name: 'cd', type: 'containerDisk' },
              { name: 'ci', type: 'cloudInitNoCloud', attachment: 'cdrom', readOnly: true },
              { name: 'scratch', type: 'emptyDisk', capacity: '2Gi' },
              { name: 'host', type: 'hostDisk', shared: true },
            ],
          },
        ],
      }),
    ).vms[0]!;
    expect(v.volumes.map((x) => [x.name, x.accessModes, x.size, x.attachment, x.readOnly, x.shared])).toEqual([
      ['root', ['ReadWriteOnce'], 10 * GiB, 'disk', false, false],
      ['shared', ['ReadWriteMany'], 20 * GiB, 'disk', false, false],
      ['cd', [], 1 * GiB, 'disk', false, false],
      ['ci', [], 1 * MiB, 'cdrom', true, false],
      ['scratch', [], 2 * GiB, 'disk', false, false],
      ['host', [], 10 * GiB, 'disk', false, true],
    ]);
  });

  it.each([
    ['masquerade', 'masquerade', false],
    ['bridge', 'bridge', false],
    ['passt', 'passt', false],
    ['none', null, false],
    [null, null, false],
    [{ plugin: 'my-binding', migration: true }, 'plugin', true],
    [{ plugin: 'other' }, 'plugin', false],
  ])('podNetwork %j → %s', (podNetwork, binding, migratable) => {
    const v = load(withSpec({ vms: [{ name: 'v', memory: '1Gi', podNetwork }] })).vms[0]!;
    expect(v.podNetworkBinding).toBe(binding);
    expect(v.bindingPluginMigratable).toBe(migratable);
  });

  it.each([
    ['host-model', { kind: 'host-model' }],
    ['host-passthrough', { kind: 'host-passthrough' }],
    ['Skylake-Server', { kind: 'named', model: 'Skylake-Server' }],
  ])('cpuModel %s', (cpuModel, expected) => {
    expect(load(withSpec({ vms: [{ name: 'v', memory: '1Gi', cpuModel }] })).vms[0]!.cpuModel).toEqual(expected);
  });

  it('scheduling fields', () => {
    const v = load(
      withSpec({
        vms: [
          {
            name: 'v',
            memory: '1Gi',
            cpu: '500m',
            cpuLimit: 2,
            nodeSelector: { pool: 'virt' },
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
                    { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
                  ],
                },
              },
            },
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, { operator: 'Exists' }],
            gpus: [{ name: 'nvidia-a10', mediated: true }],
            evictionStrategy: 'LiveMigrateIfPossible',
            restartTime: '2m',
            throttleSensitivity: 0,
          },
        ],
      }),
    ).vms[0]!;
    expect(v.cpu).toBe(0.5);
    expect(v.cpuLimit).toBe(2);
    expect(v.nodeSelector).toEqual({ pool: 'virt' });
    expect(v.nodeAffinity).toEqual([
      [{ key: 'zone', operator: 'In', values: ['a', 'b'] }],
      [{ key: 'gpu', operator: 'Exists', values: [] }],
    ]);
    expect(v.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
      { key: '', operator: 'Exists', value: '', effect: null },
    ]);
    expect(v.gpus).toEqual([{ name: 'nvidia-a10', mediated: true }]);
    expect(v.evictionStrategy).toBe('LiveMigrateIfPossible');
    expect(v.restartTime).toBe(120);
    expect(v.throttleSensitivity).toBe(0);
  });
});

describe('migration policies', () => {
  const policy = (name: string, spec?: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({
    apiVersion: 'migrations.kubevirt.io/v1alpha1',
    kind: 'MigrationPolicy',
    metadata: { name, ...meta },
    ...(spec && { spec }),
  });

  it('real manifests, unchanged (including kubectl metadata and status)', () => {
    const s = load(
      withSpec({
        vms: [],
        migrationPolicies: [
          policy(
            'slow',
            { selectors: { namespaceSelector: { team: 'db' }, virtualMachineInstanceSelector: { app: 'db' } }, bandwidthPerMigration: '64Mi', allowPostCopy: true, completionTimeoutPerGiB: 300 },
            { uid: 'd1', resourceVersion: '12', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
          ),
          policy('open', { selectors: {}, allowAutoConverge: true, allowWorkloadDisruption: false }),
          policy('never'),
        ],
      }),
    );
    expect(s.migrationPolicies).toEqual([
      {
        name: 'slow',
        namespaceSelector: { team: 'db' },
        virtualMachineInstanceSelector: { app: 'db' },
        hasSelectors: true,
        bandwidthPerMigration: 64 * MiB,
        allowPostCopy: true,
        allowWorkloadDisruption: true, // copies allowPostCopy
        completionTimeoutPerGiB: 300,
      },
      { name: 'open', namespaceSelector: null, virtualMachineInstanceSelector: null, hasSelectors: true, allowAutoConverge: true, allowWorkloadDisruption: false },
      { name: 'never', namespaceSelector: null, virtualMachineInstanceSelector: null, hasSelectors: false },
    ]);
  });

  it('maxDowntimeMs and experimental are accepted with a warning', () => {
    const s = load(withSpec({ vms: [], migrationPolicies: [policy('p', { maxDowntimeMs: 100, experimental: {} })] }));
    expect(s.warnings.map((w) => w.replace(/^t\.json:\d+:\d+: /, ''))).toEqual([
      'spec.migrationPolicies[0].spec.maxDowntimeMs: accepted but not modelled in a MigrationPolicy',
      'spec.migrationPolicies[0].spec.experimental: accepted but not modelled in a MigrationPolicy',
    ]);
  });

  it('before v1.5 a policy cannot allow workload disruption', () => {
    const s = load(withSpec({ kubevirt: { version: 'v1.4' }, vms: [], migrationPolicies: [policy('p', { allowPostCopy: true })] }));
    expect(s.migrationPolicies[0]!.allowWorkloadDisruption).toBe(false);
    expect(s.warnings).toEqual([]);
  });
});

describe('operations', () => {
  const s = load(
    withSpec({
      profile: 'harvester',
      kubevirt: { configuration: { migrations: { network: 'migration-net' } } },
      racks: [{ name: 'r1', uplink: '40Gbit' }],
      nodes: [{ name: 'node', count: 3, rack: 'r1', labels: { pool: 'virt' } }],
      vms: [
        { name: 'db', namespace: 'prod', count: 2, memory: '4Gi' },
        { name: 'testvm', memory: '1Gi', labels: { name: 'testvm' } },
      ],
      operations: [
        { at: '1m', drain: { node: 'node-0' } },
        { at: '10s', migrate: { vmi: 'prod/db-0', name: 'my-mig', addedNodeSelector: { pool: 'virt' } } },
        { at: '20s', cancel: { migration: 'my-mig' } },
        { migrate: { vmi: 'testvm' } },
        { at: '1m', drain: { nodes: ['node-1', 'node-2'] } },
        { at: '1m', drain: { selector: { matchLabels: { pool: 'virt' } } } },
        { at: '2m', upgrade: { name: 'wave-1', nodes: ['node-2', 'node-1'], maxUnavailable: 2, order: 'most-vms', duration: '10m', style: 'kubevirt' } },
        { at: '3m', upgrade: { selector: { matchLabels: { pool: 'virt' } }, duration: { distribution: 'uniform', min: '5m', max: '15m' } } },
        { at: '4m', upgrade: {} },
        { at: '2m', outage: { duration: '10s', scope: 'network' } },
        { at: '2m', outage: { duration: '10s', scope: { node: 'node-1' }, network: 'pod' } },
        { at: '2m', outage: { duration: '10s', scope: { path: ['node-0', 'node-1'] }, network: 'migration-net' } },
        { at: '2m', outage: { duration: '10s', scope: { rack: 'r1' } } },
        {
          at: '10s',
          apiVersion: 'kubevirt.io/v1',
          kind: 'VirtualMachineInstanceMigration',
          metadata: { name: 'mig-1', namespace: 'prod', annotations: { 'kubevirt.io/a': 'b' } },
          spec: { vmiName: 'db-1', addedNodeSelector: {} },
        },
        {
          at: '10s',
          apiVersion: 'kubevirt.io/v1alpha1',
          kind: 'Migration',
          metadata: { name: 'm1', namespace: 'default' },
          spec: { selector: { name: 'testvm' }, nodeSelector: { 'kubernetes.io/hostname': 'node-1' } },
        },
        { at: '5s', apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { generateName: 'm-' }, spec: { vmiName: 'testvm' } },
      ],
      faults: { randomOutages: [{ ratePerHour: 2, duration: { distribution: 'uniform', min: '5s', max: '60s' }, scope: 'network' }] },
    }),
  );

  it('sorted stably by time, each normalised', () => {
    expect(s.operations).toEqual([
      { kind: 'migrate', at: 0, vmi: 'default/testvm', name: null, addedNodeSelector: {}, apiKind: 'shorthand', annotations: {} },
      { kind: 'migrate', at: 5, vmi: 'default/testvm', name: null, addedNodeSelector: {}, apiKind: 'VirtualMachineInstanceMigration', annotations: {} },
      { kind: 'migrate', at: 10, vmi: 'prod/db-0', name: 'my-mig', addedNodeSelector: { pool: 'virt' }, apiKind: 'shorthand', annotations: {} },
      { kind: 'migrate', at: 10, vmi: 'prod/db-1', name: 'mig-1', addedNodeSelector: {}, apiKind: 'VirtualMachineInstanceMigration', annotations: { 'kubevirt.io/a': 'b' } },
      { kind: 'migrate', at: 10, vmi: 'default/testvm', name: 'm1', addedNodeSelector: { 'kubernetes.io/hostname': 'node-1' }, apiKind: 'Migration', annotations: {} },
      { kind: 'cancel', at: 20, migration: 'my-mig' },
      { kind: 'drain', at: 60, nodes: { kind: 'names', names: ['node-0'] } },
      { kind: 'drain', at: 60, nodes: { kind: 'names', names: ['node-1', 'node-2'] } },
      { kind: 'drain', at: 60, nodes: { kind: 'selector', matchLabels: { pool: 'virt' } } },
      {
        kind: 'upgrade',
        at: 120,
        name: 'wave-1',
        nodes: { kind: 'names', names: ['node-2', 'node-1'] },
        maxUnavailable: 2,
        order: 'most-vms',
        duration: { kind: 'fixed', value: 600 },
        style: 'kubectl-drain', // written "kubevirt", the deprecated spelling
      },
      { kind: 'outage', at: 120, duration: 10, scope: { kind: 'network' }, networkName: null },
      { kind: 'outage', at: 120, duration: 10, scope: { kind: 'node', node: 'node-1' }, networkName: 'pod' },
      { kind: 'outage', at: 120, duration: 10, scope: { kind: 'path', from: 'node-0', to: 'node-1' }, networkName: 'migration-net' },
      { kind: 'outage', at: 120, duration: 10, scope: { kind: 'rack', rack: 'r1' }, networkName: null },
      {
        kind: 'upgrade',
        at: 180,
        name: 'upgrade-7',
        nodes: { kind: 'selector', matchLabels: { pool: 'virt' } },
        maxUnavailable: 1,
        order: 'listed',
        duration: { kind: 'uniform', min: 300, max: 900 },
        style: 'harvester', // the profile's
      },
      {
        kind: 'upgrade',
        at: 240,
        name: 'upgrade-8',
        nodes: { kind: 'names', names: ['node-0', 'node-1', 'node-2'] }, // all nodes
        maxUnavailable: 1,
        order: 'listed',
        duration: { kind: 'fixed', value: 600 },
        style: 'harvester',
      },
    ]);
  });

  it('random outages', () => {
    expect(s.randomOutages).toEqual([{ ratePerHour: 2, duration: { kind: 'uniform', min: 5, max: 60 }, scope: { kind: 'network' }, networkName: null }]);
  });

  it('a drain selector that matches no node is a warning', () => {
    const w = load(withSpec({ nodes: [{ name: 'n' }], vms: [], operations: [{ drain: { selector: { matchLabels: { pool: 'none' } } } }] })).warnings;
    expect(w).toEqual([expect.stringContaining('spec.operations[0].drain.selector: matches no node: this drain does nothing')]);
  });
});

describe('distributions', () => {
  it.each([
    ['5s', { kind: 'fixed', value: 5 }],
    [3, { kind: 'fixed', value: 3 }],
    [{ distribution: 'uniform', min: '1s', max: '10s' }, { kind: 'uniform', min: 1, max: 10 }],
    [{ distribution: 'normal', mean: '5s', stddev: '1s' }, { kind: 'normal', mean: 5, stddev: 1, min: 0 }],
    [{ distribution: 'normal', mean: '5s', stddev: '1s', min: '2s' }, { kind: 'normal', mean: 5, stddev: 1, min: 2 }],
    [{ distribution: 'lognormal', median: '5s', sigma: 0.5 }, { kind: 'lognormal', median: 5, sigma: 0.5 }],
    [{ distribution: 'exponential', mean: '2s' }, { kind: 'exponential', mean: 2 }],
  ])('%j', (raw, expected) => {
    expect(load(withSpec({ controlPlane: { handoff: raw } })).controlPlane.handoff).toEqual(expected);
  });
});

describe('file formats', () => {
  const yamlText = `apiVersion: migsim/v1alpha1
kind: Scenario
metadata: {name: one-vm}
spec:
  nodes: [{name: node, count: 2}]
  vms: [{name: db, memory: 8Gi, node: node-0}]
  operations: [{at: 10s, migrate: {vmi: db}}]
`;

  it('YAML and the same document as JSON give the same scenario', () => {
    const fromYaml = parseScenario(yamlText, 'x.yaml');
    const fromJson = parseScenario(JSON.stringify(parseYaml(yamlText)), 'x.json');
    expect({ ...fromJson, source: 'x.yaml' }).toEqual(fromYaml);
  });

  it('the format can be forced', () => {
    expect(parseScenario(JSON.stringify(parseYaml(yamlText)), 'stdin', 'json').name).toBe('one-vm');
  });

  it('loadScenarioFile picks the parser from the extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migsim-'));
    writeFileSync(join(dir, 's.yaml'), yamlText);
    writeFileSync(join(dir, 's.json'), JSON.stringify(parseYaml(yamlText)));
    expect(loadScenarioFile(join(dir, 's.yaml')).vms[0]!.node).toBe('node-0');
    expect(loadScenarioFile(join(dir, 's.json')).source).toBe(join(dir, 's.json'));
  });
});

describe('docs/scenario.md', () => {
  it('the complete example loads without warnings', () => {
    const md = readFileSync(new URL('../../docs/scenario.md', import.meta.url), 'utf8');
    const example = /## Complete example\s+```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(example).toBeDefined();
    const s = parseScenario(example!, 'docs/scenario.md');
    expect(s.warnings).toEqual([]);
    expect(s.nodes).toHaveLength(6);
    expect(s.vms).toHaveLength(24);
    expect(s.operations.map((o) => o.kind)).toEqual(['migrate', 'drain', 'upgrade', 'outage']);
    expect(s.hypervisor).toMatchObject({ switchoverCost: 0.001, switchover: 'qemu', pageSize: 4096 });
  });
});
