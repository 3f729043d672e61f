import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { ScenarioError, formatPath } from '../../src/scenario/errors.js';
import { baseDoc, problems, yamlError, type Doc } from './doc.js';

const DURATION = 'a duration such as 300ms, 150s, 5m or 1h30m';
const QUANTITY = 'a Kubernetes quantity such as 8Gi';
const LINK = 'a bit rate such as 10Gbit or 25Gbps, or a byte rate such as 1250Mi/s';

const policy = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'migrations.kubevirt.io/v1alpha1',
  kind: 'MigrationPolicy',
  metadata: { name },
  spec,
});

type Row = [string, (d: Doc) => void, string, string];

// Each row: a valid document with one thing wrong → exactly one problem, at that path, saying that.
const ROWS: Row[] = [
  // --- the envelope
  ['wrong apiVersion', (d) => (d.apiVersion = 'migsim/v1'), 'apiVersion', 'expected "migsim/v1alpha1", got "migsim/v1"'],
  ['missing kind', (d) => delete (d as Partial<Doc>).kind, 'kind', 'required field is missing; expected "Scenario"'],
  ['missing name', (d) => delete d.metadata['name'], 'metadata.name', 'required field is missing; expected a string'],
  ['unknown top-level field', (d) => ((d as any).specs = {}), 'specs', 'unknown field (did you mean "spec"?)'],
  ['unknown spec section', (d) => (d.spec['vm'] = []), 'spec.vm', 'unknown field (did you mean "vms"?)'],
  ['seed not an integer', (d) => (d.spec['seed'] = 1.5), 'spec.seed', 'expected a whole number, got 1.5'],
  ['horizon not a duration', (d) => (d.spec['horizon'] = '3x'), 'spec.horizon', `expected ${DURATION}, got "3x"`],
  ['horizon zero', (d) => (d.spec['horizon'] = 0), 'spec.horizon', `expected ${DURATION}, got 0 (must be greater than 0)`],
  ['unknown profile', (d) => (d.spec['profile'] = 'vsphere'), 'spec.profile', 'expected one of kubevirt, harvester, openshift, got "vsphere"'],

  // --- the KubeVirt CR
  [
    'version as a YAML number',
    (d) => (d.spec['kubevirt'] = { version: 1.1 }),
    'spec.kubevirt.version',
    'expected a KubeVirt version such as "v1.9", got 1.1 (quote it: YAML reads 1.10 as the number 1.1)',
  ],
  [
    'eviction strategy typo',
    (d) => (d.spec['kubevirt'] = { configuration: { evictionStrategy: 'LiveMigrat' } }),
    'spec.kubevirt.configuration.evictionStrategy',
    'expected one of LiveMigrate, LiveMigrateIfPossible, None, External, got "LiveMigrat" (did you mean "LiveMigrate"?)',
  ],
  [
    'bandwidth not a quantity',
    (d) => (d.spec['kubevirt'] = { configuration: { migrations: { bandwidthPerMigration: '64MB' } } }),
    'spec.kubevirt.configuration.migrations.bandwidthPerMigration',
    'expected a byte rate such as 200Mi or 200Mi/s, got "64MB"',
  ],
  [
    'maxDowntimeMs out of range',
    (d) => (d.spec['kubevirt'] = { configuration: { migrations: { maxDowntimeMs: 3000000 } } }),
    'spec.kubevirt.configuration.migrations.maxDowntimeMs',
    'expected at most 2000000, got 3000000',
  ],
  [
    'negative parallel limit',
    (d) => (d.spec['kubevirt'] = { configuration: { migrations: { parallelMigrationsPerCluster: -1 } } }),
    'spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster',
    'expected at least 0, got -1',
  ],
  [
    'misspelt migrations field',
    (d) => (d.spec['kubevirt'] = { configuration: { migrations: { parallelMigrationPerCluster: 5 } } }),
    'spec.kubevirt.configuration.migrations.parallelMigrationPerCluster',
    'unknown field (did you mean "parallelMigrationsPerCluster"?)',
  ],
  [
    'boolean as a word',
    (d) => (d.spec['kubevirt'] = { configuration: { migrations: { allowPostCopy: 'yes' } } }),
    'spec.kubevirt.configuration.migrations.allowPostCopy',
    'expected true or false, got "yes"',
  ],

  // --- hypervisor and control plane
  ['page size not a power of two', (d) => (d.spec['hypervisor'] = { pageSize: '3Ki' }), 'spec.hypervisor.pageSize', 'expected a power of two such as 4Ki, got 3072'],
  ['auto-converge percent out of range', (d) => (d.spec['hypervisor'] = { autoConverge: { initial: 0 } }), 'spec.hypervisor.autoConverge.initial', 'expected at least 1, got 0'],
  ['unknown switch-over mode', (d) => (d.spec['hypervisor'] = { switchover: 'early' }), 'spec.hypervisor.switchover', 'expected one of rounds, qemu, got "early"'],
  [
    'unknown distribution',
    (d) => (d.spec['controlPlane'] = { handoff: { distribution: 'unifrom', min: '1s', max: '2s' } }),
    'spec.controlPlane.handoff.distribution',
    'expected one of uniform, normal, lognormal, exponential, got "unifrom" (did you mean "uniform"?)',
  ],
  [
    'uniform max below min',
    (d) => (d.spec['controlPlane'] = { handoff: { distribution: 'uniform', min: '10s', max: '1s' } }),
    'spec.controlPlane.handoff.max',
    'expected at least min (10s), got 1s',
  ],
  [
    'normal without stddev',
    (d) => (d.spec['controlPlane'] = { handoff: { distribution: 'normal', mean: '5s' } }),
    'spec.controlPlane.handoff.stddev',
    `required field is missing; expected ${DURATION}`,
  ],

  // --- racks and nodes
  [
    'ambiguous uplink',
    (d) => (d.spec['racks'] = [{ name: 'r1', uplink: '40G' }]),
    'spec.racks[0].uplink',
    `expected ${LINK}, got "40G" (ambiguous: write 40Gbit for bits or 40G/s for bytes per second)`,
  ],
  [
    'duplicate rack',
    (d) => (d.spec['racks'] = [{ name: 'r1', uplink: '40Gbit' }, { name: 'r1', uplink: '10Gbit' }]),
    'spec.racks[1].name',
    'duplicate rack name "r1" (also defined at spec.racks[0].name)',
  ],
  ['node memory not a quantity', (d) => (d.spec['nodes'][0].memory = '128GB'), 'spec.nodes[0].memory', `expected ${QUANTITY}, got "128GB"`],
  ['unknown rack', (d) => (d.spec['nodes'][0].rack = 'r2'), 'spec.nodes[0].rack', 'unknown rack "r2"'],
  [
    'duplicate node after count expansion',
    (d) => d.spec['nodes'].push({ name: 'node-1' }),
    'spec.nodes[1].name',
    'duplicate node name "node-1" (also defined at spec.nodes[0].name)',
  ],
  ['background load of 1', (d) => (d.spec['nodes'][0].backgroundLoad = 1), 'spec.nodes[0].backgroundLoad', 'expected a fraction in [0, 1), got 1'],
  [
    'background load twice at one time',
    (d) =>
      (d.spec['nodes'][0].backgroundLoad = [
        { at: '1m', fraction: 0.1 },
        { at: '60s', fraction: 0.2 },
      ]),
    'spec.nodes[0].backgroundLoad[1].at',
    'two entries at the same time (also entry 0)',
  ],
  [
    'taint effect typo',
    (d) => (d.spec['nodes'][0].taints = [{ key: 'k', effect: 'NoSchedul' }]),
    'spec.nodes[0].taints[0].effect',
    'expected one of NoSchedule, PreferNoSchedule, NoExecute, got "NoSchedul" (did you mean "NoSchedule"?)',
  ],
  [
    'ambiguous NIC speed',
    (d) => (d.spec['nodes'][0].network = '10G'),
    'spec.nodes[0].network',
    `expected ${LINK}, got "10G" (ambiguous: write 10Gbit for bits or 10G/s for bytes per second)`,
  ],
  ['label value not a string', (d) => (d.spec['nodes'][0].labels = { gpu: true }), 'spec.nodes[0].labels.gpu', 'expected a string, got true (quote it: "true")'],

  // --- VMs
  ['memory missing', (d) => delete d.spec['vms'][0].memory, 'spec.vms[0].memory', `required field is missing; expected ${QUANTITY}`],
  ['memory not a quantity', (d) => (d.spec['vms'][0].memory = '8GG'), 'spec.vms[0].memory', `expected ${QUANTITY}, got "8GG"`],
  ['memory zero', (d) => (d.spec['vms'][0].memory = 0), 'spec.vms[0].memory', `expected ${QUANTITY}, got 0 (must be greater than 0)`],
  ['unknown node', (d) => (d.spec['vms'][0].node = 'node-7'), 'spec.vms[0].node', 'unknown node "node-7"'],
  ['node typo', (d) => (d.spec['vms'][0].node = 'nod-1'), 'spec.vms[0].node', 'unknown node "nod-1" (did you mean "node-1"?)'],
  [
    'duplicate VM after count expansion',
    (d) => (d.spec['vms'] = [{ name: 'db', count: 2, memory: '1Gi' }, { name: 'db-1', memory: '1Gi' }]),
    'spec.vms[1].name',
    'duplicate VM name "default/db-1" (also defined at spec.vms[0].name)',
  ],
  [
    'usedMemory above guest memory',
    (d) => Object.assign(d.spec['vms'][0], { usedMemory: '6Gi' }),
    'spec.vms[0].usedMemory',
    'expected at most the guest memory (4Gi, from memory), got 6Gi',
  ],
  [
    'usedMemory above guestMemory',
    (d) => Object.assign(d.spec['vms'][0], { guestMemory: '2Gi', usedMemory: '3Gi' }),
    'spec.vms[0].usedMemory',
    'expected at most the guest memory (2Gi, from guestMemory), got 3Gi',
  ],
  ['usedMemory and zeroFraction', (d) => Object.assign(d.spec['vms'][0], { usedMemory: '1Gi', zeroFraction: 0.5 }), 'spec.vms[0].zeroFraction', 'give usedMemory or zeroFraction, not both'],
  ['zeroFraction of 1', (d) => Object.assign(d.spec['vms'][0], { zeroFraction: 1 }), 'spec.vms[0].zeroFraction', 'expected a fraction in [0, 1), got 1'],
  ['negative working set', (d) => Object.assign(d.spec['vms'][0], { workingSet: '-1Gi' }), 'spec.vms[0].workingSet', `expected ${QUANTITY}, got "-1Gi" (must not be negative)`],
  ['working set above guest memory', (d) => Object.assign(d.spec['vms'][0], { workingSet: '5Gi' }), 'spec.vms[0].workingSet', 'expected at most the guest memory (4Gi, from memory), got 5Gi'],
  [
    'dirtyRate and dirtyCurve',
    (d) => Object.assign(d.spec['vms'][0], { dirtyRate: '10Mi', dirtyCurve: { points: [{ t: '1s', bytes: '1Mi' }] } }),
    'spec.vms[0].dirtyCurve',
    'give dirtyRate or dirtyCurve, not both',
  ],
  ['dirty rate not a rate', (d) => Object.assign(d.spec['vms'][0], { dirtyRate: '200MB' }), 'spec.vms[0].dirtyRate', 'expected a byte rate such as 200Mi or 200Mi/s, got "200MB"'],
  [
    'dirty rate phases with a bad rate',
    (d) => Object.assign(d.spec['vms'][0], { dirtyRate: [{ at: '0s', dirtyRate: '50Mi' }, { at: '1m', dirtyRate: 'fast' }] }),
    'spec.vms[0].dirtyRate[1].dirtyRate',
    'expected a byte rate such as 200Mi or 200Mi/s, got "fast"',
  ],
  [
    'dirty curve that shrinks',
    (d) => Object.assign(d.spec['vms'][0], { dirtyCurve: { points: [{ t: '1s', bytes: '1Gi' }, { t: '2s', bytes: '500Mi' }] } }),
    'spec.vms[0].dirtyCurve.points[1].bytes',
    'the dirty set must not shrink as the window grows: 1Gi at 1s, then 500Mi at 2s',
  ],
  [
    'sampled dirty curve with mismatched lists',
    (d) => Object.assign(d.spec['vms'][0], { dirtyCurve: { sampledPages: 1000, periods: [125, 250], dirtyPages: [10] } }),
    'spec.vms[0].dirtyCurve.dirtyPages',
    'expected 2 entries (one per period), got 1',
  ],
  [
    'dirty curve of neither shape',
    (d) => Object.assign(d.spec['vms'][0], { dirtyCurve: { rate: 1 } }),
    'spec.vms[0].dirtyCurve',
    'expected {points: [{t, bytes}, …]} or QEMU calc-dirty-rate samples {sampledPages, zeroPages, periods, dirtyPages}, got a mapping',
  ],
  ['throttle sensitivity above 1', (d) => Object.assign(d.spec['vms'][0], { throttleSensitivity: 1.5 }), 'spec.vms[0].throttleSensitivity', 'expected a number in [0, 1], got 1.5'],
  ['CPU limit below request', (d) => Object.assign(d.spec['vms'][0], { cpu: 2, cpuLimit: 1 }), 'spec.vms[0].cpuLimit', 'expected 0 (no limit) or at least the request (2), got 1'],
  [
    'emptyDisk without size',
    (d) => Object.assign(d.spec['vms'][0], { volumes: [{ name: 'scratch', type: 'emptyDisk' }] }),
    'spec.vms[0].volumes[0].size',
    'required field is missing; an emptyDisk volume needs a size such as 10Gi (or capacity)',
  ],
  [
    'duplicate volume',
    (d) => Object.assign(d.spec['vms'][0], { volumes: [{ name: 'root', type: 'containerDisk' }, { name: 'root', type: 'dataVolume' }] }),
    'spec.vms[0].volumes[1].name',
    'duplicate volume name "root" (also volumes[0])',
  ],
  [
    'volume size and capacity',
    (d) => Object.assign(d.spec['vms'][0], { volumes: [{ name: 'x', type: 'emptyDisk', size: '1Gi', capacity: '2Gi' }] }),
    'spec.vms[0].volumes[0].capacity',
    'give size or capacity, not both',
  ],
  [
    'In without values',
    (d) =>
      Object.assign(d.spec['vms'][0], {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] } } },
      }),
    'spec.vms[0].affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values',
    'expected at least 1 value for operator In',
  ],
  [
    'Exists with a value',
    (d) => Object.assign(d.spec['vms'][0], { tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }),
    'spec.vms[0].tolerations[0].value',
    'expected no value with operator Exists',
  ],
  [
    'unknown binding',
    (d) => Object.assign(d.spec['vms'][0], { podNetwork: 'slirp' }),
    'spec.vms[0].podNetwork',
    'expected one of masquerade, bridge, passt, sriov, none, got "slirp"',
  ],
  [
    'binding of the wrong type',
    (d) => Object.assign(d.spec['vms'][0], { podNetwork: 5 }),
    'spec.vms[0].podNetwork',
    'expected masquerade, bridge, passt, sriov, none, or {plugin: name, migration: true}, got 5',
  ],

  // --- migration policies
  [
    'policy without name',
    (d) => (d.spec['migrationPolicies'] = [{ ...policy('p'), metadata: {} }]),
    'spec.migrationPolicies[0].metadata.name',
    'required field is missing; expected a string',
  ],
  [
    'duplicate policy',
    (d) => (d.spec['migrationPolicies'] = [policy('p'), policy('p')]),
    'spec.migrationPolicies[1].metadata.name',
    'duplicate MigrationPolicy name "p" (also defined at spec.migrationPolicies[0].metadata.name)',
  ],
  [
    'policy field that a policy cannot set',
    (d) => (d.spec['migrationPolicies'] = [policy('p', { progressTimeout: 10 })]),
    'spec.migrationPolicies[0].spec.progressTimeout',
    'unknown field',
  ],
  [
    'policy of the wrong API group',
    (d) => (d.spec['migrationPolicies'] = [{ ...policy('p'), apiVersion: 'kubevirt.io/v1' }]),
    'spec.migrationPolicies[0].apiVersion',
    'expected "migrations.kubevirt.io/v1alpha1", got "kubevirt.io/v1"',
  ],

  // --- operations
  [
    'operation without action',
    (d) => (d.spec['operations'] = [{ at: '10s' }]),
    'spec.operations[0]',
    'expected exactly one of migrate, cancel, drain, upgrade, outage (or an inline VirtualMachineInstanceMigration manifest)',
  ],
  [
    'operation with two actions',
    (d) => (d.spec['operations'] = [{ migrate: { vmi: 'db', name: 'm' }, cancel: { migration: 'm' } }]),
    'spec.operations[0].cancel',
    'only one action per operation (this entry already has migrate)',
  ],
  ['negative time', (d) => (d.spec['operations'] = [{ at: '-5s', drain: { node: 'node-0' } }]), 'spec.operations[0].at', `expected ${DURATION}, got "-5s" (must not be negative)`],
  ['migrate an unknown VMI', (d) => (d.spec['operations'] = [{ migrate: { vmi: 'dbb' } }]), 'spec.operations[0].migrate.vmi', 'unknown VM "default/dbb" (did you mean "default/db"?)'],
  ['migrate a VMI in another namespace', (d) => (d.spec['operations'] = [{ migrate: { vmi: 'prod/db' } }]), 'spec.operations[0].migrate.vmi', 'unknown VM "prod/db"'],
  ['malformed VMI reference', (d) => (d.spec['operations'] = [{ migrate: { vmi: 'a/b/c' } }]), 'spec.operations[0].migrate.vmi', 'expected "namespace/name" or "name", got "a/b/c"'],
  ['cancel an unknown migration', (d) => (d.spec['operations'] = [{ cancel: { migration: 'nope' } }]), 'spec.operations[0].cancel.migration', 'unknown migration "nope"'],
  [
    'cancel before the migration exists',
    (d) => (d.spec['operations'] = [{ at: '5s', cancel: { migration: 'm' } }, { at: '10s', migrate: { vmi: 'db', name: 'm' } }]),
    'spec.operations[0].at',
    'the cancel at 5s comes before migration "m" is created at 10s',
  ],
  [
    'duplicate migration name',
    (d) => (d.spec['operations'] = [{ migrate: { vmi: 'db', name: 'm' } }, { migrate: { vmi: 'db', name: 'm' } }]),
    'spec.operations[1].migrate.name',
    'duplicate migration name "m" (also defined at spec.operations[0].migrate.name)',
  ],
  ['drain an unknown node', (d) => (d.spec['operations'] = [{ drain: { nodes: ['node-0', 'node-5'] } }]), 'spec.operations[0].drain.nodes[1]', 'unknown node "node-5"'],
  [
    'drain with node and nodes',
    (d) => (d.spec['operations'] = [{ drain: { node: 'node-0', nodes: ['node-1'] } }]),
    'spec.operations[0].drain.nodes',
    'give only one of node, nodes, selector (this entry already has node)',
  ],
  ['drain of nothing', (d) => (d.spec['operations'] = [{ drain: {} }]), 'spec.operations[0].drain', 'expected exactly one of node, nodes, selector'],
  ['upgrade an unknown node', (d) => (d.spec['operations'] = [{ upgrade: { nodes: ['node-0', 'node-9'] } }]), 'spec.operations[0].upgrade.nodes[1]', 'unknown node "node-9"'],
  [
    'upgrade order',
    (d) => (d.spec['operations'] = [{ upgrade: { order: 'fastest' } }]),
    'spec.operations[0].upgrade.order',
    'expected one of listed, name, fewest-vms, most-vms, random, got "fastest"',
  ],
  [
    'upgrade nodes and selector',
    (d) => (d.spec['operations'] = [{ upgrade: { nodes: ['node-0'], selector: { matchLabels: {} } } }]),
    'spec.operations[0].upgrade.selector',
    'give nodes or selector, not both',
  ],
  [
    'duplicate upgrade name',
    (d) => (d.spec['operations'] = [{ upgrade: { name: 'w' } }, { upgrade: { name: 'w' } }]),
    'spec.operations[1].upgrade.name',
    'duplicate upgrade name "w" (also defined at spec.operations[0].upgrade.name)',
  ],
  ['outage of an unknown rack', (d) => (d.spec['operations'] = [{ outage: { duration: '10s', scope: { rack: 'r9' } } }]), 'spec.operations[0].outage.scope.rack', 'unknown rack "r9"'],
  [
    'outage path between a node and itself',
    (d) => (d.spec['operations'] = [{ outage: { duration: '10s', scope: { path: ['node-0', 'node-0'] } } }]),
    'spec.operations[0].outage.scope.path[1]',
    'expected two different nodes, got "node-0" twice',
  ],
  [
    'outage of an unknown network',
    (d) => (d.spec['operations'] = [{ outage: { duration: '10s', network: 'storage' } }]),
    'spec.operations[0].outage.network',
    'expected "pod" (no migration network is configured), got "storage"',
  ],
  ['outage without duration', (d) => (d.spec['operations'] = [{ outage: { scope: 'network' } }]), 'spec.operations[0].outage.duration', `required field is missing; expected ${DURATION}`],
  ['outage scope word', (d) => (d.spec['operations'] = [{ outage: { duration: '1s', scope: 'everything' } }]), 'spec.operations[0].outage.scope', 'expected "network", got "everything"'],
  [
    'manifest of an unsupported kind',
    (d) => (d.spec['operations'] = [{ apiVersion: 'v1', kind: 'Pod' }]),
    'spec.operations[0].kind',
    'expected one of VirtualMachineInstanceMigration, Migration, got "Pod"',
  ],
  [
    'VMIM without vmiName',
    (d) => (d.spec['operations'] = [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'm' }, spec: {} }]),
    'spec.operations[0].spec.vmiName',
    'required field is missing; expected a string',
  ],
  [
    'VMIM of an unknown VMI',
    (d) => (d.spec['operations'] = [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'm', namespace: 'prod' }, spec: { vmiName: 'db' } }]),
    'spec.operations[0].spec.vmiName',
    'unknown VM "prod/db"',
  ],
  [
    'legacy Migration selecting no VM',
    (d) => (d.spec['operations'] = [{ apiVersion: 'kubevirt.io/v1alpha1', kind: 'Migration', metadata: { name: 'm' }, spec: { selector: { name: 'testvm' } } }]),
    'spec.operations[0].spec.selector',
    'no VM in namespace "default" has the labels name=testvm',
  ],
  [
    'legacy Migration selecting several VMs',
    (d) => {
      d.spec['vms'] = [{ name: 'db', count: 3, memory: '1Gi', labels: { name: 'db' } }];
      d.spec['operations'] = [{ apiVersion: 'kubevirt.io/v1alpha1', kind: 'Migration', metadata: { name: 'm' }, spec: { selector: { name: 'db' } } }];
    },
    'spec.operations[0].spec.selector',
    'selects 3 VMs in namespace "default" (db-0, db-1, db-2); a Migration must select exactly one',
  ],
  [
    'random outage on an unknown node',
    (d) => (d.spec['faults'] = { randomOutages: [{ ratePerHour: 1, duration: '5s', scope: { node: 'node-3' } }] }),
    'spec.faults.randomOutages[0].scope.node',
    'unknown node "node-3"',
  ],
  ['operations not a list', (d) => (d.spec['operations'] = {}), 'spec.operations', 'expected a list, got a mapping'],
];

