/**
 * Seeded, structure-aware mutation for the fuzzer: a small deterministic generator (the same seed gives
 * the same frames), and mutations of a decoded message tree (wrong types, missing and unknown fields,
 * extreme numbers, oversized strings, bytes and arrays, deep nesting) or of its encoded bytes (bit
 * flips, truncation, insertion, splices).
 */

/** mulberry32: a fast 32-bit generator, good enough to pick mutations (not for secrets). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** A size skewed small: mostly a few bytes, sometimes kilobytes, rarely a megabyte. */
  size(): number {
    const r = this.next();
    if (r < 0.6) return this.int(40);
    if (r < 0.95) return this.int(70_000);
    return 1_000_000 + this.int(1_000_000);
  }
}

type Tree = unknown;

const WEIRD_STRINGS = ['', '\u0000', 'ä'.repeat(3), '../../etc/passwd', '<script>', '%00', 'DE', 'ZZ', '*', ' ', '\ud800', 'null', '1e309'];
const WEIRD_NUMBERS = [0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, Number.NaN, Number.POSITIVE_INFINITY, -0];

/** A random scalar or container of any type. */
export function randomValue(rng: Rng, depth = 0): Tree {
  switch (rng.int(depth > 2 ? 6 : 8)) {
    case 0:
      return rng.pick(WEIRD_NUMBERS);
    case 1:
      return rng.pick(WEIRD_STRINGS);
    case 2:
      return 'x'.repeat(rng.size());
    case 3:
      return rng.bytes(rng.size());
    case 4:
      return rng.pick([true, false, null]);
    case 5:
      return rng.int(2 ** 31) - 2 ** 30;
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [rng.pick(['t', 'id', 'env', 'x', `k${i}`]), randomValue(rng, depth + 1)]));
  }
}

function isObject(v: Tree): v is Record<string, Tree> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Deep nesting past any sane depth (arrays in arrays). */
function nested(levels: number): Tree {
  let v: Tree = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** One mutation at a random node of `v` (a new tree; `v` is not changed). */
export function mutateTree(v: Tree, rng: Rng): Tree {
  if (isObject(v)) {
    const keys = Object.keys(v);
    const out: Record<string, Tree> = { ...v };
    const r = rng.int(10);
    if (keys.length && r < 5) {
      const k = rng.pick(keys);
      out[k] = mutateTree(v[k], rng);
    } else if (keys.length && r < 7) delete out[rng.pick(keys)];
    else if (r < 8) out[rng.pick(['extra', '__proto__', 'constructor', 't2'])] = randomValue(rng);
    else return mutateLeaf(v, rng);
    return out;
  }
  if (Array.isArray(v)) {
    const r = rng.int(10);
    if (v.length && r < 5) {
      const i = rng.int(v.length);
      return v.map((x, j) => (j === i ? mutateTree(x, rng) : x));
    }
    if (v.length && r < 7) return Array.from({ length: rng.pick([0, 257, 300, 5000]) }, (_, i) => v[i % v.length]);
    if (r < 8) return [...v, randomValue(rng)];
    return mutateLeaf(v, rng);
  }
  return mutateLeaf(v, rng);
}

function mutateLeaf(v: Tree, rng: Rng): Tree {
  switch (rng.int(8)) {
    case 0:
      return nested(rng.pick([50, 500, 5000]));
    case 1:
      if (v instanceof Uint8Array) return v.subarray(0, rng.int(v.length + 1));
      return randomValue(rng);
    case 2:
      if (v instanceof Uint8Array) return flipBytes(v, rng);
      return rng.pick(WEIRD_NUMBERS);
    case 3:
      if (typeof v === 'string') return v + rng.pick(WEIRD_STRINGS).repeat(1 + rng.int(100));
      return rng.pick(WEIRD_STRINGS);
    case 4:
      if (typeof v === 'number') return v + rng.pick([1, -1, 1000, 86_400_000, -86_400_000]);
      return rng.bytes(rng.size());
    default:
      return randomValue(rng);
  }
}

/** Byte-level damage to an encoded message. */
export function mutateBytes(b: Uint8Array, rng: Rng): Uint8Array {
  switch (rng.int(5)) {
    case 0:
      return flipBytes(b, rng);
    case 1:
      return b.subarray(0, rng.int(b.length + 1));
    case 2: {
      const at = rng.int(b.length + 1);
      const ins = rng.bytes(1 + rng.int(64));
      const out = new Uint8Array(b.length + ins.length);
      out.set(b.subarray(0, at));
      out.set(ins, at);
      out.set(b.subarray(at), at + ins.length);
      return out;
    }
    case 3:
      return rng.bytes(rng.size());
    default: {
      // Claim a huge container or string length right at the start (msgpack map32/array32/str32/bin32).
      const out = new Uint8Array(5 + Math.min(b.length, 64));
      out[0] = rng.pick([0xdf, 0xdd, 0xdb, 0xc6]);
      out.set([0xff, 0xff, 0xff, 0xf0], 1);
      out.set(b.subarray(0, 64), 5);
      return out;
    }
  }
}

function flipBytes(b: Uint8Array, rng: Rng): Uint8Array {
  const out = new Uint8Array(b);
  if (out.length === 0) return rng.bytes(1);
  for (let i = 0, n = 1 + rng.int(8); i < n; i++) {
    const at = rng.int(out.length);
    out[at] = (out[at] as number) ^ (1 << rng.int(8));
  }
  return out;
}
