// The SchedulerCache answers kube-scheduler's sampled search (adaptive percentageOfNodesToScore,
// rotating start) from a per-shape index instead of walking the nodes. These tests hold it to the
// walk: hand-derived cases first, then seeded random clusters where every pod is scheduled by
// both and every answer (node, score, FitError message, next start index) must be equal.
import { describe, expect, it } from 'vitest';
import {
  numFeasibleNodesToFind,
  schedule,
  scheduleLinear,
  SchedulerCache,
  type NodeView,
  type PodRequirements,
  type ScheduleRequest,
  type Scoring,
} from '../../src/cluster/scheduler.js';
import { Gi, makeNode, makeView } from './fixtures.js';

function pod(over: Partial<PodRequirements> = {}): PodRequirements {
  return { cpu: 2, memory: 4 * Gi, nodeSelector: {}, nodeAffinity: [], tolerations: [], ...over };
}

/** Bind a pod to a node as ClusterState.reserve does, telling the cache. */
function bind(cache: SchedulerCache, node: NodeView, p: PodRequirements, vmiKey: string): void {
  node.requested.cpu += p.cpu;
  node.requested.memory += p.memory;
  (node.vmiPods as Set<string>).add(vmiKey);
  cache.touch(node);
}

describe('numFeasibleNodesToFind (adaptive percentageOfNodesToScore)', () => {
  it.each([
    { nodes: 50, find: 50 }, // below 100 nodes: all
    { nodes: 100, find: 100 }, // 50 − 0 = 50 % of 100 = 50 → at least 100
    { nodes: 200, find: 100 }, // 50 − 1 = 49 % of 200 = 98 → 100
    { nodes: 1000, find: 420 }, // 50 − 8 = 42 % of 1000
    { nodes: 3000, find: 780 }, // 50 − 24 = 26 % of 3000
    { nodes: 6000, find: 300 }, // 50 − 48 = 2 % → at least 5 % = 300
  ])('$nodes nodes: stop after $find feasible', ({ nodes, find }) => {
    expect(numFeasibleNodesToFind(nodes)).toBe(find);
  });
});

describe('indexed search: hand-derived choices on 200 identical nodes', () => {
  // 200 nodes of 16 cores / 64 GiB named n000…n199 (name order = list order); toFind = 100.
  // A 2-core / 4 GiB pod scores LeastAllocated floor((floor(14/16·100) + floor(60/64·100)) / 2)
  // = floor((87 + 93) / 2) = 90 on an empty node, and floor((75 + 87) / 2) = 81 on a node that
  // already holds one (12/16, 56/64).
  const steps = [
    // start 0: nodes 0–99 filtered, all 90, smallest name n000; next start 100
    { node: 'n000', score: 90, next: 100 },
    // start 100: nodes 100–199, all 90: n100; next start (100 + 100) mod 200 = 0
    { node: 'n100', score: 90, next: 0 },
    // start 0: n000 now scores 81, n001 90: n001; next start 100
    { node: 'n001', score: 90, next: 100 },
    // start 100: n100 now scores 81, n101 90: n101; next start 0
    { node: 'n101', score: 90, next: 0 },
  ];
  const nodes = Array.from({ length: 200 }, (_, i) => makeView(makeNode(`n${String(i).padStart(3, '0')}`)));
  const cache = new SchedulerCache(nodes);
  it.each(steps.map((s, i) => ({ i, ...s })))('pod $i → $node (score $score), next start $next', ({ i, node, score, next }) => {
    const req: ScheduleRequest = { pod: pod(), vmiKey: `default/vm${i}`, antiAffinity: true };
    expect(schedule(req, nodes, 'LeastAllocated', cache)).toEqual({ node, score });
    expect(cache.nextStartNodeIndex).toBe(next);
    bind(cache, nodes.find((n) => n.spec.name === node)!, req.pod, req.vmiKey);
  });

  it('anti-affinity skips the nodes of the VMI, which then do not count towards toFind', () => {
    // 120 nodes, toFind 100. The VMI has pods on m000 and m050; both are skipped, so the walk
    // from 0 needs nodes 0–101 to find 100 feasible ones: choice m001, next start 102.
    const list = Array.from({ length: 120 }, (_, i) => makeView(makeNode(`m${String(i).padStart(3, '0')}`)));
    const c = new SchedulerCache(list);
    const req: ScheduleRequest = { pod: pod(), vmiKey: 'default/a', antiAffinity: true, podNodes: ['m000', 'm050'] };
    expect(schedule(req, list, 'LeastAllocated', c)).toEqual({ node: 'm001', score: 90 });
    expect(c.nextStartNodeIndex).toBe(102);
  });

  it('no node fits because of anti-affinity: those nodes are counted under InterPodAffinity', () => {
    // k0, k1 hold pods of the VMI, k2 is cordoned: 1 unschedulable, 2 anti-affinity
    const list = ['k0', 'k1', 'k2'].map((name) => makeView(makeNode(name), { unschedulable: name === 'k2' }));
    const c = new SchedulerCache(list);
    const res = schedule({ pod: pod(), vmiKey: 'default/a', antiAffinity: true, podNodes: ['k0', 'k1'] }, list, 'LeastAllocated', c);
    expect(res).toEqual({
      node: null,
      message: "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity rules.",
      reasons: { 'node(s) were unschedulable': 1, "node(s) didn't match pod anti-affinity rules": 2 },
    });
  });

  it('no node fits: every node filtered, the FitError counts reasons, the start stays', () => {
    const list = Array.from({ length: 150 }, (_, i) => makeView(makeNode(`k${i}`), { unschedulable: i < 50 }));
    const c = new SchedulerCache(list);
    c.nextStartNodeIndex = 7;
    // 100 nodes with 64 GiB cannot take 100 GiB; the 50 cordoned stop at NodeUnschedulable
    const res = schedule({ pod: pod({ memory: 100 * Gi }), vmiKey: 'default/big', antiAffinity: true }, list, 'LeastAllocated', c);
    expect(res).toEqual({
      node: null,
      message: '0/150 nodes are available: 100 Insufficient memory, 50 node(s) were unschedulable.',
      reasons: { 'node(s) were unschedulable': 50, 'Insufficient memory': 100 },
    });
    expect(c.nextStartNodeIndex).toBe(7);
  });
});

