// kube-scheduler for one pod: filter plugins in the default profile's order, each node stopping at
// its first failing plugin, then a score, then the FitError message a Kubernetes user knows
// ("0/6 nodes are available: ..."). Pure functions, no I/O.
//
// Simplifications (kube-scheduler does more):
// - only the filters that matter for launcher pods: NodeUnschedulable, TaintToleration,
//   NodeAffinity (nodeSelector + required affinity), NodeResourcesFit (cpu, memory),
//   InterPodAffinity (the target pod's anti-affinity to its own VMI's pods);
// - with a SchedulerCache (the simulation always passes one), kube-scheduler's adaptive
//   percentageOfNodesToScore applies: from 100 nodes on, filtering stops once
//   max(100, N·(50 − N/125)%) feasible nodes are found, starting where the previous pod stopped;
//   without one (unit tests), every node is filtered and scored;
// - one scoring strategy instead of the default profile's weighted sum of plugins;
// - score ties go to the lexicographically smallest node name; kube-scheduler picks at random;
// - no preemption (the PostFilter message is omitted).

import type { Labels, NodeSelectorRequirement, NodeSpec, Taint, VmSpec } from '../scenario/types.js';
import { matchesNodeAffinity, matchesSelector } from './nodeselector.js';

/** What the scheduler needs of a pod (a virt-launcher pod, source or target). */
export interface PodRequirements {
  /** cores */
  cpu: number;
  /** bytes */
  memory: number;
  nodeSelector: Labels;
  nodeAffinity: NodeSelectorRequirement[][];
  tolerations: VmSpec['tolerations'];
}

export interface NodeView {
  spec: NodeSpec;
  unschedulable: boolean;
  taints: Taint[];
  /** sum of the requests of the pods bound to the node (cores, bytes) */
  requested: { cpu: number; memory: number };
  /** VMIs with a pod here */
  vmiPods: ReadonlySet<string>;
}

export interface ScheduleRequest {
  pod: PodRequirements;
  vmiKey: string;
  /** for a target pod: anti-affinity to every node holding a pod of this VMI */
  antiAffinity: boolean;
  /**
   * The nodes holding a pod of this VMI, when the caller knows them (the simulation does): the
   * same answer as each node's `vmiPods`, without a set lookup per node.
   */
  podNodes?: readonly string[];
}

export type Scoring = 'LeastAllocated' | 'MostAllocated' | 'BalancedAllocation';

export type ScheduleResult =
  | { node: string; score: number }
  | { node: null; message: string; reasons: Record<string, number> };

// Reason texts, as kube-scheduler's plugins word them.
export const ErrReason = {
  unschedulable: 'node(s) were unschedulable',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  insufficientCpu: 'Insufficient cpu',
  insufficientMemory: 'Insufficient memory',
  antiAffinity: "node(s) didn't match pod anti-affinity rules",
} as const;

