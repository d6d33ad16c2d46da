/**
 * Seeded randomness for the population: every draw derives from one seed, so a population, its
 * records and its queries are the same on every run. Not for cryptography.
 */
export type Rand = () => number;

/** mulberry32: small, fast, good enough for synthetic data (not for cryptography). */
function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one purpose, derived from the population seed and a label. */
export function randFor(seed: number, label: string): Rand {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return mulberry32(h);
}

export function pick<T>(rand: Rand, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** Cumulative weights for `weighted`. */
export function cumulative(weights: readonly number[]): Float64Array {
  const c = new Float64Array(weights.length);
  let t = 0;
  for (const [i, w] of weights.entries()) {
    t += w;
    c[i] = t;
  }
  return c;
}

/** Index drawn with the weights behind `cum` (binary search). */
export function weighted(rand: Rand, cum: Float64Array): number {
  const x = rand() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Zipf weights 1/rank^s for n items. */
export function zipf(n: number, s = 1): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
}
