/**
 * The analyst API through `app.request()`, without a listener or a coordinator: a real SQLite store in
 * a temp dir, a fake coordinator link (the narrow `GatewayLink`), a real member directory holding one
 * peer (FR) and a manual clock. Authentication, replays, size caps, point checks, the idempotency rule
 * (one forward per (analyst, id), conflicts on other content), lookups and disclosures.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, randomBytes, SigningKey, sealTo, toHex } from '#crypto';
import type { AuditLog, ManualClock } from '#platform';
import { decode, type Envelope, encode, ForwardedBioQuery, ForwardedLookup, ForwardedQuery, keyId, LIMITS, verifyEnvelope } from '#protocol';
import { type Analyst, errorCode, type FakeLink, GatewayFixture, type Reply } from './gateway.test-fixture.ts';
import type { NodeStore } from './store/sqlite-store.ts';

let g: GatewayFixture;
let store: NodeStore;
let audit: AuditLog;
let clock: ManualClock;
let link: FakeLink;
let de: GatewayFixture['de'];
let fr: GatewayFixture['fr'];
let ana: Analyst;
let app: GatewayFixture['app'];

beforeAll(async () => {
  await initCrypto();
});

beforeEach(() => {
  g = new GatewayFixture();
  ({ store, audit, clock, link, de, fr, ana, app } = g);
});

afterEach(() => {
  g.close();
});

// --------------------------------------------------------------------------------- request helpers

const fresh = () => g.fresh();
const addAnalyst = (id: string): Analyst => g.addAnalyst(id);
const queryRequest = (id?: string, blinded?: Uint8Array) => g.queryRequest(id, blinded);
const signed = (payload: unknown, by: Analyst = ana, kid = keyId.analyst(by.id)): Uint8Array => g.signed(payload, by, kid);
const post = (path: string, body: Uint8Array): Promise<Reply> => g.post(path, body);
/** A request with a fresh envelope (new ts and nonce) and the same id and content. */
const retry = <T extends { ts: number; nonce: Uint8Array }>(req: T): T => g.retry(req);

// ------------------------------------------------------------------------------------------- tests

describe('gateway authentication and input checks', () => {
  it('answers 401 with the registry code for unknown and revoked analysts, foreign key ids and wrong signatures', async () => {
    const stranger = { id: 'nobody-000000', signing: SigningKey.generate(), box: BoxKeyPair.generate() };
    expect(errorCode(await post('/v1/query', signed(queryRequest(), stranger)))).toBe('unauthenticated');
    expect((await post('/v1/query', signed(queryRequest(), stranger))).status).toBe(401);
    const node = await post('/v1/query', signed(queryRequest(), ana, keyId.node('DE')));
    expect([node.status, errorCode(node)]).toEqual([401, 'unauthenticated']);
    const forged = await post('/v1/query', signed(queryRequest(), { ...ana, signing: SigningKey.generate() }));
    expect([forged.status, errorCode(forged)]).toEqual([401, 'bad_signature']);
    store.analysts.revoke(ana.id);
    const revoked = await post('/v1/query', signed(queryRequest()));
    expect([revoked.status, errorCode(revoked)]).toEqual([401, 'unauthenticated']);
    expect(link.queries).toEqual([]);
  });

  it('refuses an exact replay, an oversize body and a bad blinded element before forwarding', async () => {
    const body = signed(queryRequest());
    expect((await post('/v1/query', body)).status).toBe(200);
    const again = await post('/v1/query', body);
    expect([again.status, errorCode(again)]).toEqual([409, 'replay']);
    const big = await post('/v1/query', new Uint8Array(LIMITS.maxRequestBytes + 1));
    expect([big.status, errorCode(big)]).toEqual([413, 'too_large']);
    const identity = await post('/v1/query', signed(queryRequest(undefined, new Uint8Array(32))));
    expect([identity.status, errorCode(identity)]).toEqual([400, 'identity_point']);
    const junk = await post('/v1/query', signed(queryRequest(undefined, new Uint8Array(32).fill(0xff))));
    expect([junk.status, errorCode(junk)]).toEqual([400, 'non_canonical_point']);
    expect(link.queries).toHaveLength(1);
  });

  it('reports health and members without authentication', async () => {
    const h = await app.request('/v1/health');
    expect(await h.json()).toEqual({ ok: true, country: 'DE', coordinator: 'connected', unpublishedChunks: 0, unsentMail: 0 });
    const m = await app.request('/v1/members');
    expect((decode(new Uint8Array(await m.arrayBuffer()), LIMITS.maxFrameBytes) as { members: unknown[] }).members).toHaveLength(1);
  });
});

