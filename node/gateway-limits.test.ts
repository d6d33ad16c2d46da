/**
 * Abuse resistance at the gateway, through `app.request()` on a manual clock: token buckets per analyst
 * and for the whole node (per country) on identifier queries, biometric queries and lookups, a cap on
 * requests in flight per analyst, refusals audited without flooding the audit log, refused requests
 * leaving no state behind, and the answers kept for retries bounded in number and bytes. Each test is
 * an attack: one analyst (or a flood) must gain nothing and cut no colleague off.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import type { AuditEntry } from '#platform';
import { errorCode, GatewayFixture, type Reply } from './gateway.test-fixture.ts';
import { DEFAULT_POLICY, type Policy } from './policy.ts';

let g: GatewayFixture;

beforeAll(async () => {
  await initCrypto();
});

beforeEach(() => {
  g = new GatewayFixture();
});

afterEach(() => {
  g.close();
});

/** A policy source with the gateway limits changed. */
const withLimits = (o: Partial<Policy['gateway']>): { current: Policy } => ({ current: { ...DEFAULT_POLICY, gateway: { ...DEFAULT_POLICY.gateway, ...o } } });

const refusals = (): AuditEntry[] => g.audit.list({ kind: 'rate.limited', limit: 1000 }).map((r) => r.entry);

const outcome = (r: Reply): string => (r.status === 200 ? 'ok' : `${r.status}:${errorCode(r)}`);

/** Wait (without a clock) until `cond` holds: the requests in flight have reached the fake link. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

/** The reply to `req`, or a marker if it was forwarded past `forwarded` held ones instead of answered. */
async function settledOrForwarded(req: Promise<Reply>, forwarded: number, count = () => g.link.queries.length): Promise<Reply> {
  let reply: Reply | undefined;
  void req.then((r) => (reply = r));
  await until(() => reply !== undefined || count() > forwarded);
  return reply ?? { status: 0, body: { error: { code: 'forwarded and held' } } };
}

