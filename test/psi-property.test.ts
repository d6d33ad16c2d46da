/**
 * PSI correctness as a property (fast-check): for random record sets and random queries, the blind
 * protocol path — SDK blinds, node evaluates with a batched DLEQ proof, SDK verifies and finalizes, tags
 * are intersected with the node's published tags — hits exactly the plaintext intersection of
 * normalized match keys. Real crypto, no network (the network path is covered by the integration tests).
 */

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { blind, blindEvaluateBatch, evaluate, finalize, initCrypto, OprfKey, toHex, verifyBatch } from '#crypto';
import { matchKeysForQuery, matchKeysForRecord, type VeilRecord } from '#protocol';

const FAMILY = ['Müller', 'Mueller', 'Иванов', 'Ivanov', 'Papadopoulos', 'Παπαδόπουλος', 'Dubois', 'Nowak'];
const GIVEN = ['Hans', 'Владимир', 'Vladimir', 'Jean', 'Anna', 'Γιώργος'];
const DOBS = ['1970-01-02', '1970-02-01', '1985-03-14', '21.05.1979'];

const person = fc.record({ family: fc.constantFrom(...FAMILY), given: fc.constantFrom(...GIVEN), dob: fc.constantFrom(...DOBS) });

describe('PSI hits equal the plaintext intersection of normalized keys', () => {
  beforeAll(async () => {
    await initCrypto();
  });

  it('for random galleries and queries', () => {
    const key = OprfKey.generate('voprf');
    fc.assert(
      fc.property(fc.array(person, { minLength: 0, maxLength: 12 }), person, (people, q) => {
        const records: VeilRecord[] = people.map(
          (p, i) => ({ id: `r${i}`, kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: p }) as VeilRecord,
        );
        const recordKeys = records.flatMap((r) => matchKeysForRecord(r));
        // Node side: its published tags.
        const published = new Set(recordKeys.map((k) => toHex(evaluate(key, k.input).subarray(0, 16))));
        // Analyst side: blind protocol.
        const qk = matchKeysForQuery({ name: `${q.given} ${q.family}`, dob: q.dob });
        const blinds = qk.map((k) => blind('voprf', k.input));
        const ev = blindEvaluateBatch(
          key,
          blinds.map((b) => b.blindedElement),
        );
        verifyBatch(
          key.publicKey(),
          blinds.map((b) => b.blindedElement),
          ev.evaluatedElements,
          ev.proof,
        );
        const hits = qk.filter((k, i) => published.has(toHex(finalize('voprf', k.input, blinds[i]!.blind, ev.evaluatedElements[i]!).subarray(0, 16))));
        // Plaintext: normalized keys in common.
        const plain = new Set(recordKeys.map((k) => toHex(k.input)));
        const expected = qk.filter((k) => plain.has(toHex(k.input)));
        expect(hits.map((k) => toHex(k.input))).toEqual(expected.map((k) => toHex(k.input)));
      }),
      { numRuns: 40 },
    );
  });
});
