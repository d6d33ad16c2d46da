/**
 * Secrets encrypted under a passphrase, for keys kept at rest (the organisation's root signing key).
 *
 * Key derivation: Argon2id (RFC 9106) through libsodium `crypto_pwhash` with a random 16-byte salt and
 * "moderate" limits (ops 3, 256 MiB) — memory-hard, so each guess costs an attacker who stole the file a
 * quarter of a gigabyte. Encryption: XChaCha20-Poly1305 under the derived key, with the KDF parameters,
 * salt and a caller label as associated data, so a file cannot be re-labelled or its parameters lowered
 * without failing to open. The passphrase is normalized to NFC (as for login passwords).
 */

import { TokenKey } from './aead.ts';
import { abytes, concatBytes, type Rng, randomBytes, utf8 } from './bytes.ts';
import { CryptoError } from './errors.ts';
import { sodium } from './sodium.ts';

export const PASSPHRASE_MIN_LENGTH = 12;

export interface PassphraseBox {
  /** `argon2id13` with its limits, so the file opens even if defaults change later. */
  kdf: { alg: 'argon2id13'; ops: number; mem: number; salt: Uint8Array };
  /** XChaCha20-Poly1305 nonce ‖ ciphertext ‖ tag. */
  sealed: Uint8Array;
}

export interface PassphraseLimits {
  ops: number;
  mem: number;
}

/** libsodium's "moderate" limits; tests may pass the interactive ones. */
export function moderateLimits(): PassphraseLimits {
  const s = sodium();
  return { ops: s.crypto_pwhash_OPSLIMIT_MODERATE, mem: s.crypto_pwhash_MEMLIMIT_MODERATE };
}

export function interactiveLimits(): PassphraseLimits {
  const s = sodium();
  return { ops: s.crypto_pwhash_OPSLIMIT_INTERACTIVE, mem: s.crypto_pwhash_MEMLIMIT_INTERACTIVE };
}

function derive(passphrase: string, salt: Uint8Array, limits: PassphraseLimits): TokenKey {
  if (typeof passphrase !== 'string' || passphrase.length < PASSPHRASE_MIN_LENGTH) {
    throw new CryptoError('bad_key', `passphrase: at least ${PASSPHRASE_MIN_LENGTH} characters`);
  }
  if (passphrase.length > 1024) throw new CryptoError('too_large', 'passphrase');
  const s = sodium();
  const pw = utf8(passphrase.normalize('NFC'));
  try {
    const key = s.crypto_pwhash(32, pw, salt, limits.ops, limits.mem, s.crypto_pwhash_ALG_ARGON2ID13);
    try {
      return TokenKey.fromBytes(key);
    } finally {
      key.fill(0);
    }
  } finally {
    pw.fill(0);
  }
}

function associated(label: string, kdf: PassphraseBox['kdf']): Uint8Array {
  const params = new DataView(new ArrayBuffer(16));
  params.setFloat64(0, kdf.ops);
  params.setFloat64(8, kdf.mem);
  return concatBytes(utf8(`veil/v1/passphrase-box/${label}`), Uint8Array.of(0), new Uint8Array(params.buffer), kdf.salt);
}

export function sealWithPassphrase(secret: Uint8Array, passphrase: string, label: string, limits = moderateLimits(), rng: Rng = randomBytes): PassphraseBox {
  abytes(secret, undefined, 'secret');
  const kdf = { alg: 'argon2id13' as const, ...limits, salt: rng(16) };
  return { kdf, sealed: derive(passphrase, kdf.salt, limits).seal(secret, associated(label, kdf), rng) };
}

/** The secret, or `decrypt_failed` for a wrong passphrase or a tampered file. */
export function openWithPassphrase(box: PassphraseBox, passphrase: string, label: string): Uint8Array {
  abytes(box.kdf.salt, 16, 'salt');
  if (box.kdf.alg !== 'argon2id13') throw new CryptoError('bad_key', 'unknown KDF');
  const s = sodium();
  if (box.kdf.ops < s.crypto_pwhash_OPSLIMIT_INTERACTIVE || box.kdf.mem < s.crypto_pwhash_MEMLIMIT_INTERACTIVE) {
    throw new CryptoError('bad_key', 'KDF limits below the minimum');
  }
  if (box.kdf.ops > 16 || box.kdf.mem > 2 ** 31) throw new CryptoError('bad_key', 'KDF limits above the maximum');
  return derive(passphrase, box.kdf.salt, box.kdf).open(box.sealed, associated(label, box.kdf));
}
