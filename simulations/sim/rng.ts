/**
 * The simulator's one tree of seeded randomness. The root comes from the scenario's seed; every
 * component takes its own child by label (`rng.child('workload')`, `rng.child('node:FR')`), so adding
 * draws in one component never shifts another's, and the same seed gives the same run. Children are
 * derived by hashing (SHA-256 of the parent's key and the label); draws come from xoshiro128**.
 * Not for cryptography outside the simulator: the simulated parties' keys and blinds are drawn from
 * here only so that a run is reproducible.
 */
import { type Rng, sha256, utf8, Xoshiro128 } from '#crypto';

export class SimRng {
  readonly #key: Uint8Array;
  readonly #gen: Xoshiro128;
  /** Bytes, in the shape crypto functions take as `rng`. */
  readonly bytes: Rng;

  private constructor(key: Uint8Array) {
    this.#key = key;
    const w = new DataView(key.buffer, key.byteOffset, key.byteLength);
    this.#gen = new Xoshiro128([w.getUint32(0), w.getUint32(4), w.getUint32(8), w.getUint32(12), w.getUint32(16)]);
    this.bytes = (n: number) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const x = this.#gen.nextU32();
        for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (x >>> (8 * j)) & 0xff;
      }
      return out;
    };
  }

  static root(seed: number): SimRng {
    return new SimRng(sha256(utf8(`veil-sim/root/${seed}`)));
  }

  /** An independent generator for one purpose. */
  child(label: string): SimRng {
    const l = utf8(label);
    const m = new Uint8Array(this.#key.length + 1 + l.length);
    m.set(this.#key);
    m.set(l, this.#key.length + 1);
    return new SimRng(sha256(m));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#gen.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#gen.next() * n);
  }

  chance(p: number): boolean {
    return p > 0 && this.#gen.next() < p;
  }

  /** Standard normal. */
  normal(): number {
    return this.#gen.gaussian();
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    let u = 0;
    while (u === 0) u = this.#gen.next();
    return -Math.log(u) * mean;
  }

  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }

  /** `k` distinct items of `xs` (k ≥ length: all of them), in a random order. */
  sample<T>(xs: readonly T[], k: number): T[] {
    const a = [...xs];
    const n = Math.min(k, a.length);
    for (let i = 0; i < n; i++) {
      const j = i + this.int(a.length - i);
      const t = a[i] as T;
      a[i] = a[j] as T;
      a[j] = t;
    }
    return a.slice(0, n);
  }

  /** Index drawn with probability proportional to `weights`. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.#gen.next() * total;
    for (const [i, w] of weights.entries()) {
      x -= w;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}
