/**
 * Encrypted biometric search against a fake gateway whose nodes score with the real HE server
 * (fingerprint-256-v1, galleries of a few templates): hits decrypted here as positions, session keys
 * sent once per node, one resend with the keys to a node that lost them, and failures per country.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryEncoding, HeServer, initCrypto, makeProbe } from '#crypto';
import { BIO_MAX_HITS, BIO_PARAMS, type BioEvalResult, BioQueryRequest, TEMPLATE_DIMS } from '#protocol';
import { type BioSession, heSessions } from './bio-match.ts';
import { VeilClient } from './client.ts';
import { analystCredential, FakeGateway, seeded } from './fake-gateway.test-fixture.ts';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const DIMS = TEMPLATE_DIMS.fingerprint;
const PARAMS = BIO_PARAMS.fingerprint;

/** A capture of synthetic person `i` (captures of one person score 0.6-0.8, of two people about 0 ± 0.06). */
const person = (i: number, capture = 0) => makeProbe({ seed: 8, identity: i, dims: DIMS, captureIndex: capture });
/** A unit vector along axis `i`: not an embedding. */
const axis = (i: number) => Float32Array.from({ length: DIMS }, (_, j) => (j === i ? 1 : 0));

describe('encrypted biometric search (fake gateway, real HE)', () => {
  let server: HeServer;

  beforeAll(async () => {
    await initCrypto();
    server = await HeServer.create(PARAMS);
  });
  afterAll(() => server?.dispose());

  function gallery(people: number[]): GalleryEncoding {
    const g = GalleryEncoding.create(PARAMS);
    for (const [pos, a] of people.entries()) g.set(pos, person(a, 1));
    g.flush();
    return g;
  }

  async function network(opts: { bioSessions?: (m: 'face' | 'fingerprint') => Promise<BioSession> } = {}) {
    const rng = seeded(4);
    const cred = analystCredential('FR', rng);
    const gw = new FakeGateway(cred, rng);
    for (const c of ['FR', 'DE', 'IT']) gw.add(c);
    gw.node('DE').bio = { server, gallery: gallery([10, 11, 7, 12]) }; // the probe's template at position 2
    gw.node('IT').bio = { server, gallery: gallery([20, 21, 22]) };
    const client = await VeilClient.connect(cred, { transport: gw, ...(opts.bioSessions ? { bioSessions: opts.bioSessions } : {}) });
    return { gw, client };
  }

  it('finds the matching position, sends session keys once per node, and resends once to a node that lost them', async () => {
    const { gw, client } = await network();
    const r = await client.bioMatch('fingerprint', person(7), CTX);
    expect(r.modality).toBe('fingerprint');
    expect(r.results).toEqual([
      { country: 'DE', status: 'hit', positions: 4, hits: [{ position: 2, ref: `bio:${r.queryId}:2` }] },
      { country: 'IT', status: 'no-hit', positions: 3, hits: [] },
    ]);
    const first = gw.last('/v1/bio-query', BioQueryRequest);
    expect(first).toMatchObject({ id: r.queryId, targets: ['DE', 'IT'], modality: 'fingerprint', sessionKeys: expect.any(Uint8Array) });

    // Both nodes hold the keys now: the next query goes without them.
    const again = await client.bioMatch('fingerprint', person(21), CTX);
    expect(again.results.map((x) => [x.country, x.status, x.hits.map((h) => h.position)])).toEqual([
      ['DE', 'no-hit', []],
      ['IT', 'hit', [1]],
    ]);
    expect(gw.last('/v1/bio-query', BioQueryRequest).sessionKeys).toBeUndefined();
    expect(gw.count('/v1/bio-query')).toBe(2);

    // DE restarts and forgets the session: it answers unknown_session, and only DE is asked again, with
    // the keys, under a fresh query id that its hit references.
    gw.node('DE').sessions.clear();
    const third = await client.bioMatch('fingerprint', person(7), CTX);
    expect(gw.count('/v1/bio-query')).toBe(4);
    const retry = gw.last('/v1/bio-query', BioQueryRequest);
    expect(retry).toMatchObject({ targets: ['DE'], sessionKeys: expect.any(Uint8Array) });
    expect(retry.id).not.toBe(third.queryId);
    expect(third.results).toEqual([
      { country: 'DE', status: 'hit', positions: 4, hits: [{ position: 2, ref: `bio:${retry.id}:2` }] },
      { country: 'IT', status: 'no-hit', positions: 3, hits: [] },
    ]);
    await client.close();
  });

  it('resends at most once, then reports the refusal; other failures are reported per country', async () => {
    const { gw, client } = await network();
    gw.node('DE').rejectsSessions = true;
    gw.node('IT').signAs = gw.node('DE');
    const r = await client.bioMatch('fingerprint', person(7), CTX);
    expect(gw.count('/v1/bio-query')).toBe(2);
    expect(r.results).toEqual([
      { country: 'DE', status: 'refused', code: 'unknown_session', hits: [] },
      { country: 'IT', status: 'error', code: 'unknown_member', hits: [] },
    ]);
    gw.node('DE').outage = { status: 'timeout', code: 'timeout' };
    gw.node('IT').signAs = undefined;
    const s = await client.bioMatch('fingerprint', person(7), CTX);
    expect(s.results).toEqual([
      { country: 'DE', status: 'timeout', code: 'timeout', hits: [] },
      { country: 'IT', status: 'no-hit', positions: 3, hits: [] },
    ]);
    // A signed answer claiming another sender, or for another requester, query or modality, is not taken.
    const alterations: Array<(x: BioEvalResult) => BioEvalResult> = [
      (x) => ({ ...x, from: 'DE' }),
      (x) => ({ ...x, to: 'DE' }),
      (x) => ({ ...x, id: 'e'.repeat(32) }),
      (x) => ({ ...x, modality: 'face' }),
    ];
    for (const alter of alterations) {
      gw.node('IT').alterBio = alter;
      const t = await client.bioMatch('fingerprint', person(21), CTX, { targets: ['IT'] });
      expect(t.results).toEqual([{ country: 'IT', status: 'error', code: 'bad_request', hits: [] }]);
    }
    await client.close();
  });

  it('refuses a probe that is not an embedding (its mass on a few coordinates) before anything is sent', async () => {
    const { gw, client } = await network();
    // A basis vector, scaled or not, and a probe with most of its mass on two coordinates: crafted to read
    // gallery coordinates, not to search for a person.
    const two = person(3).map((x, i) => (i < 2 ? 5 : x));
    for (const p of [axis(7), axis(7).map((x) => 50 * x), two]) {
      await expect(client.bioMatch('fingerprint', p, CTX)).rejects.toMatchObject({ code: 'bad_request' });
    }
    expect(gw.count('/v1/bio-query')).toBe(0);
    await client.close();
  });

  it(`reports a country whose answer has more than ${BIO_MAX_HITS} hits as an error, without positions`, async () => {
    const { gw, client } = await network();
    // A degenerate or crafted probe that crosses the threshold at a large part of a gallery: no list of
    // positions to take to disclosure, only the fact.
    gw.node('DE').bio = { server, gallery: gallery(Array.from({ length: BIO_MAX_HITS + 1 }, () => 7)) };
    gw.node('IT').bio = { server, gallery: gallery(Array.from({ length: BIO_MAX_HITS }, () => 7)) };
    const r = await client.bioMatch('fingerprint', person(7), CTX);
    expect(r.results[0]).toEqual({ country: 'DE', status: 'error', code: 'too_large', positions: BIO_MAX_HITS + 1, hits: [] });
    expect(r.results[1]).toMatchObject({ country: 'IT', status: 'hit' });
    expect(r.results[1]?.hits).toHaveLength(BIO_MAX_HITS);
    await client.close();
  });

  it('rejects a malformed probe before anything is sent, and disposes its HE sessions on close', async () => {
    const created: Array<{ id: string; disposed: boolean }> = [];
    const bioSessions = async (m: 'face' | 'fingerprint'): Promise<BioSession> => {
      const he = await heSessions(m);
      const rec = { id: he.sessionId, disposed: false };
      created.push(rec);
      return {
        get sessionId() {
          return he.sessionId;
        },
        sessionKeys: () => he.sessionKeys(),
        encryptProbe: (p) => he.encryptProbe(p),
        decryptMasked: (x) => he.decryptMasked(x),
        dispose: () => {
          rec.disposed = true;
          he.dispose();
        },
      };
    };
    const { gw, client } = await network({ bioSessions });
    await expect(client.bioMatch('fingerprint', new Float32Array(100), CTX)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(client.bioMatch('fingerprint', new Float32Array(DIMS), CTX)).rejects.toMatchObject({ code: 'bad_request' });
    expect(gw.count('/v1/bio-query')).toBe(0);

    await client.bioMatch('fingerprint', person(7), CTX, { targets: ['DE'] });
    expect(created).toEqual([{ id: expect.any(String), disposed: false }]);
    await client.close();
    expect(created[0]?.disposed).toBe(true);
    // A new session afterwards: new keys, sent again.
    await client.bioMatch('fingerprint', person(7), CTX, { targets: ['DE'] });
    expect(created).toHaveLength(2);
    expect(created[1]?.id).not.toBe(created[0]?.id);
    expect(gw.last('/v1/bio-query', BioQueryRequest)).toMatchObject({ sessionId: created[1]?.id, sessionKeys: expect.any(Uint8Array) });
    await client.close();
  });
});
