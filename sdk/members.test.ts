import { beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, randomBytes, SigningKey, toHex } from '#crypto';
import { issueCertificate, issueRevocationList, keyId, type MemberEntry, type NodeDescriptor, signEnvelope } from '#protocol';
import { MemberDirectory } from './members.ts';

beforeAll(initCrypto);

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;

function organisation() {
  const root = SigningKey.generate();
  const anchor = { org: 'veil-test', rootPub: root.publicKey() };
  const member = (country: string, notAfter = NOW + DAY) => {
    const signing = SigningKey.generate();
    const cert = issueCertificate(root, {
      org: anchor.org,
      serial: toHex(randomBytes(16)),
      role: 'node',
      name: country,
      signPub: signing.publicKey(),
      tlsPub: SigningKey.generate().publicKey(),
      roles: ['requester', 'responder'],
      notBefore: NOW - DAY,
      notAfter,
      x509: new Uint8Array(8),
    });
    const descriptor = (epoch: number) =>
      signEnvelope(signing, keyId.node(country), {
        t: 'descriptor',
        country,
        ts: NOW,
        signPub: signing.publicKey(),
        boxPub: BoxKeyPair.generate().publicKey(),
        oprf: { epoch, pub: SigningKey.generate().publicKey() },
      } satisfies NodeDescriptor);
    return { signing, entry: (epoch = 1): MemberEntry => ({ cert, descriptor: descriptor(epoch) }) };
  };
  const revoke = (seq: number, country: string) =>
    issueRevocationList(root, {
      org: anchor.org,
      seq,
      issuedAt: NOW,
      nextUpdate: NOW + 7 * DAY,
      entries: [{ role: 'node', name: country, status: 'revoked', since: NOW }],
    });
  return { anchor, member, revoke };
}

describe('MemberDirectory across repeated broadcasts', () => {
  it('keeps byte-identical entries and picks up a changed descriptor', () => {
    const o = organisation();
    const fr = o.member('FR');
    const de = o.member('DE');
    const dir = new MemberDirectory(o.anchor, () => NOW);
    const frEntry = fr.entry(1);
    dir.update([frEntry, de.entry(1)], null);
    expect(
      dir
        .all()
        .map((m) => m.country)
        .sort(),
    ).toEqual(['DE', 'FR']);
    // A copy of the same bytes (a new broadcast decodes new objects) and a rotated descriptor.
    const copy: MemberEntry = structuredClone(frEntry);
    dir.update([copy, de.entry(2)], null);
    expect(dir.get('FR')?.epoch).toBe(1);
    expect(dir.get('DE')?.epoch).toBe(2);
  });

  it('does not let a known signature vouch for other payload bytes', () => {
    const o = organisation();
    const fr = o.member('FR');
    const dir = new MemberDirectory(o.anchor, () => NOW);
    const good = fr.entry(1);
    dir.update([good], null);
    const other = fr.entry(7);
    const forged: MemberEntry = { cert: good.cert, descriptor: { ...other.descriptor!, sig: good.descriptor!.sig } };
    dir.update([forged], null);
    expect(dir.get('FR')).toBeUndefined();
    expect(dir.rejected()).toEqual([{ country: 'FR', code: 'bad_signature' }]);
  });

  it('re-checks validity and revocation for entries it has verified before', () => {
    const o = organisation();
    let now = NOW;
    const dir = new MemberDirectory(o.anchor, () => now);
    const fr = o.member('FR', NOW + 1000).entry();
    const de = o.member('DE').entry();
    dir.update([fr, de], null);
    expect(dir.all()).toHaveLength(2);
    now = NOW + 2000;
    dir.update([fr, de], null);
    expect(dir.get('FR')).toBeUndefined();
    expect(dir.rejected()).toEqual([{ country: 'FR', code: 'certificate_expired' }]);
    dir.update([fr, de], o.revoke(1, 'DE'));
    expect(dir.all()).toHaveLength(0);
    dir.update([de], null);
    expect(dir.rejected()).toEqual([{ country: 'DE', code: 'revoked' }]);
  });
});