describe('gateway queries and the idempotency rule', () => {
  it('forwards a query once, re-signed by the node, and audits it', async () => {
    const req = queryRequest();
    const r = await post('/v1/query', signed(req));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: req.id, answers: link.answers });
    expect(link.queries).toHaveLength(1);
    const fwd = link.queries[0];
    expect(fwd?.env.kid).toBe(keyId.node('DE'));
    const q = verifyEnvelope(fwd?.env ?? ({} as Envelope), () => de.signing.publicKey(), ForwardedQuery);
    expect(q).toMatchObject({ id: req.id, from: 'DE', analyst: ana.id, purpose: 'wanted-person' });
    expect(q.items.map((it) => [it.cls, [...it.blinded]])).toEqual(req.items.map((it) => [it.cls, [...it.blinded]]));
    expect(audit.list({ kind: 'query.forwarded', limit: 10 }).map((e) => e.entry)).toEqual([
      expect.objectContaining({ queryId: req.id, analyst: ana.id, count: 1 }),
    ]);
  });

  it('returns the first answer to a retry in a fresh envelope, and joins a retry while in flight', async () => {
    const req = queryRequest();
    let release = (): void => {};
    link.hold = new Promise((r) => (release = r));
    const first = post('/v1/query', signed(req));
    const joined = post('/v1/query', signed(retry(req)));
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect((await first).body).toEqual({ id: req.id, answers: link.answers });
    expect((await joined).body).toEqual({ id: req.id, answers: link.answers });
    link.answers = [{ country: 'FR', status: 'timeout' }];
    expect((await post('/v1/query', signed(retry(req)))).body).toEqual({
      id: req.id,
      answers: [{ country: 'FR', status: 'answered', env: new Uint8Array([1, 2, 3]) }],
    });
    expect(link.queries).toHaveLength(1);
    // Past the retention window the same request is forwarded again.
    clock.advance(121_000);
    expect((await post('/v1/query', signed(retry(req)))).body).toEqual({ id: req.id, answers: link.answers });
    expect(link.queries).toHaveLength(2);
  });

  it('refuses the same id with other content as a conflict; other analysts never meet it', async () => {
    const req = queryRequest();
    expect((await post('/v1/query', signed(req))).status).toBe(200);
    const other = { ...retry(req), purpose: 'missing-person' };
    const conflict = await post('/v1/query', signed(other));
    expect([conflict.status, errorCode(conflict)]).toEqual([409, 'conflict']);
    // Identifier and biometric queries share the analyst's id space: a biometric query reusing the id conflicts.
    const bio = {
      t: 'bio-query',
      id: req.id,
      ...fresh(),
      purpose: 'wanted-person',
      caseRef: 'DE-2026-1',
      legalBasis: 'art-3',
      handling: 'restricted',
      targets: null,
      modality: 'face',
      sessionId: 'a'.repeat(64),
      probe: new Uint8Array(64),
    };
    const bioConflict = await post('/v1/bio-query', signed(bio));
    expect([bioConflict.status, errorCode(bioConflict)]).toEqual([409, 'conflict']);
    const bob = addAnalyst('bob-4d5e6f');
    expect((await post('/v1/query', signed(retry(req), bob))).status).toBe(200);
    expect(link.queries.map((q) => q.id)).toEqual([req.id, req.id]);
  });

  it('forwards a biometric query with its own deadline, once per (analyst, id)', async () => {
    const bio = {
      t: 'bio-query',
      id: toHex(randomBytes(16)),
      ...fresh(),
      purpose: 'wanted-person',
      caseRef: 'DE-2026-1',
      legalBasis: 'art-3',
      handling: 'restricted',
      targets: null,
      modality: 'face',
      sessionId: 'a'.repeat(64),
      probe: new Uint8Array(64).fill(7),
    };
    expect((await post('/v1/bio-query', signed(bio))).body).toEqual({ id: bio.id, answers: link.answers });
    expect((await post('/v1/bio-query', signed(retry(bio)))).body).toEqual({ id: bio.id, answers: link.answers });
    expect(link.queries).toHaveLength(1);
    const fwd = verifyEnvelope(link.queries[0]?.env ?? ({} as Envelope), () => de.signing.publicKey(), ForwardedBioQuery);
    expect(fwd).toMatchObject({ id: bio.id, from: 'DE', analyst: ana.id, modality: 'face', sessionId: bio.sessionId });
    expect(audit.list({ kind: 'query.forwarded', limit: 10 }).map((e) => e.entry)).toEqual([
      expect.objectContaining({ queryId: bio.id, cls: 'face', bytes: 64 }),
    ]);
  });

  it('forwards a lookup once per (analyst, id) and returns the results', async () => {
    const req = { t: 'lookup', id: toHex(randomBytes(16)), ...fresh(), mode: 'exact', items: [{ country: 'FR', epoch: 1, keys: [randomBytes(16)] }] };
    const r = await post('/v1/lookup', signed(req));
    expect([r.status, r.body]).toEqual([200, { id: req.id, results: link.results }]);
    expect((await post('/v1/lookup', signed(retry(req)))).body).toEqual({ id: req.id, results: link.results });
    expect(link.lookups).toHaveLength(1);
    const fwd = verifyEnvelope(link.lookups[0]?.env ?? ({} as Envelope), () => de.signing.publicKey(), ForwardedLookup);
    expect(fwd).toMatchObject({ id: req.id, from: 'DE', mode: 'exact' });
    const conflict = await post('/v1/lookup', signed({ ...retry(req), mode: 'bucket' }));
    expect(errorCode(conflict)).toBe('conflict');
  });
});

