/**
 * Small, pure statistics for the benchmarks: no I/O, so test/bench can check them.
 */

/** The p-th percentile (0..100) of `values`, nearest-rank; `undefined` for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** The median: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** A median with a distribution-free confidence interval: two of the sorted values. */
export interface MedianEstimate {
  median: number;
  /** The interval's bounds; the whole range when too few values give the confidence asked. */
  low: number;
  high: number;
  /** The interval's actual coverage (at least the one asked for, unless the values are too few). */
  confidence: number;
}

/**
 * The median of `values` with the order-statistic interval that covers the true median with at
 * least `confidence` (the sign test's interval: no assumption about the distribution, which on
 * a shared VM is skewed by slow outliers). With fewer than 6 values no interval reaches 95 %,
 * and the whole range is returned with its real, lower coverage.
 */
export function medianWithInterval(
  values: readonly number[],
  confidence = 0.95,
): MedianEstimate | undefined {
  const m = median(values);
  if (m === undefined) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  // P(Binomial(n, 1/2) ≤ j), accumulated; the interval [x(k), x(n−k+1)] (1-based) misses the
  // median with probability 2·P(B ≤ k−1).
  const tail = (1 - confidence) / 2;
  let k = 1;
  let below = 0.5 ** n; // P(B ≤ 0)
  let term = below;
  for (let j = 1; j <= Math.floor(n / 2); j++) {
    term = (term * (n - j + 1)) / j;
    if (below + term > tail) break;
    below += term;
    k = j + 1;
  }
  return {
    median: m,
    low: sorted[k - 1] as number,
    high: sorted[n - k] as number,
    confidence: 1 - 2 * below,
  };
}

/**
 * The median of pairwise ratios `a[i] / b[i]`, with its interval: for samples taken in pairs
 * close in time, so that a machine whose speed drifts during the run moves both of a pair alike.
 */
export function pairedRatio(
  a: readonly number[],
  b: readonly number[],
  confidence = 0.95,
): MedianEstimate | undefined {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = ratio(a[i], b[i]);
    if (r !== undefined) ratios.push(r);
  }
  return medianWithInterval(ratios, confidence);
}

/** `a / b`, or `undefined` when either is missing or `b` is not positive. */
export function ratio(
  a: number | undefined | null,
  b: number | undefined | null,
): number | undefined {
  if (a === undefined || a === null || b === undefined || b === null || !(b > 0)) return undefined;
  return a / b;
}

/** Rounds to `digits` decimals; keeps `undefined` and maps it to `null` for JSON. */
export function round(value: number | undefined | null, digits = 1): number | null {
  if (value === undefined || value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Per-unit figure (e.g. writes per customer message), `undefined` for no units. */
export function perUnit(total: number, units: number): number | undefined {
  return units > 0 ? total / units : undefined;
}
