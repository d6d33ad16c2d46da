/**
 * Masking on residues (fast path, shared by the server and its worker thread).
 *
 * The same computation as the SEAL baseline (`SealBaseline.maskPair`), but every plaintext multiplication
 * and addition is done point-wise on the NTT-form residues in JS (exact modular arithmetic, so the output is
 * identical word for word); only the conjugation (and the permutation's rotation) needs a key switch,
 * done by `Rotations` (our wasm key switching, or SEAL's in the baseline).
 *
 *   c± = R1·o1 ± (R2·T)·o2,  W = c+ + conj(c−) + A
 *
 * Randomness for a pair is drawn up front (R1: slots·4 bytes, R2: slots·4, e: 2·slots·4, in that order —
 * the order the baseline draws it), so a pair can be masked on either thread with the same result.
 */

import type { Derived } from './params.ts';
import { ckksCodec, roundSelfConjugate } from './ring.ts';
import { RingScratch } from './ring-scratch.ts';
import type { Rotations } from './workspace.ts';

/** Random bytes per pair. */
export function maskRandomBytes(d: Derived): number {
  return 4 * d.slots * 4;
}

/** Rounded integer coefficients -> NTT-form residues per prime (what SEAL plaintexts hold). */
export function nttResidues(d: Derived, coeffs: Float64Array): Uint32Array[] {
  const s = RingScratch.for(d);
  s.residues(coeffs, 'a');
  const w = s.ptWords('a');
  return d.q.map((_, pi) => w.slice(pi * d.n, (pi + 1) * d.n));
}

interface Fixed {
  /** sigma_j = Im(T slot j) = ±1, T = X^(N/2). */
  sigma: Float64Array;
  /** NTT residues of T per prime. */
  t: Uint32Array[];
}
const fixedCache = new Map<string, Fixed>();
export function maskFixed(d: Derived): Fixed {
  let f = fixedCache.get(d.p.id);
  if (!f) {
    const coeffs = new Float64Array(d.n);
    coeffs[d.n / 2] = 1;
    const re = new Float64Array(d.slots);
    const im = new Float64Array(d.slots);
    ckksCodec(d.n).decode(coeffs, 1, re, im);
    f = { sigma: im.map((x) => (x > 0 ? 1 : -1)), t: nttResidues(d, coeffs) };
    fixedCache.set(d.p.id, f);
  }
  return f;
}

/**
 * Log-uniform multiplier vector from `bytes` (slots·4), encoded exactly real (self-conjugate rounding);
 * returns its coefficients and exact slot values.
 */
export function multiplierCoeffs(d: Derived, bytes: Uint8Array, sign: Float64Array | undefined): { coeffs: Float64Array; rho: Float64Array } {
  const { rMinBits, rMaxBits } = d.p;
  const u = new Uint32Array(d.slots);
  new Uint8Array(u.buffer).set(bytes.subarray(0, d.slots * 4));
  const z = new Float64Array(d.slots);
  for (let j = 0; j < d.slots; j++) z[j] = 2 ** (rMinBits + ((rMaxBits - rMinBits) * u[j]!) / 2 ** 32) * (sign ? sign[j]! : 1);
  const codec = ckksCodec(d.n);
  const coeffs = new Float64Array(d.n);
  codec.encodeFloat(z, undefined, 1, coeffs);
  roundSelfConjugate(coeffs);
  const rho = new Float64Array(d.slots);
  const im = new Float64Array(d.slots);
  codec.decode(coeffs, 1, rho, im);
  return { coeffs, rho };
}

/** Coefficients of A = 2(-rho1 tau + e1) + i 2(-sigma rho2 tau + e2) at the given scale, e ~ U[0, rho 2^-eBits). */
export function offsetCoeffs(
  d: Derived,
  rho1: Float64Array,
  rho2: Float64Array,
  sigma: Float64Array,
  tau: number,
  eBytes: Uint8Array,
  scale: number,
): Float64Array {
  const e = new Uint32Array(2 * d.slots);
  new Uint8Array(e.buffer).set(eBytes.subarray(0, 2 * d.slots * 4));
  const aRe = new Float64Array(d.slots);
  const aIm = new Float64Array(d.slots);
  const eMax = 2 ** -d.p.eBits / 2 ** 32;
  for (let j = 0; j < d.slots; j++) {
    const r1 = rho1[j]!;
    const r2 = sigma[j]! * rho2[j]!;
    aRe[j] = 2 * (-r1 * tau + r1 * e[j]! * eMax);
    aIm[j] = 2 * (-r2 * tau + r2 * e[d.slots + j]! * eMax);
  }
  const coeffs = new Float64Array(d.n);
  ckksCodec(d.n).encodeFloat(aRe, aIm, scale, coeffs);
  return coeffs;
}

/**
 * Mask one pair of block outputs (o2 may be absent for an odd last block) with the pair's random bytes
 * (`maskRandomBytes(d)`), writing the masked ciphertext words into `out`.
 */
export function maskPairResidues(
  d: Derived,
  rot: Rotations,
  o1: Uint32Array,
  o2: Uint32Array | undefined,
  tau: number,
  rnd: Uint8Array,
  out: Uint32Array,
  rotation = 0,
): void {
  const { n, slots } = d;
  const L = d.q.length;
  const scale = d.probeScale * d.galleryScale;
  const fx = maskFixed(d);
  const s = RingScratch.for(d);
  const k = s.k;
  const m1 = multiplierCoeffs(d, rnd.subarray(0, slots * 4), undefined);
  const m2 = multiplierCoeffs(d, rnd.subarray(slots * 4, 2 * slots * 4), fx.sigma);
  s.residues(m1.coeffs, 'r1');
  s.residues(m2.coeffs, 'r2');
  s.residues(offsetCoeffs(d, m1.rho, m2.rho, fx.sigma, tau, rnd.subarray(2 * slots * 4, 4 * slots * 4), scale), 'a');
  s.ctWords('o1').set(o1);
  if (o2) s.ctWords('o2').set(o2);
  const tw = s.ptWords('t');
  for (let pi = 0; pi < L; pi++) tw.set(fx.t[pi]!, pi * n);
  for (let pi = 0; pi < L; pi++) {
    const q = d.q[pi]!;
    // R2·T, in place
    if (o2) k.mulv(s.pt('r2', pi), s.pt('r2', pi), s.pt('t', pi), n, q);
    for (let poly = 0; poly < 2; poly++) {
      k.mulv(s.ct('u', poly, pi), s.ct('o1', poly, pi), s.pt('r1', pi), n, q);
      if (o2) {
        k.mulv(s.ct('v', poly, pi), s.ct('o2', poly, pi), s.pt('r2', pi), n, q);
        k.pm(s.ct('out', poly, pi), s.ct('cm', poly, pi), s.ct('u', poly, pi), s.ct('v', poly, pi), n, q);
      }
    }
  }
  if (!o2) {
    s.ctWords('out').set(s.ctWords('u'));
    s.ctWords('cm').set(s.ctWords('u'));
  }
  // conj(c−): the only key switch.
  rot.conjugate(s.ctWords('cm'));
  for (let pi = 0; pi < L; pi++) {
    const q = d.q[pi]!;
    for (let poly = 0; poly < 2; poly++) k.addv(s.ct('out', poly, pi), s.ct('out', poly, pi), s.ct('cm', poly, pi), n, q);
    k.addv(s.ct('out', 0, pi), s.ct('out', 0, pi), s.pt('a', pi), n, q);
  }
  out.set(s.ctWords('out'));
  if (rotation) rot.rotate(out, rotation);
}
