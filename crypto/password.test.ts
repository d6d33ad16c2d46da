/** Argon2id password hashes (crypto_pwhash_str). */
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import { initCrypto } from './sodium.ts';
import { errorCode } from './test-util.ts';

beforeAll(initCrypto);

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password only, with NFC normalization', () => {
    const composed = 'Caf\u00e9 au lait 42';
    const decomposed = 'Cafe\u0301 au lait 42';
    const h = hashPassword(composed);
    // Deployed accounts are hashed at libsodium's interactive limits (64 MiB, 2 passes) by default.
    expect(h.startsWith('$argon2id$v=19$m=65536,t=2,p=1$')).toBe(true);
    expect(verifyPassword(h, composed)).toBe(true);
    expect(verifyPassword(h, decomposed)).toBe(true);
    expect(verifyPassword(h, 'Cafe au lait 42')).toBe(false);
    expect(verifyPassword(h, '')).toBe(false);
    // Salted: the same password hashes differently each time.
    expect(hashPassword(composed)).not.toBe(h);
  });

  it('hashes at explicit limits, which the hash string carries for verification', () => {
    const h = hashPassword('correct horse battery', { ops: 1, mem: 8192 });
    expect(h.startsWith('$argon2id$v=19$m=8,t=1,p=1$')).toBe(true);
    expect(verifyPassword(h, 'correct horse battery')).toBe(true);
    expect(verifyPassword(h, 'wrong horse battery')).toBe(false);
  });

  it('treats malformed hashes as non-matching and caps password length', () => {
    expect(verifyPassword('not a hash', 'pw')).toBe(false);
    expect(verifyPassword('', 'pw')).toBe(false);
    expect(verifyPassword('$argon2id$v=19$m=65536,t=2,p=1$AAAA$AAAA', 'pw')).toBe(false);
    expect(errorCode(() => hashPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1)))).toBe('too_large');
    expect(errorCode(() => hashPassword(42 as unknown as string))).toBe('bad_request');
  });
});
