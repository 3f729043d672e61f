// The scenario loader on large files: the rolling-upgrade document of upgrade.mjs (1,000 nodes,
// 3,000 VM pools of 30,000 VMs), and 30,000 one-VM entries (an inventory export), each as JSON and
// as YAML, through parseScenario (read + validate + build + freeze). CPU time is printed next to
// wall time: on a shared machine wall time says more about the neighbours than about the loader.
//
//   node bench/load.mjs [--runs N]
import { stringify } from 'yaml';
import { parseScenario } from '../dist/scenario/load.js';
import { median, ms, rows } from './util.mjs';

const CLASSES = [
  { name: 'small', share: 6, cpu: 1, memory: '2Gi', dirtyRate: '5M', workingSet: '256Mi' },
  { name: 'medium', share: 3, cpu: 2, memory: '8Gi', dirtyRate: '100M', workingSet: '2Gi' },
  { name: 'large', share: 1, cpu: 4, memory: '32Gi', dirtyRate: '300M', workingSet: '4Gi' },
];

function envelope(vms) {
  return {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'bench-load' },
    spec: {
      horizon: '30d',
      nodes: [{ name: 'node', count: 1000, cpu: 64, memory: '512Gi', network: '10Gbit' }],
      vms,
      operations: [{ at: '0s', upgrade: { name: 'upgrade', maxUnavailable: 10, order: 'listed', duration: '10m' } }],
    },
  };
}

/** upgrade.mjs's document: 30 VMs per node in three pools. */
function pools() {
  const vms = [];
  for (let n = 0; n < 1000; n++) {
    for (const { name, share, ...vm } of CLASSES) vms.push({ name: `${name}-${n}`, count: share * 3, node: `node-${n}`, evictionStrategy: 'LiveMigrate', ...vm });
  }
  return envelope(vms);
}

/** 30,000 entries of one VM each. */
function entries() {
  const vms = [];
  for (let i = 0; i < 30_000; i++) {
    vms.push({ name: `vm-${i}`, node: `node-${i % 1000}`, memory: '4Gi', cpu: 2, dirtyRate: '50Mi', workingSet: '1Gi', evictionStrategy: 'LiveMigrate' });
  }
  return envelope(vms);
}

const runs = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) : 5;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

console.log(`Scenario loading, median of ${runs} runs after a warm-up`);
const out = [];
for (const [what, doc] of [
  ['1,000 nodes / 3,000 pools / 30,000 VMs', pools()],
  ['30,000 one-VM entries', entries()],
]) {
  for (const [format, text] of [
    ['json', JSON.stringify(doc, null, 2)],
    ['yaml', stringify(doc)],
  ]) {
    parseScenario(text, `bench.${format}`, format);
    const wall = [];
    const cpu = [];
    for (let i = 0; i < runs; i++) {
      const c = cpuMs();
      const t = performance.now();
      parseScenario(text, `bench.${format}`, format);
      wall.push(performance.now() - t);
      cpu.push(cpuMs() - c);
    }
    out.push([`${what}, ${format} (${(text.length / 2 ** 20).toFixed(1)} MiB)`, `${ms(median(cpu))} CPU, ${ms(median(wall))} wall`]);
  }
}
rows(out);
