/**
 * Reading and checking SEAL 4.1 serializations without handing untrusted bytes to SEAL first.
 *
 * SEAL's WASM build can abort (not throw) on some malformed inputs, so a blob from a peer is accepted only
 * if it has exactly the structure of a blob we generated ourselves for the same pinned parameters (a
 * "template"): same length, every structural byte equal (headers, parms_id, sizes, scale, Galois indices),
 * and only the variable regions free — the RNS residues of a polynomial (each checked < its prime) and the
 * 64-byte PRNG seeds of seeded objects. Only then does SEAL see the bytes, and SEAL checks them again
 * (`is_valid_for`) when loading with a context.
 *
 * Layout (uncompressed, little-endian), as SEAL 4.1 writes it:
 *   SEALHeader(16): magic 0xA15E, header size 16, version 4.1, compr mode, reserved, total size (u64)
 *   Ciphertext: parms_id(32) | is_ntt_form(1) | size(u64) | N(u64) | L(u64) | scale(f64) | correction(u64)
 *               | DynArray: SEALHeader(16) | count(u64) | count u64 residues (poly-major, prime-major)
 *               | [seeded: SEALHeader(16) | prng type(1) | seed(64)]
 *   Plaintext:  parms_id(32) | coeff count(u64) | scale(f64) | DynArray as above
 *   GaloisKeys: parms_id(32) | n1(u64) | n1 x ( n2(u64) | n2 x Ciphertext-with-header )
 */
import { CryptoError, type CryptoErrorCode } from '../errors.ts';

const HEADER = 16;

export interface ResidueRegion {
  readonly offset: number;
  /** Number of u64 residues. */
  readonly count: number;
  /** Primes in order: residue k belongs to primes[floor((k mod (N * primes.length)) / N)]. */
  readonly primes: readonly bigint[];
  readonly n: number;
}

export interface SeedRegion {
  readonly offset: number;
  readonly length: number;
}

export interface CiphertextInfo {
  readonly start: number;
  readonly end: number;
  readonly nttOffset: number;
  readonly scaleOffset: number;
  readonly data: ResidueRegion;
  readonly seed: SeedRegion | undefined;
}

function u64(buf: Uint8Array, off: number): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lo = dv.getUint32(off, true);
  const hi = dv.getUint32(off + 4, true);
  return hi * 2 ** 32 + lo;
}

function checkHeader(buf: Uint8Array, off: number): number {
  if (off + HEADER > buf.length || buf[off] !== 0x5e || buf[off + 1] !== 0xa1 || buf[off + 2] !== 0x10) {
    throw new Error('seal-format: bad SEAL header in a trusted template');
  }
  return u64(buf, off + 8);
}

/** Parse a (trusted) serialized ciphertext starting at `off`. `primes` are those of its level. */
export function parseCiphertext(buf: Uint8Array, off: number, primes: readonly bigint[]): CiphertextInfo {
  const total = checkHeader(buf, off);
  const p = off + HEADER;
  const nttOffset = p + 32;
  const n = u64(buf, p + 41);
  const l = u64(buf, p + 49);
  if (l !== primes.length) throw new Error('seal-format: template level mismatch');
  const scaleOffset = p + 57;
  const arr = p + 73;
  checkHeader(buf, arr);
  const count = u64(buf, arr + HEADER);
  const dataOffset = arr + HEADER + 8;
  let end = dataOffset + count * 8;
  let seed: SeedRegion | undefined;
  if (end < off + total) {
    checkHeader(buf, end);
    seed = { offset: end + HEADER + 1, length: 64 };
    end = end + HEADER + 65;
  }
  if (end !== off + total) throw new Error('seal-format: unexpected ciphertext layout');
  return { start: off, end, nttOffset, scaleOffset, data: { offset: dataOffset, count, primes, n }, seed };
}

/** Parse a (trusted) serialized plaintext: returns its residue region and scale offset. */
export function parsePlaintext(buf: Uint8Array, primes: readonly bigint[], n: number): { data: ResidueRegion; scaleOffset: number } {
  const total = checkHeader(buf, 0);
  const p = HEADER;
  const scaleOffset = p + 40;
  const arr = p + 48;
  checkHeader(buf, arr);
  const count = u64(buf, arr + HEADER);
  const dataOffset = arr + HEADER + 8;
  if (dataOffset + count * 8 !== total) throw new Error('seal-format: unexpected plaintext layout');
  return { data: { offset: dataOffset, count, primes, n }, scaleOffset };
}