/** mulberry32: a tiny seeded generator, so each case's cluster and pods are fixed inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('indexed search equals the node-by-node walk on seeded random clusters', () => {
  // Each step: a random pod (one of a few shapes, so shapes are reused and must be kept up to
  // date), scheduled by both; the chosen node takes it; now and then a node is cordoned,
  // uncordoned, tainted or has a pod removed, which the cache is told through `touch`.
  it.each([
    { seed: 1, nodes: 120, scoring: 'LeastAllocated' as Scoring, steps: 400 },
    { seed: 2, nodes: 250, scoring: 'LeastAllocated' as Scoring, steps: 600 },
    { seed: 3, nodes: 250, scoring: 'MostAllocated' as Scoring, steps: 600 },
    { seed: 4, nodes: 333, scoring: 'BalancedAllocation' as Scoring, steps: 600 },
    { seed: 5, nodes: 60, scoring: 'LeastAllocated' as Scoring, steps: 300 }, // below 100: every node
    { seed: 6, nodes: 1000, scoring: 'LeastAllocated' as Scoring, steps: 300, fitErrors: false }, // room for every pod
    { seed: 7, nodes: 1, scoring: 'LeastAllocated' as Scoring, steps: 20 },
  ])('seed $seed: $nodes nodes, $scoring, $steps pods', ({ seed, nodes: count, scoring, steps, fitErrors = true }) => {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    // Names in a shuffled order so list order and name order differ (ties go by name).
    const names = Array.from({ length: count }, (_, i) => `node-${i}`).sort(() => r() - 0.5);
    const nodes: NodeView[] = names.map((name) =>
      makeView(makeNode(name, { cpu: pick([8, 16, 32]), memory: pick([16, 32, 64]) * Gi, labels: { zone: pick(['a', 'b', 'c']) } })),
    );
    const drain = { key: 'kubevirt.io/drain', value: 'draining', effect: 'NoSchedule' as const };
    const shapes: PodRequirements[] = [
      pod({ cpu: 1, memory: 2 * Gi }),
      pod({ cpu: 2, memory: 8 * Gi }),
      pod({ cpu: 4, memory: 16 * Gi, nodeSelector: { zone: 'a' } }),
      pod({ cpu: 0.5, memory: 1 * Gi, tolerations: [{ key: 'kubevirt.io/drain', operator: 'Exists', value: '', effect: null }] }),
      // fits only an empty-ish 32-core, 64 GiB node: often nowhere, so FitError messages compare too
      pod({ cpu: 30, memory: 60 * Gi }),
    ];
    const cache = new SchedulerCache(nodes);
    let start = 0;
    let unschedulable = 0;
    const bound: { node: NodeView; pod: PodRequirements; vmi: string }[] = [];
    for (let step = 0; step < steps; step++) {
      const p = shapes[step % 11 === 5 ? 4 : step % 7 === 0 ? 3 : Math.floor(r() * 3)]!;
      // some VMIs already run somewhere: anti-affinity to those nodes
      const vmi = `default/vm${Math.floor(r() * 50)}`;
      const podNodes = bound.filter((b) => b.vmi === vmi).map((b) => b.node.spec.name);
      const req: ScheduleRequest = { pod: p, vmiKey: vmi, antiAffinity: r() < 0.8, podNodes };
      const reference = scheduleLinear(req, nodes, scoring, start, numFeasibleNodesToFind(count));
      const indexed = schedule(req, nodes, scoring, cache);
      expect(indexed, `step ${step}`).toEqual(reference.result);
      if (indexed.node === null) unschedulable++;
      start = (start + reference.processed) % count;
      expect(cache.nextStartNodeIndex, `step ${step}`).toBe(start);

      if (indexed.node !== null) {
        const node = nodes.find((n) => n.spec.name === indexed.node)!;
        bind(cache, node, p, vmi);
        bound.push({ node, pod: p, vmi });
      }
      const u = r();
      if (u < 0.15 && bound.length > 0) {
        // a pod goes away
        const [gone] = bound.splice(Math.floor(r() * bound.length), 1);
        gone!.node.requested.cpu -= gone!.pod.cpu;
        gone!.node.requested.memory -= gone!.pod.memory;
        if (!bound.some((b) => b.node === gone!.node && b.vmi === gone!.vmi)) (gone!.node.vmiPods as Set<string>).delete(gone!.vmi);
        cache.touch(gone!.node);
      } else if (u < 0.25) {
        const node = pick(nodes);
        node.unschedulable = !node.unschedulable;
        cache.touch(node);
      } else if (u < 0.3) {
        const node = pick(nodes);
        node.taints = node.taints.length > 0 ? [] : [drain];
        cache.touch(node);
      }
    }
    // the FitError path was compared too
    if (fitErrors) expect(unschedulable).toBeGreaterThan(0);
  });
});
