// Load-time warnings (src/scenario/warnings.ts): a valid file that asks for something the run
// will not do. One row per warning: the spec to load and the warning expected, exactly.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import type { Warning } from '../../src/scenario/warnings.js';

const nodes = [{ name: 'node', count: 2 }];
const vms = [{ name: 'db', node: 'node-0', memory: '4Gi' }];

function warnings(spec: Record<string, unknown>): Warning[] {
  const doc = { apiVersion: 'migsim/v1alpha1', kind: 'Scenario', metadata: { name: 't' }, spec: { nodes, vms, ...spec } };
  return parseScenario(JSON.stringify(doc), 't.json').loadWarnings ?? [];
}

const cases: { name: string; spec: Record<string, unknown>; expect: Warning[] }[] = [
  {
    name: 'an operation after the horizon never happens',
    // horizon 1h: events up to and including 3600 s run, so only the drain at 3601 s is dropped
    spec: {
      horizon: '1h',
      operations: [{ at: '1h', migrate: { vmi: 'db' } }, { at: '3601s', drain: { node: 'node-0' } }],
    },
    expect: [{ code: 'OperationAfterHorizon', field: 'spec.operations[1].at', message: 'the drain at 1h1s is after the horizon (spec.horizon 1h): it never happens' }],
  },
  {
    name: 'parallelMigrationsPerCluster: 0 lets nothing start',
    spec: { kubevirt: { configuration: { migrations: { parallelMigrationsPerCluster: 0 } } }, operations: [{ at: '0s', migrate: { vmi: 'db' } }] },
    expect: [
      {
        code: 'NoParallelMigrations',
        field: 'spec.kubevirt.configuration.migrations.parallelMigrationsPerCluster',
        message: 'parallelMigrationsPerCluster is 0: no migration can ever start; every migration of this scenario waits in Pending until the end',
      },
    ],
  },
  {
    name: 'an upgrade selector that matches no node',
    spec: { operations: [{ at: '0s', upgrade: { selector: { matchLabels: { pool: 'gpu' } } } }] },
    expect: [{ code: 'SelectorMatchesNoNode', field: 'spec.operations[0].upgrade.selector', message: 'matches no node: this upgrade wave does nothing' }],
  },
  {
    name: 'an unknown feature gate, with the likely intended one',
    spec: { kubevirt: { configuration: { developerConfiguration: { featureGates: ['LiveMigration', 'VGPULiveMigratoin'] } } } },
    expect: [
      {
        code: 'UnknownFeatureGate',
        field: 'spec.kubevirt.configuration.developerConfiguration.featureGates[1]',
        message: '"VGPULiveMigratoin" is not a KubeVirt feature gate (did you mean "VGPULiveMigration"?): KubeVirt ignores it, and so does the simulation',
      },
    ],
  },
  {
    name: 'auto-converge starting above its maximum (and never allowed)',
    // initial 80 % > max 50 %: QEMU's second step is MIN(80 + 10, 50) = 50, a lower throttle
    spec: { hypervisor: { autoConverge: { initial: 80, max: 50 } } },
    expect: [
      {
        code: 'AutoConvergeInitialAboveMax',
        field: 'spec.hypervisor.autoConverge.initial',
        message: 'initial throttle 80% is above max 50%: QEMU starts at 80% and its next step lowers the throttle to 50%',
      },
      {
        code: 'AutoConvergeNotAllowed',
        field: 'spec.hypervisor.autoConverge',
        message:
          'auto-converge is tuned but never allowed (allowAutoConverge is false in spec.kubevirt.configuration.migrations and in every MigrationPolicy): these settings have no effect',
      },
    ],
  },
  {
    name: 'auto-converge tuned and allowed: no warning',
    spec: { kubevirt: { configuration: { migrations: { allowAutoConverge: true } } }, hypervisor: { autoConverge: { initial: 30 } } },
    expect: [],
  },
  {
    name: 'a VM name Kubernetes would reject',
    spec: { vms: [{ name: 'DB_1', node: 'node-0', memory: '4Gi' }] },
    expect: [
      {
        code: 'UnreferenceableName',
        field: 'spec.vms[0].name',
        vms: ['default/DB_1'],
        message: 'VM name "DB_1" is not a valid KubeVirt VM name (lower-case letters, digits and \'-\', at most 63): the API server would reject it, and a "/" in it makes "namespace/name" references ambiguous',
      },
    ],
  },
  {
    name: 'a node name Kubernetes would reject',
    spec: { nodes: [{ name: 'Node', count: 2 }], vms: [{ name: 'db', node: 'Node-0', memory: '4Gi' }] },
    expect: [
      {
        code: 'UnreferenceableName',
        field: 'spec.nodes[0].name',
        nodes: ['Node-0', 'Node-1'],
        message: 'node name "Node-0" is not a valid Kubernetes node name (lower-case letters, digits, \'-\' and \'.\'): the API server would reject it, so nothing real can refer to it',
      },
    ],
  },
  { name: 'a plain valid scenario has none', spec: { operations: [{ at: '0s', migrate: { vmi: 'db' } }] }, expect: [] },
];

describe('load-time warnings', () => {
  it.each(cases)('$name', ({ spec, expect: expected }) => {
    expect(warnings(spec)).toEqual(expected);
  });
});
