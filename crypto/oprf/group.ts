/**
 * The ristretto255 prime-order group of RFC 9497 §4.1 (ciphersuite ristretto255-SHA512), every group and
 * scalar operation done by libsodium:
 * - elements: RFC 9496 ristretto255, 32-byte canonical encodings (`crypto_core_ristretto255_*`);
 * - HashToGroup: hash_to_ristretto255 of RFC 9380 Appendix B = expand_message_xmd(SHA-512, 64 bytes)
 *   followed by the RFC 9496 §4.3.4 one-way map (`crypto_core_ristretto255_from_hash`);
 * - HashToScalar: the same 64 uniform bytes read little-endian and reduced mod the group order ℓ
 *   (`crypto_core_ristretto255_scalar_reduce`);
 * - scalars: 32-byte little-endian, always fully reduced. libsodium's scalar multiplication clears the top
 *   bit of its scalar, which is harmless only because a reduced scalar is < 2^253.
 *
 * `mul` is libsodium's constant-time variable-base multiplication (`crypto_scalarmult_ristretto255`) and
 * is the only multiplication applied to secret scalars (server key, blinds, proof nonces).
 */

import { concatBytes, equalBytes, type Rng } from '../bytes.ts';
import { CryptoError } from '../errors.ts';
import { isIdentityEncoding } from '../points.ts';
import { sodium } from '../sodium.ts';
import { expandMessageXmd } from './expand-message.ts';

export const SCALAR_BYTES = 32;
export const ELEMENT_BYTES = 32;
/** The canonical encoding of the identity element (RFC 9496 §4.3.2: s = 0). */
export const IDENTITY = new Uint8Array(ELEMENT_BYTES);
const ZERO32 = new Uint8Array(32);

/** RFC 9497 §4.1 HashToGroup for ristretto255-SHA512 (RFC 9380 Appendix B hash_to_ristretto255). */
export function hashToGroup(msg: Uint8Array, dst: Uint8Array): Uint8Array {
  return sodium().crypto_core_ristretto255_from_hash(expandMessageXmd(msg, dst, 64));
}

/** RFC 9497 §4.1 HashToScalar for ristretto255-SHA512: 64 uniform bytes, little-endian, mod ℓ. */
export function hashToScalar(msg: Uint8Array, dst: Uint8Array): Uint8Array {
  return sodium().crypto_core_ristretto255_scalar_reduce(expandMessageXmd(msg, dst, 64));
}

/** Whether a 32-byte scalar is zero (constant time: blinds and keys are secret). */
export function isZeroScalar(s: Uint8Array): boolean {
  return equalBytes(s, ZERO32);
}

/** Whether 32 bytes are a canonical scalar encoding, i.e. < ℓ (RFC 9497 §2.1 DeserializeScalar). */
export function isCanonicalScalar(s: Uint8Array): boolean {
  if (s.length !== SCALAR_BYTES) return false;
  return equalBytes(sodium().crypto_core_ristretto255_scalar_reduce(concatBytes(s, ZERO32)), s);
}

/** Bytes drawn from the rng per random scalar (RFC 9497 §4.7, see `randomScalar`). */
export const RANDOM_SCALAR_BYTES = 48;

/**
 * RFC 9497 §4.7 RandomScalar by "random number generation using extra random bits": draw
 * ceil((3·⌈log2 ℓ⌉/2)/8) = 48 bytes, read them little-endian and reduce mod ℓ (bias < 2^-128). A zero
 * result is redrawn, since §2.1 requires RandomScalar to be non-zero. Fed 48 bytes `x ‖ 0^16` with
 * x < ℓ, it returns x: that is how tests replay the RFC's fixed blinds and proof nonces.
 */
export function randomScalar(rng: Rng): Uint8Array {
  const s = sodium();
  for (let attempt = 0; attempt < 8; attempt++) {
    const raw = rng(RANDOM_SCALAR_BYTES);
    if (!(raw instanceof Uint8Array) || raw.length !== RANDOM_SCALAR_BYTES) throw new CryptoError('internal', 'rng returned the wrong length');
    const wide = new Uint8Array(64);
    wide.set(raw);
    const k = s.crypto_core_ristretto255_scalar_reduce(wide);
    wide.fill(0);
    if (!isZeroScalar(k)) return k;
  }
  // Eight zero draws from a real CSPRNG do not happen; a broken rng must not yield a zero blind.
  throw new CryptoError('internal', 'rng keeps returning zero scalars');
}

/**
 * Constant-time `k·P` for a secret, non-zero, reduced scalar and a non-identity element (both checked by
 * the callers). ristretto255 has prime order, so the product is never the identity and libsodium's
 * "result is identity" failure cannot happen for valid inputs; if it does, it is an internal error.
 */
export function mul(k: Uint8Array, p: Uint8Array): Uint8Array {
  try {
    return sodium().crypto_scalarmult_ristretto255(k, p);
  } catch (e) {
    throw new CryptoError('internal', 'scalar multiplication failed', { cause: e });
  }
}

/** Constant-time `k·G` for a non-zero reduced scalar. */
export function mulBase(k: Uint8Array): Uint8Array {
  try {
    return sodium().crypto_scalarmult_ristretto255_base(k);
  } catch (e) {
    throw new CryptoError('internal', 'base multiplication failed', { cause: e });
  }
}

/**
 * `k·P` on public values that may legitimately be zero or the identity (proof verification, where the
 * proof scalars come from the peer): maps those cases to the identity instead of letting libsodium fail.
 */
export function mulPublic(k: Uint8Array, p: Uint8Array): Uint8Array {
  if (isZeroScalar(k) || isIdentityEncoding(p)) return IDENTITY;
  return mul(k, p);
}

/** `k·G` on a public scalar that may be zero. */
export function mulBasePublic(k: Uint8Array): Uint8Array {
  if (isZeroScalar(k)) return IDENTITY;
  return mulBase(k);
}

/** P + Q. libsodium's addition accepts the identity encoding on either side. */
export function add(p: Uint8Array, q: Uint8Array): Uint8Array {
  try {
    return sodium().crypto_core_ristretto255_add(p, q);
  } catch (e) {
    throw new CryptoError('internal', 'point addition failed', { cause: e });
  }
}

export function scalarMul(a: Uint8Array, b: Uint8Array): Uint8Array {
  return sodium().crypto_core_ristretto255_scalar_mul(a, b);
}

export function scalarSub(a: Uint8Array, b: Uint8Array): Uint8Array {
  return sodium().crypto_core_ristretto255_scalar_sub(a, b);
}

/** 1/s mod ℓ for non-zero s. */
export function scalarInvert(a: Uint8Array): Uint8Array {
  try {
    return sodium().crypto_core_ristretto255_scalar_invert(a);
  } catch (e) {
    throw new CryptoError('bad_scalar', 'cannot invert zero', { cause: e });
  }
}
