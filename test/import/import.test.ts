// migsim import on fixtures shaped exactly like the API server's output: the written scenario
// loads and runs, migsim's migratability verdicts match the VMIs' LiveMigratable conditions,
// nothing secret survives, and a re-import keeps the user's workload model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { importCluster, type ImportInput } from '../../src/import/import.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { run } from '../helpers/run.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'cluster');
const file = (name: string) => ({ text: readFileSync(join(dir, name), 'utf8'), source: name });
const dumpFiles = () => [file('dump.yaml'), file('vmims.yaml')];
const Gi = 1024 ** 3;
const Mi = 1024 ** 2;

function imported(over: Partial<ImportInput> = {}) {
  return importCluster({ dumps: dumpFiles(), network: '25Gbit', ...over });
}

describe('migsim import: inventory', () => {
  const r = imported();
  const s = r.scenario;
  const vm = (key: string) => s.vms.find((v) => v.key === key)!;
  const node = (name: string) => s.nodes.find((n) => n.name === name)!;

  it('writes every running VMI and every node, and the KubeVirt CR', () => {
    expect(s.nodes.map((n) => n.name)).toEqual(['worker-1', 'worker-2', 'worker-3']);
    // batch-0 is Succeeded (not running): skipped and said so
    expect(s.vms.map((v) => v.key)).toEqual(['prod/db-0', 'prod/web-0', 'dev/legacy-0', 'dev/gpu-0', 'dev/bridge-0']);
    expect(r.summary).toContain('note: VirtualMachineInstance dev/batch-0: skipped: phase Succeeded (only running VMIs are placed)');
    expect(r.summary).toContain('note: VirtualMachine dev/old-vm: skipped: no running VMI');
    // status.observedKubeVirtVersion v1.5.2 → v1.5; the CR's migrations block as is
    expect(s.kubevirt.version).toEqual({ major: 1, minor: 5 });
    expect(s.kubevirt.evictionStrategy).toBe('LiveMigrate');
    expect(s.kubevirt.featureGates).toEqual(['LiveMigration', 'HostDevices']);
    expect(s.kubevirt.migrations.parallelOutboundMigrationsPerNode).toBe(2);
    expect(s.migrationPolicies).toEqual([
      expect.objectContaining({ name: 'db-auto-converge', allowAutoConverge: true, bandwidthPerMigration: Gi, completionTimeoutPerGiB: 300 }),
    ]);
  });

  it('keeps node labels, allocatable, taints and cordons as the API reports them', () => {
    // 63500m → 63.5 cores; 263868532Ki → bytes
    expect(node('worker-1').cpu).toBe(63.5);
    expect(node('worker-1').memory).toBe(263868532 * 1024);
    // 25Gbit = 25e9 / 8 bytes/s
    expect(node('worker-1').nics['pod']).toBe(25e9 / 8);
    // no synthetic CPU-model labels: worker-3 (AMD) has no host-model label, as in the dump
    expect(Object.keys(node('worker-3').labels).filter((k) => k.startsWith('host-model-cpu'))).toEqual([]);
    expect(node('worker-1').labels['host-model-cpu.node.kubevirt.io/Cascadelake-Server']).toBe('true');
    expect(node('worker-2').taints).toEqual([{ key: 'dedicated', value: 'databases', effect: 'NoSchedule' }]);
    expect(node('worker-3').unschedulable).toBe(true);
  });

  it.each([
    // key, cpu request (cores), memory, volumes (type, modes, size)
    // db-0: 4 vCPUs, no CPU request → virt-controller asks vCPUs / cpuAllocationRatio (10) = 0.4
    { key: 'prod/db-0', cpu: 0.4, memory: 16 * Gi, volumes: [['dataVolume', ['ReadWriteMany'], 50 * Gi], ['cloudInitNoCloud', [], 1 * Mi]] },
    { key: 'prod/web-0', cpu: 2, memory: 8 * Gi, volumes: [['persistentVolumeClaim', ['ReadWriteMany'], 30 * Gi]] },
    { key: 'dev/legacy-0', cpu: 0.1, memory: 4 * Gi, volumes: [['persistentVolumeClaim', ['ReadWriteOnce'], 20 * Gi]] },
    // dedicatedCpuPlacement: the request is every vCPU
    { key: 'dev/gpu-0', cpu: 8, memory: 32 * Gi, volumes: [['containerDisk', [], 1 * Gi]] },
  ])('$key: requests and volumes joined with their PVCs', ({ key, cpu, memory, volumes }) => {
    const v = vm(key);
    expect(v.cpu).toBe(cpu);
    expect(v.memory).toBe(memory);
    expect(v.volumes.map((x) => [x.type, x.accessModes, x.size])).toEqual(volumes);
  });

  it('keeps placement constraints, CPU models and bindings', () => {
    expect(vm('prod/web-0').nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'r640' });
    expect(vm('prod/web-0').tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'databases', effect: 'NoSchedule' }]);
    expect(vm('dev/legacy-0').nodeAffinity).toEqual([[{ key: 'cpu-vendor.node.kubevirt.io/Intel', operator: 'In', values: ['true'] }]]);
    expect(vm('dev/legacy-0').cpuModel).toEqual({ kind: 'named', model: 'Skylake-Server' });
    expect(vm('dev/gpu-0').cpuModel).toEqual({ kind: 'host-passthrough' });
    expect(vm('dev/gpu-0').hostDevices).toBe(1);
    expect(vm('dev/bridge-0').podNetworkBinding).toBe('bridge');
    expect(vm('prod/db-0').evictionStrategy).toBe('LiveMigrate');
    expect(vm('prod/db-0').node).toBe('worker-1');
  });

  it('records the NIC bandwidth as an assumption, in the file and the summary', () => {
    expect(r.yaml).toContain('network: 25Gbit # assumption to review: NIC bandwidth is not in the API (--network)');
    expect(r.summary).toContain('NIC bandwidth, an assumption to review: 3 nodes 25Gbit (--network)');
    // without --network: migsim's default, said so
    const d = importCluster({ dumps: dumpFiles() });
    expect(d.summary).toContain('NIC bandwidth, an assumption to review: 3 nodes 10Gbit (no --network given: migsim default)');
  });

  it('maps --network-label rules, first match wins, the rest falls back to --network', () => {
    const d = importCluster({
      dumps: dumpFiles(),
      network: '10Gbit',
      networkLabels: [{ key: 'node.kubernetes.io/instance-type', value: 'r6525', rate: '100Gbit' }],
    });
    expect(d.scenario.nodes.map((n) => (n.nics['pod']! * 8) / 1e9)).toEqual([10, 10, 100]);
  });

  it('is deterministic: the same dump gives the same file, byte for byte', () => {
    expect(imported().yaml).toBe(r.yaml);
  });

  it('switches to the Harvester profile when the nodes say Harvester', () => {
    const text = readFileSync(join(dir, 'dump.yaml'), 'utf8').replace('      node.kubernetes.io/instance-type: r640\n    name: worker-1', '      harvesterhci.io/managed: "true"\n      node.kubernetes.io/instance-type: r640\n    name: worker-1');
    const h = importCluster({ dumps: [{ text, source: 'dump.yaml' }] });
    expect(h.scenario.profile).toBe('harvester');
    expect(h.summary).toContain('note: profile: harvester: the nodes carry harvesterhci.io labels');
  });

  it('runs as-is with migsim run', () => {
    const res = run(s);
    expect(res.summary.horizonReached).toBe(false);
    // dev/gpu-0 has dedicated CPUs and is given worker-2, which is tainted dedicated=databases
    // (NoSchedule, not tolerated) and labelled cpumanager=false: a VM given a node must pass the
    // scheduler's filters there (KubeVirt renders nodeSelector cpumanager=true for dedicated CPUs),
    // so it is reported instead of overcommitting worker-2.
    expect(res.vms.map((v) => [v.vmi, v.finalNode])).toEqual([
      ['prod/db-0', 'worker-1'],
      ['prod/web-0', 'worker-2'],
      ['dev/legacy-0', 'worker-1'],
      ['dev/gpu-0', null],
      ['dev/bridge-0', 'worker-1'],
    ]);
    expect(res.vms.find((v) => v.vmi === 'dev/gpu-0')!.notRunningReason).toMatch(/^never placed: placed by spec\.node on worker-2, where it does not fit: 0\/1 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: databases\}\./);
  });

  it('reads the same objects from JSON, a List, a stream, or several files', () => {
    const list = parse(readFileSync(join(dir, 'dump.yaml'), 'utf8'));
    const json = { text: JSON.stringify(list), source: 'dump.json' };
    expect(importCluster({ dumps: [json, file('vmims.yaml')], network: '25Gbit' }).yaml).toBe(r.yaml);
    // the List's items as one multi-document stream
    const stream = { text: list.items.map((i: unknown) => stringify(i)).join('---\n'), source: 'stream.yaml' };
    expect(importCluster({ dumps: [stream, file('vmims.yaml')], network: '25Gbit' }).yaml).toBe(r.yaml);
  });
});

