/**
 * The blind identifier query against a fake gateway (real keys, signatures and DLEQ proofs; no network):
 * hits and no-hits in exact and bucket modes, answers that must not read as "no hit" (wrong OPRF key,
 * wrong signer, another query), statuses passed through, refused classes, and the member directory
 * refreshed when an answer names an epoch or a signer it does not know yet.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, OprfKey, SigningKey, toBase64url, utf8 } from '#crypto';
import { describeMatch, LookupRequest, type MatchClass, QueryRequest, type QuerySubject } from '#protocol';
import { VeilClient } from './client.ts';
import { analystCredential, FakeGateway, seeded } from './fake-gateway.test-fixture.ts';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const PERSON: QuerySubject = { name: 'Hans Müller', dob: '1970-01-31' };
const OTHER: QuerySubject = { name: 'Anna Schmidt', dob: '1985-06-02' };
const VIN: QuerySubject = { vin: 'WVWZZZ1JZXW000001' };
const PERSON_CLASSES: MatchClass[] = ['name_dob', 'phonetic_dob', 'phonetic_yob'];

async function network(countries: string[] = ['FR', 'DE', 'IT'], seed = 1) {
  const rng = seeded(seed);
  const cred = analystCredential('FR', rng);
  const gw = new FakeGateway(cred, rng);
  for (const c of countries) gw.add(c);
  let t = 1_750_000_000_000;
  const clock = { now: () => t };
  const client = await VeilClient.connect(cred, { transport: gw, clock });
  return {
    gw,
    cred,
    client,
    clock,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const tokenOf = (s: string) => utf8(`token:${s}`);
const hitsFor = (token: Uint8Array, classes = PERSON_CLASSES) => classes.map((cls) => ({ cls, token: toBase64url(token), match: describeMatch([cls]) }));
/** A country's hit: one hit per class that met, and the strongest of them in words. */
const hitOf = (token: Uint8Array, classes = PERSON_CLASSES) => ({ hits: hitsFor(token, classes), match: describeMatch(classes) });

