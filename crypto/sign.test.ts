/** Ed25519 (RFC 8032) via libsodium: vectors, round trips and every rejection. */
import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from './bytes.ts';
import { assertSignature, isValidSigningPublicKey, SigningKey, verifySignature } from './sign.ts';
import { initCrypto } from './sodium.ts';
import { errorCode } from './test-util.ts';

beforeAll(initCrypto);

describe('SigningKey', () => {
  it('RFC 8032 §7.1 TEST 1 (empty message)', () => {
    const key = SigningKey.fromBytes(fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
    expect(toHex(key.publicKey())).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = key.sign(new Uint8Array(0));
    expect(toHex(sig)).toBe('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
    expect(verifySignature(key.publicKey(), new Uint8Array(0), sig)).toBe(true);
  });

  it('round-trips through secretBytes (seed) and the 64-byte libsodium form', () => {
    const key = SigningKey.generate();
    const seed = key.secretBytes();
    expect(seed.length).toBe(32);
    expect(toHex(SigningKey.fromBytes(seed).publicKey())).toBe(toHex(key.publicKey()));
    expect(toHex(SigningKey.fromBytes(concatBytes(seed, key.publicKey())).publicKey())).toBe(toHex(key.publicKey()));
    const other = SigningKey.generate();
    expect(errorCode(() => SigningKey.fromBytes(concatBytes(seed, other.publicKey())))).toBe('bad_key');
    expect(errorCode(() => SigningKey.fromBytes(new Uint8Array(33)))).toBe('bad_length');
  });

  it('is deterministic from the rng', () => {
    const rng = (n: number) => new Uint8Array(n).fill(9);
    expect(toHex(SigningKey.generate(rng).publicKey())).toBe(toHex(SigningKey.generate(rng).publicKey()));
  });
});

describe('verifySignature / assertSignature', () => {
  const key = () => SigningKey.generate();
  it('accepts a valid signature', () => {
    const k = key();
    const m = utf8('message');
    expect(verifySignature(k.publicKey(), m, k.sign(m))).toBe(true);
    expect(() => assertSignature(k.publicKey(), m, k.sign(m))).not.toThrow();
  });

  it("rejects a flipped bit, another message and another key ('bad_signature')", () => {
    const k = key();
    const m = utf8('message');
    const sig = k.sign(m);
    for (const bit of [0, 255, 256, 511]) {
      const bad = sig.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(verifySignature(k.publicKey(), m, bad)).toBe(false);
      expect(errorCode(() => assertSignature(k.publicKey(), m, bad))).toBe('bad_signature');
    }
    expect(errorCode(() => assertSignature(k.publicKey(), utf8('other'), sig))).toBe('bad_signature');
    expect(errorCode(() => assertSignature(key().publicKey(), m, sig))).toBe('bad_signature');
  });

  it('rejects small-order and non-canonical public keys', () => {
    const m = utf8('message');
    const sig = new Uint8Array(64);
    // The identity (0, 1) has order 1; with S = 0 and R = identity, a lax verifier would accept anything.
    const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
    expect(isValidSigningPublicKey(identity)).toBe(false);
    expect(verifySignature(identity, m, concatBytes(identity, new Uint8Array(32)))).toBe(false);
    // A point of order 8 and a non-canonical y ≥ p.
    const order8 = fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
    expect(isValidSigningPublicKey(order8)).toBe(false);
    expect(verifySignature(order8, m, sig)).toBe(false);
    const nonCanonical = fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    expect(isValidSigningPublicKey(nonCanonical)).toBe(false);
    expect(errorCode(() => assertSignature(nonCanonical, m, sig))).toBe('bad_signature');
    expect(isValidSigningPublicKey(key().publicKey())).toBe(true);
  });

  it("rejects wrongly sized arguments with 'bad_length'", () => {
    const k = key();
    const m = utf8('m');
    const sig = k.sign(m);
    expect(errorCode(() => verifySignature(k.publicKey().subarray(1), m, sig))).toBe('bad_length');
    expect(errorCode(() => verifySignature(k.publicKey(), m, sig.subarray(1)))).toBe('bad_length');
    expect(errorCode(() => verifySignature(k.publicKey(), 'm' as unknown as Uint8Array, sig))).toBe('bad_length');
  });
});
