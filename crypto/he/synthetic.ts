/**
 * Seeded synthetic biometric embeddings with genuine/impostor structure, for the HE tests, the
 * benchmarks and protocol simulations (one generator for all of them; it touches no key and no real data).
 *
 * Model: each identity has a random unit centroid c (isotropic Gaussian, normalized); a capture is
 * normalize(c + sigma * n) with n ~ N(0, I_d) and a per-capture quality a = sigma^2 d drawn from
 * U[0.25, 0.65]. For two captures of one identity the cosine is about 1/sqrt((1 + a1)(1 + a2)), i.e. 0.6–0.8
 * (genuine); captures of different identities are nearly orthogonal: mean 0, standard deviation
 * 1/sqrt(d) = 0.044 at d = 512 (impostor, "0 ± 0.05"). Fingerprint embeddings use d = 256 (see
 * crypto/he/params.ts), where impostor scores spread as 0 ± 0.0625.
 *
 * Everything derives from one seed: SplitMix64 (in 32-bit halves) seeds a xoshiro128** stream per
 * (seed, identity, capture, role); Gaussians by Box–Muller. No Math.random.
 */

export const FACE_DIMS = 512;
export const FINGERPRINT_DIMS = 256;

/** xoshiro128** (Blackman & Vigna), 32-bit state words. */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: readonly number[]) {
    // Expand with SplitMix32-style mixing so any seed words give a non-zero, well-mixed state.
    let x = 0x9e3779b9;
    for (const s of seed) x = mix32((x ^ (s >>> 0)) + 0x7f4a7c15);
    this.a = x = mix32(x + 0x9e3779b9);
    this.b = x = mix32(x + 0x9e3779b9);
    this.c = x = mix32(x + 0x9e3779b9);
    this.d = x = mix32(x + 0x9e3779b9);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return (this.nextU32() + (this.nextU32() >>> 11) / 2 ** 21) / 2 ** 32;
  }

  /** Standard normal (Box–Muller, both outputs used). */
  gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
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
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/** The unit centroid of an identity. */
export function identityCentroid(seed: number, identity: number, dims: number): Float32Array {
  const rng = new Xoshiro128([seed, identity, 0, ROLE_CENTROID, dims]);
  const c = new Float32Array(dims);
  for (let i = 0; i < dims; i++) c[i] = rng.gaussian();
  return normalize(c);
}

function capture(centroid: Float32Array, rng: Xoshiro128): Float32Array {
  const d = centroid.length;
  const a = 0.25 + 0.4 * rng.next();
  const sigma = Math.sqrt(a / d);
  const v = new Float32Array(d);
  for (let i = 0; i < d; i++) v[i] = centroid[i]! + sigma * rng.gaussian();
  return normalize(v);
}

export interface SyntheticGalleryOptions {
  readonly seed: number;
  readonly identities: number;
  readonly capturesPerIdentity: number;
  readonly dims: number;
}

export interface SyntheticGallery {
  readonly dims: number;
  /** L2-normalized templates, identity-major: identity i capture c at i * capturesPerIdentity + c. */
  readonly templates: Float32Array[];
  /** Identity of each template. */
  readonly identityOf: Int32Array;
}

/** A gallery of `identities * capturesPerIdentity` captures. */
export function makeGallery(o: SyntheticGalleryOptions): SyntheticGallery {
  const templates: Float32Array[] = [];
  const identityOf = new Int32Array(o.identities * o.capturesPerIdentity);
  for (let id = 0; id < o.identities; id++) {
    const c = identityCentroid(o.seed, id, o.dims);
    for (let k = 0; k < o.capturesPerIdentity; k++) {
      identityOf[templates.length] = id;
      templates.push(capture(c, new Xoshiro128([o.seed, id, k, ROLE_GALLERY, o.dims])));
    }
  }
  return { dims: o.dims, templates, identityOf };
}

export interface SyntheticProbeOptions {
  readonly seed: number;
  /** Identity to capture; use an id >= the gallery's `identities` for a non-mated probe. */
  readonly identity: number;
  readonly dims: number;
  /** Distinguishes several probes of one identity. */
  readonly captureIndex?: number;
}

/** A fresh capture of an identity (independent of the gallery captures). */
export function makeProbe(o: SyntheticProbeOptions): Float32Array {
  const c = identityCentroid(o.seed, o.identity, o.dims);
  return capture(c, new Xoshiro128([o.seed, o.identity, o.captureIndex ?? 0, ROLE_PROBE, o.dims]));
}

/** Plaintext inner product (float64 accumulation). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
