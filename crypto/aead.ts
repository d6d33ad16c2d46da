/**
 * Symmetric authenticated encryption for hit tokens and other locally held secrets:
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03, libsodium `crypto_aead_xchacha20poly1305_ietf_*`).
 *
 * The 192-bit nonce is drawn at random for every message, which is safe for any practical number of
 * messages under one key (collision probability ≈ n²/2^193). Output = nonce (24) ‖ ciphertext ‖ tag (16).
 */

import { abytes, concatBytes, type Rng, randomBytes } from './bytes.ts';
import { CryptoError } from './errors.ts';
import { guard, sodium } from './sodium.ts';

export const TOKEN_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

export class TokenKey {
  readonly #key: Uint8Array;

  private constructor(key: Uint8Array) {
    this.#key = key;
  }

  static generate(rng: Rng = randomBytes): TokenKey {
    return new TokenKey(abytes(rng(TOKEN_KEY_BYTES), TOKEN_KEY_BYTES, 'rng output').slice());
  }

  static fromBytes(key: Uint8Array): TokenKey {
    return new TokenKey(abytes(key, TOKEN_KEY_BYTES, 'key').slice());
  }

  /** Encrypt and authenticate `plaintext`, binding `associatedData`: returns nonce ‖ ciphertext ‖ tag. */
  seal(plaintext: Uint8Array, associatedData: Uint8Array, rng: Rng = randomBytes): Uint8Array {
    abytes(plaintext, undefined, 'plaintext');
    abytes(associatedData, undefined, 'associatedData');
    const nonce = abytes(rng(AEAD_NONCE_BYTES), AEAD_NONCE_BYTES, 'rng output');
    const ct = sodium().crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData, null, nonce, this.#key);
    return concatBytes(nonce, ct);
  }

  /** Verify and decrypt the output of `seal` under the same associated data. Throws CryptoError('decrypt_failed'). */
  open(sealed: Uint8Array, associatedData: Uint8Array): Uint8Array {
    abytes(sealed, undefined, 'sealed');
    abytes(associatedData, undefined, 'associatedData');
    if (sealed.length < AEAD_NONCE_BYTES + AEAD_TAG_BYTES) throw new CryptoError('bad_length', 'sealed token too short');
    const nonce = sealed.subarray(0, AEAD_NONCE_BYTES);
    const ct = sealed.subarray(AEAD_NONCE_BYTES);
    return guard('decrypt_failed', 'token', () => sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, associatedData, nonce, this.#key));
  }

  secretBytes(): Uint8Array {
    return this.#key.slice();
  }
}
