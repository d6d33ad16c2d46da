/**
 * The one decode path for ristretto255 group elements received from anyone else (RFC 9496 §4.3.1
 * Decode, as required by RFC 9497 §2.1 DeserializeElement).
 *
 * libsodium's `crypto_core_ristretto255_is_valid_point` performs the full RFC 9496 decoding: it rejects
 * field elements ≥ p, "negative" (odd) encodings, a set high bit, non-square inputs and results with
 * negative t or y = 0. It ACCEPTS the identity (the all-zero encoding, which is canonical), so identity
 * rejection is added here: RFC 9497 §2.1 requires DeserializeElement to fail on the identity, and an
 * identity blinded or evaluated element would make the OPRF output independent of the key or the input.
 */

import { abytes, equalBytes } from './bytes.ts';
import { CryptoError } from './errors.ts';
import { sodium } from './sodium.ts';

/** Size of an encoded ristretto255 element (RFC 9496 §4.3.2). */
export const POINT_BYTES = 32;

const IDENTITY_ENCODING = new Uint8Array(POINT_BYTES);

/**
 * True iff `b` is the canonical encoding of the identity (32 zero bytes). Constant time, because it is
 * also applied to HashToGroup(input), whose bytes must not leak through timing.
 */
export function isIdentityEncoding(b: Uint8Array): boolean {
  return equalBytes(b, IDENTITY_ENCODING);
}

/**
 * Decode a network point: exactly 32 bytes, canonical ristretto255 encoding, not the identity.
 * Returns a private copy so a caller mutating its buffer afterwards cannot change a validated point.
 * Errors: 'bad_length', 'identity_point', 'non_canonical_point' (non-canonical or not a point at all).
 */
export function decodePoint(bytes: unknown, name: string): Uint8Array {
  const b = abytes(bytes, POINT_BYTES, name);
  // The identity is checked first: libsodium would accept it, so it needs its own error.
  if (isIdentityEncoding(b)) throw new CryptoError('identity_point', name);
  if (!sodium().crypto_core_ristretto255_is_valid_point(b)) throw new CryptoError('non_canonical_point', name);
  return b.slice();
}
