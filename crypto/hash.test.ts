/** SHA-2 known answers; keyed BLAKE2b and HKDF-Expand against noble-hashes. */
import { blake2b } from '@noble/hashes/blake2.js';
import { expand } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from './bytes.ts';
import { deriveSubkey, keyedHash, sha256, sha512 } from './hash.ts';
import { initCrypto } from './sodium.ts';
import { errorCode } from './test-util.ts';

beforeAll(initCrypto);

describe('hashes', () => {
  it('SHA-256 / SHA-512 of "abc" (FIPS 180-4 examples)', () => {
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha512(utf8('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('keyedHash is keyed BLAKE2b', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 16, max: 64 }), (key, msg, len) => {
        expect(toHex(keyedHash(key, msg, len))).toBe(toHex(blake2b(msg, { key, dkLen: len })));
      }),
      { numRuns: 50 },
    );
    expect(errorCode(() => keyedHash(new Uint8Array(16), utf8('x'), 32))).toBe('bad_length');
    expect(errorCode(() => keyedHash(new Uint8Array(32), utf8('x'), 8))).toBe('bad_length');
  });

  it('deriveSubkey is HKDF-Expand-SHA-256 with the label as info', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 200 }),
        (key, label, len) => {
          expect(toHex(deriveSubkey(key, label, len))).toBe(toHex(expand(nobleSha256, key, utf8(label), len)));
        },
      ),
      { numRuns: 50 },
    );
    const k = new Uint8Array(32).fill(1);
    expect(toHex(deriveSubkey(k, 'a', 32))).not.toBe(toHex(deriveSubkey(k, 'b', 32)));
    expect(errorCode(() => deriveSubkey(k, '', 32))).toBe('bad_request');
    expect(errorCode(() => deriveSubkey(k, 'a', 255 * 32 + 1))).toBe('bad_length');
    expect(errorCode(() => deriveSubkey(new Uint8Array(31), 'a', 32))).toBe('bad_length');
  });
});
