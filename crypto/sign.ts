/**
 * Ed25519 signatures (RFC 8032 §5.1) through libsodium's `crypto_sign_*`, detached form.
 *
 * Verification uses libsodium's checks (canonical S < ℓ, canonical encodings, small-order R and A
 * rejected) and additionally refuses public keys that `crypto_core_ed25519_is_valid_point` rejects
 * (non-canonical, not on the curve, small order, or outside the prime-order subgroup), so a key with
 * a torsion component can never be registered or verified against.
 */

import { abytes, equalBytes, type Rng, randomBytes } from './bytes.ts';
import { CryptoError } from './errors.ts';
import { sodium } from './sodium.ts';

export const SIGNING_SEED_BYTES = 32;
export const SIGNING_SECRET_BYTES = 64; // libsodium's seed ‖ public key
export const SIGNING_PUBLIC_BYTES = 32;
export const SIGNATURE_BYTES = 64;

export class SigningKey {
  readonly #secret: Uint8Array; // libsodium form: seed ‖ public key
  readonly #public: Uint8Array;

  private constructor(seed: Uint8Array) {
    const kp = sodium().crypto_sign_seed_keypair(seed);
    this.#secret = kp.privateKey;
    this.#public = kp.publicKey;
  }

  /** A fresh key from a 32-byte seed drawn from `rng` (RFC 8032 §5.1.5: the private key is 32 random bytes). */
  static generate(rng: Rng = randomBytes): SigningKey {
    const seed = abytes(rng(SIGNING_SEED_BYTES), SIGNING_SEED_BYTES, 'rng output');
    return new SigningKey(seed);
  }

  /**
   * Load a key from its 32-byte seed (what `secretBytes()` returns) or from libsodium's 64-byte secret key
   * (seed ‖ public key), in which case the public half must match the seed.
   */
  static fromBytes(secret: Uint8Array): SigningKey {
    abytes(secret, undefined, 'secret');
    if (secret.length === SIGNING_SEED_BYTES) return new SigningKey(secret);
    if (secret.length !== SIGNING_SECRET_BYTES) throw new CryptoError('bad_length', 'secret: expected 32 or 64 bytes');
    const key = new SigningKey(secret.subarray(0, SIGNING_SEED_BYTES));
    if (!equalBytes(key.#public, secret.subarray(SIGNING_SEED_BYTES))) throw new CryptoError('bad_key', 'public half does not match the seed');
    return key;
  }

  publicKey(): Uint8Array {
    return this.#public.slice();
  }

  /** Detached Ed25519 signature (RFC 8032 §5.1.6), 64 bytes. */
  sign(message: Uint8Array): Uint8Array {
    abytes(message, undefined, 'message');
    return sodium().crypto_sign_detached(message, this.#secret);
  }

  /** The 32-byte seed, for storage. */
  secretBytes(): Uint8Array {
    return this.#secret.slice(0, SIGNING_SEED_BYTES);
  }
}

/** Whether 32 bytes are an acceptable Ed25519 public key: canonical, on the curve, in the prime-order subgroup. */
export function isValidSigningPublicKey(publicKey: Uint8Array): boolean {
  abytes(publicKey, SIGNING_PUBLIC_BYTES, 'publicKey');
  return sodium().crypto_core_ed25519_is_valid_point(publicKey);
}

/**
 * RFC 8032 §5.1.7 verification of a detached signature. Returns false for a signature that does not
 * verify and for an invalid public key; throws CryptoError('bad_length') for wrongly sized arguments.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  abytes(publicKey, SIGNING_PUBLIC_BYTES, 'publicKey');
  abytes(message, undefined, 'message');
  abytes(signature, SIGNATURE_BYTES, 'signature');
  const s = sodium();
  if (!s.crypto_core_ed25519_is_valid_point(publicKey)) return false;
  try {
    return s.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false; // the wrapper reports some malformed inputs by throwing; either way it did not verify
  }
}

/** `verifySignature` that throws CryptoError('bad_signature') instead of returning false. */
export function assertSignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
  if (!verifySignature(publicKey, message, signature)) throw new CryptoError('bad_signature');
}