describe('migsim import: migratability against the cluster', () => {
  it.each([
    // the VMI's LiveMigratable condition and status.migrationMethod, as in the fixture
    { vmi: 'prod/db-0', migratable: true, reason: null, method: 'BlockMigration' }, // cloud-init disk is copied
    { vmi: 'prod/web-0', migratable: true, reason: null, method: 'LiveMigration' },
    { vmi: 'dev/legacy-0', migratable: false, reason: 'DisksNotLiveMigratable', method: 'LiveMigration' }, // RWO PVC
    { vmi: 'dev/gpu-0', migratable: false, reason: 'HostDeviceNotLiveMigratable', method: 'BlockMigration' },
    { vmi: 'dev/bridge-0', migratable: false, reason: 'InterfaceNotLiveMigratable', method: 'LiveMigration' },
  ])('$vmi: cluster and migsim agree ($reason)', ({ vmi, migratable, reason, method }) => {
    const v = imported().verdicts.find((x) => x.vmi === vmi)!;
    expect(v.cluster).toEqual({ migratable, reason });
    expect(v.migsim).toEqual({ migratable, reason });
    expect(v.clusterMethod).toBe(method);
    expect(v.migsimMethod).toBe(method);
    expect(v.disagreement).toBeNull();
  });

  it('warns where migsim differs from the cluster', () => {
    // the cluster claims legacy-0 (RWO PVC) is migratable: migsim disagrees, and says so
    const text = readFileSync(join(dir, 'dump.yaml'), 'utf8').replace(
      /- message: 'cannot migrate VMI: PVC legacy-0-root[^\n]*\n\s*reason: DisksNotLiveMigratable\n\s*status: "False"/,
      '- status: "True"',
    );
    const r = importCluster({ dumps: [{ text, source: 'dump.yaml' }] });
    expect(r.summary).toContain(
      'warning: VMI dev/legacy-0: the cluster says LiveMigratable=True, migsim says not migratable (DisksNotLiveMigratable)',
    );
  });
});

