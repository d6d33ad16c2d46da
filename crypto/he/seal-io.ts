/**
 * Moving values between our residue arrays and SEAL objects without SEAL's encoder: plaintexts and
 * ciphertexts are written into a serialized template of the pinned parameters and loaded, and read back
 * from SEAL's uncompressed serialization (seal-format.ts explains the layout).
 */
import type { HeContext } from './context.ts';
import { nttTables, toResidues } from './ring.ts';
import type { CipherText, GaloisKeys, PlainText } from './seal.ts';
import { readResidues, writeF64, writeResidues } from './seal-format.ts';
import { ctWords } from './wire.ts';
import type { Rotations } from './workspace.ts';

/** Rounded integer coefficients -> SEAL plaintext (NTT form, first level) with the given scale field. */
export function plaintextOf(c: HeContext, coeffs: Float64Array, scale: number): PlainText {
  const d = c.d;
  const bytes = c.ptTemplate.slice();
  const r = new Uint32Array(d.n);
  for (let pi = 0; pi < d.q.length; pi++) {
    toResidues(coeffs, d.q[pi]!, r);
    nttTables(d.q[pi]!, d.n).forward(r);
    writeResidues(bytes, c.ptData.offset + pi * d.n * 8, r, d.n);
  }
  writeF64(bytes, c.ptScaleOffset, scale);
  const pt = c.seal.PlainText();
  pt.loadArray(c.ctx, bytes);
  return pt;
}

/** Ciphertext words (SEAL layout) -> SEAL ciphertext with the given scale field. */
export function ciphertextOf(c: HeContext, words: Uint32Array, scale: number): CipherText {
  const bytes = c.ctTemplate.slice();
  writeResidues(bytes, c.ctData.offset, words, words.length);
  writeF64(bytes, c.ctScaleOffset, scale);
  const ct = c.seal.CipherText();
  ct.loadArray(c.ctx, bytes);
  return ct;
}

/** SEAL ciphertext -> its words (SEAL layout [poly][prime][i]). */
export function wordsOf(c: HeContext, ct: CipherText): Uint32Array {
  const bytes = ct.saveArray(c.seal.ComprModeType.none);
  const w = new Uint32Array(ctWords(c.d));
  readResidues(bytes, bytes.length - w.length * 8, w.length, w);
  return w;
}

/**
 * SEAL's key switching behind the `Rotations` interface (the baseline, `mode: 'seal'`): words are loaded
 * at scale `scale`, rotated by power-of-two steps in ascending order, and read back.
 */
export function sealRotations(c: HeContext, gk: GaloisKeys, scale: number): Rotations {
  const once = (words: Uint32Array, op: (ct: CipherText) => unknown) => {
    const bag: CipherText[] = [ciphertextOf(c, words, scale)];
    try {
      const r = op(bag[0]!) as CipherText | undefined;
      if (!r) throw new Error('SEAL returned nothing');
      bag.push(r);
      words.set(wordsOf(c, r));
    } finally {
      for (const ct of bag) ct.delete();
    }
  };
  return {
    conjugate: (words) => once(words, (ct) => c.evaluator.complexConjugate(ct, gk)),
    rotate: (words, step) => {
      for (let s = 1; s < c.d.h; s *= 2) if (step & s) once(words, (ct) => c.evaluator.rotateVector(ct, s, gk));
    },
  };
}
