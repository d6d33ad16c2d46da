/**
 * Anonymous public-key encryption: libsodium sealed boxes (`crypto_box_seal`), i.e. an ephemeral X25519
 * key (RFC 7748 §6.1) agreed with the recipient's key, XSalsa20-Poly1305 with the nonce derived from both
 * public keys. Ciphertext = ephemeral public key (32) ‖ MAC (16) ‖ body. The sender is not authenticated:
 * sign the plaintext or the envelope when the sender matters.
 */

import { abytes, type Rng, randomBytes } from './bytes.ts';
import { CryptoError } from './errors.ts';
import { guard, sodium } from './sodium.ts';

export const BOX_SECRET_BYTES = 32;
export const BOX_PUBLIC_BYTES = 32;
/** Overhead of a sealed box over its plaintext (crypto_box_SEALBYTES). */
export const SEAL_OVERHEAD = 48;

export class BoxKeyPair {
  readonly #secret: Uint8Array;
  readonly #public: Uint8Array;

  private constructor(secret: Uint8Array) {
    this.#secret = secret;
    // X25519(secret, 9): crypto_scalarmult_base clamps the scalar as RFC 7748 §5 requires.
    this.#public = guard('bad_key', 'X25519 public key', () => sodium().crypto_scalarmult_base(secret));
  }

  /** A fresh key pair: 32 random bytes (RFC 7748 §6.1). */
  static generate(rng: Rng = randomBytes): BoxKeyPair {
    return new BoxKeyPair(abytes(rng(BOX_SECRET_BYTES), BOX_SECRET_BYTES, 'rng output').slice());
  }

  /** Load a stored 32-byte X25519 secret key (as returned by `secretBytes()`). */
  static fromBytes(secret: Uint8Array): BoxKeyPair {
    return new BoxKeyPair(abytes(secret, BOX_SECRET_BYTES, 'secret').slice());
  }

  publicKey(): Uint8Array {
    return this.#public.slice();
  }

  secretBytes(): Uint8Array {
    return this.#secret.slice();
  }

  /** Open a sealed box addressed to this key (`crypto_box_seal_open`). Throws CryptoError('decrypt_failed'). */
  open(sealed: Uint8Array): Uint8Array {
    abytes(sealed, undefined, 'sealed');
    if (sealed.length < SEAL_OVERHEAD) throw new CryptoError('bad_length', 'sealed box shorter than its overhead');
    return guard('decrypt_failed', 'sealed box', () => sodium().crypto_box_seal_open(sealed, this.#public, this.#secret));
  }
}

/**
 * Seal `plaintext` to a recipient's X25519 public key (`crypto_box_seal`). A low-order public key (one
 * that would make the shared secret all-zero) is refused by libsodium and reported as CryptoError('bad_key').
 */
export function sealTo(recipientPublicKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  abytes(recipientPublicKey, BOX_PUBLIC_BYTES, 'recipientPublicKey');
  abytes(plaintext, undefined, 'plaintext');
  return guard('bad_key', 'recipient public key', () => sodium().crypto_box_seal(plaintext, recipientPublicKey));
}
