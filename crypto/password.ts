/**
 * Password hashing for analyst and operator logins: Argon2id through libsodium `crypto_pwhash_str`
 * (RFC 9106), "interactive" limits (ops 2, 64 MiB), encoded in the PHC string format that carries its
 * own salt and parameters, so verification keeps working if the limits are raised later.
 *
 * Passwords are normalized to Unicode NFC before hashing so that the same password typed on different
 * systems (composed vs decomposed accents) verifies (RFC 8265 §4.2 OpaqueString uses NFC).
 */

import { utf8 } from './bytes.ts';
import { CryptoError } from './errors.ts';
import type { PassphraseLimits } from './passphrase.ts';
import { sodium } from './sodium.ts';

/** Longest accepted password, in UTF-16 code units: a bound on work, not a policy. */
export const MAX_PASSWORD_LENGTH = 1024;

function passwordBytes(pw: unknown): Uint8Array {
  if (typeof pw !== 'string') throw new CryptoError('bad_request', 'password must be a string');
  if (pw.length > MAX_PASSWORD_LENGTH) throw new CryptoError('too_large', 'password');
  return utf8(pw.normalize('NFC'));
}

/**
 * Argon2id hash of `pw` as a `$argon2id$...` string, at libsodium's interactive limits unless `limits`
 * says otherwise (unit tests of login logic pass the minimum, so a hundred logins do not cost a minute
 * of CPU; every deployed account uses the default).
 */
export function hashPassword(pw: string, limits?: PassphraseLimits): string {
  const s = sodium();
  const bytes = passwordBytes(pw);
  try {
    return s.crypto_pwhash_str(bytes, limits?.ops ?? s.crypto_pwhash_OPSLIMIT_INTERACTIVE, limits?.mem ?? s.crypto_pwhash_MEMLIMIT_INTERACTIVE);
  } finally {
    bytes.fill(0);
  }
}

/** Whether `pw` matches `hash` (from `hashPassword`). A malformed hash string verifies nothing. */
export function verifyPassword(hash: string, pw: string): boolean {
  if (typeof hash !== 'string' || hash.length > 512) return false;
  const bytes = passwordBytes(pw);
  try {
    return sodium().crypto_pwhash_str_verify(hash, bytes);
  } catch {
    return false;
  } finally {
    bytes.fill(0);
  }
}
