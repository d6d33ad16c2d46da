import { beforeAll, describe, expect, it } from 'vitest';
import { interactiveLimits, openWithPassphrase, sealWithPassphrase } from './passphrase.ts';
import { initCrypto } from './sodium.ts';
import { errorCode } from './test-util.ts';

beforeAll(initCrypto);

describe('passphrase boxes (Argon2id + XChaCha20-Poly1305)', () => {
  const secret = Uint8Array.from({ length: 64 }, (_, i) => i);
  const pw = 'correct horse battery staple';

  it('opens with the right passphrase and label only; tampering and lowered limits are refused', () => {
    const box = sealWithPassphrase(secret, pw, 'org-root', interactiveLimits());
    expect(openWithPassphrase(box, pw, 'org-root')).toEqual(secret);
    // NFC: a decomposed accent is the same passphrase
    const accented = sealWithPassphrase(secret, 'Passphrase caf\u00e9 2026', 'org-root', interactiveLimits());
    expect(openWithPassphrase(accented, 'Passphrase cafe\u0301 2026', 'org-root')).toEqual(secret);
    expect(errorCode(() => openWithPassphrase(box, 'wrong horse battery staple', 'org-root'))).toBe('decrypt_failed');
    expect(errorCode(() => openWithPassphrase(box, pw, 'other-label'))).toBe('decrypt_failed');
    const flipped = { ...box, sealed: box.sealed.slice() };
    flipped.sealed[30]! ^= 1;
    expect(errorCode(() => openWithPassphrase(flipped, pw, 'org-root'))).toBe('decrypt_failed');
    expect(errorCode(() => openWithPassphrase({ ...box, kdf: { ...box.kdf, ops: 1 } }, pw, 'org-root'))).toBe('bad_key');
    const otherSalt = { ...box, kdf: { ...box.kdf, salt: new Uint8Array(16) } };
    expect(errorCode(() => openWithPassphrase(otherSalt, pw, 'org-root'))).toBe('decrypt_failed');
  });

  it('refuses short passphrases', () => {
    expect(errorCode(() => sealWithPassphrase(secret, 'short', 'org-root', interactiveLimits()))).toBe('bad_key');
  });
});
