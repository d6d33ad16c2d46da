/**
 * Hash functions and key derivation, all through libsodium:
 * - SHA-256 / SHA-512 (FIPS 180-4): `crypto_hash_sha256` / `crypto_hash_sha512`;
 * - keyed BLAKE2b (RFC 7693): `crypto_generichash` with a 32-byte key, a MAC / PRF for local use;
 * - subkey derivation: HKDF-Expand (RFC 5869 §2.3) with HMAC-SHA-256, keyed by a 32-byte uniformly random
 *   key, so the Extract step is not needed (RFC 5869 §3.3). The label is the HKDF `info`.
 */

import { abytes, concatBytes, utf8 } from './bytes.ts';
import { CryptoError } from './errors.ts';
import { sodium } from './sodium.ts';

/** SHA-256 (FIPS 180-4). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return sodium().crypto_hash_sha256(abytes(bytes, undefined, 'bytes'));
}

/** SHA-512 (FIPS 180-4). */
export function sha512(bytes: Uint8Array): Uint8Array {
  return sodium().crypto_hash_sha512(abytes(bytes, undefined, 'bytes'));
}

/** Keyed BLAKE2b (RFC 7693 §2.5, libsodium `crypto_generichash`): a PRF / MAC of 16..64 bytes. */
export function keyedHash(key: Uint8Array, msg: Uint8Array, outLen: number): Uint8Array {
  abytes(key, 32, 'key');
  abytes(msg, undefined, 'msg');
  if (!Number.isInteger(outLen) || outLen < 16 || outLen > 64) throw new CryptoError('bad_length', 'keyedHash: outLen must be 16..64');
  return sodium().crypto_generichash(outLen, msg, key);
}

const HKDF_SHA256_MAX = 255 * 32;

/**
 * HKDF-Expand-SHA-256(key, info = label, len) (RFC 5869 §2.3). `key` must already be uniformly random
 * (a generated secret, not a password or a DH output), which is what lets us skip HKDF-Extract.
 * Distinct labels give independent subkeys.
 */
export function deriveSubkey(key: Uint8Array, label: string, len: number): Uint8Array {
  abytes(key, 32, 'key');
  if (typeof label !== 'string' || label.length === 0) throw new CryptoError('bad_request', 'deriveSubkey: empty label');
  if (!Number.isInteger(len) || len < 1 || len > HKDF_SHA256_MAX) throw new CryptoError('bad_length', 'deriveSubkey: bad length');
  const s = sodium();
  const info = utf8(label);
  const out = new Uint8Array(len);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, off = 0; off < len; i++, off += 32) {
    // T(i) = HMAC-Hash(PRK, T(i-1) | info | i)
    t = s.crypto_auth_hmacsha256(concatBytes(t, info, Uint8Array.of(i)), key);
    out.set(t.subarray(0, Math.min(32, len - off)), off);
  }
  return out;
}
