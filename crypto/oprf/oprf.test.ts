/**
 * Rejections of the OPRF layer, each asserting its CryptoError code: bad points, wrong proofs (bit flips,
 * another key's proof, swapped or substituted elements, non-canonical proof scalars), key and mode
 * misuse, input and batch caps, bad blinds. Plus properties the protocol relies on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex, type Rng, randomBytes, toHex, utf8 } from '../bytes.ts';
import { initCrypto, sodium } from '../sodium.ts';
import { errorCode } from '../test-util.ts';
import {
  blind,
  blindBatch,
  blindEvaluate,
  blindEvaluateBatch,
  DEFAULT_MAX_BATCH,
  evaluate,
  finalize,
  finalizeBatch,
  MAX_INPUT_BYTES,
  OprfKey,
  verifyBatch,
} from './index.ts';

beforeAll(initCrypto);

const IDENTITY = new Uint8Array(32);
const NEGATIVE = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
const L_BYTES = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'); // ℓ, little-endian

function flip(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

function voprfBatch(n: number) {
  const key = OprfKey.generate('voprf');
  const inputs = Array.from({ length: n }, (_, i) => utf8(`input ${i}`));
  const bs = blindBatch('voprf', inputs);
  const blinded = bs.map((b) => b.blindedElement);
  const res = blindEvaluateBatch(key, blinded);
  return { key, pk: key.publicKey(), inputs, bs, blinded, ...res };
}

describe('VOPRF proofs', () => {
  it('verify and finalize for batches of 1, 2 and 17', () => {
    for (const n of [1, 2, 17]) {
      const b = voprfBatch(n);
      expect(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, b.proof)).not.toThrow();
      const outs = finalizeBatch(
        'voprf',
        b.inputs,
        b.bs.map((x) => x.blind),
        b.evaluatedElements,
      );
      expect(outs.map(toHex)).toEqual(b.inputs.map((x) => toHex(evaluate(b.key, x))));
    }
  });

  it("rejects any single bit flip in the proof with 'bad_proof'", () => {
    const b = voprfBatch(2);
    for (const bit of [0, 7, 100, 251, 256, 300, 400, 507]) {
      expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, flip(b.proof, bit)))).toBe('bad_proof');
    }
  });

  it("rejects a proof from another key, and evaluations under another key, with 'bad_proof'", () => {
    const b = voprfBatch(3);
    const other = OprfKey.generate('voprf');
    const res2 = blindEvaluateBatch(other, b.blinded);
    // Other key's elements and proof against our key.
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, res2.evaluatedElements, res2.proof))).toBe('bad_proof');
    // Our elements with the other key's proof.
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, res2.proof))).toBe('bad_proof');
    // Everything consistent with the other key, but checked against our public key.
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, res2.evaluatedElements, res2.proof))).toBe('bad_proof');
    expect(() => verifyBatch(other.publicKey(), b.blinded, res2.evaluatedElements, res2.proof)).not.toThrow();
  });

  it("rejects swapped, substituted or reordered elements with 'bad_proof'", () => {
    const b = voprfBatch(3);
    const [e0, e1, e2] = b.evaluatedElements as [Uint8Array, Uint8Array, Uint8Array];
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, [e1, e0, e2], b.proof))).toBe('bad_proof');
    const random = sodium().crypto_core_ristretto255_random();
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, [e0, random, e2], b.proof))).toBe('bad_proof');
    // Swapping the blinded side with the evaluated side.
    expect(errorCode(() => verifyBatch(b.pk, b.evaluatedElements, b.blinded, b.proof))).toBe('bad_proof');
    // Reordering both sides consistently still changes the composites' weights.
    const [c0, c1, c2] = b.blinded as [Uint8Array, Uint8Array, Uint8Array];
    expect(errorCode(() => verifyBatch(b.pk, [c1, c0, c2], [e1, e0, e2], b.proof))).toBe('bad_proof');
    // A sub-batch does not verify under the full batch's proof.
    expect(errorCode(() => verifyBatch(b.pk, [c0, c1], [e0, e1], b.proof))).toBe('bad_proof');
  });

  it("rejects non-canonical proof scalars (c or s ≥ ℓ, including s + ℓ) with 'bad_proof'", () => {
    const b = voprfBatch(1);
    const c = b.proof.subarray(0, 32);
    const s = b.proof.subarray(32);
    const sPlusL = new Uint8Array(32);
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const v = s[i]! + L_BYTES[i]! + carry;
      sPlusL[i] = v & 0xff;
      carry = v >> 8;
    }
    expect(carry).toBe(0); // s < ℓ < 2^253, so s + ℓ fits in 32 bytes
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, concatBytes(c, sPlusL)))).toBe('bad_proof');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, concatBytes(L_BYTES, s)))).toBe('bad_proof');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, new Uint8Array(64).fill(0xff)))).toBe('bad_proof');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, new Uint8Array(64)))).toBe('bad_proof');
  });

  it('rejects malformed arguments with their own codes', () => {
    const b = voprfBatch(2);
    const [e0, e1] = b.evaluatedElements as [Uint8Array, Uint8Array];
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, [e0, IDENTITY], b.proof))).toBe('identity_point');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, [e0, NEGATIVE], b.proof))).toBe('non_canonical_point');
    expect(errorCode(() => verifyBatch(b.pk, [IDENTITY, b.blinded[1]!], b.evaluatedElements, b.proof))).toBe('identity_point');
    expect(errorCode(() => verifyBatch(IDENTITY, b.blinded, b.evaluatedElements, b.proof))).toBe('identity_point');
    expect(errorCode(() => verifyBatch(b.pk.subarray(1), b.blinded, b.evaluatedElements, b.proof))).toBe('bad_length');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, [e0, e1.subarray(0, 31)], b.proof))).toBe('bad_length');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, b.proof.subarray(0, 63)))).toBe('bad_length');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, b.evaluatedElements, concatBytes(b.proof, new Uint8Array(1))))).toBe('bad_length');
    expect(errorCode(() => verifyBatch(b.pk, b.blinded, [e0], b.proof))).toBe('bad_request');
    expect(errorCode(() => verifyBatch(b.pk, [], [], b.proof))).toBe('bad_request');
  });
});

describe('server evaluation', () => {
  it('rejects identity, non-canonical and mis-sized blinded elements', () => {
    const k = OprfKey.generate('oprf');
    const vk = OprfKey.generate('voprf');
    const good = blind('oprf', utf8('x')).blindedElement;
    expect(errorCode(() => blindEvaluate(k, IDENTITY))).toBe('identity_point');
    expect(errorCode(() => blindEvaluate(k, NEGATIVE))).toBe('non_canonical_point');
    expect(errorCode(() => blindEvaluate(k, good.subarray(0, 16)))).toBe('bad_length');
    expect(errorCode(() => blindEvaluateBatch(vk, [good, IDENTITY]))).toBe('identity_point');
    expect(errorCode(() => blindEvaluateBatch(vk, [NEGATIVE]))).toBe('non_canonical_point');
    expect(errorCode(() => blindEvaluateBatch(vk, [concatBytes(good, new Uint8Array(1))]))).toBe('bad_length');
  });

  it('keeps modes apart: an OPRF key gives no unproven VOPRF answers and vice versa', () => {
    const k = OprfKey.generate('oprf');
    const vk = OprfKey.generate('voprf');
    const el = blind('voprf', utf8('x')).blindedElement;
    expect(errorCode(() => blindEvaluate(vk, el))).toBe('bad_key');
    expect(errorCode(() => blindEvaluateBatch(k, [el]))).toBe('bad_key');
    // The same scalar is a different PRF in each mode (the mode is in the hash-to-group DST).
    const sk = k.secretBytes();
    expect(toHex(evaluate(OprfKey.fromBytes('oprf', sk), utf8('x')))).not.toBe(toHex(evaluate(OprfKey.fromBytes('voprf', sk), utf8('x'))));
    expect(errorCode(() => OprfKey.generate('poprf' as 'oprf'))).toBe('bad_request');
    expect(errorCode(() => blind('x' as 'oprf', utf8('x')))).toBe('bad_request');
  });

  it('caps batches: empty, over the default, and over a caller cap', () => {
    const vk = OprfKey.generate('voprf');
    const el = blind('voprf', utf8('x')).blindedElement;
    expect(errorCode(() => blindEvaluateBatch(vk, []))).toBe('bad_request');
    expect(errorCode(() => blindEvaluateBatch(vk, new Array<Uint8Array>(DEFAULT_MAX_BATCH + 1).fill(el)))).toBe('too_large');
    expect(errorCode(() => blindEvaluateBatch(vk, [el, el, el], randomBytes, { maxBatch: 2 }))).toBe('too_large');
    expect(errorCode(() => blindEvaluateBatch(vk, [el], randomBytes, { maxBatch: 70_000 }))).toBe('bad_request');
    const res = blindEvaluateBatch(vk, [el, el], randomBytes, { maxBatch: 2 });
    expect(errorCode(() => verifyBatch(vk.publicKey(), [el, el], res.evaluatedElements, res.proof, { maxBatch: 1 }))).toBe('too_large');
    expect(() => verifyBatch(vk.publicKey(), [el, el], res.evaluatedElements, res.proof)).not.toThrow();
  });
});

describe('client side', () => {
  it('caps inputs at 65535 bytes (2-byte length prefix)', () => {
    const k = OprfKey.generate('oprf');
    const max = new Uint8Array(MAX_INPUT_BYTES).fill(7);
    const b = blind('oprf', max);
    expect(toHex(finalize('oprf', max, b.blind, blindEvaluate(k, b.blindedElement)))).toBe(toHex(evaluate(k, max)));
    const over = new Uint8Array(MAX_INPUT_BYTES + 1);
    expect(errorCode(() => blind('oprf', over))).toBe('too_large');
    expect(errorCode(() => evaluate(k, over))).toBe('too_large');
    expect(errorCode(() => finalize('oprf', over, b.blind, blindEvaluate(k, b.blindedElement)))).toBe('too_large');
    expect(errorCode(() => blind('oprf', 'text' as unknown as Uint8Array))).toBe('bad_length');
  });

  it('accepts the empty input', () => {
    const k = OprfKey.generate('oprf');
    const b = blind('oprf', new Uint8Array(0));
    expect(toHex(finalize('oprf', new Uint8Array(0), b.blind, blindEvaluate(k, b.blindedElement)))).toBe(toHex(evaluate(k, new Uint8Array(0))));
  });

  it("rejects zero, non-canonical and mis-sized blinds with 'bad_scalar' / 'bad_length'", () => {
    const k = OprfKey.generate('oprf');
    const b = blind('oprf', utf8('x'));
    const ev = blindEvaluate(k, b.blindedElement);
    expect(errorCode(() => finalize('oprf', utf8('x'), new Uint8Array(32), ev))).toBe('bad_scalar');
    expect(errorCode(() => finalize('oprf', utf8('x'), L_BYTES, ev))).toBe('bad_scalar');
    expect(errorCode(() => finalize('oprf', utf8('x'), b.blind.subarray(1), ev))).toBe('bad_length');
    expect(errorCode(() => finalize('oprf', utf8('x'), b.blind, IDENTITY))).toBe('identity_point');
    expect(errorCode(() => finalizeBatch('oprf', [utf8('x')], [b.blind], []))).toBe('bad_request');
    expect(finalizeBatch('oprf', [], [], [])).toEqual([]);
  });

  it('finalizeBatch equals finalize element by element', () => {
    const k = OprfKey.generate('oprf');
    const inputs = Array.from({ length: 9 }, (_, i) => utf8(`x${i}`));
    const bs = blindBatch('oprf', inputs);
    const ev = bs.map((b) => blindEvaluate(k, b.blindedElement));
    const batch = finalizeBatch(
      'oprf',
      inputs,
      bs.map((b) => b.blind),
      ev,
    );
    expect(batch.map(toHex)).toEqual(inputs.map((x, i) => toHex(finalize('oprf', x, bs[i]!.blind, ev[i]!))));
  });

  it('blinding hides the input: two blinds of one input differ, their outputs agree', () => {
    const k = OprfKey.generate('oprf');
    const b1 = blind('oprf', utf8('same'));
    const b2 = blind('oprf', utf8('same'));
    expect(toHex(b1.blindedElement)).not.toBe(toHex(b2.blindedElement));
    const o1 = finalize('oprf', utf8('same'), b1.blind, blindEvaluate(k, b1.blindedElement));
    const o2 = finalize('oprf', utf8('same'), b2.blind, blindEvaluate(k, b2.blindedElement));
    expect(toHex(o1)).toBe(toHex(o2));
  });

  it('never uses a zero blind, even from an rng that returns zeros', () => {
    const zeros: Rng = (n) => new Uint8Array(n);
    expect(errorCode(() => blind('oprf', utf8('x'), zeros))).toBe('internal');
    let calls = 0;
    const zeroOnce: Rng = (n) => (calls++ === 0 ? new Uint8Array(n) : randomBytes(n));
    const b = blind('oprf', utf8('x'), zeroOnce);
    expect(calls).toBe(2);
    expect(toHex(b.blind)).not.toBe(toHex(new Uint8Array(32)));
  });
});

describe('OprfKey', () => {
  it('round-trips through secretBytes and rejects bad secrets', () => {
    const k = OprfKey.generate('voprf');
    const k2 = OprfKey.fromBytes('voprf', k.secretBytes());
    expect(toHex(k2.publicKey())).toBe(toHex(k.publicKey()));
    expect(errorCode(() => OprfKey.fromBytes('oprf', new Uint8Array(32)))).toBe('bad_key');
    expect(errorCode(() => OprfKey.fromBytes('oprf', L_BYTES))).toBe('bad_key');
    expect(errorCode(() => OprfKey.fromBytes('oprf', new Uint8Array(32).fill(0xff)))).toBe('bad_key');
    expect(errorCode(() => OprfKey.fromBytes('oprf', new Uint8Array(31).fill(1)))).toBe('bad_length');
    expect(errorCode(() => OprfKey.derive('oprf', new Uint8Array(31), new Uint8Array(0)))).toBe('bad_length');
    expect(errorCode(() => OprfKey.derive('oprf', new Uint8Array(32), new Uint8Array(0x10000)))).toBe('too_large');
  });

  it('does not expose its secret through JSON or public fields', () => {
    const k = OprfKey.generate('oprf');
    const hex = toHex(k.secretBytes());
    expect(JSON.stringify(k)).not.toContain(hex);
    expect(Object.values(k).map(String).join()).not.toContain(hex);
    // Returned bytes are copies.
    k.secretBytes().fill(0);
    k.publicKey().fill(0);
    expect(toHex(k.secretBytes())).toBe(hex);
  });
});
