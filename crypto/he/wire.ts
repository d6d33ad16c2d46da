/**
 * The match result blob (node -> analyst): masked score ciphertexts as raw NTT-form residues.
 *
 *   magic 'VHR1' (4) | param code (1) | kind (1: masked, 2: unmasked test-only) | reserved (2)
 *   | positions (u32) | ciphertexts (u32) | ciphertexts x (2 polys x L primes x N) u32 residues
 *
 * Masked: ciphertext t covers blocks 2t (real parts) and 2t+1 (imaginary parts), 2 x 2048 positions.
 * Unmasked (tests and benchmarks only; never produced by the node flow): ciphertext b is block b's raw
 * scores in the real parts.
 */
import { CryptoError } from '../errors.ts';
import { type Derived, HE_PARAM_CODES, type HeParamId } from './params.ts';

export const RESULT_MAGIC = 0x56485231;
export const RESULT_HEADER = 16;
export const KIND_MASKED = 1;
export const KIND_UNMASKED = 2;
/** Hard cap on positions per result (10^7 templates). */
export const MAX_POSITIONS = 10_000_000;

export function ctWords(d: Derived): number {
  return 2 * d.q.length * d.n;
}

export function expectedCts(d: Derived, positions: number, kind: number): number {
  const perCt = kind === KIND_MASKED ? 2 * d.blockSize : d.blockSize;
  return Math.max(1, Math.ceil(positions / perCt));
}

export function writeResult(id: HeParamId, d: Derived, kind: number, positions: number, cts: Uint32Array[]): Uint8Array {
  const words = ctWords(d);
  const out = new Uint8Array(RESULT_HEADER + cts.length * words * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, RESULT_MAGIC, false);
  dv.setUint8(4, HE_PARAM_CODES[id]);
  dv.setUint8(5, kind);
  dv.setUint32(8, positions, true);
  dv.setUint32(12, cts.length, true);
  let off = RESULT_HEADER;
  for (const c of cts) {
    if (c.length !== words) throw new Error('writeResult: bad ciphertext size');
    out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), off);
    off += words * 4;
  }
  return out;
}

export interface ParsedResult {
  readonly kind: number;
  readonly positions: number;
  readonly cts: Uint32Array[];
}

/** Validate and split a result blob for the expected parameters. */
export function readResult(id: HeParamId, d: Derived, blob: unknown): ParsedResult {
  if (!(blob instanceof Uint8Array)) throw new CryptoError('bad_request', 'result: expected bytes');
  if (blob.length < RESULT_HEADER) throw new CryptoError('bad_length', 'result: truncated');
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (dv.getUint32(0, false) !== RESULT_MAGIC) throw new CryptoError('bad_ciphertext', 'result: bad magic');
  if (dv.getUint8(4) !== HE_PARAM_CODES[id]) throw new CryptoError('bad_ciphertext', 'result: other parameter set');
  const kind = dv.getUint8(5);
  if (kind !== KIND_MASKED && kind !== KIND_UNMASKED) throw new CryptoError('bad_ciphertext', 'result: unknown kind');
  const positions = dv.getUint32(8, true);
  const n = dv.getUint32(12, true);
  if (positions > MAX_POSITIONS) throw new CryptoError('too_large', 'result: too many positions');
  if (n !== expectedCts(d, positions, kind)) throw new CryptoError('bad_ciphertext', 'result: wrong ciphertext count');
  const words = ctWords(d);
  const want = RESULT_HEADER + n * words * 4;
  if (blob.length > want) throw new CryptoError('too_large', 'result: trailing bytes');
  if (blob.length < want) throw new CryptoError('bad_length', 'result: truncated');
  const all = new Uint32Array(n * words);
  new Uint8Array(all.buffer).set(blob.subarray(RESULT_HEADER));
  const cts: Uint32Array[] = [];
  for (let t = 0; t < n; t++) {
    const c = all.subarray(t * words, (t + 1) * words);
    for (let pi = 0; pi < 2 * d.q.length; pi++) {
      const q = d.q[pi % d.q.length]!;
      for (let i = pi * d.n, e = i + d.n; i < e; i++) if (!(c[i]! < q)) throw new CryptoError('bad_ciphertext', 'result: residue not reduced');
    }
    cts.push(c);
  }
  return { kind, positions, cts };
}
