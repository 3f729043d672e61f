// `profile: openshift`: the HyperConverged Cluster Operator's cluster-wide eviction strategy
// (kubevirt/hyperconverged-cluster-operator api/v1beta1/hyperconverged_types.go): LiveMigrate
// with more than one worker node, None on a single node; an explicit value always wins.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';

function load(spec: Record<string, unknown>) {
  const doc = { apiVersion: 'migsim/v1alpha1', kind: 'Scenario', metadata: { name: 't' }, spec: { vms: [], ...spec } };
  return parseScenario(JSON.stringify(doc), 't.json');
}

describe('profile: openshift', () => {
  it.each([
    { profile: 'openshift', nodes: 2, given: undefined, expect: 'LiveMigrate' },
    { profile: 'openshift', nodes: 1, given: undefined, expect: 'None' },
    { profile: 'openshift', nodes: 2, given: 'LiveMigrateIfPossible', expect: 'LiveMigrateIfPossible' },
    { profile: 'kubevirt', nodes: 2, given: undefined, expect: 'None' },
    { profile: 'harvester', nodes: 2, given: undefined, expect: 'None' },
  ])('$profile with $nodes node(s), evictionStrategy $given → $expect', ({ profile, nodes, given, expect: strategy }) => {
    const s = load({
      profile,
      nodes: [{ name: 'node', count: nodes }],
      ...(given ? { kubevirt: { configuration: { evictionStrategy: given } } } : {}),
    });
    expect(s.kubevirt.evictionStrategy).toBe(strategy);
  });

  it('upgrades drain like kubectl drain (the Machine Config Operator), not Harvester-style', () => {
    const s = load({
      profile: 'openshift',
      nodes: [{ name: 'node', count: 2 }],
      vms: [{ name: 'db', node: 'node-0', memory: '1Gi' }],
      operations: [{ at: '0s', upgrade: { nodes: ['node-0'] } }],
    });
    const up = s.operations.find((o) => o.kind === 'upgrade');
    expect(up).toMatchObject({ style: 'kubectl-drain' });
  });
});
