import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, randomBytes } from './bytes.ts';
import { hmacSha256 } from './mac.ts';
import { initCrypto, sodium } from './sodium.ts';

beforeAll(async () => {
  await initCrypto();
});

describe('hmacSha256 (RFC 2104 with SHA-256)', () => {
  it("equals libsodium's crypto_auth_hmacsha256 over the concatenated parts", () => {
    for (const sizes of [[0], [1, 2, 3], [64, 0, 65], [1 << 20, 17]]) {
      const key = randomBytes(32);
      const parts = sizes.map((n) => randomBytes(n));
      const want = sodium().crypto_auth_hmacsha256(concatBytes(...parts), key);
      expect(hmacSha256(key, ...parts)).toEqual(want);
    }
  });

  it('depends on the key and on every byte', () => {
    const key = randomBytes(32);
    const m = randomBytes(100);
    const tag = hmacSha256(key, m);
    const flipped = m.slice();
    flipped[99]! ^= 1;
    expect(hmacSha256(key, flipped)).not.toEqual(tag);
    expect(hmacSha256(randomBytes(32), m)).not.toEqual(tag);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => hmacSha256(new Uint8Array(31), new Uint8Array(1))).toThrow(/expected 32 bytes/);
  });
});
