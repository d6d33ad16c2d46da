/**
 * Lookups the coordinator cannot falsify, at the SDK (fake gateway, real keys, real commitments): every
 * bucket answer is checked against the owning node's signed commitment, so a coordinator that hides a
 * hit, invents one, serves an older index than the node's answer promised, leaves a bucket out or signs
 * a commitment itself is caught — and that country is reported as an error, never as a no-hit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, SigningKey, utf8 } from '#crypto';
import {
  type IndexCommitment,
  IndexCommitment as IndexCommitmentSchema,
  keyId,
  type LookupResult,
  type QuerySubject,
  readUnverified,
  signEnvelope,
} from '#protocol';
import { VeilClient } from './client.ts';
import { analystCredential, FakeGateway, seeded } from './fake-gateway.test-fixture.ts';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const PERSON: QuerySubject = { name: 'Hans Müller', dob: '1970-01-31' };
const token = utf8('token:de-1');

async function network() {
  const rng = seeded(7);
  const cred = analystCredential('FR', rng);
  const gw = new FakeGateway(cred, rng);
  for (const c of ['FR', 'DE', 'IT']) gw.add(c);
  gw.node('DE').hold(PERSON, token);
  gw.node('IT').crowd(PERSON);
  const client = await VeilClient.connect(cred, { transport: gw });
  return { gw, client };
}

const status = async (client: VeilClient, mode: 'exact' | 'bucket' = 'exact') =>
  Object.fromEntries((await client.query(PERSON, CTX, { mode })).results.map((r) => [r.country, r.code ? `${r.status}:${r.code}` : r.status]));

describe('committed lookups (SDK side)', () => {
  beforeAll(initCrypto);

  it('an honest coordinator: the hit verifies in both modes', async () => {
    const { client } = await network();
    expect(await status(client)).toEqual({ DE: 'hit', IT: 'no-hit' });
    expect(await status(client, 'bucket')).toEqual({ DE: 'hit', IT: 'no-hit' });
  });

  it('a coordinator hiding a hit is caught', async () => {
    const { gw, client } = await network();
    gw.node('DE').lookupLie = (r) => ({ ...r, buckets: r.buckets.map((b) => ({ ...b, entries: [] })) });
    expect(await status(client)).toEqual({ DE: 'error:bad_proof', IT: 'no-hit' });
  });

  it('a coordinator inventing a hit is caught', async () => {
    const { gw, client } = await network();
    const invent = (r: LookupResult): LookupResult => ({
      ...r,
      buckets: r.buckets.map((b) => {
        const real = gw
          .node('IT')
          .tagsOf(PERSON)
          .find((t) => ((t.tag[0]! << 8) | t.tag[1]!) === b.bucket);
        return real ? { ...b, entries: [...b.entries, [real.tag, randomBytes(40)] as [Uint8Array, Uint8Array]] } : b;
      }),
    });
    gw.node('IT').lookupLie = invent;
    expect(await status(client)).toEqual({ DE: 'hit', IT: 'error:bad_proof' });
  });

  it('an index older than the node’s answer promised, a missing bucket or a commitment not signed by the node is caught', async () => {
    const { gw, client } = await network();
    const de = gw.node('DE');
    const resign = (r: LookupResult, over: Partial<IndexCommitment>, key = de.signing): LookupResult => {
      const honest = readUnverified(r.commitment, IndexCommitmentSchema);
      return { ...r, commitment: signEnvelope(key, keyId.node('DE'), { ...honest, ...over }) };
    };
    // The node's answer promises chunk 5; the coordinator replays the node's commitment after chunk 4.
    de.indexSeq = 5;
    de.lookupLie = (r) => resign(r, { seq: 4 });
    expect(await status(client)).toEqual({ DE: 'error:bad_proof', IT: 'no-hit' });
    // The same commitment at the promised sequence verifies (control).
    de.lookupLie = (r) => resign(r, { seq: 5 });
    expect(await status(client)).toEqual({ DE: 'hit', IT: 'no-hit' });
    // A bucket left out.
    de.lookupLie = (r) => ({ ...r, buckets: r.buckets.slice(1) });
    expect(await status(client)).toEqual({ DE: 'error:bad_proof', IT: 'no-hit' });
    // A commitment the coordinator signed itself, for a root of its choosing.
    de.lookupLie = (r) => resign(r, { root: new Uint8Array(32) }, SigningKey.generate());
    expect((await status(client)).DE).toBe('error:bad_signature');
    // A country's index not served at all, although its node has published.
    gw.failNext = undefined;
    de.lookupLie = (r) => ({ ...r, country: 'ZZ' });
    expect(await status(client)).toEqual({ DE: 'error:bad_proof', IT: 'no-hit' });
  });
});
