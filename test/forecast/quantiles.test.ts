import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { nearestRank, quantiles } from '../../src/forecast/quantiles.js';

describe('nearest-rank quantiles: the ⌈p·n⌉-th smallest value', () => {
  const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  it.each([
    // n, p, expected rank (= value, for 1..n)
    [100, 0.5, 50], // ⌈50⌉
    [100, 0.9, 90],
    [100, 0.95, 95], // 0.95 × 100 = 95.00000000000001 in binary: still rank 95, not 96
    [100, 0.99, 99],
    [100, 1, 100],
    [10, 0.95, 10], // ⌈9.5⌉
    [10, 0.5, 5],
    [7, 0.5, 4], // ⌈3.5⌉
    [1, 0.01, 1],
    [3, 0.9, 3], // ⌈2.7⌉
    [20, 0.95, 19],
  ])('n=%i p=%f → rank %i', (n, p, rank) => {
    expect(nearestRank(oneTo(n), p)).toBe(rank);
  });

  it('quantiles() sorts its input and gives p50/p90/p95/p99/max; none for no values', () => {
    const shuffled = [...Array.from({ length: 100 }, (_, i) => 100 - i)];
    expect(quantiles(shuffled)).toEqual({ p50: 50, p90: 90, p95: 95, p99: 99, max: 100 });
    expect(quantiles([])).toBeNull();
    expect(quantiles([3])).toEqual({ p50: 3, p90: 3, p95: 3, p99: 3, max: 3 });
  });

  // Known distributions: the sample p-quantile of n draws lies within ~3 standard errors of the
  // true quantile x_p, with SE = sqrt(p(1-p)/n) / f(x_p) (f the density).
  const n = 20_000;
  const rng = seedrandom.alea('quantile-test');
  const uniform = Array.from({ length: n }, () => rng());
  const exponential = Array.from({ length: n }, () => -Math.log(1 - rng()));
  it.each([0.5, 0.9, 0.95, 0.99])('U(0,1): p%s within 3 SE of p', (p) => {
    const se = Math.sqrt((p * (1 - p)) / n); // f = 1
    expect(Math.abs(quantiles(uniform)![`p${Math.round(p * 100)}` as 'p50'] - p)).toBeLessThan(3 * se);
  });
  it.each([0.5, 0.9, 0.95, 0.99])('Exp(1): p%s within 3 SE of -ln(1-p)', (p) => {
    const x = -Math.log(1 - p);
    const se = Math.sqrt((p * (1 - p)) / n) / Math.exp(-x); // f(x) = e^-x
    expect(Math.abs(quantiles(exponential)![`p${Math.round(p * 100)}` as 'p50'] - x)).toBeLessThan(3 * se);
  });
});
