/**
 * The biometric benchmark's synthetic gallery (bench/bio.ts, bench/bio/ready.ts): identities with four
 * captures each, so mated and non-mated probes behave as in a real gallery, and the plaintext float32 1:N
 * the encrypted search is compared with.
 */
import { identityCentroid, Xoshiro128 } from '#simulations';

export const PARAM = 'face-512-v1';
export const SEED = 2024;
export const CAPTURES = 4;

/** Gallery of n templates: identities with 4 captures each (genuine/impostor structure). */
export function fillGallery(n: number, dims: number): Float32Array {
  return fillTemplates(0, n, dims);
}

/** Templates first .. first + count - 1 of that gallery (the same values whatever range is asked for). */
export function fillTemplates(first: number, count: number, dims: number): Float32Array {
  const flat = new Float32Array(count * dims);
  let cached = -1;
  let c: Float32Array = new Float32Array(0);
  for (let t = first; t < first + count; t++) {
    const id = Math.floor(t / CAPTURES);
    const k = t % CAPTURES;
    if (id !== cached) {
      c = identityCentroid(SEED, id, dims);
      cached = id;
    }
    const rng = new Xoshiro128([SEED, id, k, 2, dims]);
    const a = 0.25 + 0.4 * rng.next();
    const sigma = Math.sqrt(a / dims);
    const off = (t - first) * dims;
    let s = 0;
    for (let i = 0; i < dims; i++) {
      const v = c[i]! + sigma * rng.gaussian();
      flat[off + i] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < dims; i++) flat[off + i] = flat[off + i]! * inv;
  }
  return flat;
}

export function plaintextScores(flat: Float32Array, n: number, dims: number, p: Float32Array, out: Float32Array): void {
  for (let t = 0; t < n; t++) {
    let s = 0;
    const off = t * dims;
    for (let i = 0; i < dims; i++) s += flat[off + i]! * p[i]!;
    out[t] = s;
  }
}
