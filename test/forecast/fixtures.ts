// Scenario texts for the forecast tests: one VM migrated at t = 0 with every latency and the
// switch-over cost at 0, so a run's duration is the copy alone (closed forms apply exactly).
export function oneVm(vm: string, migrations = ''): string {
  return [
    'apiVersion: migsim/v1alpha1',
    'kind: Scenario',
    'metadata: {name: one-vm}',
    'spec:',
    '  seed: 100',
    '  controlPlane: {targetPodStartup: 0s, handoff: 0s, targetPreparation: 0s, migrationStart: 0s, cleanup: 0s}',
    '  hypervisor: {switchoverCost: 0s}',
    '  kubevirt:',
    '    configuration:',
    `      migrations: {${migrations}}`,
    '  nodes:',
    '    - {name: node, count: 2}',
    '  vms:',
    `    - {name: db, node: node-0, evictionStrategy: LiveMigrate, ${vm}}`,
    '  operations:',
    '    - {at: 0s, migrate: {vmi: db}}',
    '',
  ].join('\n');
}

/** A 4Gi VM that dirties nothing, copied at bandwidthPerMigration ~ U(64Mi, 256Mi). */
export const UNIFORM_BANDWIDTH = oneVm('memory: 4Gi, dirtyRate: 0', 'bandwidthPerMigration: {distribution: uniform, min: 64Mi, max: 256Mi}');

/** A 4Gi VM that dirties nothing (p = 3/4) or 10Gi/s (p = 1/4, never converges at 64Mi/s). */
export const BERNOULLI = oneVm('memory: 4Gi, dirtyRate: {distribution: choice, values: [0, 10Gi], weights: [3, 1]}', 'bandwidthPerMigration: 64Mi');
