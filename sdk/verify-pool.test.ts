/**
 * Answers checked on the worker pool give exactly what checking them inline gives, including every
 * rejection (wrong OPRF key, wrong signer, another query), with more answers than one worker batch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, OprfKey, SigningKey, utf8 } from '#crypto';
import type { QuerySubject } from '#protocol';
import { VeilClient } from './client.ts';
import { analystCredential, FakeGateway, seeded } from './fake-gateway.test-fixture.ts';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const PERSON: QuerySubject = { name: 'Hans Müller', dob: '1970-01-31' };
const COUNTRIES = ['FR', 'DE', 'IT', 'ES', 'PL', 'NL', 'BE', 'AT', 'SE', 'DK', 'FI', 'PT', 'IE', 'CZ', 'SK', 'HU', 'RO', 'BG', 'GR', 'HR'];

function network() {
  const rng = seeded(7);
  const cred = analystCredential('FR', rng);
  const gw = new FakeGateway(cred, rng);
  for (const c of COUNTRIES) gw.add(c);
  gw.node('DE').hold(PERSON, utf8('token:de'));
  gw.node('SE').hold(PERSON, utf8('token:se'));
  gw.node('IT').evalKey = OprfKey.generate('voprf', seeded(99));
  gw.node('ES').forgeWith = SigningKey.generate(seeded(5));
  gw.node('PL').alter = (r) => ({ ...r, id: 'f'.repeat(32) });
  gw.node('NL').alter = (r) => ({ ...r, items: r.items.slice(1) });
  return { cred, gw };
}

describe('verify pool', () => {
  beforeAll(initCrypto);

  it('checks a query’s answers on worker threads with the same outcome as inline', async () => {
    const results = [];
    for (const threads of [0, 2]) {
      const { cred, gw } = network();
      const client = await VeilClient.connect(cred, { transport: gw, rng: seeded(11), clock: { now: () => 1_750_000_000_000 }, verifyThreads: threads });
      results.push((await client.query(PERSON, CTX)).results);
      await client.close();
    }
    const [inline, pooled] = results;
    expect(pooled).toEqual(inline);
    const status = Object.fromEntries((pooled ?? []).map((r) => [r.country, r.code ?? r.status]));
    expect(status).toMatchObject({ DE: 'hit', SE: 'hit', IT: 'bad_proof', ES: 'bad_signature', PL: 'bad_request', NL: 'bad_proof', AT: 'no-hit' });
    expect(pooled).toHaveLength(COUNTRIES.length - 1);
  });
});
