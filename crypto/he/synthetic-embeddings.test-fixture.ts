/**
 * Seeded synthetic embeddings for the HE tests (a test fixture, not exported from crypto/he): crypto
 * tests must not reach up into the simulations layer, so they carry this small generator of their own.
 *
 * Model: each identity has a random unit centroid c (isotropic Gaussian, normalised); a capture is
 * normalise(c + sigma * n) with n ~ N(0, I_d) and a per-capture quality a = sigma^2 d drawn from
 * U[0.25, 0.65]. Two captures of one identity score about 0.6–0.8 (genuine); captures of different
 * identities are nearly orthogonal (impostor, 0 ± 1/sqrt(d)).
 *
 * Everything derives from the seed: a xoshiro128** stream per (seed, identity, capture, role), with
 * Gaussians by Box–Muller; no Math.random. The streams and roles are those of the simulations' generator,
 * so the same seed gives the same vectors there and here.
 */

/** xoshiro128** (Blackman & Vigna), 32-bit state words, seeded by mixing the seed words. */
class Xoshiro128 {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | undefined;

  constructor(seed: readonly number[]) {
    let x = 0x9e3779b9;
    for (const s of seed) x = mix32((x ^ (s >>> 0)) + 0x7f4a7c15);
    this.#a = x = mix32(x + 0x9e3779b9);
    this.#b = x = mix32(x + 0x9e3779b9);
    this.#c = x = mix32(x + 0x9e3779b9);
    this.#d = x = mix32(x + 0x9e3779b9);
    if ((this.#a | this.#b | this.#c | this.#d) === 0) this.#a = 1;
  }

  #nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return r;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return (this.#nextU32() + (this.#nextU32() >>> 11) / 2 ** 21) / 2 ** 32;
  }

  /** Standard normal (Box–Muller, both outputs used). */
  gaussian(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare;
      this.#spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const ROLE_CENTROID = 1;
const ROLE_GALLERY = 2;
const ROLE_PROBE = 3;

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * inv;
  return v;
}

function centroid(seed: number, identity: number, dims: number): Float32Array {
  const rng = new Xoshiro128([seed, identity, 0, ROLE_CENTROID, dims]);
  const c = new Float32Array(dims);
  for (let i = 0; i < dims; i++) c[i] = rng.gaussian();
  return normalize(c);
}

function capture(c: Float32Array, rng: Xoshiro128): Float32Array {
  const d = c.length;
  const a = 0.25 + 0.4 * rng.next();
  const sigma = Math.sqrt(a / d);
  const v = new Float32Array(d);
  for (let i = 0; i < d; i++) v[i] = (c[i] ?? 0) + sigma * rng.gaussian();
  return normalize(v);
}

export interface TestGallery {
  readonly dims: number;
  /** Unit templates, identity-major: identity i capture k at i * capturesPerIdentity + k. */
  readonly templates: Float32Array[];
  /** Identity of each template. */
  readonly identityOf: Int32Array;
}

/** A gallery of `identities * capturesPerIdentity` captures. */
export function makeGallery(o: { seed: number; identities: number; capturesPerIdentity: number; dims: number }): TestGallery {
  const templates: Float32Array[] = [];
  const identityOf = new Int32Array(o.identities * o.capturesPerIdentity);
  for (let id = 0; id < o.identities; id++) {
    const c = centroid(o.seed, id, o.dims);
    for (let k = 0; k < o.capturesPerIdentity; k++) {
      identityOf[templates.length] = id;
      templates.push(capture(c, new Xoshiro128([o.seed, id, k, ROLE_GALLERY, o.dims])));
    }
  }
  return { dims: o.dims, templates, identityOf };
}

/** A fresh capture of an identity; an identity beyond the gallery's gives a non-mated probe. */
export function makeProbe(o: { seed: number; identity: number; dims: number; captureIndex?: number }): Float32Array {
  return capture(centroid(o.seed, o.identity, o.dims), new Xoshiro128([o.seed, o.identity, o.captureIndex ?? 0, ROLE_PROBE, o.dims]));
}

/** Plaintext inner product (float64 accumulation). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}
