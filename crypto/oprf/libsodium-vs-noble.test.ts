/**
 * Differential test: our libsodium-based RFC 9497 implementation against noble-curves'
 * `ristretto255_oprf` (an independent implementation in pure JavaScript) on random inputs, keys, blinds
 * and proof nonces. Outputs must agree byte for byte, and proofs made by either side must verify on the
 * other.
 *
 * The two draw scalars from 48 random bytes differently (we reduce mod ℓ, RFC 9497 §4.7; noble maps to
 * 1 + (x mod (ℓ-1))), so each side is fed bytes that make it pick the same scalar.
 */

import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { ristretto255_oprf as noble } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Rng, toHex } from '../bytes.ts';
import { initCrypto } from '../sodium.ts';
import { expandMessageXmd } from './expand-message.ts';
import { blind, blindEvaluate, blindEvaluateBatch, evaluate, finalize, finalizeBatch, OprfKey, type OprfMode, verifyBatch } from './index.ts';

beforeAll(initCrypto);

// noble's server `evaluate` exists at run time but not in its type definitions.
type NobleEvaluate = { evaluate(secretKey: Uint8Array, input: Uint8Array): Uint8Array };
const nobleOprf = noble.oprf as typeof noble.oprf & NobleEvaluate;
const nobleVoprf = noble.voprf as typeof noble.voprf & NobleEvaluate;

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function bigTo48(x: bigint): Uint8Array {
  const out = new Uint8Array(48);
  for (let i = 0; i < 48; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
/** An rng that makes our `randomScalar` return scalar `s` (0 < s < ℓ). */
const oursPicks =
  (s: bigint): Rng =>
  () =>
    bigTo48(s);
/** An rng that makes noble's randomScalar return `s`: noble computes 1 + (x mod (ℓ-1)). */
const noblePicks = (s: bigint) => () => bigTo48(s - 1n);

const scalar = fc.bigInt({ min: 1n, max: L - 1n });
const input = fc.uint8Array({ minLength: 0, maxLength: 100 });
const seed32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const info = fc.uint8Array({ minLength: 0, maxLength: 40 });
const mode = fc.constantFrom<OprfMode>('oprf', 'voprf');
const runs = { numRuns: 40 };

describe('OPRF and VOPRF agree with noble-curves ristretto255_oprf', () => {
  it('DeriveKeyPair', () => {
    fc.assert(
      fc.property(mode, seed32, info, (m, seed, inf) => {
        const ours = OprfKey.derive(m, seed, inf);
        const theirs = (m === 'oprf' ? noble.oprf : noble.voprf).deriveKeyPair(seed, inf);
        expect(toHex(ours.secretBytes())).toBe(toHex(theirs.secretKey));
        expect(toHex(ours.publicKey())).toBe(toHex(theirs.publicKey));
      }),
      runs,
    );
  });

  it('OPRF mode: blind, blindEvaluate, finalize, evaluate', () => {
    fc.assert(
      fc.property(input, scalar, scalar, (x, r, sk) => {
        const key = OprfKey.fromBytes('oprf', bigTo48(sk).subarray(0, 32));
        const ours = blind('oprf', x, oursPicks(r));
        const theirs = noble.oprf.blind(x, noblePicks(r));
        expect(toHex(ours.blind)).toBe(toHex(theirs.blind));
        expect(toHex(ours.blindedElement)).toBe(toHex(theirs.blinded));

        const evOurs = blindEvaluate(key, ours.blindedElement);
        const evTheirs = noble.oprf.blindEvaluate(key.secretBytes(), theirs.blinded);
        expect(toHex(evOurs)).toBe(toHex(evTheirs));

        const out = finalize('oprf', x, ours.blind, evOurs);
        expect(toHex(out)).toBe(toHex(noble.oprf.finalize(x, theirs.blind, evTheirs)));
        expect(toHex(evaluate(key, x))).toBe(toHex(out));
        expect(toHex(nobleOprf.evaluate(key.secretBytes(), x))).toBe(toHex(out));
      }),
      runs,
    );
  });

  it('VOPRF mode: batches, proofs with the same nonce, cross-verification', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(input, scalar), { minLength: 1, maxLength: 5 }), scalar, scalar, (items, sk, nonce) => {
        const key = OprfKey.fromBytes('voprf', bigTo48(sk).subarray(0, 32));
        const pk = key.publicKey();
        const inputs = items.map(([x]) => x);
        const bs = items.map(([x, r]) => blind('voprf', x, oursPicks(r)));
        const nbs = items.map(([x, r]) => noble.voprf.blind(x, noblePicks(r)));
        expect(bs.map((b) => toHex(b.blindedElement))).toEqual(nbs.map((b) => toHex(b.blinded)));
        const blinded = bs.map((b) => b.blindedElement);

        const ours = blindEvaluateBatch(key, blinded, oursPicks(nonce));
        const theirs = noble.voprf.blindEvaluateBatch(key.secretBytes(), pk, blinded, noblePicks(nonce));
        expect(ours.evaluatedElements.map(toHex)).toEqual(theirs.evaluated.map(toHex));
        expect(toHex(ours.proof)).toBe(toHex(theirs.proof));

        // A proof made with a fresh random nonce still verifies on both sides.
        const fresh = blindEvaluateBatch(key, blinded);
        verifyBatch(pk, blinded, fresh.evaluatedElements, fresh.proof);
        const nobleItems = (ev: Uint8Array[]) => items.map(([x], i) => ({ input: x, blind: bs[i]!.blind, evaluated: ev[i]!, blinded: blinded[i]! }));
        const nobleOut = noble.voprf.finalizeBatch(nobleItems(fresh.evaluatedElements), pk, fresh.proof);
        verifyBatch(pk, blinded, theirs.evaluated, theirs.proof);

        const outs = finalizeBatch(
          'voprf',
          inputs,
          bs.map((b) => b.blind),
          fresh.evaluatedElements,
        );
        expect(outs.map(toHex)).toEqual(nobleOut.map(toHex));
        expect(inputs.map((x) => toHex(evaluate(key, x)))).toEqual(inputs.map((x) => toHex(nobleVoprf.evaluate(key.secretBytes(), x))));
      }),
      { numRuns: 15 },
    );
  });

  it('expand_message_xmd(SHA-512) for short and long outputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 1, maxLength: 255 }), fc.integer({ min: 1, max: 1000 }), (msg, dst, len) => {
        expect(toHex(expandMessageXmd(msg, dst, len))).toBe(toHex(expand_message_xmd(msg, dst, len, sha512)));
      }),
      { numRuns: 100 },
    );
  });
});
