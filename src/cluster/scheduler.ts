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
//   max(100, N·(50 − N/125)%) feasible nodes are found, starting where the previous pod stopped
//   (pkg/scheduler/schedule_one.go, findNodesThatPassFilters, numFeasibleNodesToFind); without
//   one (unit tests), every node is filtered and scored. The cache answers that search from an
//   index per pod shape instead of walking the nodes: same choice, same next start;
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
 * One pod shape's index over the nodes, in list order: a segment tree whose every subtree holds
 * the number of feasible nodes under it and its best key (see `keyOf`), so that "where is the
 * k-th feasible node after the start" and "which node scores best in that range" cost O(log N)
 * instead of a walk over every node in between.
 */
interface ShapeIndex {
  /** per node: the node version its leaf reflects */
  readonly seen: Uint32Array;
  /** per node: its score, −1 infeasible (as of `seen`) */
  readonly score: Int16Array;
  /** per node: why it fails the shape's filters, an index into `SchedulerCache.reasonLists` (0 feasible) */
  readonly reason: Uint16Array;
  /** per tree slot (1 = root, `size + i` = node i): feasible nodes in the subtree */
  readonly count: Int32Array;
  /** per tree slot: the largest key in the subtree, −1 none */
  readonly best: Int32Array;
  /** per node: NodeAffinity's answer, 0 not asked yet, 1 match, 2 no match (labels never change) */
  readonly labels: Uint8Array;
  /** the touch log position this index has caught up with */
  cursor: number;
}

/**
 * State kube-scheduler keeps between pods (where the next search starts) and, ours for speed,
 * an index per pod shape (requests, selectors, tolerations, scoring) of each node's filter verdict
 * and score, kept until the node changes. Node labels never change during a run; flags, taints and
 * requests are reported through `touch`, which appends the node to a log each shape catches up
 * with when next asked (a shape that fell more than the log's length behind is rebuilt).
 */
export class SchedulerCache {
  nextStartNodeIndex = 0;
  /** the score of the node the last `search` found */
  foundScore = 0;
  /** bumped by the owner whenever a node's flags, taints or requests change */
  private readonly versions: Uint32Array;
  private readonly index = new Map<NodeView, number>();
  private readonly byName = new Map<string, number>();
  /** per node: n − 1 − its rank among the node names, so a larger key wins a score tie (smallest name) */
  private readonly nameBonus: Int32Array;
  /** the node index of each name bonus */
  private readonly byBonus: Int32Array;
  /** leaves of the segment trees: the smallest power of two ≥ N */
  private readonly size: number;
  private readonly log: Int32Array;
  private touches = 0;
  private readonly shapes = new Map<string, ShapeIndex>();
  // The last pod asked about and its shape: a pending target pod is retried as the cluster
  // changes. (A WeakMap per pod would hold an entry per migration, which V8's GC pays for.)
  private lastPod: PodRequirements | null = null;
  private lastScoring: Scoring | null = null;
  private lastShape: ShapeIndex | null = null;
  /** reason lists by code: the fixed ones first (see REASON_*), then each taint's as first seen */
  private readonly reasonLists: (readonly string[])[] = [FEASIBLE, UNSCHEDULABLE, NODE_AFFINITY, NO_CPU, NO_MEMORY, NO_CPU_NO_MEMORY];
  private readonly taintCodes = new Map<string, number>();
  /** nodes hidden for one pod by its anti-affinity, restored after the query */
  private readonly hidden: number[] = [];