describe('gateway token buckets', () => {
  it('refuses an analyst flooding identifier queries past its bucket (default 10/s, burst 20) while a colleague is still served', async () => {
    const ana = [];
    for (let i = 0; i < 25; i++) ana.push(outcome(await g.post('/v1/query', g.signed(g.queryRequest()))));
    expect(ana.filter((o) => o === 'ok')).toHaveLength(20);
    expect(ana.slice(20)).toEqual(Array(5).fill('429:rate_limited'));
    const bob = g.addAnalyst('bob-4d5e6f');
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest(), bob)))).toBe('ok');
    expect(g.link.queries).toHaveLength(21);
    // The bucket refills at its rate: one second later ten more, not eleven.
    g.clock.advance(1000);
    const later = [];
    for (let i = 0; i < 11; i++) later.push(outcome(await g.post('/v1/query', g.signed(g.queryRequest()))));
    expect(later.filter((o) => o === 'ok')).toHaveLength(10);
    expect(later.at(-1)).toBe('429:rate_limited');
  });

  it('bounds the whole node across analysts (per-country bucket), and an analyst refused there spends none of its own tokens', async () => {
    g.app = g.build({ policy: withLimits({ queries: { perAnalyst: { perSecond: 10, burst: 20 }, perCountry: { perSecond: 10, burst: 30 } } }) });
    const bob = g.addAnalyst('bob-4d5e6f');
    const carl = g.addAnalyst('carl-7a8b9c');
    const tally = async (who: typeof bob | undefined, n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(outcome(await g.post('/v1/query', g.signed(g.queryRequest(), who ?? g.ana))));
      return out;
    };
    expect(new Set(await tally(undefined, 20))).toEqual(new Set(['ok']));
    const b = await tally(bob, 15);
    expect(b.slice(0, 10)).toEqual(Array(10).fill('ok'));
    expect(b.slice(10)).toEqual(Array(5).fill('429:rate_limited'));
    expect(await tally(carl, 1)).toEqual(['429:rate_limited']);
    expect(g.link.queries).toHaveLength(30);
    expect(refusals()).toEqual([
      expect.objectContaining({ kind: 'rate.limited', analyst: 'bob-4d5e6f', code: 'rate_limited', status: 'query/country', count: 1 }),
      expect.objectContaining({ kind: 'rate.limited', analyst: 'carl-7a8b9c', status: 'query/country', count: 1 }),
    ]);
    // A second later the country has 10 tokens again, and bob still his own 10 (the refusals took none).
    g.clock.advance(1000);
    expect(await tally(bob, 10)).toEqual(Array(10).fill('ok'));
  });

  it('keeps separate buckets for lookups and biometric queries: a query flood blocks neither, and each is limited on its own', async () => {
    g.app = g.build({
      policy: withLimits({
        queries: { perAnalyst: { perSecond: 1, burst: 2 }, perCountry: { perSecond: 100, burst: 100 } },
        lookups: { perAnalyst: { perSecond: 1, burst: 3 }, perCountry: { perSecond: 100, burst: 100 } },
        bioQueries: { perAnalyst: { perSecond: 1, burst: 1 }, perCountry: { perSecond: 100, burst: 100 } },
      }),
    });
    const queries = [];
    for (let i = 0; i < 3; i++) queries.push(outcome(await g.post('/v1/query', g.signed(g.queryRequest()))));
    expect(queries).toEqual(['ok', 'ok', '429:rate_limited']);
    const lookups = [];
    for (let i = 0; i < 4; i++) lookups.push(outcome(await g.post('/v1/lookup', g.signed(g.lookupRequest()))));
    expect(lookups).toEqual(['ok', 'ok', 'ok', '429:rate_limited']);
    const bio = [];
    for (let i = 0; i < 2; i++) bio.push(outcome(await g.post('/v1/bio-query', g.signed(g.bioRequest()))));
    expect(bio).toEqual(['ok', '429:rate_limited']);
    expect(refusals().map((e) => e.status)).toEqual(['query/analyst', 'lookup/analyst', 'bio-query/analyst']);
  });

  it('audits a refusal streak once per minute per analyst and scope, counting the refusals', async () => {
    g.app = g.build({ policy: withLimits({ queries: { perAnalyst: { perSecond: 0.001, burst: 1 }, perCountry: { perSecond: 100, burst: 100 } } }) });
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('ok');
    for (let i = 0; i < 50; i++) expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('429:rate_limited');
    expect(refusals()).toEqual([{ kind: 'rate.limited', analyst: g.ana.id, code: 'rate_limited', status: 'query/analyst', count: 1 }]);
    g.clock.advance(60_000);
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('429:rate_limited');
    expect(refusals().map((e) => e.count)).toEqual([1, 50]);
  });

  it('leaves no trace of a refused request: its nonce is not spent and its id not remembered', async () => {
    g.app = g.build({ policy: withLimits({ queries: { perAnalyst: { perSecond: 1, burst: 1 }, perCountry: { perSecond: 100, burst: 100 } } }) });
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('ok');
    const refused = g.signed(g.queryRequest());
    expect(outcome(await g.post('/v1/query', refused))).toBe('429:rate_limited');
    g.clock.advance(1000);
    // The very same envelope is now accepted: the refusal did not enter the replay cache.
    expect(outcome(await g.post('/v1/query', refused))).toBe('ok');
    expect(g.link.queries).toHaveLength(2);
  });

  it('applies a policy change (reload) to the buckets at once', async () => {
    const policy = { current: DEFAULT_POLICY };
    g.app = g.build({ policy });
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('ok');
    policy.current = withLimits({ queries: { perAnalyst: { perSecond: 1, burst: 1 }, perCountry: { perSecond: 100, burst: 100 } } }).current;
    // The 19 tokens left are clamped to the new burst of 1.
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('ok');
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('429:rate_limited');
  });
});