describe('gateway disclosures', () => {
  const disclosure = (o: Record<string, unknown> = {}) => ({
    t: 'disclosure-request',
    id: toHex(randomBytes(16)),
    ...fresh(),
    to: 'FR',
    purpose: 'wanted-person',
    caseRef: 'DE-2026-1',
    legalBasis: 'art-3',
    fields: ['name', 'dob'],
    analystBoxPub: ana.box.publicKey(),
    sealedClaim: sealTo(fr.box.publicKey(), encode({ claim: 'opaque to the gateway' })),
    ...o,
  });

  it('stores and queues a request (202), answers a repeat with the stored status, lists it for its analyst only', async () => {
    const req = disclosure();
    const r = await post('/v1/disclosures', signed(req));
    expect([r.status, r.body]).toEqual([202, { id: req.id, status: 'sent' }]);
    expect(store.mail.outboxCount()).toBe(1);
    expect((await post('/v1/disclosures', signed(retry(req)))).body).toEqual({ id: req.id, status: 'sent' });
    expect(store.mail.outboxCount()).toBe(1);
    const list = await post('/v1/disclosures/list', signed({ t: 'list-disclosures', ...fresh() }));
    expect(list.body).toEqual({ items: [{ id: req.id, to: 'FR', status: 'sent', createdAt: clock.now(), fields: ['name', 'dob'] }] });
    const bob = addAnalyst('bob-4d5e6f');
    expect((await post('/v1/disclosures/list', signed({ t: 'list-disclosures', ...fresh() }, bob))).body).toEqual({ items: [] });
    // Ids are scoped to the analyst: bob's request with ana's id is bob's own; ana's id with other content is a conflict.
    const own = await post('/v1/disclosures', signed({ ...retry(req), analystBoxPub: bob.box.publicKey() }, bob));
    expect([own.status, own.body]).toEqual([202, { id: req.id, status: 'sent' }]);
    expect(store.mail.outboxCount()).toBe(2);
    const other = await post('/v1/disclosures', signed({ ...retry(req), fields: ['name'] }));
    expect([other.status, errorCode(other)]).toEqual([409, 'conflict']);
    expect(store.mail.outboxCount()).toBe(2);
  });

  it('refuses a box key other than the account’s, an unknown owner country and the own country', async () => {
    const box = await post('/v1/disclosures', signed(disclosure({ analystBoxPub: BoxKeyPair.generate().publicKey() })));
    expect([box.status, errorCode(box)]).toEqual([403, 'forbidden']);
    const unknown = await post('/v1/disclosures', signed(disclosure({ to: 'IT' })));
    expect([unknown.status, errorCode(unknown)]).toEqual([403, 'unknown_member']);
    const own = await post('/v1/disclosures', signed(disclosure({ to: 'DE' })));
    expect([own.status, errorCode(own)]).toEqual([400, 'bad_request']);
    expect(store.mail.outboxCount()).toBe(0);
  });
});
