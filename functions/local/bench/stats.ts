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