describe('gateway memory bounds', () => {
  it('caps the requests one analyst has in flight; a colleague is still forwarded', async () => {
    g.app = g.build({ policy: withLimits({ inFlightPerAnalyst: 3 }) });
    const release = g.link.holdAll();
    try {
      const pending = [0, 1, 2].map(() => g.post('/v1/query', g.signed(g.queryRequest())));
      await until(() => g.link.queries.length === 3);
      // A fourth is answered at once (not forwarded to wait with the others), whatever its kind.
      expect(outcome(await settledOrForwarded(g.post('/v1/query', g.signed(g.queryRequest())), 3))).toBe('429:rate_limited');
      expect(outcome(await settledOrForwarded(g.post('/v1/lookup', g.signed(g.lookupRequest())), 3, () => g.link.lookups.length))).toBe('429:rate_limited');
      const bob = g.addAnalyst('bob-4d5e6f');
      const bobs = g.post('/v1/query', g.signed(g.queryRequest(), bob));
      await until(() => g.link.queries.length === 4);
      release();
      expect((await Promise.all([...pending, bobs])).map(outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    } finally {
      release();
    }
    expect(refusals().map((e) => [e.analyst, e.status])).toEqual([
      [g.ana.id, 'query/in-flight'],
      [g.ana.id, 'lookup/in-flight'],
    ]);
    // Once they are answered the analyst may send again.
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('ok');
  });

  it('bounds the answers kept for retries by bytes: past the bound the oldest is forgotten and a retry is forwarded again', async () => {
    g.app = g.build({ retention: { maxEntries: 100, maxBytes: 2_500, bioMaxEntries: 10, bioMaxBytes: 2_500 } });
    g.link.answers = [{ country: 'FR', status: 'answered', env: new Uint8Array(1000) }];
    const first = g.queryRequest();
    expect(outcome(await g.post('/v1/query', g.signed(first)))).toBe('ok');
    expect(outcome(await g.post('/v1/query', g.signed(g.retry(first))))).toBe('ok');
    expect(g.link.queries).toHaveLength(1); // retained
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('ok');
    expect(outcome(await g.post('/v1/query', g.signed(g.queryRequest())))).toBe('ok');
    expect(g.link.queries).toHaveLength(3);
    // Three answers of 1000 bytes do not fit in 2500: the first was forgotten.
    expect(outcome(await g.post('/v1/query', g.signed(g.retry(first))))).toBe('ok');
    expect(g.link.queries).toHaveLength(4);
  });

  it('keeps biometric answers (megabytes each) in their own smaller store, so they cannot push out identifier answers', async () => {
    g.app = g.build({ retention: { maxEntries: 100, maxBytes: 10_000, bioMaxEntries: 1, bioMaxBytes: 1_000_000 } });
    const q = g.queryRequest();
    expect(outcome(await g.post('/v1/query', g.signed(q)))).toBe('ok');
    g.link.answers = [{ country: 'FR', status: 'answered', env: new Uint8Array(50_000) }];
    const b1 = g.bioRequest();
    expect(outcome(await g.post('/v1/bio-query', g.signed(b1)))).toBe('ok');
    expect(outcome(await g.post('/v1/bio-query', g.signed(g.bioRequest())))).toBe('ok');
    expect(g.link.queries).toHaveLength(3);
    expect(outcome(await g.post('/v1/query', g.signed(g.retry(q))))).toBe('ok');
    expect(g.link.queries).toHaveLength(3); // the identifier answer survived
    expect(outcome(await g.post('/v1/bio-query', g.signed(g.retry(b1))))).toBe('ok');
    expect(g.link.queries).toHaveLength(4); // the older biometric answer did not (one kept)
    // Identifier and biometric queries still share the analyst's id space.
    const clash = await g.post('/v1/bio-query', g.signed({ ...g.bioRequest(), id: q.id }));
    expect(outcome(clash)).toBe('409:conflict');
    const clash2 = await g.post('/v1/query', g.signed(g.queryRequest(b1.id)));
    expect(outcome(clash2)).toBe('409:conflict');
  });
});
