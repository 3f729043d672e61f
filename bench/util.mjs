// Small helpers shared by the bench cases: timing, medians, number formatting.
import { performance } from 'node:perf_hooks';

export const Gi = 2 ** 30;

export const now = () => performance.now();

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run fn once as a warm-up, then `runs` times; returns every timed result (fn returns {ms, ...}). */
export function repeat(fn, runs = 5) {
  fn();
  const out = [];
  for (let i = 0; i < runs; i++) {
    if (globalThis.gc) globalThis.gc();
    out.push(fn());
  }
  return out;
}

/** 12345678 → "12,345,678"; 1.5e6 → "1,500,000" */
export const int = (x) => Math.round(x).toLocaleString('en-US');
export const ms = (x) => `${x.toFixed(1)} ms`;
export const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function rate(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M/s`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k/s`;
  return `${x.toFixed(0)} /s`;
}

/** Print "label ........ value" rows with aligned values. */
export function rows(pairs, indent = '  ') {
  const w = Math.max(...pairs.map(([k]) => k.length));
  for (const [k, v] of pairs) console.log(`${indent}${k.padEnd(w)}  ${v}`);
}

/**
 * A bare binary-heap loop on the project's EventHeap, run in the same process as a case so its
 * figure can be set next to the case's: N pushes and N pops under a hold model (10,000 entries
 * queued, then pop one / push one). Returns push+pop operations per second, the median of
 * `runs` after a warm-up. The gaps are drawn from a fixed LCG before timing starts.
 */
export async function bareHeapOpsPerSecond(n = 300_000, runs = 5) {
  const { EventHeap } = await import('../dist/engine/heap.js');
  const queued = 10_000;
  const gaps = new Float64Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    gaps[i] = -Math.log((x + 1) / 2147483649);
  }
  const once = () => {
    const heap = new EventHeap();
    let seq = 0;
    let clock = 0;
    const t0 = now();
    for (let i = 0; i < queued; i++) heap.push({ time: gaps[i] * queued, seq: seq++ });
    for (let i = queued; i < n; i++) {
      clock = heap.pop().time;
      heap.push({ time: clock + gaps[i] * queued, seq: seq++ });
    }
    while (heap.size > 0) heap.pop();
    return { ms: now() - t0 };
  };
  const m = median(repeat(once, runs).map((r) => r.ms));
  return (2 * n) / (m / 1000);
}

/**
 * Load a scenario document through the public entry point: `loadScenarioObject` where the loader
 * has it, else the document as JSON text through `parseScenario` (what `loadScenarioFile` does).
 */
export async function loadDocument(doc, name = 'bench.json') {
  const load = await import('../dist/scenario/load.js');
  if (typeof load.loadScenarioObject === 'function') return load.loadScenarioObject(doc, { file: name });
  return load.parseScenario(JSON.stringify(doc), name, 'json');
}

/**
 * simulate() and the result records, through whichever form the public API has: results kept
 * by the run's observers (`sim.results`), else computed from the stored event log.
 */
export async function simulateAndResults(scenario) {
  const { simulate } = await import('../dist/sim/simulation.js');
  const { computeResults } = await import('../dist/metrics/results.js');
  const t0 = now();
  const sim = simulate(scenario);
  const t1 = now();
  const results = sim.results ?? computeResults(sim.log.events, scenario.nodes.map((n) => n.name));
  const t2 = now();
  return { sim, results, simulateMs: t1 - t0, resultsMs: t2 - t1 };
}

/** Machine-readable result line for bench/run.mjs's summary (printed last by a case). */
export function emitResult(obj) {
  console.log(`BENCH_RESULT ${JSON.stringify(obj)}`);
}

export const fmtRate = rate;
