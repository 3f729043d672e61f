// Sample quantiles of a forecast, by the nearest-rank method: the p-quantile of n values is the
// ⌈p·n⌉-th smallest (p = 1 is the largest). Every figure is then a value one replication really
// produced, so the seed behind a p95 can be replayed with `migsim run --seed`.

/** The ⌈p·n⌉-th smallest of `sorted` (ascending, non-empty), for p in (0, 1]. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('no values');
  if (!(p > 0 && p <= 1)) throw new RangeError(`p must be in (0, 1], got ${p}`);
  // p·n is computed in binary floating point: 0.95 × 100 = 95.00000000000001, whose ceiling
  // would skip a rank. Snap to the nearest integer when within rounding error.
  const x = p * sorted.length;
  const r = Math.abs(x - Math.round(x)) < 1e-9 * sorted.length ? Math.round(x) : Math.ceil(x);
  return sorted[Math.max(1, r) - 1]!;
}

export interface Quantiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** p50/p90/p95/p99/max of the values (any order), or null when there are none. */
export function quantiles(values: readonly number[]): Quantiles | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  const sorted = Array.from(s);
  return {
    p50: nearestRank(sorted, 0.5),
    p90: nearestRank(sorted, 0.9),
    p95: nearestRank(sorted, 0.95),
    p99: nearestRank(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}