export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value}}`;
}

const MAX_NODE_SCORE = 100;
const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' };

/** v1.Toleration.ToleratesTaint. */
export function tolerates(tolerations: VmSpec['tolerations'], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect !== null && t.effect !== '' && t.effect !== taint.effect) return false;
    if (t.key !== '' && t.key !== taint.key) return false;
    if (t.operator === 'Exists') return true;
    return t.value === taint.value;
  });
}

const milli = (cores: number): number => Math.round(cores * 1000);

/**
 * State kube-scheduler keeps between pods (where the next search starts) and, ours for speed,
 * each node's filter verdict and score per pod shape, kept until the node changes. Node labels
 * never change during a run; flags, taints and requests are reported through `touch`.
 */
export class SchedulerCache {
  nextStartNodeIndex = 0;
  /** bumped by the owner whenever a node's flags, taints or requests change */
  private readonly versions: Uint32Array;
  private readonly index = new Map<NodeView, number>();
  /** per pod shape (requests, selectors, tolerations, scoring): score per node, −1 infeasible, valid at `seen` */
  private shapes = new Map<string, { seen: Uint32Array; score: Int16Array }>();

  constructor(readonly nodes: readonly NodeView[]) {
    this.versions = new Uint32Array(nodes.length).fill(1);
    nodes.forEach((n, i) => this.index.set(n, i));
  }

  /** A node changed (cordon, taint, a pod bound or gone): its cached answers are stale. */
  touch(node: NodeView): void {
    const i = this.index.get(node);
    if (i !== undefined) this.versions[i]!++;
  }

  /** The verdict table of one pod shape; look it up once per pod. */
  shape(key: string): { seen: Uint32Array; score: Int16Array } {
    let shape = this.shapes.get(key);
    if (!shape) {
      shape = { seen: new Uint32Array(this.nodes.length), score: new Int16Array(this.nodes.length) };
      this.shapes.set(key, shape);
    }
    return shape;
  }

  /**
   * The filters up to NodeResourcesFit and the score depend only on the pod's shape and the
   * node's state, so they are kept per shape until the node changes. Anti-affinity, which
   * depends on the VMI, is checked by the caller.
   */
  verdict(req: ScheduleRequest, scoring: Scoring, i: number, shape: { seen: Uint32Array; score: Int16Array }): number {
    const v = this.versions[i]!;
    if (shape.seen[i] === v) return shape.score[i]!;
    const node = this.nodes[i]!;
    const score = filter(req, node, false).length > 0 ? -1 : scoreNode(req.pod, node, scoring);
    shape.seen[i] = v;
    shape.score[i] = score;
    return score;
  }

}

/** kube-scheduler's numFeasibleNodesToFind with the default (adaptive) percentageOfNodesToScore. */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < 100) return numAllNodes;
  const percentage = Math.max(5, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(100, Math.trunc((numAllNodes * percentage) / 100));
}

// Filter outcomes as shared constants: the scheduler's inner loop allocates nothing per node.
const FEASIBLE: readonly string[] = [];
const UNSCHEDULABLE: readonly string[] = [ErrReason.unschedulable];
const NODE_AFFINITY: readonly string[] = [ErrReason.nodeAffinity];
const NO_CPU: readonly string[] = [ErrReason.insufficientCpu];
const NO_MEMORY: readonly string[] = [ErrReason.insufficientMemory];
const NO_CPU_NO_MEMORY: readonly string[] = [ErrReason.insufficientCpu, ErrReason.insufficientMemory];
const ANTI_AFFINITY: readonly string[] = [ErrReason.antiAffinity];

/**
 * The filter plugins in order; returns the node's failure reasons (empty = feasible).
 * `antiAffinity: false` leaves out InterPodAffinity (the cached verdicts do; it depends on the VMI).
 */
function filter(req: ScheduleRequest, node: NodeView, antiAffinity = req.antiAffinity): readonly string[] {
  const pod = req.pod;
  // NodeUnschedulable: a cordoned node, unless the pod tolerates the unschedulable taint.
  if (node.unschedulable && !tolerates(pod.tolerations, UNSCHEDULABLE_TAINT)) return UNSCHEDULABLE;

  // TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate.
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerates(pod.tolerations, taint)) return [untoleratedTaintReason(taint)];
  }

  // NodeAffinity: nodeSelector and required node affinity together.
  const labels = node.spec.labels;
  if (!matchesSelector(labels, pod.nodeSelector) || !matchesNodeAffinity(labels, pod.nodeAffinity)) return NODE_AFFINITY;

  // NodeResourcesFit: request > allocatable − requested, cpu and memory both reported.
  const noCpu = milli(pod.cpu) > milli(node.spec.cpu) - milli(node.requested.cpu);
  const noMemory = pod.memory > node.spec.memory - node.requested.memory;
  if (noCpu || noMemory) return noCpu && noMemory ? NO_CPU_NO_MEMORY : noCpu ? NO_CPU : NO_MEMORY;

  // InterPodAffinity: required anti-affinity on kubernetes.io/hostname to pods of the same VMI.
  if (antiAffinity && antiAffine(req, node)) return ANTI_AFFINITY;

  return FEASIBLE;
}

/** Required anti-affinity on kubernetes.io/hostname to pods of the same VMI. */
function antiAffine(req: ScheduleRequest, node: NodeView): boolean {
  return req.podNodes ? req.podNodes.includes(node.spec.name) : node.vmiPods.has(req.vmiKey);
}

function shapeKeyOf(pod: PodRequirements, scoring: Scoring): string {
  let key = `${scoring}|${pod.cpu}|${pod.memory}|`;
  for (const k in pod.nodeSelector) key += `${k}=${pod.nodeSelector[k]},`;
  if (pod.nodeAffinity.length > 0) key += JSON.stringify(pod.nodeAffinity);
  if (pod.tolerations.length > 0) key += JSON.stringify(pod.tolerations);
  return key;
}

// Integer arithmetic, as kube-scheduler's noderesources plugins do (int64 division).
function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

function mostRequested(requested: number, capacity: number): number {
  if (capacity <= 0) return 0;
  return Math.floor((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

/** Score of a feasible node after adding the pod (0–100). */
export function scoreNode(pod: PodRequirements, node: NodeView, scoring: Scoring): number {
  const cpuReq = milli(node.requested.cpu) + milli(pod.cpu);
  const cpuCap = milli(node.spec.cpu);
  const memReq = node.requested.memory + pod.memory;
  const memCap = node.spec.memory;
  switch (scoring) {
    case 'LeastAllocated':
      // cpu and memory weigh 1 each: floor of the mean of the floored per-resource scores
      return Math.floor((leastRequested(cpuReq, cpuCap) + leastRequested(memReq, memCap)) / 2);
    case 'MostAllocated':
      return Math.floor((mostRequested(cpuReq, cpuCap) + mostRequested(memReq, memCap)) / 2);
    case 'BalancedAllocation': {
      // 1 − std of the two utilisation fractions; with two resources std = |f1 − f2| / 2
      const fraction = (r: number, c: number): number => (c <= 0 ? 0 : Math.min(r / c, 1));
      const std = Math.abs(fraction(cpuReq, cpuCap) - fraction(memReq, memCap)) / 2;
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    }
  }
}

/**
 * kube-scheduler's FitError text: "0/N nodes are available: " + the histogram "count reason",
 * sorted as strings (Go sort.Strings, so "1 …" before "2 …" and, past 9 nodes, "10 …" before "2 …"),
 * joined by ", ", ending in ".".
 */
export function fitErrorMessage(totalNodes: number, reasons: Record<string, number>): string {
  const parts = Object.entries(reasons).map(([reason, count]) => `${count} ${reason}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${totalNodes} nodes are available: ${parts.join(', ')}.`;
}

export function schedule(
  req: ScheduleRequest,
  nodes: readonly NodeView[],
  scoring: Scoring = 'LeastAllocated',
  cache?: SchedulerCache,
): ScheduleResult {
  const n = nodes.length;
  if (n === 0) return { node: null, message: 'no nodes available to schedule pods', reasons: {} };
  if (cache && cache.nodes !== nodes) throw new Error('schedule: the cache belongs to another node list');
  const start = cache ? cache.nextStartNodeIndex % n : 0;
  const toFind = cache ? numFeasibleNodesToFind(n) : n;
  const shape = cache?.shape(shapeKeyOf(req.pod, scoring));
  let bestNode: string | null = null;
  let bestScore = -1;
  let feasible = 0;
  let processed = 0;
  for (let i = start; processed < n && feasible < toFind; processed++, i = i + 1 === n ? 0 : i + 1) {
    const node = nodes[i]!;
    let score: number;
    if (cache) {
      score = cache.verdict(req, scoring, i, shape!);
      if (score < 0 || (req.antiAffinity && antiAffine(req, node))) continue;
    } else {
      if (filter(req, node).length > 0) continue;
      score = scoreNode(req.pod, node, scoring);
    }
    feasible++;
    const name = node.spec.name;
    if (score > bestScore || (score === bestScore && name < bestNode!)) {
      bestNode = name;
      bestScore = score;
    }
  }
  if (cache) cache.nextStartNodeIndex = (start + processed) % n;
  if (bestNode !== null) return { node: bestNode, score: bestScore };
  // No node fits, so every node was filtered: count why (only now, off the common path).
  const reasons: Record<string, number> = {};
  for (let i = 0; i < n; i++) for (const r of filter(req, nodes[i]!)) reasons[r] = (reasons[r] ?? 0) + 1;
  return { node: null, message: fitErrorMessage(n, reasons), reasons };
}

/** Placing a VM that has no node at start: the same scheduler, without the anti-affinity. */
export function scheduleInitialPlacement(
  pod: PodRequirements,
  vmiKey: string,
  nodes: readonly NodeView[],
  scoring: Scoring = 'LeastAllocated',
): ScheduleResult {
  return schedule({ pod, vmiKey, antiAffinity: false }, nodes, scoring);
}
