/** Byte helpers, and the initialisation guard of crypto/sodium.ts. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { abytes, concatBytes, equalBytes, fromBase64url, fromHex, i2osp, randomBytes, toBase64url, toHex, utf8 } from './bytes.ts';
import { errorCode } from './test-util.ts';

describe('initCrypto', () => {
  it("sodium() throws 'internal' before initCrypto, works after, and init is idempotent", async () => {
    // A fresh instance of the module: another test file in this worker may have initialised it already.
    vi.resetModules();
    const { initCrypto, sodium } = await import('./sodium.ts');
    expect(() => sodium()).toThrow(expect.objectContaining({ name: 'CryptoError', code: 'internal' }));
    await Promise.all([initCrypto(), initCrypto()]);
    await initCrypto();
    expect(sodium().crypto_core_ristretto255_BYTES).toBe(32);
  });
});

describe('bytes', () => {
  it('hex round-trips and rejects bad input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(toHex(fromHex(toHex(b)))).toBe(toHex(b));
      }),
    );
    expect(toHex(fromHex('00FFab'))).toBe('00ffab');
    expect(errorCode(() => fromHex('abc'))).toBe('bad_length');
    expect(errorCode(() => fromHex('zz'))).toBe('bad_request');
  });

  it('base64url round-trips, matches Node, and has exactly one accepted encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = toBase64url(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        expect(toHex(fromBase64url(s))).toBe(toHex(b));
      }),
    );
    expect(errorCode(() => fromBase64url('AA=='))).toBe('bad_request');
    expect(errorCode(() => fromBase64url('AB'))).toBe('bad_request'); // non-zero trailing bits
    expect(errorCode(() => fromBase64url('AAB'))).toBe('bad_request');
    expect(errorCode(() => fromBase64url('A'))).toBe('bad_request');
    expect(errorCode(() => fromBase64url('a+/b'))).toBe('bad_request');
    expect(errorCode(() => fromBase64url('é'))).toBe('bad_request');
  });

  it('i2osp', () => {
    expect(toHex(i2osp(0, 1))).toBe('00');
    expect(toHex(i2osp(258, 2))).toBe('0102');
    expect(toHex(i2osp(0xffff, 2))).toBe('ffff');
    expect(errorCode(() => i2osp(256, 1))).toBe('bad_length');
    expect(errorCode(() => i2osp(-1, 2))).toBe('bad_length');
    expect(errorCode(() => i2osp(1.5, 2))).toBe('bad_length');
  });

  it('equalBytes, abytes, concatBytes, utf8, randomBytes', () => {
    expect(equalBytes(fromHex('0102'), fromHex('0102'))).toBe(true);
    expect(equalBytes(fromHex('0102'), fromHex('0103'))).toBe(false);
    expect(equalBytes(fromHex('0102'), fromHex('01'))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(errorCode(() => abytes(new Uint8Array(3), 4, 'x'))).toBe('bad_length');
    expect(errorCode(() => abytes('abc', undefined, 'x'))).toBe('bad_length');
    expect(errorCode(() => abytes(new Uint16Array(4), undefined, 'x'))).toBe('bad_length');
    expect(abytes(Buffer.from([1, 2]), 2, 'x').length).toBe(2);
    expect(toHex(concatBytes(fromHex('01'), new Uint8Array(0), fromHex('0203')))).toBe('010203');
    expect(toHex(utf8('é'))).toBe('c3a9');
    expect(randomBytes(100_000).length).toBe(100_000);
    expect(toHex(randomBytes(32))).not.toBe(toHex(randomBytes(32)));
  });
});
