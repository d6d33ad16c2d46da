/**
 * Encrypted biometric search against a fake gateway whose nodes score with the real HE server
 * (fingerprint-256-v1, galleries of a few templates): hits decrypted here as positions, session keys
 * sent once per node, one resend with the keys to a node that lost them, and failures per country.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryEncoding, HeServer, initCrypto } from '#crypto';
import { BIO_PARAMS, BioQueryRequest, TEMPLATE_DIMS, type BioEvalResult } from '#protocol';
import { VeilClient } from './client.ts';
import { heSessions, type BioSession } from './bio-match.ts';
import { FakeGateway, analystCredential, seeded } from './fake-gateway.test-fixture.ts';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const DIMS = TEMPLATE_DIMS.fingerprint;
const PARAMS = BIO_PARAMS.fingerprint;

/** A unit vector along axis `i` (orthogonal templates: score 1 with itself, 0 with the others). */
const axis = (i: number) => Float32Array.from({ length: DIMS }, (_, j) => (j === i ? 1 : 0));

describe('encrypted biometric search (fake gateway, real HE)', () => {
  let server: HeServer;

  beforeAll(async () => {
    await initCrypto();
    server = await HeServer.create(PARAMS);
  });
  afterAll(() => server?.dispose());

  function gallery(axes: number[]): GalleryEncoding {
    const g = GalleryEncoding.create(PARAMS);
    axes.forEach((a, pos) => g.set(pos, axis(a)));
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
    const r = await client.bioMatch('fingerprint', axis(7), CTX);
    expect(r.modality).toBe('fingerprint');
    expect(r.results).toEqual([
      { country: 'DE', status: 'hit', positions: 4, hits: [{ position: 2, ref: `bio:${r.queryId}:2` }] },
      { country: 'IT', status: 'no-hit', positions: 3, hits: [] },
    ]);
    const first = gw.last('/v1/bio-query', BioQueryRequest);
    expect(first).toMatchObject({ id: r.queryId, targets: ['DE', 'IT'], modality: 'fingerprint', sessionKeys: expect.any(Uint8Array) });

    // Both nodes hold the keys now: the next query goes without them.
    const again = await client.bioMatch('fingerprint', axis(21), CTX);
    expect(again.results.map((x) => [x.country, x.status, x.hits.map((h) => h.position)])).toEqual([
      ['DE', 'no-hit', []],
      ['IT', 'hit', [1]],
    ]);
    expect(gw.last('/v1/bio-query', BioQueryRequest).sessionKeys).toBeUndefined();
    expect(gw.count('/v1/bio-query')).toBe(2);

    // DE restarts and forgets the session: it answers unknown_session, and only DE is asked again, with
    // the keys, under a fresh query id that its hit references.
    gw.node('DE').sessions.clear();
    const third = await client.bioMatch('fingerprint', axis(7), CTX);
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
    const r = await client.bioMatch('fingerprint', axis(7), CTX);
    expect(gw.count('/v1/bio-query')).toBe(2);
    expect(r.results).toEqual([
      { country: 'DE', status: 'refused', code: 'unknown_session', hits: [] },
      { country: 'IT', status: 'error', code: 'unknown_member', hits: [] },
    ]);
    gw.node('DE').outage = { status: 'timeout', code: 'timeout' };
    gw.node('IT').signAs = undefined;
    const s = await client.bioMatch('fingerprint', axis(7), CTX);
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
      const t = await client.bioMatch('fingerprint', axis(21), CTX, { targets: ['IT'] });
      expect(t.results).toEqual([{ country: 'IT', status: 'error', code: 'bad_request', hits: [] }]);
    }
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

    await client.bioMatch('fingerprint', axis(7), CTX, { targets: ['DE'] });
    expect(created).toEqual([{ id: expect.any(String), disposed: false }]);
    await client.close();
    expect(created[0]?.disposed).toBe(true);
    // A new session afterwards: new keys, sent again.
    await client.bioMatch('fingerprint', axis(7), CTX, { targets: ['DE'] });
    expect(created).toHaveLength(2);
    expect(created[1]?.id).not.toBe(created[0]?.id);
    expect(gw.last('/v1/bio-query', BioQueryRequest)).toMatchObject({ sessionId: created[1]?.id, sessionKeys: expect.any(Uint8Array) });
    await client.close();
  });
});
