/** XChaCha20-Poly1305 token key: format, round trips and rejections. */
import { beforeAll, describe, expect, it } from 'vitest';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, TokenKey } from './aead.ts';
import { toHex, utf8 } from './bytes.ts';
import { initCrypto } from './sodium.ts';
import { errorCode } from './test-util.ts';

beforeAll(initCrypto);

describe('TokenKey', () => {
  it('seals as nonce ‖ ciphertext ‖ tag and opens', () => {
    const key = TokenKey.generate();
    const nonce = new Uint8Array(AEAD_NONCE_BYTES).fill(3);
    const sealed = key.seal(utf8('record-17|doc|e5'), utf8('ad'), () => nonce.slice());
    expect(sealed.length).toBe(AEAD_NONCE_BYTES + 16 + AEAD_TAG_BYTES);
    expect(toHex(sealed.subarray(0, AEAD_NONCE_BYTES))).toBe(toHex(nonce));
    expect(new TextDecoder().decode(key.open(sealed, utf8('ad')))).toBe('record-17|doc|e5');
    // Fresh random nonces: sealing twice differs.
    expect(toHex(key.seal(utf8('x'), utf8('ad')))).not.toBe(toHex(key.seal(utf8('x'), utf8('ad'))));
  });

  it('round-trips through secretBytes', () => {
    const key = TokenKey.generate();
    const sealed = key.seal(utf8('x'), new Uint8Array(0));
    expect(toHex(TokenKey.fromBytes(key.secretBytes()).open(sealed, new Uint8Array(0)))).toBe(toHex(utf8('x')));
  });

  it("rejects the wrong associated data, key or any tampering with 'decrypt_failed'", () => {
    const key = TokenKey.generate();
    const sealed = key.seal(utf8('token'), utf8('veil/v1/hit-token'));
    expect(errorCode(() => key.open(sealed, utf8('veil/v1/hit-tokem')))).toBe('decrypt_failed');
    expect(errorCode(() => key.open(sealed, new Uint8Array(0)))).toBe('decrypt_failed');
    expect(errorCode(() => TokenKey.generate().open(sealed, utf8('veil/v1/hit-token')))).toBe('decrypt_failed');
    for (const i of [0, AEAD_NONCE_BYTES - 1, AEAD_NONCE_BYTES, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[i]! ^= 0x80;
      expect(errorCode(() => key.open(bad, utf8('veil/v1/hit-token')))).toBe('decrypt_failed');
    }
  });

  it('rejects short input and bad key sizes', () => {
    const key = TokenKey.generate();
    expect(errorCode(() => key.open(new Uint8Array(AEAD_NONCE_BYTES + AEAD_TAG_BYTES - 1), new Uint8Array(0)))).toBe('bad_length');
    expect(errorCode(() => key.open(new Uint8Array(AEAD_NONCE_BYTES + AEAD_TAG_BYTES), new Uint8Array(0)))).toBe('decrypt_failed');
    expect(errorCode(() => TokenKey.fromBytes(new Uint8Array(16)))).toBe('bad_length');
    expect(errorCode(() => key.seal(utf8('x'), utf8('ad'), (n) => new Uint8Array(n - 1)))).toBe('bad_length');
  });
});
