/**
 * The fused multiply-accumulate: for one gallery block, out[c][prime][i] = sum_k P_k[c][prime][i] * G_k[prime][i]
 * mod q over the NTT-form residues, in plain JS — the same public linear operation as h SEAL
 * `multiply_plain` + `add` calls, without h round trips through SEAL.
 *
 * Exactness: residues are < q < 2^30. Each probe residue is split into 15-bit halves (hi, lo), so every
 * product hi*g or lo*g is < 2^45 and a sum of h <= 256 of them is < 2^53: exact in float64. One reduction
 * per output coefficient: ((H mod q) * 2^15 + L) mod q, all below 2^53.
 */
import type { Derived } from './params.ts';

/**
 * Probe diagonals prepared for the kernel: per prime a Float64Array of N*h*4 in [i][k][c0hi, c0lo, c1hi, c1lo]
 * order (a point's h diagonals are contiguous, matching the gallery's [i][k] layout).
 */
export type PreparedProbe = Float64Array[];

export function newPreparedProbe(d: Derived): PreparedProbe {
  return d.q.map(() => new Float64Array(d.n * d.h * 4));
}

/** Store the residues of rotated probe P_k (SEAL ct layout: [poly][prime][i]) into the prepared form. */
export function putDiagonal(d: Derived, pp: PreparedProbe, k: number, words: Uint32Array): void {
  const { n, h } = d;
  const L = d.q.length;
  for (let pi = 0; pi < L; pi++) {
    const dst = pp[pi]!;
    const c0 = pi * n;
    const c1 = (L + pi) * n;
    for (let i = 0; i < n; i++) {
      const a = words[c0 + i]!;
      const b = words[c1 + i]!;
      const o = (i * h + k) * 4;
      dst[o] = a >>> 15;
      dst[o + 1] = a & 32767;
      dst[o + 2] = b >>> 15;
      dst[o + 3] = b & 32767;
    }
  }
}

/** Points per tile: the tile's probe diagonals (TILE * h * 32 bytes per prime) stay in cache across blocks. */
export const TILE = 16;

/**
 * outs[b] (SEAL ct layout, 2 * L * N words) = sum_k P_k * G_k for each block b, where gs[b] is block b's
 * residues per prime in [i][k] order. Blocks are the inner loop so the probe tile is reused from cache and
 * the gallery is streamed once.
 */
export function macBlocks(d: Derived, pp: PreparedProbe, gs: readonly (readonly Uint32Array[])[], outs: readonly Uint32Array[]): void {
  const { n, h } = d;
  const L = d.q.length;
  for (let pi = 0; pi < L; pi++) {
    const q = d.q[pi]!;
    const P = pp[pi]!;
    const o0 = pi * n;
    const o1 = (L + pi) * n;
    for (let i0 = 0; i0 < n; i0 += TILE) {
      for (let b = 0; b < gs.length; b++) {
        const G = gs[b]![pi]!;
        const out = outs[b]!;
        for (let i = i0; i < i0 + TILE; i++) {
          let h0 = 0;
          let l0 = 0;
          let h1 = 0;
          let l1 = 0;
          const gb = i * h;
          let pb = gb * 4;
          for (let k = 0; k < h; k++, pb += 4) {
            const x = G[gb + k]!;
            h0 += P[pb]! * x;
            l0 += P[pb + 1]! * x;
            h1 += P[pb + 2]! * x;
            l1 += P[pb + 3]! * x;
          }
          out[o0 + i] = ((h0 % q) * 32768 + l0) % q;
          out[o1 + i] = ((h1 % q) * 32768 + l1) % q;
        }
      }
    }
  }
}
