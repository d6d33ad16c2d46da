/**
 * The SEAL baseline of encrypted scoring: every multiply-accumulate and mask step as one SEAL call. It is
 * slower than the fused residue kernels and kept to cross-check them word for word (`mode: 'seal'`).
 */
import type { Rng } from '../bytes.ts';
import type { HeContext } from './context.ts';
import { multiplierCoeffs } from './mask.ts';
import { ckksCodec } from './ring.ts';
import { type CipherText, type Deletable, type GaloisKeys, keep, type PlainText, withBag } from './seal.ts';
import { writeF64, writeResidues } from './seal-format.ts';
import { ciphertextOf, plaintextOf, wordsOf } from './seal-io.ts';

export class SealBaseline {
  constructor(
    private readonly c: HeContext,
    /** T = X^(N/2) in NTT form. */
    private readonly t: PlainText,
  ) {}

  /** Baseline: sum_k P_k * G_k with one SEAL multiply_plain + add per diagonal. */
  mac(rot: CipherText[], g: readonly Uint32Array[]): Uint32Array {
    const c = this.c;
    const d = c.d;
    return withBag((bag) => {
      let acc: CipherText | undefined;
      const col = new Uint32Array(d.n);
      for (let k = 0; k < d.h; k++) {
        const bytes = c.ptTemplate.slice();
        for (let pi = 0; pi < d.q.length; pi++) {
          const G = g[pi]!;
          for (let i = 0; i < d.n; i++) col[i] = G[i * d.h + k]!;
          writeResidues(bytes, c.ptData.offset + pi * d.n * 8, col, d.n);
        }
        writeF64(bytes, c.ptScaleOffset, d.galleryScale);
        const pt = keep(bag, c.seal.PlainText());
        pt.loadArray(c.ctx, bytes);
        const prod = keep(bag, c.evaluator.multiplyPlain(rot[k]!, pt));
        if (acc) c.evaluator.add(acc, prod, acc);
        else acc = prod;
      }
      return wordsOf(this.c, acc!);
    });
  }

  /** Draw a log-uniform multiplier vector and encode it exactly real; returns plaintext and exact slot values. */
  #multiplier(rng: Rng, sign: Float64Array | undefined, bag: Deletable[]): { pt: PlainText; rho: Float64Array } {
    const { coeffs, rho } = multiplierCoeffs(this.c.d, rng(this.c.d.slots * 4), sign);
    return { pt: keep(bag, plaintextOf(this.c, coeffs, 1)), rho };
  }

  #sigma: Float64Array | undefined;
  /** sigma_j = Im(T slot j) = +-1. */
  #sigmas(): Float64Array {
    if (!this.#sigma) {
      const d = this.c.d;
      const coeffs = new Float64Array(d.n);
      coeffs[d.n / 2] = 1;
      const re = new Float64Array(d.slots);
      const im = new Float64Array(d.slots);
      ckksCodec(d.n).decode(coeffs, 1, re, im);
      this.#sigma = im.map((x) => (x > 0 ? 1 : -1));
    }
    return this.#sigma;
  }

  /** Baseline masking: every step a SEAL call (kept for cross-checking the residue path). */
  maskPair(o1: Uint32Array, o2: Uint32Array | undefined, gk: GaloisKeys, tau: number, rng: Rng): Uint32Array {
    const c = this.c;
    const d = c.d;
    const ev = c.evaluator;
    const scale = d.probeScale * d.galleryScale;
    const sigma = this.#sigmas();
    return withBag((bag) => {
      const R1 = this.#multiplier(rng, undefined, bag);
      const R2 = this.#multiplier(rng, sigma, bag);
      const c1 = keep(bag, ciphertextOf(this.c, o1, scale));
      const u = keep(bag, ev.multiplyPlain(c1, R1.pt));
      let cp: CipherText = u;
      let cm: CipherText = u;
      if (o2) {
        const c2 = keep(bag, ciphertextOf(this.c, o2, scale));
        const v = keep(bag, ev.multiplyPlain(c2, R2.pt));
        const tv = keep(bag, ev.multiplyPlain(v, this.t));
        cp = keep(bag, ev.add(u, tv));
        cm = keep(bag, ev.sub(u, tv));
      }
      const cj = keep(bag, ev.complexConjugate(cm, gk));
      const w = keep(bag, ev.add(cp, cj));
      // A = 2(-rho1 tau + e1) + i 2(-sigma rho2 tau + e2), e ~ U[0, rho 2^-eBits).
      const e = new Uint32Array(2 * d.slots);
      new Uint8Array(e.buffer).set(rng(2 * d.slots * 4));
      const aRe = new Float64Array(d.slots);
      const aIm = new Float64Array(d.slots);
      const eMax = 2 ** -d.p.eBits / 2 ** 32;
      for (let j = 0; j < d.slots; j++) {
        const r1 = R1.rho[j]!;
        const r2 = sigma[j]! * R2.rho[j]!;
        aRe[j] = 2 * (-r1 * tau + r1 * e[j]! * eMax);
        aIm[j] = 2 * (-r2 * tau + r2 * e[d.slots + j]! * eMax);
      }
      const coeffs = new Float64Array(d.n);
      ckksCodec(d.n).encodeFloat(aRe, aIm, scale, coeffs);
      const A = keep(bag, plaintextOf(this.c, coeffs, scale));
      ev.addPlain(w, A, w);
      return wordsOf(this.c, w);
    });
  }
}
