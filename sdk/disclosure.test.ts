/**
 * Disclosure requests and decisions against a fake gateway: the claim and justification are sealed so
 * only the owning node can read them (the relayed fields carry no identifier), decisions are accepted
 * only when signed by the owner for this request and this analyst, and releases are opened here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, SigningKey, toBase64url, utf8 } from '#crypto';
import { DisclosureRequest, encode, type QuerySubject } from '#protocol';
import { VeilClient } from './client.ts';
import { analystCredential, FakeGateway, seeded } from './fake-gateway.test-fixture.ts';

const DCTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3' } as const;
const CTX = { ...DCTX, handling: 'restricted' } as const;
const PERSON: QuerySubject = { name: 'Hans Müller', dob: '1970-01-31' };
const JUSTIFICATION = 'Suspect seen at the border crossing on 3 March';

async function network() {
  const rng = seeded(3);
  const cred = analystCredential('FR', rng);
  const gw = new FakeGateway(cred, rng);
  for (const c of ['FR', 'DE', 'IT']) gw.add(c);
  gw.node('DE').hold(PERSON, utf8('token:de-1'));
  const client = await VeilClient.connect(cred, { transport: gw });
  const r = await client.query(PERSON, CTX);
  const hit = r.results.find((x) => x.country === 'DE')?.hits[0];
  if (!hit) throw new Error('fixture: no hit at DE');
  return { gw, cred, client, hit: { country: 'DE', token: hit.token } };
}

/** Every string inside a value (to look for leaks in what travels in the clear). */
function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (x instanceof Uint8Array) return [new TextDecoder().decode(x)];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