describe('blind identifier query (fake gateway)', () => {
  beforeAll(initCrypto);

  it('exact mode: a hit where the record is held and a no-hit elsewhere; only tags are looked up', async () => {
    const { gw, client } = await network(['FR', 'DE', 'IT', 'ES']);
    gw.node('DE').hold(PERSON, tokenOf('de-1'));
    gw.node('IT').hold(OTHER, tokenOf('it-1'));
    gw.node('ES').hold(VIN, tokenOf('es-1'));
    const r = await client.query(PERSON, CTX);
    expect(r.classes).toEqual(PERSON_CLASSES);
    expect(r.results).toEqual([
      { country: 'DE', status: 'hit', epoch: 1, ...hitOf(tokenOf('de-1')), refusedClasses: [] },
      { country: 'ES', status: 'no-hit', epoch: 1, hits: [], refusedClasses: [] },
      { country: 'IT', status: 'no-hit', epoch: 1, hits: [], refusedClasses: [] },
    ]);
    // The query carried blinded elements only; the lookup full 16-byte tags, one entry per country.
    const q = gw.last('/v1/query', QueryRequest);
    expect(q).toMatchObject({ id: r.queryId, targets: null, purpose: 'wanted-person', caseRef: 'T-2026-1' });
    expect(q.items.map((i) => i.cls)).toEqual(PERSON_CLASSES);
    const l = gw.last('/v1/lookup', LookupRequest);
    expect(l.mode).toBe('exact');
    expect(l.items.map((i) => i.country).sort()).toEqual(['DE', 'ES', 'IT']);
    for (const it of l.items) expect(it.keys.every((k) => k.length === 16)).toBe(true);
    // A document query hits only where the vehicle is held.
    const v = await client.query(VIN, CTX, { targets: ['DE', 'ES'] });
    expect(v.results.map((x) => [x.country, x.status])).toEqual([
      ['DE', 'no-hit'],
      ['ES', 'hit'],
    ]);
    expect(gw.last('/v1/query', QueryRequest).targets).toEqual(['DE', 'ES']);
  });

  it('bucket mode: only prefixes leave, and the hit is found locally among the bucket’s other entries', async () => {
    const { gw, client } = await network();
    gw.node('DE').hold(PERSON, tokenOf('de-1'));
    gw.node('DE').crowd(PERSON);
    gw.node('IT').crowd(PERSON); // IT's buckets are busy but hold no match
    const r = await client.query(PERSON, CTX, { mode: 'bucket' });
    expect(r.results).toEqual([
      { country: 'DE', status: 'hit', epoch: 1, ...hitOf(tokenOf('de-1')), refusedClasses: [] },
      { country: 'IT', status: 'no-hit', epoch: 1, hits: [], refusedClasses: [] },
    ]);
    const l = gw.last('/v1/lookup', LookupRequest);
    expect(l.mode).toBe('bucket');
    for (const it of l.items) expect(it.keys.every((k) => k.length === 2)).toBe(true);
    // The buckets did come back with other entries: the decoys were there to be ignored.
    const it = l.items.find((x) => x.country === 'IT');
    expect(it && gw.node('IT').bucketEntries(it).length).toBe(3 * PERSON_CLASSES.length);
  });

  it('a node evaluating with a key other than the one it published is bad_proof, never a no-hit', async () => {
    const { gw, client } = await network();
    gw.node('DE').hold(PERSON, tokenOf('de-1'));
    gw.node('IT').hold(PERSON, tokenOf('it-1'));
    gw.node('DE').evalKey = OprfKey.generate('voprf', seeded(99));
    const r = await client.query(PERSON, CTX);
    expect(r.results).toEqual([
      { country: 'DE', status: 'error', code: 'bad_proof', hits: [], refusedClasses: [] },
      { country: 'IT', status: 'hit', epoch: 1, ...hitOf(tokenOf('it-1')), refusedClasses: [] },
    ]);
    // DE's tags were never looked up.
    expect(gw.last('/v1/lookup', LookupRequest).items.map((i) => i.country)).toEqual(['IT']);
  });

  it('an answer under an epoch nobody published, or of the wrong shape, is bad_proof', async () => {
    const { gw, client } = await network();
    gw.node('DE').alter = (r) => ({ ...r, epoch: 9 });
    gw.node('IT').alter = (r) => ({ ...r, items: r.items.slice(1) });
    const r = await client.query(PERSON, CTX);
    expect(r.results.map((x) => [x.country, x.status, x.code])).toEqual([
      ['DE', 'error', 'bad_proof'],
      ['IT', 'error', 'bad_proof'],
    ]);
  });

  it('rejects an answer signed by another country, forged under the target’s key id, or for another query or requester', async () => {
    const { gw, client } = await network(['FR', 'DE', 'IT', 'ES', 'PL']);
    gw.node('DE').hold(PERSON, tokenOf('de-1'));
    gw.node('DE').signAs = gw.node('IT');
    gw.node('IT').forgeWith = SigningKey.generate(seeded(5));
    gw.node('ES').alter = (r) => ({ ...r, id: 'f'.repeat(32) });
    gw.node('PL').hold(PERSON, tokenOf('pl-1'));
    gw.node('PL').alter = (r) => ({ ...r, to: 'IT' });
    await client.members();
    const before = gw.count('/v1/members');
    const r = await client.query(PERSON, CTX);
    expect(r.results.map((x) => [x.country, x.status, x.code, x.hits.length])).toEqual([
      ['DE', 'error', 'unknown_member', 0],
      ['ES', 'error', 'bad_request', 0],
      ['IT', 'error', 'bad_signature', 0],
      ['PL', 'error', 'bad_request', 0],
    ]);
    // An unexpected signer makes the SDK refetch the directory once before giving up.
    expect(gw.count('/v1/members')).toBe(before + 1);
  });

  it('passes unavailable, timeout and error statuses through with their codes', async () => {
    const { gw, client } = await network(['FR', 'DE', 'IT', 'ES', 'PL']);
    gw.node('DE').outage = { status: 'unavailable' };
    gw.node('IT').outage = { status: 'timeout', code: 'timeout' };
    gw.node('ES').outage = { status: 'error', code: 'over_budget' };
    const r = await client.query(PERSON, CTX, { targets: ['DE', 'IT', 'ES', 'PL'] });
    expect(r.results).toEqual([
      { country: 'DE', status: 'unavailable', hits: [], refusedClasses: [] },
      { country: 'ES', status: 'error', code: 'over_budget', hits: [], refusedClasses: [] },
      { country: 'IT', status: 'timeout', code: 'timeout', hits: [], refusedClasses: [] },
      { country: 'PL', status: 'no-hit', epoch: 1, hits: [], refusedClasses: [] },
    ]);
    // Nothing to look up when no country answered.
    const lookups = gw.count('/v1/lookup');
    gw.node('PL').outage = { status: 'unavailable' };
    await client.query(PERSON, CTX, { targets: ['DE', 'PL'] });
    expect(gw.count('/v1/lookup')).toBe(lookups);
  });

  it('reports refused queries and the classes a policy did not answer', async () => {
    const { gw, client } = await network();
    gw.node('DE').hold(PERSON, tokenOf('de-1'));
    gw.node('DE').refuse.add('name_dob').add('phonetic_dob').add('phonetic_yob');
    gw.node('IT').hold(PERSON, tokenOf('it-1'));
    gw.node('IT').refuse.add('phonetic_yob');
    const r = await client.query(PERSON, CTX);
    expect(r.results).toEqual([
      { country: 'DE', status: 'refused', code: 'refused_by_policy', epoch: 1, hits: [], refusedClasses: PERSON_CLASSES },
      { country: 'IT', status: 'hit', epoch: 1, ...hitOf(tokenOf('it-1'), ['name_dob', 'phonetic_dob']), refusedClasses: ['phonetic_yob'] },
    ]);
  });

  it('refreshes the member directory when an answer names an epoch or a member it does not know', async () => {
    const { gw, client, advance } = await network();
    gw.node('DE').hold(PERSON, tokenOf('de-1'));
    await client.query(PERSON, CTX);
    expect(gw.count('/v1/members')).toBe(1);
    await client.query(PERSON, CTX); // fresh directory: not fetched again
    expect(gw.count('/v1/members')).toBe(1);

    gw.node('DE').rotate();
    const r = await client.query(PERSON, CTX);
    expect(r.results.find((x) => x.country === 'DE')).toEqual({ country: 'DE', status: 'hit', epoch: 2, ...hitOf(tokenOf('de-1')), refusedClasses: [] });
    expect(gw.count('/v1/members')).toBe(2);

    // A member admitted since the last fetch is verified after one refresh.
    gw.add('ES').hold(PERSON, tokenOf('es-1'));
    const s = await client.query(PERSON, CTX, { targets: ['ES'] });
    expect(s.results).toEqual([{ country: 'ES', status: 'hit', epoch: 1, ...hitOf(tokenOf('es-1')), refusedClasses: [] }]);
    expect(gw.count('/v1/members')).toBe(3);

    // And a directory older than 30 s is fetched again (injected clock).
    advance(30_001);
    await client.query(PERSON, CTX);
    expect(gw.count('/v1/members')).toBe(4);
    expect((await client.members()).map((m) => m.country).sort()).toEqual(['DE', 'ES', 'FR', 'IT']);
  });

  it('uses the injected randomness and clock for blinds, ids, nonces and timestamps', async () => {
    const a = await network(['FR', 'DE'], 3);
    const b = await network(['FR', 'DE'], 3);
    const ca = await VeilClient.connect(a.cred, { transport: a.gw, clock: a.clock, rng: seeded(11) });
    const cb = await VeilClient.connect(b.cred, { transport: b.gw, clock: b.clock, rng: seeded(11) });
    const ra = await ca.query(PERSON, CTX);
    const rb = await cb.query(PERSON, CTX);
    expect(ra.queryId).toBe(rb.queryId);
    const qa = a.gw.last('/v1/query', QueryRequest);
    expect(qa).toEqual(b.gw.last('/v1/query', QueryRequest));
    expect(qa.ts).toBe(a.clock.now());
    // Without an injected rng, two queries never share an id or blinds.
    const r1 = await a.client.query(PERSON, CTX);
    const q1 = a.gw.last('/v1/query', QueryRequest);
    const r2 = await a.client.query(PERSON, CTX);
    const q2 = a.gw.last('/v1/query', QueryRequest);
    expect(r1.queryId).not.toBe(r2.queryId);
    expect(q1.items[0]?.blinded).not.toEqual(q2.items[0]?.blinded);
  });

  it('rejects an invalid subject before anything is sent', async () => {
    const { gw, client } = await network();
    await expect(client.query({ name: 'Hans Müller', dob: '1970' }, CTX)).resolves.toBeDefined(); // year only: phonetic key
    const sent = gw.requests.length;
    await expect(client.query({ vin: '' }, CTX)).rejects.toMatchObject({ code: 'bad_request' });
    expect(gw.requests.length).toBe(sent);
  });
});
