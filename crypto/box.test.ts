/** Sealed boxes (crypto_box_seal): round trips and rejections. */
import { beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, SEAL_OVERHEAD, sealTo } from './box.ts';
import { toHex, utf8 } from './bytes.ts';
import { initCrypto } from './sodium.ts';
import { errorCode } from './test-util.ts';

beforeAll(initCrypto);

describe('BoxKeyPair / sealTo', () => {
  it('seals to a public key and opens with the pair', () => {
    const kp = BoxKeyPair.generate();
    const sealed = sealTo(kp.publicKey(), utf8('disclosure'));
    expect(sealed.length).toBe(SEAL_OVERHEAD + 10);
    expect(new TextDecoder().decode(kp.open(sealed))).toBe('disclosure');
    expect(kp.open(sealTo(kp.publicKey(), new Uint8Array(0))).length).toBe(0);
  });

  it('round-trips through secretBytes', () => {
    const kp = BoxKeyPair.generate();
    const kp2 = BoxKeyPair.fromBytes(kp.secretBytes());
    expect(toHex(kp2.publicKey())).toBe(toHex(kp.publicKey()));
    expect(toHex(kp2.open(sealTo(kp.publicKey(), utf8('x'))))).toBe(toHex(utf8('x')));
  });

  it("rejects the wrong key and tampering with 'decrypt_failed'", () => {
    const kp = BoxKeyPair.generate();
    const sealed = sealTo(kp.publicKey(), utf8('secret'));
    expect(errorCode(() => BoxKeyPair.generate().open(sealed))).toBe('decrypt_failed');
    for (const i of [0, 31, 32, 47, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[i]! ^= 1;
      expect(errorCode(() => kp.open(bad))).toBe('decrypt_failed');
    }
  });

  it('rejects short ciphertexts, bad key sizes and a low-order recipient key', () => {
    const kp = BoxKeyPair.generate();
    expect(errorCode(() => kp.open(new Uint8Array(SEAL_OVERHEAD - 1)))).toBe('bad_length');
    expect(errorCode(() => kp.open(new Uint8Array(SEAL_OVERHEAD)))).toBe('decrypt_failed');
    expect(errorCode(() => sealTo(new Uint8Array(31), utf8('x')))).toBe('bad_length');
    expect(errorCode(() => BoxKeyPair.fromBytes(new Uint8Array(16)))).toBe('bad_length');
    // All-zero is a low-order X25519 point: the shared secret would be zero.
    expect(errorCode(() => sealTo(new Uint8Array(32), utf8('x')))).toBe('bad_key');
  });
});
