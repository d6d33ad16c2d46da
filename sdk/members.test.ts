/**
 * The member directory keeps the entries it verified (by their bytes) so a re-sent directory does not
 * check every signature again; what can change without the bytes changing — validity time and
 * revocation — is checked at every update, and a changed entry is verified from scratch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, randomBytes, SigningKey, toHex } from '#crypto';
import { type Envelope, issueCertificate, issueRevocationList, keyId, type MemberEntry, signEnvelope } from '#protocol';
import { MemberDirectory } from './members.ts';

const ORG = 'veil-test';
const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

let root: SigningKey;
const entry = (country: string, boxPub?: Uint8Array): MemberEntry => {
  const signing = SigningKey.generate();
  const cert = issueCertificate(root, {
    org: ORG,
    serial: toHex(randomBytes(16)),
    role: 'node',
    name: country,
    signPub: signing.publicKey(),
    tlsPub: randomBytes(32),
    roles: ['requester', 'responder'],
    notBefore: NOW - DAY,
    notAfter: NOW + 10 * DAY,
    x509: new Uint8Array([0]),
  });
  const descriptor = signEnvelope(signing, keyId.node(country), {
    t: 'descriptor',
    country,
    ts: NOW,
    signPub: signing.publicKey(),
    boxPub: boxPub ?? BoxKeyPair.generate().publicKey(),
    oprf: { epoch: 1, pub: randomBytes(32) },
  });
  return { cert, descriptor };
};

describe('member directory updates', () => {
  beforeAll(async () => {
    await initCrypto();
    root = SigningKey.generate();
  });

  it('an unchanged entry stays; revocation and expiry still remove it; a changed entry is verified again', () => {
    let now = NOW;
    const dir = new MemberDirectory({ org: ORG, rootPub: root.publicKey() }, () => now);
    const fr = entry('FR');
    const de = entry('DE');
    dir.update([fr, de], null);
    expect(dir.get('FR')).toBeDefined();
    expect(dir.get('DE')).toBeDefined();

    // The same entries again (the verified ones): still there.
    dir.update([fr, de], null);
    expect([dir.get('FR')?.country, dir.get('DE')?.country]).toEqual(['FR', 'DE']);

    // DE's descriptor with another box key under the old signature: not taken from what was verified.
    const forged: MemberEntry = { cert: de.cert, descriptor: { ...(de.descriptor as Envelope), payload: fr.descriptor?.payload ?? new Uint8Array() } };
    dir.update([fr, forged], null);
    expect(dir.get('DE')).toBeUndefined();
    expect(dir.rejected()).toEqual([{ country: 'DE', code: expect.any(String) }]);

    // DE again, then revoked by a newer list: the verified entry does not survive the revocation.
    dir.update([fr, de], null);
    expect(dir.get('DE')).toBeDefined();
    const list = issueRevocationList(root, {
      org: ORG,
      seq: 1,
      issuedAt: now,
      nextUpdate: now + 7 * DAY,
      entries: [{ role: 'node', name: 'DE', status: 'revoked', since: now }],
    });
    dir.update([fr, de], list);
    expect(dir.get('DE')).toBeUndefined();
    expect(dir.rejected()).toEqual([{ country: 'DE', code: 'revoked' }]);

    // Past the certificates' validity: the verified FR entry expires like a new one would.
    now = NOW + 11 * DAY;
    dir.update([fr], null);
    expect(dir.get('FR')).toBeUndefined();
    expect(dir.rejected()).toEqual([{ country: 'FR', code: 'certificate_expired' }]);
  });
});
