/** Small statistics for the results: percentiles, summaries and rounding (results carry 3 decimals). */

export const round = (x: number, d = 3): number => {
  const f = 10 ** d;
  return Math.round(x * f) / f;
};

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length === 0 ? 0 : s.reduce((a, b) => a + b, 0) / s.length;
  return {
    n: s.length,
    mean: round(mean),
    p50: round(percentile(s, 50)),
    p90: round(percentile(s, 90)),
    p99: round(percentile(s, 99)),
    max: round(s.at(-1) ?? 0),
  };
}

/** The empirical CDF at up to `points` points: [value, share ≤ value]. */
export function cdf(values: readonly number[], points = 100): Array<[number, number]> {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return [];
  const out: Array<[number, number]> = [];
  const step = Math.max(1, Math.floor(s.length / points));
  for (let i = step - 1; i < s.length; i += step) out.push([round(s[i] as number), round((i + 1) / s.length, 4)]);
  const last = out.at(-1);
  if (!last || last[1] < 1) out.push([round(s.at(-1) as number), 1]);
  return out;
}

export const ratio = (a: number, b: number, d = 4): number | null => (b === 0 ? null : round(a / b, d));

/** A counter keyed by string, listed in key order (stable output). */
export class Counter {
  readonly #m = new Map<string, number>();
  add(k: string, n = 1): void {
    this.#m.set(k, (this.#m.get(k) ?? 0) + n);
  }
  get(k: string): number {
    return this.#m.get(k) ?? 0;
  }
  toObject(): Record<string, number> {
    return Object.fromEntries([...this.#m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

export function sortedObject<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
