/**
 * Commitments verified once (verified-commitments.ts): the same signed bytes under the same member key
 * are not checked again, and anything else is checked in full — a forged signature over the same
 * payload, another payload, a member whose key changed, a member the directory does not know.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, SigningKey } from '#crypto';
import { type Envelope, type IndexCommitment, keyId, signEnvelope } from '#protocol';
import type { Member } from './members.ts';
import { VerifiedCommitments } from './verified-commitments.ts';

beforeAll(async () => {
  await initCrypto();
});

const commitment = (seq: number): IndexCommitment => ({
  t: 'index-commit',
  country: 'DE',
  epoch: 1,
  seq,
  root: new Uint8Array(32).fill(seq),
  count: seq,
  ts: Date.UTC(2026, 11, 8),
});

const member = (key: SigningKey): Member => ({
  country: 'DE',
  signPub: key.publicKey(),
  boxPub: new Uint8Array(32),
  epoch: 1,
  oprfPub: new Uint8Array(32),
  roles: ['requester', 'responder'],
  tlsCertificate: new Uint8Array(1),
});

describe('VerifiedCommitments', () => {
  it('returns a verified commitment again for the same bytes, and verifies everything else in full', () => {
    const de = SigningKey.generate();
    const cache = new VerifiedCommitments();
    const env = signEnvelope(de, keyId.node('DE'), commitment(3));
    expect(cache.verify('DE', env, member(de))).toMatchObject({ seq: 3 });
    expect(cache.verify('DE', { ...env }, member(de))).toMatchObject({ seq: 3 });
    // Same payload, another signature: verified, and refused.
    const forged: Envelope = { ...env, sig: env.sig.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    expect(() => cache.verify('DE', forged, member(de))).toThrow();
    // Another payload under a valid signature: verified, accepted, and now the one remembered.
    const next = signEnvelope(de, keyId.node('DE'), commitment(4));
    expect(cache.verify('DE', next, member(de))).toMatchObject({ seq: 4 });
    // The member's key changed (rotation, or a directory that now says otherwise): checked against the new key.
    expect(() => cache.verify('DE', next, member(SigningKey.generate()))).toThrow();
    // A member the directory does not know: refused, whatever was verified before.
    expect(() => cache.verify('DE', next, undefined)).toThrow(expect.objectContaining({ code: 'unknown_member' }));
    // Signed by another node's key id: refused even with DE's key.
    const other = signEnvelope(de, keyId.node('FR'), commitment(4));
    expect(() => cache.verify('DE', other, member(de))).toThrow(expect.objectContaining({ code: 'unknown_member' }));
  });
});