describe('every kind of problem, with its path and message', () => {
  it.each(ROWS)('%s', (_, edit, path, message) => {
    const doc = baseDoc();
    edit(doc);
    expect(problems(doc)).toEqual([{ path, message }]);
  });
});

describe('all problems at once', () => {
  it('problems in every section of one file, none hiding another', () => {
    // Independent problems in different sections of one file.
    const doc = baseDoc();
    doc.spec = {
      seed: 1.5,
      hypervisor: { pageSize: '3Ki', downtimeLimit: 'soon' },
      nodes: [{ name: 'node', count: 2, memory: '128GB' }, { name: 'spare', rack: 'r9' }],
      vms: [
        { name: 'db', memory: '8GG' },
        { name: 'web', memory: '4Gi', usedMemory: '6Gi' },
        { name: 'app', memory: '1Gi', node: 'node-7' },
      ],
      operations: [{ migrate: { vmi: 'nobody' } }, { drain: { node: 'node-9' } }, { at: 'later', cancel: { migration: 'x' } }],
    };
    expect(problems(doc)).toEqual([
      { path: 'spec.seed', message: 'expected a whole number, got 1.5' },
      { path: 'spec.hypervisor.downtimeLimit', message: `expected ${DURATION}, got "soon"` },
      { path: 'spec.nodes[0].memory', message: `expected ${QUANTITY}, got "128GB"` },
      { path: 'spec.nodes[1].rack', message: 'unknown rack "r9"' },
      { path: 'spec.vms[0].memory', message: `expected ${QUANTITY}, got "8GG"` },
      { path: 'spec.vms[1].usedMemory', message: 'expected at most the guest memory (4Gi, from memory), got 6Gi' },
      { path: 'spec.vms[2].node', message: 'unknown node "node-7"' },
      { path: 'spec.operations[0].migrate.vmi', message: 'unknown VM "default/nobody"' },
      { path: 'spec.operations[1].drain.node', message: 'unknown node "node-9"' },
      { path: 'spec.operations[2].at', message: `expected ${DURATION}, got "later"` },
    ]);
    // pageSize is not checked: the hypervisor section already failed on downtimeLimit
  });

  it('names defined by a broken entry are not reported as unknown references', () => {
    const doc = baseDoc();
    doc.spec['nodes'] = [{ name: 'node', count: 2, memory: 'lots' }];
    doc.spec['vms'] = [{ name: 'db', count: 2, memory: 'lots', node: 'node-1' }];
    doc.spec['operations'] = [{ migrate: { vmi: 'db-1' } }, { drain: { node: 'node-0' } }];
    expect(problems(doc).map((p) => p.path)).toEqual(['spec.nodes[0].memory', 'spec.vms[0].memory']);
  });

  it('several unknown fields of one mapping are each reported at their key', () => {
    const doc = baseDoc();
    doc.spec['vms'][0] = { name: 'db', memroy: '4Gi', cpus: 2 };
    expect(problems(doc)).toEqual([
      { path: 'spec.vms[0].memory', message: `required field is missing; expected ${QUANTITY}` },
      { path: 'spec.vms[0].memroy', message: 'unknown field (did you mean "memory"?)' },
      { path: 'spec.vms[0].cpus', message: 'unknown field (did you mean "cpu"?)' },
    ]);
  });
});