describe('disclosure (fake gateway)', () => {
  beforeAll(initCrypto);

  it('seals the claim and justification to the owning node; the relayed fields carry no claim', async () => {
    const { gw, cred, client, hit } = await network();
    const receipt = await client.requestDisclosure(hit, PERSON, DCTX, { fields: ['name', 'dob'], justification: JUSTIFICATION });
    expect(receipt).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), status: 'pending' });
    const req = gw.last('/v1/disclosures', DisclosureRequest);
    const { sealedClaim, ...clear } = req;
    expect(clear).toEqual({
      t: 'disclosure-request',
      id: receipt.id,
      ts: expect.any(Number),
      nonce: expect.any(Uint8Array),
      to: 'DE',
      purpose: 'wanted-person',
      caseRef: 'T-2026-1',
      legalBasis: 'art-3',
      fields: ['name', 'dob'],
      analystBoxPub: expect.any(Uint8Array),
    });
    expect(new Uint8Array(clear.analystBoxPub)).toEqual(cred.box.publicKey());
    const visible = strings(clear).join('\n') + new TextDecoder().decode(encode(req));
    for (const secret of ['Müller', 'Hans', '1970-01-31', 'border crossing', 'token:de-1']) expect(visible).not.toContain(secret);
    // Only the owner opens it, and finds the claim, the hit token and the justification.
    const opened = gw.node('DE').openClaim(sealedClaim);
    expect(opened).toEqual({
      id: receipt.id,
      // Bound to this request: who asks, for which fields, and the key releases are sealed to.
      from: 'FR',
      analyst: cred.analystId,
      to: 'DE',
      ...DCTX,
      fields: ['name', 'dob'],
      analystBoxPub: cred.box.publicKey(),
      token: expect.any(Uint8Array),
      claim: PERSON,
      justification: JUSTIFICATION,
    });
    expect(opened.token && toBase64url(opened.token)).toBe(hit.token);
    expect(() => gw.node('IT').openClaim(sealedClaim)).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));

    // A caller-chosen id is kept (retries are the same request).
    const again = await client.requestDisclosure(hit, PERSON, DCTX, { fields: ['name'], justification: JUSTIFICATION, id: 'a'.repeat(32) });
    expect(again.id).toBe('a'.repeat(32));
  });

  it('a biometric claim is the probe at its position; a malformed reference is refused before sending', async () => {
    const { gw, client } = await network();
    const embedding = Array.from({ length: 256 }, (_, i) => (i === 3 ? 1 : 0));
    const queryId = 'b'.repeat(32);
    await client.requestBioDisclosure({ country: 'DE', ref: `bio:${queryId}:17` }, 'fingerprint', embedding, DCTX, {
      fields: ['name'],
      justification: JUSTIFICATION,
    });
    const req = gw.last('/v1/disclosures', DisclosureRequest);
    expect(gw.node('DE').openClaim(req.sealedClaim)).toMatchObject({
      id: req.id,
      fields: ['name'],
      claim: { bio: { modality: 'fingerprint', queryId, position: 17, embedding } },
      justification: JUSTIFICATION,
    });
    const sent = gw.requests.length;
    await expect(
      client.requestBioDisclosure({ country: 'DE', ref: 'bio:nope:1' }, 'fingerprint', embedding, DCTX, { fields: ['name'], justification: JUSTIFICATION }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    expect(gw.requests.length).toBe(sent);
  });

  it('an owner the directory does not know is looked up once more, then refused', async () => {
    const { gw, client, hit } = await network();
    const before = gw.count('/v1/members');
    await expect(client.requestDisclosure({ ...hit, country: 'XX' }, PERSON, DCTX, { fields: ['name'], justification: JUSTIFICATION })).rejects.toMatchObject({
      code: 'unknown_member',
    });
    expect(gw.count('/v1/members')).toBe(before + 1);
    // An owner admitted since the last fetch is found by that refresh.
    gw.add('ES');
    await expect(client.requestDisclosure({ ...hit, country: 'ES' }, PERSON, DCTX, { fields: ['name'], justification: JUSTIFICATION })).resolves.toMatchObject({
      status: 'pending',
    });
  });

  it('verifies each decision and opens its release; a forged or misdirected decision reads rejected', async () => {
    const { gw, cred, client, hit } = await network();
    const fields = { fields: ['name', 'dob'] as const, justification: JUSTIFICATION };
    for (let i = 0; i < 10; i++) await client.requestDisclosure(hit, PERSON, DCTX, { ...fields, fields: [...fields.fields] });
    const rows = gw.disclosures;
    const de = gw.node('DE');
    const decide = (i: number, o: Parameters<typeof de.decide>[2], status = o.status) => {
      const row = rows[i];
      if (!row) throw new Error('row');
      row.status = status;
      row.decision = de.decide(row.req, cred, o);
    };
    decide(0, { status: 'approved', release: { handling: 'restricted', fields: { name: 'Hans Müller', dob: '1970-01-31' }, decidedAt: 5 } });
    decide(1, { status: 'denied', release: { reason: 'not proportionate', decidedAt: 6 } });
    decide(2, { status: 'rejected', code: 'claim_mismatch' });
    // 3: still pending, no decision.
    de.forgeWith = SigningKey.generate(seeded(8)); // signed under DE's key id with another key
    decide(4, { status: 'approved', release: { fields: { name: 'X' }, decidedAt: 7 } });
    de.forgeWith = undefined;
    de.signAs = gw.node('IT'); // a valid signature, but by IT
    decide(5, { status: 'approved', release: { fields: { name: 'X' }, decidedAt: 7 } });
    de.signAs = undefined;
    decide(6, { status: 'approved', id: 'c'.repeat(32), release: { fields: { name: 'X' }, decidedAt: 7 } }); // for another request
    decide(7, { status: 'approved', releaseId: 'd'.repeat(32), release: { fields: { name: 'X' }, decidedAt: 7 } }); // release for another request
    decide(8, { status: 'approved', release: { fields: { name: 'X' }, decidedAt: 7 } });
    const other = analystCredential('FR', seeded(9), 'analyst-2');
    const row9 = rows[9];
    if (!row9) throw new Error('row');
    row9.status = 'approved';
    row9.decision = de.decide(row9.req, other, { status: 'approved', release: { fields: { name: 'X' }, decidedAt: 7 } }); // for another analyst
    const row8 = rows[8];
    if (!row8) throw new Error('row');
    // 8: decision for this analyst but its release sealed to another key.
    row8.decision = de.decide(row8.req, { ...cred, box: other.box }, { status: 'approved', release: { fields: { name: 'X' }, decidedAt: 7 } });

    const list = await client.disclosures();
    expect(list.map((d) => d.id)).toEqual(rows.map((r) => r.req.id));
    expect(list[0]).toEqual({
      id: rows[0]?.req.id,
      to: 'DE',
      status: 'approved',
      createdAt: rows[0]?.createdAt,
      fields: ['name', 'dob'],
      released: { id: rows[0]?.req.id, handling: 'restricted', fields: { name: 'Hans Müller', dob: '1970-01-31' }, decidedAt: 5 },
    });
    expect(list[1]).toMatchObject({ status: 'denied', released: { reason: 'not proportionate', decidedAt: 6 } });
    expect(list[2]).toMatchObject({ status: 'rejected', code: 'claim_mismatch' });
    expect(list[2]?.released).toBeUndefined();
    expect(list[3]).toEqual({ id: rows[3]?.req.id, to: 'DE', status: 'pending', createdAt: rows[3]?.createdAt, fields: ['name', 'dob'] });
    expect(list.slice(4).map((d) => [d.status, d.code, d.released])).toEqual([
      ['rejected', 'bad_signature', undefined],
      ['rejected', 'unknown_member', undefined],
      ['rejected', 'bad_request', undefined],
      ['rejected', 'bad_request', undefined],
      ['rejected', 'decrypt_failed', undefined],
      ['rejected', 'bad_request', undefined],
    ]);
  });
});
