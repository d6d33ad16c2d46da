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
  /**
   * The generator of input `n` of a run seeded `seed`: each input draws from its own stream, so what
   * input `n` is does not depend on what earlier inputs drew (or on how the network answered them), and
   * one input can be replayed alone.
   */
  static forInput(seed: number, n: number): Rng {
    // A round of murmur3's finalizer over the seed and the input number.
    let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(n >>> 0, 0x85ebca6b) ^ Math.floor(n / 2 ** 32)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return new Rng((h ^ (h >>> 16)) >>> 0);
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
    // Four bytes per draw: megabyte values are common enough for the per-byte cost to matter.
    for (let i = 0; i < n; i += 4) {
      const w = Math.floor(this.next() * 4294967296);
      b[i] = w & 0xff;
      if (i + 1 < n) b[i + 1] = (w >>> 8) & 0xff;
      if (i + 2 < n) b[i + 2] = (w >>> 16) & 0xff;
      if (i + 3 < n) b[i + 3] = w >>> 24;
    }
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
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof DeepNest);
}

/**
 * Deep nesting past any sane depth (arrays in arrays), as a marker: msgpack encoders recurse and cannot
 * write thousands of levels, so `encodeTree` splices the nesting in as raw bytes and the peer's decoder
 * really meets it. JSON and form text get the nested arrays themselves.
 */
export class DeepNest {
  constructor(readonly levels: number) {}
  toJSON(): unknown {
    let v: unknown = 0;
    for (let i = 0; i < this.levels; i++) v = [v];
    return v;
  }
  toString(): string {
    return '0';
  }
}

const SENTINEL = [0x76, 0x65, 0x69, 0x6c, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x64, 0x65, 0x65, 0x70]; // "veil-fuzz-deep"

/** Replace every `DeepNest` by a 16-byte sentinel binary (14 marker bytes and its index). */
function markDeep(v: Tree, found: DeepNest[]): Tree {
  if (v instanceof DeepNest) {
    const i = found.push(v) - 1;
    return Uint8Array.from([...SENTINEL, i >> 8, i & 0xff]);
  }
  if (Array.isArray(v)) return v.map((x) => markDeep(x, found));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markDeep(x, found)]));
  return v;
}

/**
 * Encode a mutated tree with `encode` (the project's codec), deep nests included: each is written as a
 * sentinel binary, whose encoded bytes (bin8 of 16 bytes) are then replaced by the nesting's own bytes
 * (`levels` one-element array headers around a 0).
 */
export function encodeTree(v: Tree, encode: (value: unknown) => Uint8Array): Uint8Array {
  const found: DeepNest[] = [];
  let out = Buffer.from(encode(markDeep(v, found)));
  for (let i = 0; i < found.length; i++) {
    const marker = Buffer.from([0xc4, 16, ...SENTINEL, i >> 8, i & 0xff]);
    const at = out.indexOf(marker);
    if (at < 0) continue;
    const levels = (found[i] as DeepNest).levels;
    const deep = Buffer.alloc(levels + 1, 0x91);
    deep[levels] = 0;
    out = Buffer.concat([out.subarray(0, at), deep, out.subarray(at + marker.length)]);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * `o[k] = v` as an own property, even for `__proto__`: an assignment would set the object's prototype
 * instead (an object whose prototype is a Uint8Array passes for one and breaks the encoder), and the
 * point is to send the peer a `__proto__` key.
 */
function setOwn(o: Record<string, Tree>, k: string, v: Tree): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** One mutation at a random node of `v` (a new tree; `v` is not changed). */
export function mutateTree(v: Tree, rng: Rng): Tree {
  if (isObject(v)) {
    const keys = Object.keys(v);
    const out: Record<string, Tree> = { ...v };
    const r = rng.int(10);
    if (keys.length && r < 5) {
      const k = rng.pick(keys);
      setOwn(out, k, mutateTree(v[k], rng));
    } else if (keys.length && r < 7) delete out[rng.pick(keys)];
    else if (r < 8) setOwn(out, rng.pick(['extra', '__proto__', 'constructor', 't2']), randomValue(rng));
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
      return new DeepNest(rng.pick([50, 500, 5000]));
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
