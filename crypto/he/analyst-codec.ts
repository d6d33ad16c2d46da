/**
 * The analyst's two raw CKKS steps, without any policy: encrypt a vector replicated over the slots (the
 * probe packing of docs/biometrics.md), and decrypt one result ciphertext's raw residues to slot values.
 *
 * `HeClient` wraps them with the probe rules (normalization and clipping) and reads only signs from
 * results; tests that play a hostile analyst use them directly, which is exactly what someone who
 * bypasses the SDK can do, so the leakage they measure is what the node must assume.
 */
import { CryptoError } from '../errors.ts';
import type { HeContext } from './context.ts';
import { ckksCodec, invmod, mulmod, nttTables, toResidues } from './ring.ts';
import { type Decryptor, type Encryptor, keep, withBag } from './seal.ts';
import { parsePlaintext, readResidues, writeF64, writeResidues } from './seal-format.ts';

/**
 * Encrypt `values` (d reals, taken as they are) as the probe ciphertext: p~[m] = values[2m] + i values[2m+1]
 * replicated with period h over the slots, at the probe scale; a seeded symmetric ciphertext blob.
 */
export function encryptReplicated(c: HeContext, enc: Encryptor, values: ArrayLike<number>): Uint8Array {
  const d = c.d;
  if (values.length !== d.p.dims) throw new CryptoError('bad_length', `probe: expected ${d.p.dims} values`);
  const zRe = new Float64Array(d.slots);
  const zIm = new Float64Array(d.slots);
  for (let j = 0; j < d.slots; j++) {
    const m = j % d.h;
    zRe[j] = values[2 * m]!;
    zIm[j] = values[2 * m + 1]!;
  }
  const coeffs = new Float64Array(d.n);
  ckksCodec(d.n).encodeFloat(zRe, zIm, d.probeScale, coeffs);
  const bytes = c.ptTemplate.slice();
  const r = new Uint32Array(d.n);
  for (let pi = 0; pi < d.q.length; pi++) {
    toResidues(coeffs, d.q[pi]!, r);
    nttTables(d.q[pi]!, d.n).forward(r);
    writeResidues(bytes, c.ptData.offset + pi * d.n * 8, r, d.n);
  }
  writeF64(bytes, c.ptScaleOffset, d.probeScale);
  return withBag((bag) => {
    const pt = keep(bag, c.seal.PlainText());
    pt.loadArray(c.ctx, bytes);
    return keep(bag, enc.encryptSymmetricSerializable(pt)).saveArray(c.seal.ComprModeType.none);
  });
}

/** Decrypt one result ciphertext (raw residues, layout [poly][prime][i]) to slot values (re, im) at `scale`. */
export function decryptSlots(c: HeContext, dec: Decryptor, words: Uint32Array, scale: number): { re: Float64Array; im: Float64Array } {
  const d = c.d;
  const bytes = c.ctTemplate.slice();
  writeResidues(bytes, c.ctData.offset, words, words.length);
  writeF64(bytes, c.ctScaleOffset, scale);
  const ptBytes = withBag((bag) => {
    const ct = keep(bag, c.seal.CipherText());
    try {
      ct.loadArray(c.ctx, bytes);
    } catch (e) {
      throw new CryptoError('bad_ciphertext', 'result ciphertext rejected', { cause: e });
    }
    const pt = keep(bag, dec.decrypt(ct));
    return pt.saveArray(c.seal.ComprModeType.none);
  });
  const info = parsePlaintext(ptBytes, c.d.p.primes.slice(0, -1), d.n);
  const q1 = d.q[0]!;
  const q2 = d.q[1]!;
  const a1 = new Uint32Array(d.n);
  const a2 = new Uint32Array(d.n);
  readResidues(ptBytes, info.data.offset, d.n, a1);
  readResidues(ptBytes, info.data.offset + d.n * 8, d.n, a2);
  nttTables(q1, d.n).inverse(a1);
  nttTables(q2, d.n).inverse(a2);
  // CRT for two primes: x = a1 + q1 * ((a2 - a1) * q1^-1 mod q2), centered.
  const inv = invmod(q1 % q2, q2);
  const q2Inv = 1 / q2;
  const coeffs = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    let diff = a2[i]! - (a1[i]! % q2);
    if (diff < 0) diff += q2;
    let k = mulmod(diff, inv, q2, q2Inv);
    if (k > q2 / 2) k -= q2;
    coeffs[i] = a1[i]! + q1 * k;
  }
  const re = new Float64Array(d.slots);
  const im = new Float64Array(d.slots);
  ckksCodec(d.n).decode(coeffs, scale, re, im);
  return { re, im };
}
