import { describe, expect, it } from 'vitest';
import {
  fitErrorMessage,
  schedule,
  scheduleInitialPlacement,
  scoreNode,
  type NodeView,
  type PodRequirements,
  type Scoring,
} from '../../src/cluster/scheduler.js';
import { targetPodRequirements } from '../../src/cluster/targetpod.js';
import { Gi, hostLabels, makeKv, makeNode, makeView, makeVm } from './fixtures.js';

const VMI = 'default/vm1';

function pod(over: Partial<PodRequirements> = {}): PodRequirements {
  return { cpu: 2, memory: 4 * Gi, nodeSelector: { 'kubevirt.io/schedulable': 'true' }, nodeAffinity: [], tolerations: [], ...over };
}

const node = (name: string, over: Parameters<typeof makeNode>[1] = {}) => makeNode(name, over);

describe('filters: one reason per node, the first failing plugin in kube-scheduler order', () => {
  const drainTaint = { key: 'kubevirt.io/drain', value: 'draining', effect: 'NoSchedule' as const };
  it.each([
    { case: 'fits', view: makeView(node('n1')), req: pod(), reasons: null },
    { case: 'cordoned', view: makeView(node('n1'), { unschedulable: true }), req: pod(), reasons: ['node(s) were unschedulable'] },
    {
      case: 'cordoned, tolerating the unschedulable taint',
      view: makeView(node('n1'), { unschedulable: true }),
      req: pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', value: '', effect: 'NoSchedule' }] }),
      reasons: null,
    },
    {
      // NodeUnschedulable runs before NodeResourcesFit: only the first reason counts
      case: 'cordoned and full: counted as unschedulable only',
      view: makeView(node('n1'), { unschedulable: true, requested: { cpu: 16, memory: 64 * Gi } }),
      req: pod(),
      reasons: ['node(s) were unschedulable'],
    },
    { case: 'NoSchedule taint', view: makeView(node('n1'), { taints: [drainTaint] }), req: pod(), reasons: ['node(s) had untolerated taint {kubevirt.io/drain: draining}'] },
    {
      case: 'NoExecute taint, empty value',
      view: makeView(node('n1'), { taints: [{ key: 'node.kubernetes.io/not-ready', value: '', effect: 'NoExecute' }] }),
      req: pod(),
      reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
    },
    { case: 'PreferNoSchedule is not a filter', view: makeView(node('n1'), { taints: [{ ...drainTaint, effect: 'PreferNoSchedule' }] }), req: pod(), reasons: null },
    {
      case: 'taint tolerated (Exists, no effect)',
      view: makeView(node('n1'), { taints: [drainTaint] }),
      req: pod({ tolerations: [{ key: 'kubevirt.io/drain', operator: 'Exists', value: '', effect: null }] }),
      reasons: null,
    },
    {
      case: 'toleration for another effect does not tolerate',
      view: makeView(node('n1'), { taints: [drainTaint] }),
      req: pod({ tolerations: [{ key: 'kubevirt.io/drain', operator: 'Equal', value: 'draining', effect: 'NoExecute' }] }),
      reasons: ['node(s) had untolerated taint {kubevirt.io/drain: draining}'],
    },
    { case: 'nodeSelector mismatch', view: makeView(node('n1')), req: pod({ nodeSelector: { zone: 'east' } }), reasons: ["node(s) didn't match Pod's node affinity/selector"] },
    {
      case: 'required affinity mismatch',
      view: makeView(node('n1')),
      req: pod({ nodeAffinity: [[{ key: 'zone', operator: 'Exists', values: [] }]] }),
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
    },
    {
      // 64Gi allocatable − 61Gi reserved = 3Gi < 4Gi
      case: 'memory reserved by other pods',
      view: makeView(node('n1'), { requested: { cpu: 0, memory: 61 * Gi } }),
      req: pod(),
      reasons: ['Insufficient memory'],
    },
    { case: 'exactly full after the pod still fits', view: makeView(node('n1'), { requested: { cpu: 14, memory: 60 * Gi } }), req: pod(), reasons: null },
    {
      // 16 − 14.5 = 1.5 cores < 2; 64 − 62 = 2Gi < 4Gi: NodeResourcesFit reports both
      case: 'cpu and memory both short',
      view: makeView(node('n1'), { requested: { cpu: 14.5, memory: 62 * Gi } }),
      req: pod(),
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    { case: 'holds a pod of the same VMI', view: makeView(node('n1'), { vmiPods: new Set([VMI]) }), req: pod(), reasons: ["node(s) didn't match pod anti-affinity rules"] },
  ])('$case', ({ view, req, reasons }) => {
    const got = schedule({ pod: req, vmiKey: VMI, antiAffinity: true }, [view]);
    if (reasons === null) {
      expect(got.node).toBe('n1');
    } else {
      expect(got.node).toBeNull();
      if (got.node === null) expect(Object.keys(got.reasons).sort()).toEqual([...reasons].sort());
    }
  });
});

describe('the FitError message', () => {
  it('reproduces the 6-node example (reasons in Go sort.Strings order)', () => {
    // 3 nodes short of memory, 2 in the wrong zone, 1 cordoned. kube-scheduler formats
    // "<count> <reason>" strings and sorts them as strings, so "1 …" comes before "3 …".
    const nodes: NodeView[] = [
      makeView(node('n1', { labels: { zone: 'east' } }), { requested: { cpu: 0, memory: 62 * Gi } }),
      makeView(node('n2', { labels: { zone: 'east' } }), { requested: { cpu: 0, memory: 63 * Gi } }),
      makeView(node('n3', { labels: { zone: 'east' } }), { requested: { cpu: 0, memory: 64 * Gi } }),
      makeView(node('n4', { labels: { zone: 'west' } })),
      makeView(node('n5', { labels: {} })),
      makeView(node('n6', { labels: { zone: 'east' } }), { unschedulable: true }),
    ];
    const got = schedule({ pod: pod({ nodeSelector: { zone: 'east' } }), vmiKey: VMI, antiAffinity: true }, nodes);
    expect(got).toEqual({
      node: null,
      message:
        "0/6 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector, 3 Insufficient memory.",
      reasons: {
        'Insufficient memory': 3,
        "node(s) didn't match Pod's node affinity/selector": 2,
        'node(s) were unschedulable': 1,
      },
    });
  });

  it.each([
    { case: 'string order, not numeric: "10 …" sorts before "2 …"', reasons: { 'node(s) were unschedulable': 2, 'Insufficient memory': 10 }, total: 12, expect: '0/12 nodes are available: 10 Insufficient memory, 2 node(s) were unschedulable.' },
    { case: 'same count: by reason text (upper case first, as bytes)', reasons: { 'Insufficient memory': 1, 'Insufficient cpu': 1, "node(s) didn't match pod anti-affinity rules": 1 }, total: 2, expect: "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) didn't match pod anti-affinity rules." },
  ] as { case: string; reasons: Record<string, number>; total: number; expect: string }[])('$case', ({ reasons, total, expect: want }) => {
    expect(fitErrorMessage(total, reasons)).toBe(want);
  });

  it('no nodes at all', () => {
    expect(schedule({ pod: pod(), vmiKey: VMI, antiAffinity: false }, [])).toEqual({ node: null, message: 'no nodes available to schedule pods', reasons: {} });
  });
});

describe('host-model CPU mismatch makes the VM unmovable', () => {
  it('no other node carries the source’s cpu-model-migration label', () => {
    // node-a (the source, Skylake) passes NodeAffinity but holds the VMI's pod; node-b and node-c
    // have another host model. This is the case KubeVirt warns about as
    // NoSuitableNodesForHostModelMigration while the pod stays Pending.
    const nodeA = makeNode('node-a');
    const others = ['node-b', 'node-c'].map((n) => makeNode(n, { labels: hostLabels(n, 'Cascadelake-Server') }));
    const target = targetPodRequirements(makeVm('vm1'), nodeA, makeKv(), {}, null);
    expect(target.ok).toBe(true);
    if (!target.ok) return;
    const views = [makeView(nodeA, { vmiPods: new Set([VMI]) }), ...others.map((n) => makeView(n))];
    expect(schedule({ pod: target.pod, vmiKey: VMI, antiAffinity: true }, views)).toMatchObject({
      node: null,
      message:
        "0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 node(s) didn't match Pod's node affinity/selector.",
    });
  });

  it('a node with the same host model takes it', () => {
    const nodes = ['node-a', 'node-b', 'node-c'].map((n) =>
      makeNode(n, { labels: hostLabels(n, n === 'node-c' ? 'Skylake-Client-IBRS' : 'Cascadelake-Server') }),
    );
    nodes[0] = makeNode('node-a'); // the source, Skylake
    const target = targetPodRequirements(makeVm('vm1'), nodes[0], makeKv(), {}, null);
    if (!target.ok) throw new Error(target.message);
    const views = nodes.map((n) => makeView(n, { vmiPods: new Set(n.name === 'node-a' ? [VMI] : []) }));
    expect(schedule({ pod: target.pod, vmiKey: VMI, antiAffinity: true }, views).node).toBe('node-c');
  });
});

describe('scoring', () => {
  // 16 cores, 64Gi; pod 2 cores, 4Gi.
  // x: 0 cores + 28Gi reserved → after the pod cpu 2/16, mem 32/64
  // y: 6 cores + 28Gi reserved → after the pod cpu 8/16, mem 32/64
  const x = makeView(node('x'), { requested: { cpu: 0, memory: 28 * Gi } });
  const y = makeView(node('y'), { requested: { cpu: 6, memory: 28 * Gi } });
  it.each([
    // Least: x cpu floor(87.5)=87, mem 50 → floor(137/2)=68; y 50, 50 → 50
    { scoring: 'LeastAllocated', x: 68, y: 50, pick: 'x' },
    // Most: x cpu floor(12.5)=12, mem 50 → 31; y 50, 50 → 50
    { scoring: 'MostAllocated', x: 31, y: 50, pick: 'y' },
    // Balanced: x |0.125 − 0.5|/2 = 0.1875 → 81; y |0.5 − 0.5| = 0 → 100
    { scoring: 'BalancedAllocation', x: 81, y: 100, pick: 'y' },
  ] as { scoring: Scoring; x: number; y: number; pick: string }[])('$scoring', ({ scoring, x: sx, y: sy, pick }) => {
    expect(scoreNode(pod(), x, scoring)).toBe(sx);
    expect(scoreNode(pod(), y, scoring)).toBe(sy);
    expect(schedule({ pod: pod(), vmiKey: VMI, antiAffinity: true }, [x, y], scoring)).toEqual({ node: pick, score: Math.max(sx, sy) });
  });

  it('default is LeastAllocated: empty node scores floor((87 + 93) / 2) = 90', () => {
    // cpu (16000 − 2000)·100/16000 = 87.5 → 87; memory 60/64 = 93.75 → 93
    expect(schedule({ pod: pod(), vmiKey: VMI, antiAffinity: true }, [makeView(node('n1'))])).toEqual({ node: 'n1', score: 90 });
  });

  it.each([
    { case: 'in name order', names: ['node-b', 'node-c', 'node-d'] },
    { case: 'in reverse order', names: ['node-d', 'node-c', 'node-b'] },
  ])('a score tie goes to the smallest node name ($case)', ({ names }) => {
    const views = names.map((n) => makeView(node(n)));
    expect(schedule({ pod: pod(), vmiKey: VMI, antiAffinity: true }, views)).toEqual({ node: 'node-b', score: 90 });
  });
});

describe('anti-affinity only for target pods', () => {
  const views = [makeView(node('node-a'), { vmiPods: new Set([VMI]) })];
  it.each([
    { case: 'target pod avoids the node holding its VMI', run: () => schedule({ pod: pod(), vmiKey: VMI, antiAffinity: true }, views), node: null },
    { case: 'initial placement ignores it', run: () => scheduleInitialPlacement(pod(), VMI, views), node: 'node-a' },
  ])('$case', ({ run, node: want }) => {
    expect(run().node).toBe(want);
  });
});
