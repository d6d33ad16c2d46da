/**
 * Encoding one gallery block (2048 templates) into its h diagonal plaintexts, in NTT form per data prime:
 * for each diagonal k the slot vector z_k[j] = g_j[2m] - i g_j[2m+1], m = (j+k) mod h, at the gallery
 * scale, rounded, reduced per prime and NTT'd (SEAL's NTT), stored in [point][diagonal] order.
 * Slots that are not occupied encode as zero whatever their template row holds.
 */

import type { Derived } from './params.ts';
import { COLS, RingScratch } from './ring-scratch.ts';

/** KG diagonals are NTT'd together and stored point by point, so each store fills whole cache lines of [i][k]. */
const KG = COLS;

export function encodeBlockResidues(d: Derived, templates: Float32Array, occupied: Uint8Array, out: readonly Uint32Array[]): void {
  const { n, slots, h } = d;
  const dims = d.p.dims;
  const ntt = RingScratch.for(d);
  const zRe = new Float64Array(slots);
  const zIm = new Float64Array(slots);
  const t = templates;
  for (let k0 = 0; k0 < h; k0 += KG) {
    const kg = Math.min(KG, h - k0);
    for (let kk = 0; kk < kg; kk++) {
      const k = k0 + kk;
      for (let j = 0; j < slots; j++) {
        if (!occupied[j]) {
          zRe[j] = 0;
          zIm[j] = 0;
          continue;
        }
        const base = j * dims + 2 * ((j + k) % h);
        zRe[j] = t[base]!;
        zIm[j] = -t[base + 1]!;
      }
      ntt.encode(zRe, zIm, d.galleryScale, kk);
      for (let pi = 0; pi < d.q.length; pi++) ntt.forward(pi, kk);
    }
    for (let pi = 0; pi < d.q.length; pi++) {
      const r = out[pi]!;
      const all = ntt.columns(pi);
      for (let i = 0; i < n; i++) {
        const o = i * h + k0;
        for (let kk = 0; kk < kg; kk++) r[o + kk] = all[kk * n + i]!;
      }
    }
  }
}