describe('positions in YAML', () => {
  const text = `apiVersion: migsim/v1alpha1
kind: Scenario
metadata: {name: broken}
spec:
  nodes:
    - name: node
      count: 2
      network: 10G
  vms:
    - name: db
      memory: 8GG
      node: node-5
    - {name: web, memory: 4Gi, lables: {app: web}}
  operations:
    - at: 10s
      migrate:
        vmi: prod/db
`;

  it('file:line:column: path: message, in file order', () => {
    expect(yamlError(text).format()).toBe(
      [
        `scenarios/x.yaml:8:16: spec.nodes[0].network: expected ${LINK}, got "10G" (ambiguous: write 10Gbit for bits or 10G/s for bytes per second)`,
        `scenarios/x.yaml:11:15: spec.vms[0].memory: expected ${QUANTITY}, got "8GG"`,
        'scenarios/x.yaml:13:32: spec.vms[1].lables: unknown field (did you mean "labels"?)',
        'scenarios/x.yaml:17:14: spec.operations[0].migrate.vmi: unknown VM "prod/db"',
      ].join('\n'),
    );
  });

  it('each issue carries its line and column', () => {
    const e = yamlError(text);
    expect(e.issues[1]).toEqual({ path: 'spec.vms[0].memory', message: `expected ${QUANTITY}, got "8GG"`, line: 11, column: 15 });
    expect(e.message).toBe(e.format());
    expect(e.source).toBe('scenarios/x.yaml');
  });

  it('a missing field points at the mapping that lacks it', () => {
    const e = yamlError('apiVersion: migsim/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  vms:\n    - name: db\n      cpu: 2\n');
    expect(e.format()).toBe(`scenarios/x.yaml:6:7: spec.vms[0].memory: required field is missing; expected ${QUANTITY}`);
  });

  it('a problem with a block mapping points at its key', () => {
    const e = yamlError('apiVersion: migsim/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  hypervisor:\n    autoConverge:\n      initial: 200\n  nodes: 3\n');
    expect(e.format()).toBe(
      ['scenarios/x.yaml:7:16: spec.hypervisor.autoConverge.initial: expected at most 99, got 200', 'scenarios/x.yaml:8:10: spec.nodes: expected a list, got 3'].join('\n'),
    );
  });

  it('YAML syntax errors are reported the same way', () => {
    const e = yamlError('apiVersion: migsim/v1alpha1\nkind: Scenario\nmetadata: {name: x\nspec:\n  seed: 1\n  seed: 2\n');
    expect(e.format()).toBe(
      [
        'scenarios/x.yaml:4:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
        'scenarios/x.yaml:6:3: YAML syntax: Map keys must be unique',
      ].join('\n'),
    );
  });

  it('an empty file', () => {
    expect(yamlError('# nothing here\n').format()).toBe(
      'scenarios/x.yaml: the file is empty; expected a Scenario (apiVersion: migsim/v1alpha1, kind, metadata, spec)',
    );
  });
});

describe('JSON input', () => {
  it('problems are located too', () => {
    const doc = baseDoc();
    doc.spec['vms'][0].memory = '8GG';
    try {
      parseScenario(JSON.stringify(doc, null, 2), 'x.json');
      expect.unreachable();
    } catch (e) {
      expect((e as ScenarioError).format()).toBe(`x.json:17:19: spec.vms[0].memory: expected ${QUANTITY}, got "8GG"`);
    }
  });

  it('a syntax error gives its position', () => {
    try {
      parseScenario('{\n  "apiVersion": "migsim/v1alpha1",\n  "kind": "Scenario" "x"\n}', 'x.json');
      expect.unreachable();
    } catch (e) {
      expect((e as ScenarioError).issues[0]).toMatchObject({ path: '', line: 3 });
      expect((e as ScenarioError).format()).toMatch(/^x\.json:3:\d+: JSON syntax: /);
    }
  });
});

describe('paths', () => {
  it.each([
    [['spec', 'vms', 0, 'memory'], 'spec.vms[0].memory'],
    [['spec', 'nodes', 1, 'labels', 'kubernetes.io/hostname'], 'spec.nodes[1].labels["kubernetes.io/hostname"]'],
    [[], ''],
  ])('%j → %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