  constructor(readonly nodes: readonly NodeView[]) {
    const n = nodes.length;
    this.versions = new Uint32Array(n).fill(1);
    nodes.forEach((node, i) => {
      this.index.set(node, i);
      this.byName.set(node.spec.name, i);
    });
    const order = nodes.map((_, i) => i).sort((a, b) => {
      const x = nodes[a]!.spec.name;
      const y = nodes[b]!.spec.name;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    this.nameBonus = new Int32Array(n);
    this.byBonus = new Int32Array(n);
    order.forEach((i, rank) => {
      this.nameBonus[i] = n - 1 - rank;
      this.byBonus[n - 1 - rank] = i;
    });
    let size = 1;
    while (size < n) size *= 2;
    this.size = size;
    this.log = new Int32Array(Math.max(64, 2 * n));
  }

  /** A node changed (cordon, taint, a pod bound or gone): its cached answers are stale. */
  touch(node: NodeView): void {
    const i = this.index.get(node);
    if (i === undefined) return;
    this.versions[i]!++;
    this.log[this.touches % this.log.length] = i;
    this.touches++;
  }

  /**
   * kube-scheduler's search with the adaptive percentageOfNodesToScore, answered from the shape's
   * index: from `nextStartNodeIndex`, the nodes up to the `toFind`-th feasible one (or all of them)
   * are the ones kube-scheduler would have filtered, and the best of those is its choice: its
   * index (score in `foundScore`), or −1 when no node fits.
   */
  search(req: ScheduleRequest, scoring: Scoring, toFind: number): number {
    const n = this.nodes.length;
    const shape = this.sync(req, scoring);
    const { count, best } = shape;
    if (req.antiAffinity) this.hide(req, shape);
    const start = this.nextStartNodeIndex % n;
    const total = count[1]!;
    let key: number;
    let processed: number;
    if (total >= toFind) {
      const before = this.countBelow(count, start);
      if (total - before >= toFind) {
        const last = this.kth(count, before + toFind);
        processed = last - start + 1;
        key = this.bestIn(best, start, last + 1);
      } else {
        const last = this.kth(count, toFind - (total - before));
        processed = n - start + last + 1;
        key = Math.max(this.bestIn(best, start, n), this.bestIn(best, 0, last + 1));
      }
    } else {
      processed = n;
      key = best[1]!;
    }
    if (req.antiAffinity) this.unhide(shape);
    this.nextStartNodeIndex = (start + processed) % n;
    if (key < 0) return -1;
    const score = Math.floor(key / n);
    this.foundScore = score;
    return this.byBonus[key - score * n]!;
  }

  /** The shape's index, caught up with every node touched since it was last used. */
  private sync(req: ScheduleRequest, scoring: Scoring): ShapeIndex {
    const pod = req.pod;
    let shape = this.lastShape;
    if (pod !== this.lastPod || scoring !== this.lastScoring || shape === null) {
      const k = shapeKeyOf(pod, scoring);
      shape = this.shapes.get(k) ?? null;
      if (shape === null) {
        const n = this.nodes.length;
        shape = {
          seen: new Uint32Array(n),
          labels: new Uint8Array(n),
          score: new Int16Array(n),
          reason: new Uint16Array(n),
          count: new Int32Array(2 * this.size),
          best: new Int32Array(2 * this.size).fill(-1),
          cursor: -Infinity,
        };
        this.shapes.set(k, shape);
      }
      this.lastPod = pod;
      this.lastScoring = scoring;
      this.lastShape = shape;
    }
    if (shape.cursor === this.touches) return shape;
    if (this.touches - shape.cursor > this.log.length) {
      this.rebuild(shape, pod, scoring);
    } else {
      for (let t = shape.cursor; t < this.touches; t++) {
        const i = this.log[t % this.log.length]!;
        if (shape.seen[i] === this.versions[i]) continue;
        this.setLeaf(shape, i, this.verdict(pod, scoring, i, shape));
      }
    }
    shape.cursor = this.touches;
    return shape;
  }

  private rebuild(shape: ShapeIndex, pod: PodRequirements, scoring: Scoring): void {
    const { count, best } = shape;
    const size = this.size;
    const n = this.nodes.length;
    for (let i = 0; i < n; i++) {
      const s = this.verdict(pod, scoring, i, shape);
      count[size + i] = s < 0 ? 0 : 1;
      best[size + i] = s < 0 ? -1 : s * n + this.nameBonus[i]!;
    }
    for (let p = size - 1; p >= 1; p--) {
      count[p] = count[2 * p]! + count[2 * p + 1]!;
      best[p] = Math.max(best[2 * p]!, best[2 * p + 1]!);
    }
  }

  /**
   * The filters up to NodeResourcesFit and the score depend only on the pod's shape and the
   * node's state. Anti-affinity, which depends on the VMI, is applied per query (`hide`).
   */
  private verdict(pod: PodRequirements, scoring: Scoring, i: number, shape: ShapeIndex): number {
    const node = this.nodes[i]!;
    // filterPod's order, keeping the failure as a code, and NodeAffinity asked once per node
    let code: number;
    if (node.unschedulable && !tolerates(pod.tolerations, UNSCHEDULABLE_TAINT)) {
      code = REASON_UNSCHEDULABLE;
    } else {
      const taint = node.taints.length === 0 ? null : untoleratedTaint(pod, node);
      if (taint !== null) {
        code = this.reasonCode(untoleratedTaintReason(taint));
      } else {
        if (shape.labels[i] === 0) shape.labels[i] = matchesNodeLabels(pod, node) ? 1 : 2;
        if (shape.labels[i] === 2) {
          code = REASON_NODE_AFFINITY;
        } else {
          const fit = resourcesFit(pod, node);
          code = fit === FEASIBLE ? 0 : fit === NO_CPU ? REASON_NO_CPU : fit === NO_MEMORY ? REASON_NO_MEMORY : REASON_NO_CPU_NO_MEMORY;
        }
      }
    }
    const score = code === 0 ? scoreNode(pod, node, scoring) : -1;
    shape.seen[i] = this.versions[i]!;
    shape.score[i] = score;
    shape.reason[i] = code;
    return score;
  }

  /** The code of a taint's reason text, numbered on first sight. */
  private reasonCode(text: string): number {
    let code = this.taintCodes.get(text);
    if (code === undefined) {
      code = this.reasonLists.length;
      this.reasonLists.push([text]);
      this.taintCodes.set(text, code);
    }
    return code;
  }

  /**
   * The FitError's histogram when `search` found nothing, from the codes its shape holds (every
   * node's is current after the search): each node's first failing filter, InterPodAffinity for
   * a node that passes the others. Counted in node order, as a walk over the nodes would.
   */
  explain(req: ScheduleRequest): Record<string, number> {
    const shape = this.lastShape!;
    const reasons: Record<string, number> = {};
    for (let i = 0; i < this.nodes.length; i++) {
      const code = shape.reason[i]!;
      const list = code !== 0 ? this.reasonLists[code]! : req.antiAffinity && antiAffine(req, this.nodes[i]!) ? ANTI_AFFINITY : FEASIBLE;
      for (const r of list) reasons[r] = (reasons[r] ?? 0) + 1;
    }
    return reasons;
  }

  private setLeaf(shape: ShapeIndex, i: number, score: number): void {
    const { count, best } = shape;
    let p = this.size + i;
    count[p] = score < 0 ? 0 : 1;
    best[p] = score < 0 ? -1 : score * this.nodes.length + this.nameBonus[i]!;
    for (p >>= 1; p >= 1; p >>= 1) {
      count[p] = count[2 * p]! + count[2 * p + 1]!;
      best[p] = Math.max(best[2 * p]!, best[2 * p + 1]!);
    }
  }

  /** InterPodAffinity: the nodes holding a pod of this VMI leave the index for this one query. */
  private hide(req: ScheduleRequest, shape: ShapeIndex): void {
    const leaves = shape.count;
    if (req.podNodes) {
      for (const name of req.podNodes) {
        const i = this.byName.get(name);
        if (i !== undefined && leaves[this.size + i] === 1) this.hideNode(shape, i);
      }
    } else {
      for (let i = 0; i < this.nodes.length; i++) {
        if (leaves[this.size + i] === 1 && this.nodes[i]!.vmiPods.has(req.vmiKey)) this.hideNode(shape, i);
      }
    }
  }

  private hideNode(shape: ShapeIndex, i: number): void {
    this.setLeaf(shape, i, -1);
    this.hidden.push(i);
  }

  private unhide(shape: ShapeIndex): void {
    const hidden = this.hidden;
    for (const i of hidden) this.setLeaf(shape, i, shape.score[i]!);
    hidden.length = 0;
  }

  /** Feasible nodes with an index below `end`. */
  private countBelow(count: Int32Array, end: number): number {
    let sum = 0;
    for (let lo = this.size, hi = this.size + end; lo < hi; lo >>= 1, hi >>= 1) {
      if (lo & 1) sum += count[lo++]!;
      if (hi & 1) sum += count[--hi]!;
    }
    return sum;
  }

  /** Index of the k-th feasible node (1-based, k ≤ count of all feasible nodes). */
  private kth(count: Int32Array, k: number): number {
    let p = 1;
    while (p < this.size) {
      p *= 2;
      if (count[p]! < k) {
        k -= count[p]!;
        p++;
      }
    }
    return p - this.size;
  }

  /** The largest key among nodes [from, to). */
  private bestIn(best: Int32Array, from: number, to: number): number {
    let key = -1;
    for (let lo = this.size + from, hi = this.size + to; lo < hi; lo >>= 1, hi >>= 1) {
      if (lo & 1) key = Math.max(key, best[lo++]!);
      if (hi & 1) key = Math.max(key, best[--hi]!);
    }
    return key;
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
// Their codes in SchedulerCache.reasonLists (0 is FEASIBLE).
const REASON_UNSCHEDULABLE = 1;
const REASON_NODE_AFFINITY = 2;
const REASON_NO_CPU = 3;
const REASON_NO_MEMORY = 4;
const REASON_NO_CPU_NO_MEMORY = 5;

/** The filter plugins in order; returns the node's failure reasons (empty = feasible). */
function filter(req: ScheduleRequest, node: NodeView): readonly string[] {
  const reasons = filterPod(req.pod, node);
  // InterPodAffinity: required anti-affinity on kubernetes.io/hostname to pods of the same VMI.
  if (reasons === FEASIBLE && req.antiAffinity && antiAffine(req, node)) return ANTI_AFFINITY;
  return reasons;
}

/** The filters that depend only on the pod's shape and the node: all but InterPodAffinity. */
function filterPod(pod: PodRequirements, node: NodeView): readonly string[] {
  // NodeUnschedulable: a cordoned node, unless the pod tolerates the unschedulable taint.
  if (node.unschedulable && !tolerates(pod.tolerations, UNSCHEDULABLE_TAINT)) return UNSCHEDULABLE;

  // TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate.
  const taint = untoleratedTaint(pod, node);
  if (taint !== null) return [untoleratedTaintReason(taint)];

  // NodeAffinity: nodeSelector and required node affinity together.
  if (!matchesNodeLabels(pod, node)) return NODE_AFFINITY;

  return resourcesFit(pod, node);
}

function untoleratedTaint(pod: PodRequirements, node: NodeView): Taint | null {
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerates(pod.tolerations, taint)) return taint;
  }
  return null;
}

function matchesNodeLabels(pod: PodRequirements, node: NodeView): boolean {
  const labels = node.spec.labels;
  return matchesSelector(labels, pod.nodeSelector) && matchesNodeAffinity(labels, pod.nodeAffinity);
}

/** NodeResourcesFit: request > allocatable − requested, cpu and memory both reported. */
function resourcesFit(pod: PodRequirements, node: NodeView): readonly string[] {
  const noCpu = milli(pod.cpu) > milli(node.spec.cpu) - milli(node.requested.cpu);
  const noMemory = pod.memory > node.spec.memory - node.requested.memory;
  if (noCpu || noMemory) return noCpu && noMemory ? NO_CPU_NO_MEMORY : noCpu ? NO_CPU : NO_MEMORY;
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

/**
 * Schedule one pod. Without a cache every node is filtered and scored (unit tests); with one,
 * kube-scheduler's adaptive percentageOfNodesToScore and rotating start apply, answered from the
 * cache's per-shape index with the same choice as `scheduleLinear`'s walk.
 */
export function schedule(
  req: ScheduleRequest,
  nodes: readonly NodeView[],
  scoring: Scoring = 'LeastAllocated',
  cache?: SchedulerCache,
): ScheduleResult {
  const n = nodes.length;
  if (n === 0) return { node: null, message: 'no nodes available to schedule pods', reasons: {} };
  if (!cache) return scheduleLinear(req, nodes, scoring, 0, n).result;
  if (cache.nodes !== nodes) throw new Error('schedule: the cache belongs to another node list');
  const found = cache.search(req, scoring, numFeasibleNodesToFind(n));
  if (found >= 0) return { node: nodes[found]!.spec.name, score: cache.foundScore };
  const reasons = cache.explain(req);
  return { node: null, message: fitErrorMessage(n, reasons), reasons };
}

/**
 * kube-scheduler's walk, node by node: from `start`, filter nodes until `toFind` feasible ones
 * are found or every node was filtered, and keep the best score (ties: the smallest name).
 * Returns the choice and how many nodes were filtered (the next pod starts after them). The
 * reference the indexed search is tested against.
 */
export function scheduleLinear(
  req: ScheduleRequest,
  nodes: readonly NodeView[],
  scoring: Scoring,
  start: number,
  toFind: number,
): { result: ScheduleResult; processed: number } {
  const n = nodes.length;
  if (n === 0) return { result: { node: null, message: 'no nodes available to schedule pods', reasons: {} }, processed: 0 };
  let bestNode: string | null = null;
  let bestScore = -1;
  let feasible = 0;
  let processed = 0;
  for (let i = start % n; processed < n && feasible < toFind; processed++, i = i + 1 === n ? 0 : i + 1) {
    const node = nodes[i]!;
    if (filter(req, node).length > 0) continue;
    const score = scoreNode(req.pod, node, scoring);
    feasible++;
    const name = node.spec.name;
    if (score > bestScore || (score === bestScore && name < bestNode!)) {
      bestNode = name;
      bestScore = score;
    }
  }
  if (bestNode !== null) return { result: { node: bestNode, score: bestScore }, processed };
  return { result: unschedulable(req, nodes), processed };
}

/** No node fits, so every node was filtered: count why (only now, off the common path). */
function unschedulable(req: ScheduleRequest, nodes: readonly NodeView[]): ScheduleResult {
  const reasons: Record<string, number> = {};
  for (const node of nodes) for (const r of filter(req, node)) reasons[r] = (reasons[r] ?? 0) + 1;
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
