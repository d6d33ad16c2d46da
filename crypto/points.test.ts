/**
 * decodePoint against RFC 9496 Appendix A.2 (invalid encodings), the identity, and length errors; and
 * libsodium's hash-to-group map against RFC 9496 Appendix A.3.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from './bytes.ts';
import { sha512 } from './hash.ts';
import { decodePoint } from './points.ts';
import { initCrypto, sodium } from './sodium.ts';
import { errorCode } from './test-util.ts';

beforeAll(initCrypto);

const GENERATOR = 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76';

// RFC 9496 Appendix A.2.
const NON_CANONICAL_FIELD = [
  '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];
const NEGATIVE_FIELD = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20',
  'c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562',
  'c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78',
  '47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24',
  'f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72',
  '87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309',
];
const NON_SQUARE_X2 = [
  '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371',
  '4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f',
  'de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b',
  'bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042',
  '2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08',
  'f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22',
  '8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731',
  '2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b',
];
const NEGATIVE_XY = [
  '3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e',
  'a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220',
  'd483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e',
  '8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32',
  '32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b',
  '227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165',
  '5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e',
  '445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b',
];
const S_MINUS_ONE = 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';

describe('decodePoint', () => {
  it('accepts the generator and random points, returning a copy', () => {
    const g = fromHex(GENERATOR);
    const d = decodePoint(g, 'g');
    expect(toHex(d)).toBe(GENERATOR);
    d[0] = 0;
    expect(toHex(g)).toBe(GENERATOR);
    for (let i = 0; i < 50; i++) {
      const p = sodium().crypto_core_ristretto255_random();
      expect(toHex(decodePoint(p, 'p'))).toBe(toHex(p));
    }
  });

  it("rejects the identity with 'identity_point' (libsodium's is_valid_point accepts it)", () => {
    const zero = new Uint8Array(32);
    expect(sodium().crypto_core_ristretto255_is_valid_point(zero)).toBe(true);
    expect(errorCode(() => decodePoint(zero, 'x'))).toBe('identity_point');
  });

  it.each([
    ['non-canonical field encodings', NON_CANONICAL_FIELD],
    ['negative field elements', NEGATIVE_FIELD],
    ['non-square x^2', NON_SQUARE_X2],
    ['negative xy', NEGATIVE_XY],
    ['s = -1 (y = 0)', [S_MINUS_ONE]],
  ])("rejects RFC 9496 A.2 %s with 'non_canonical_point'", (_, encodings) => {
    for (const h of encodings) expect(errorCode(() => decodePoint(fromHex(h), 'x'))).toBe('non_canonical_point');
  });

  it('rejects s = p, s = p + 1 and a set high bit', () => {
    const p = 2n ** 255n - 19n;
    const le = (x: bigint) => fromHex(x.toString(16).padStart(64, '0')).reverse();
    expect(errorCode(() => decodePoint(le(p), 'x'))).toBe('non_canonical_point');
    expect(errorCode(() => decodePoint(le(p + 1n), 'x'))).toBe('non_canonical_point');
    // A valid encoding plus p: same field element, non-canonical representative.
    const g = fromHex(GENERATOR);
    const s = BigInt(`0x${toHex(g.slice().reverse())}`);
    if (s + p < 2n ** 256n) expect(errorCode(() => decodePoint(le(s + p), 'x'))).toBe('non_canonical_point');
    const high = g.slice();
    high[31]! |= 0x80;
    expect(errorCode(() => decodePoint(high, 'x'))).toBe('non_canonical_point');
    // The negative representative p - s of a valid point.
    expect(errorCode(() => decodePoint(le(p - s), 'x'))).toBe('non_canonical_point');
  });

  it("rejects wrong lengths and non-bytes with 'bad_length'", () => {
    const g = fromHex(GENERATOR);
    expect(errorCode(() => decodePoint(g.subarray(0, 31), 'x'))).toBe('bad_length');
    expect(errorCode(() => decodePoint(new Uint8Array([...g, 0]), 'x'))).toBe('bad_length');
    expect(errorCode(() => decodePoint(new Uint8Array(0), 'x'))).toBe('bad_length');
    expect(errorCode(() => decodePoint(GENERATOR, 'x'))).toBe('bad_length');
    expect(errorCode(() => decodePoint([...g], 'x'))).toBe('bad_length');
    expect(errorCode(() => decodePoint(undefined, 'x'))).toBe('bad_length');
  });
});

describe('RFC 9496 A.3 one-way map (crypto_core_ristretto255_from_hash)', () => {
  const vectors: [string, string][] = [
    ['Ristretto is traditionally a short shot of espresso coffee', '3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46'],
    ['made with the normal amount of ground coffee but extracted with', 'f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b'],
    ['about half the amount of water in the same amount of time', '006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826'],
    ['by using a finer grind.', 'f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a'],
    ['This produces a concentrated shot of coffee per volume.', 'ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179'],
    ['Just pulling a normal shot short will produce a weaker shot', 'e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628'],
    ['and is not a Ristretto as some believe.', '80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065'],
  ];
  it.each(vectors)('%s', (text, element) => {
    expect(toHex(sodium().crypto_core_ristretto255_from_hash(sha512(utf8(text))))).toBe(element);
  });
});
