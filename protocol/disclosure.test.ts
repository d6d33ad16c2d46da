/**
 * The mail item cap holds every legitimate disclosure message: the largest claim and the largest release
 * fit their sealed cap, and a request or decision whose every field is at its schema cap, signed and
 * encoded, fits `MAIL_LIMITS.maxItemBytes`. So the coordinator's cap refuses padding only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, randomBytes, SigningKey, sealTo } from '#crypto';
import {
  DISCLOSURE_FIELDS,
  DisclosureDecision,
  encode,
  ForwardedDisclosure,
  MAIL_LIMITS,
  RECORD_LIMITS,
  SealedClaim,
  SealedRelease,
  signEnvelope,
} from './index.ts';

/** `n` characters of three bytes each in UTF-8: the worst case for a length-capped string. */
const wide = (n: number) => '中'.repeat(n);
const code64 = 'x'.repeat(64);
/** Mail is signed by a node: `node:` and a country code. */
const KID = `node:${'X'.repeat(2)}`;

describe('disclosure message sizes', () => {
  let signing: SigningKey;
  let box: BoxKeyPair;
  beforeAll(async () => {
    await initCrypto();
    signing = SigningKey.generate();
    box = BoxKeyPair.generate();
  });

  const bound = {
    id: 'a'.repeat(32),
    from: 'FR',
    analyst: code64,
    to: 'DE',
    purpose: 'counter-terrorism' as const,
    caseRef: code64,
    legalBasis: code64,
    fields: [...DISCLOSURE_FIELDS],
  };

  it('the largest claims fit the sealed cap', () => {
    const bio: SealedClaim = {
      ...bound,
      analystBoxPub: box.publicKey(),
      claim: { bio: { modality: 'face', queryId: 'b'.repeat(32), position: 2 ** 31, embedding: Array.from({ length: 2048 }, () => Math.random() - 0.5) } },
      justification: wide(2000),
    };
    const name: SealedClaim = {
      ...bound,
      analystBoxPub: box.publicKey(),
      token: randomBytes(256),
      claim: { name: wide(300), dob: wide(20) },
      justification: wide(2000),
    };
    for (const c of [bio, name]) {
      expect(SealedClaim.parse(c)).toBeTruthy();
      const sealed = sealTo(box.publicKey(), encode(c));
      expect(sealed.length).toBeLessThanOrEqual(MAIL_LIMITS.maxSealedBytes);
    }
  });

  it('the largest release fits the sealed cap', () => {
    const name = wide(RECORD_LIMITS.name);
    const release: SealedRelease = {
      id: 'a'.repeat(32),
      handling: 'confidential',
      fields: {
        name: { family: name, given: name, aliases: Array.from({ length: RECORD_LIMITS.aliases }, () => name) },
        dob: wide(RECORD_LIMITS.date),
        nationality: 'DEU',
        sex: 'M',
        documents: Array.from({ length: RECORD_LIMITS.documents }, () => ({
          type: wide(RECORD_LIMITS.docType),
          country: 'DEU',
          number: wide(RECORD_LIMITS.docNumber),
          status: 'valid',
        })),
        vehicle: { vin: wide(RECORD_LIMITS.vin), plate: wide(RECORD_LIMITS.plate), make: wide(64), model: wide(64), colour: wide(64), country: 'DEU' },
        dataset: 'x'.repeat(RECORD_LIMITS.dataset),
      },
      decidedAt: Date.now(),
    };
    const denial: SealedRelease = { id: 'a'.repeat(32), reason: wide(2000), decidedAt: Date.now() };
    for (const r of [release, denial]) expect(sealTo(box.publicKey(), encode(SealedRelease.parse(r))).length).toBeLessThanOrEqual(MAIL_LIMITS.maxSealedBytes);
  });

  it('a request or decision with every field at its cap, signed and encoded, fits the mail item cap', () => {
    const fwd: ForwardedDisclosure = {
      t: 'fwd-disclosure',
      ...bound,
      ts: Number.MAX_SAFE_INTEGER,
      analystBoxPub: box.publicKey(),
      sealedClaim: randomBytes(MAIL_LIMITS.maxSealedBytes),
    };
    const decision: DisclosureDecision = {
      t: 'disclosure-decision',
      id: 'a'.repeat(32),
      ts: Number.MAX_SAFE_INTEGER,
      from: 'DE',
      to: 'FR',
      analyst: code64,
      status: 'approved',
      code: code64,
      cls: 'phonetic_yob',
      sealed: randomBytes(MAIL_LIMITS.maxSealedBytes),
    };
    for (const m of [ForwardedDisclosure.parse(fwd), DisclosureDecision.parse(decision)]) {
      expect(encode(signEnvelope(signing, KID, m)).length).toBeLessThanOrEqual(MAIL_LIMITS.maxItemBytes);
    }
  });
});