describe('migsim import: nothing secret survives', () => {
  const r = imported();
  it.each([
    'hunter2', // cloud-init userData password (VMI and VM template)
    'SECRET', // the token annotation, the Secret's name and data
    'I2Nsb3Vk', // the Secret's base64 data
    'eyJhbGci', // a JWT in an annotation
    'ssh-ed25519',
    'userData',
    'last-applied-configuration',
    'db-0-cloudinit', // the Secret's name
  ])('the scenario does not contain %s', (needle) => {
    expect(r.yaml).not.toContain(needle);
  });

  it('says what it left out and why', () => {
    expect(r.summary).toContain('skipped: Secret prod/db-0-cloudinit: never read: may hold credentials');
    expect(r.summary).toContain('note: VirtualMachineInstance prod/db-0 annotation example.com/api-token: not copied: looks like a credential');
  });
});

describe('migsim import: re-import keeps the workload model', () => {
  it('keeps edited workload blocks, node NIC assumptions and operations; rewrites inventory', () => {
    const first = imported().yaml;
    const edited = first
      .replace(/(- name: web-0[\s\S]*?workload:\n\s*dirtyRate: )0Mi[^\n]*/, '$1300Mi # measured by hand')
      .replace('network: 25Gbit # assumption to review: NIC bandwidth is not in the API (--network)', 'network: 40Gbit # our NICs')
      .replace('spec:\n', 'spec:\n  operations:\n    - {at: 10s, drain: {node: worker-1}}\n');
    // re-import without --network: the file's NIC assumptions stay
    const again = importCluster({ dumps: dumpFiles(), existing: { text: edited, source: 'scenario.yaml' } });
    const web = again.scenario.vms.find((v) => v.key === 'prod/web-0')!;
    expect(web.dirty).toEqual({ kind: 'constant', rate: 300 * Mi, workingSet: 8 * Gi });
    expect(again.yaml).toContain('dirtyRate: 300Mi # measured by hand');
    expect(again.scenario.nodes[0]!.nics['pod']).toBe(40e9 / 8);
    expect(again.scenario.operations).toEqual([expect.objectContaining({ kind: 'drain', at: 10 })]);
    expect(again.summary).toContain('kept from the existing file: 5 workload blocks, 3 nodes\' NIC assumptions, sections operations');

    // --refresh-workload: the fresh figures replace the kept ones
    const refreshed = importCluster({ dumps: dumpFiles(), existing: { text: edited, source: 'scenario.yaml' }, refreshWorkload: true });
    expect(refreshed.scenario.vms.find((v) => v.key === 'prod/web-0')!.dirty).toEqual({ kind: 'constant', rate: 0, workingSet: 8 * Gi });
  });
});

describe('migsim import: bad input', () => {
  it.each([
    { text: 'items: [', message: /^dump.yaml: YAML syntax: / },
    { text: '{"kind": ', message: /^dump.yaml: JSON syntax: / },
    { text: 'hello: world\n', message: /no Kubernetes objects found/ },
  ])('$text → a located error, not a crash', ({ text, message }) => {
    let err: unknown;
    try {
      importCluster({ dumps: [{ text, source: 'dump.yaml' }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).format()).toMatch(message);
  });
});
