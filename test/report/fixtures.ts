// Scenario documents for the report tests, written as a user would (so the loader fills in the
// defaults). wave30k: a rolling upgrade of 1,000 nodes carrying 30,000 VMs, the size at which a
// report must stay usable.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** 30 VMs per node: 18 small idle-ish, 9 medium, 3 large dirty ones (the bench's mix). */
export function wave30kDocument(nodeCount = 1000): unknown {
  const classes = [
    { name: 'small', count: 18, cpu: 1, memory: '2Gi', dirtyRate: '5M', workingSet: '256Mi' },
    { name: 'medium', count: 9, cpu: 2, memory: '8Gi', dirtyRate: '100M', workingSet: '2Gi' },
    { name: 'large', count: 3, cpu: 4, memory: '32Gi', dirtyRate: '300M', workingSet: '4Gi' },
  ];
  const vms = [];
  for (let n = 0; n < nodeCount; n++) {
    for (const { name, ...vm } of classes) vms.push({ name: `${name}-${n}`, node: `node-${n}`, evictionStrategy: 'LiveMigrate', ...vm });
  }
  return {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'wave-30k' },
    spec: {
      seed: 1,
      horizon: '30d',
      nodes: [{ name: 'node', count: nodeCount, cpu: 64, memory: '512Gi', network: '10Gbit' }],
      vms,
      operations: [{ at: '0s', upgrade: { name: 'upgrade', maxUnavailable: 10, order: 'listed', duration: '10m' } }],
    },
  };
}

export function writeScenario(path: string, doc: unknown): string {
  writeFileSync(path, stringify(doc));
  return path;
}
