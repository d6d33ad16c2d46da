/**
 * Latency statistics of a benchmark section: count, percentiles (nearest rank), maximum and mean, in
 * milliseconds rounded to 0.01.
 */

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentiles of `xs` (milliseconds); NaN figures for an empty list. */
export function stats(xs: readonly number[]): LatencyStats {
  if (xs.length === 0) return { count: 0, p50Ms: NaN, p90Ms: NaN, p99Ms: NaN, maxMs: NaN, meanMs: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    count: s.length,
    p50Ms: round(at(50)),
    p90Ms: round(at(90)),
    p99Ms: round(at(99)),
    maxMs: round(s[s.length - 1]!),
    meanMs: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}
