// kube-scheduler for one pod: filter plugins in the default profile's order, each node stopping at
// its first failing plugin, then a score, then the FitError message a Kubernetes user knows
// ("0/6 nodes are available: ..."). Pure functions, no I/O.
//
// Simplifications (kube-scheduler does more):
// - only the filters that matter for launcher pods: NodeUnschedulable, TaintToleration,
//   NodeAffinity (nodeSelector + required affinity), NodeResourcesFit (cpu, memory),
//   InterPodAffinity (the target pod's anti-affinity to its own VMI's pods);
// - every feasible node is scored (no percentageOfNodesToScore sampling);
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

/** The filter plugins in order; returns the node's failure reasons (empty = feasible). */
function filter(req: ScheduleRequest, node: NodeView): string[] {
  const pod = req.pod;
  // NodeUnschedulable: a cordoned node, unless the pod tolerates the unschedulable taint.
  if (node.unschedulable && !tolerates(pod.tolerations, UNSCHEDULABLE_TAINT)) return [ErrReason.unschedulable];

  // TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate.
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerates(pod.tolerations, taint)) return [untoleratedTaintReason(taint)];
  }

  // NodeAffinity: nodeSelector and required node affinity together.
  const labels = node.spec.labels;
  if (!matchesSelector(labels, pod.nodeSelector) || !matchesNodeAffinity(labels, pod.nodeAffinity)) {
    return [ErrReason.nodeAffinity];
  }

  // NodeResourcesFit: request > allocatable − requested, cpu and memory both reported.
  const fit: string[] = [];
  if (milli(pod.cpu) > milli(node.spec.cpu) - milli(node.requested.cpu)) fit.push(ErrReason.insufficientCpu);
  if (pod.memory > node.spec.memory - node.requested.memory) fit.push(ErrReason.insufficientMemory);
  if (fit.length > 0) return fit;

  // InterPodAffinity: required anti-affinity on kubernetes.io/hostname to pods of the same VMI.
  if (req.antiAffinity && node.vmiPods.has(req.vmiKey)) return [ErrReason.antiAffinity];

  return [];
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
): ScheduleResult {
  if (nodes.length === 0) return { node: null, message: 'no nodes available to schedule pods', reasons: {} };
  const reasons: Record<string, number> = {};
  let best: { node: string; score: number } | null = null;
  for (const node of nodes) {
    const failures = filter(req, node);
    if (failures.length > 0) {
      for (const r of failures) reasons[r] = (reasons[r] ?? 0) + 1;
      continue;
    }
    const score = scoreNode(req.pod, node, scoring);
    const name = node.spec.name;
    if (best === null || score > best.score || (score === best.score && name < best.node)) {
      best = { node: name, score };
    }
  }
  if (best !== null) return best;
  return { node: null, message: fitErrorMessage(nodes.length, reasons), reasons };
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
