/**
 * Byte helpers shared by every crypto module: length checks, concatenation, the one constant-time
 * comparison, and the hex / base64url / I2OSP encodings used by the specs we implement.
 *
 * Nothing here needs libsodium, so these work before `initCrypto()` and in the browser. Randomness
 * comes from WebCrypto `getRandomValues` (present in Node 20 and every browser we target); every
 * function that consumes randomness takes it as an `rng` parameter so tests can feed spec vectors.
 */
import { CryptoError } from './errors.ts';

/** A source of uniformly random bytes. Tests pass a deterministic one; production uses `randomBytes`. */
export type Rng = (n: number) => Uint8Array;

// WebCrypto refuses more than 65,536 bytes per call.
const GET_RANDOM_VALUES_MAX = 65_536;

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new CryptoError('bad_length', 'randomBytes: n must be a non-negative integer');
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += GET_RANDOM_VALUES_MAX) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + GET_RANDOM_VALUES_MAX)));
  }
  return out;
}

/**
 * Entry check of every exported crypto function: `x` must be a Uint8Array, and exactly `len` bytes long
 * when `len` is given. `name` says which argument was wrong (it is logged locally, never sent to a peer).
 */
export function abytes(x: unknown, len: number | undefined, name: string): Uint8Array {
  if (!(x instanceof Uint8Array)) throw new CryptoError('bad_length', `${name}: expected a Uint8Array`);
  if (len !== undefined && x.length !== len) {
    throw new CryptoError('bad_length', `${name}: expected ${len} bytes, got ${x.length}`);
  }
  return x;
}

/** Concatenate byte arrays into a fresh one. */
export function concatBytes(...arrays: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const [i, a] of arrays.entries()) total += abytes(a, undefined, `concatBytes[${i}]`).length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const a of arrays) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}

/**
 * The one comparison for secret bytes (MACs, tags, keys): time depends only on the lengths, which are
 * public. Lengths that differ compare unequal at once.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  abytes(a, undefined, 'a');
  abytes(b, undefined, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let s = '';
  for (const b of bytes) s += HEX[b];
  return s;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** Parse hex (either case, no prefix, no separators). */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) throw new CryptoError('bad_length', 'hex: expected an even-length string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new CryptoError('bad_request', 'hex: invalid character');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 encoding of a string (labels, identifiers). */
export function utf8(s: string): Uint8Array {
  if (typeof s !== 'string') throw new CryptoError('bad_request', 'utf8: expected a string');
  return encoder.encode(s);
}

/**
 * I2OSP(n, len) of RFC 8017 §4.1, as used by RFC 9380 and RFC 9497: `n` as a big-endian integer of exactly
 * `len` bytes. Throws if `n` does not fit.
 */
export function i2osp(n: number, len: number): Uint8Array {
  if (!Number.isSafeInteger(len) || len < 1 || len > 6) throw new CryptoError('bad_length', 'i2osp: len must be 1..6');
  if (!Number.isSafeInteger(n) || n < 0 || n >= 2 ** (8 * len)) {
    throw new CryptoError('bad_length', `i2osp: ${n} does not fit in ${len} bytes`);
  }
  const out = new Uint8Array(len);
  for (let i = len - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_INDEX[B64URL.charCodeAt(i)] = i;

/** base64url without padding (RFC 4648 §5). */
export function toBase64url(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let s = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    s += B64URL[v >> 18]! + B64URL[(v >> 12) & 63]! + B64URL[(v >> 6) & 63]! + B64URL[v & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = (bytes[i] as number) << 16;
    s += B64URL[v >> 18]! + B64URL[(v >> 12) & 63]!;
  } else if (rest === 2) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    s += B64URL[v >> 18]! + B64URL[(v >> 12) & 63]! + B64URL[(v >> 6) & 63]!;
  }
  return s;
}

/**
 * Strict base64url decoding: no padding, no whitespace, only the URL-safe alphabet, and the unused low
 * bits of the last character must be zero, so every byte string has exactly one accepted encoding.
 */
export function fromBase64url(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 === 1) throw new CryptoError('bad_request', 'base64url: invalid length');
  const vals = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (B64URL_INDEX[c] as number) : -1;
    if (v < 0) throw new CryptoError('bad_request', 'base64url: invalid character');
    vals[i] = v;
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 4 <= s.length; i += 4) {
    const v = (vals[i]! << 18) | (vals[i + 1]! << 12) | (vals[i + 2]! << 6) | vals[i + 3]!;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  const rest = s.length - i;
  if (rest === 2) {
    if ((vals[i + 1]! & 15) !== 0) throw new CryptoError('bad_request', 'base64url: non-canonical trailing bits');
    out[o++] = (vals[i]! << 2) | (vals[i + 1]! >> 4);
  } else if (rest === 3) {
    if ((vals[i + 2]! & 3) !== 0) throw new CryptoError('bad_request', 'base64url: non-canonical trailing bits');
    const v = (vals[i]! << 10) | (vals[i + 1]! << 4) | (vals[i + 2]! >> 2);
    out[o++] = v >> 8;
    out[o++] = v & 255;
  }
  return out;
}
