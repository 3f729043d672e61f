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