/** Parse (trusted) serialized Galois keys: every key-switching ciphertext in order. */
export function parseGaloisKeys(buf: Uint8Array, keyPrimes: readonly bigint[]): CiphertextInfo[] {
  const total = checkHeader(buf, 0);
  let p = HEADER + 32;
  const n1 = u64(buf, p);
  p += 8;
  const out: CiphertextInfo[] = [];
  for (let i = 0; i < n1; i++) {
    const n2 = u64(buf, p);
    p += 8;
    for (let j = 0; j < n2; j++) {
      const ct = parseCiphertext(buf, p, keyPrimes);
      out.push(ct);
      p = ct.end;
    }
  }
  if (p !== total) throw new Error('seal-format: unexpected Galois keys layout');
  return out;
}

/** The variable parts of a template; everything else must match byte for byte. */
export interface BlobShape {
  readonly template: Uint8Array;
  readonly residues: readonly ResidueRegion[];
  readonly seeds: readonly SeedRegion[];
}

/**
 * Check an untrusted blob against a template shape; throws CryptoError(`code`) on any difference.
 * Runs in time linear in the blob size, touches no SEAL code.
 */
export function checkAgainstShape(blob: unknown, shape: BlobShape, code: CryptoErrorCode, what: string): Uint8Array {
  if (!(blob instanceof Uint8Array)) throw new CryptoError('bad_request', `${what}: expected bytes`);
  const t = shape.template;
  if (blob.length > t.length) throw new CryptoError('too_large', `${what}: ${blob.length} bytes, expected ${t.length}`);
  if (blob.length !== t.length) throw new CryptoError('bad_length', `${what}: ${blob.length} bytes, expected ${t.length}`);
  // Structural bytes: compare everything outside the variable regions.
  const free: Array<[number, number]> = [];
  for (const r of shape.residues) free.push([r.offset, r.offset + r.count * 8]);
  for (const s of shape.seeds) free.push([s.offset, s.offset + s.length]);
  free.sort((a, b) => a[0] - b[0]);
  let pos = 0;
  for (const [a, b] of free) {
    for (let i = pos; i < a; i++) if (blob[i] !== t[i]) throw new CryptoError(code, `${what}: structure differs at byte ${i}`);
    pos = b;
  }
  for (let i = pos; i < t.length; i++) if (blob[i] !== t[i]) throw new CryptoError(code, `${what}: structure differs at byte ${i}`);
  // Residues must be reduced modulo their prime.
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (const r of shape.residues) {
    const per = r.n * r.primes.length;
    const bounds = r.primes.map((q) => Number(q));
    for (let k = 0; k < r.count; k++) {
      const off = r.offset + k * 8;
      const v = dv.getUint32(off + 4, true) * 2 ** 32 + dv.getUint32(off, true);
      const q = bounds[Math.floor((k % per) / r.n)]!;
      if (!(v < q)) throw new CryptoError(code, `${what}: residue not reduced`);
    }
  }
  return blob;
}

/** Copy u64 residues [from, from+count) of a region into a Uint32Array (values < 2^32 assumed). */
export function readResidues(buf: Uint8Array, offset: number, count: number, out: Uint32Array, outOffset = 0): void {
  // Aligned copy, then take low words.
  const tmp = new Uint32Array(count * 2);
  new Uint8Array(tmp.buffer).set(buf.subarray(offset, offset + count * 8));
  for (let i = 0; i < count; i++) out[outOffset + i] = tmp[2 * i]!;
}

/** Write residues (u32 values) as u64 little-endian at `offset`. */
export function writeResidues(buf: Uint8Array, offset: number, src: ArrayLike<number>, count: number, srcOffset = 0): void {
  const tmp = new Uint32Array(count * 2);
  for (let i = 0; i < count; i++) tmp[2 * i] = src[srcOffset + i]!;
  buf.set(new Uint8Array(tmp.buffer), offset);
}

export function writeF64(buf: Uint8Array, offset: number, x: number): void {
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setFloat64(offset, x, true);
}
