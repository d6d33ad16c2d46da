/**
 * One requester flooding one target starves no other pair (issue 10, attack 4's per-pair limits), on a
 * real network in this process: real coordinator and nodes FR, DE and IT on loopback, a hostile member
 * RO logged in by hand with its own certificate.
 *
 * RO sends DE identifier queries of 64 blinded elements each as fast as it can (validly signed, its
 * country's query bucket lifted so only the pair limits apply). The coordinator charges each query's
 * elements to the (RO, DE) bucket before fanning it out: past its burst, DE is answered `rate_limited`
 * for RO without being asked, so DE evaluates at most the pair's rate for RO. Meanwhile RO's own queries
 * to IT — another pair — go through, and FR's analyst keeps getting DE's and IT's answers. Without the
 * pair buckets every flooded query reaches DE and this test fails (no `rate_limited` answer for DE, more
 * evaluations than the rate allows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, blind, initCrypto, OprfKey, randomBytes, toHex, utf8 } from '#crypto';
import { type CoordinatorFrame, type ForwardedQuery, keyId, signEnvelope } from '#protocol';
import type { VeilClient } from '#sdk';
import { CTX, coordinatorSqlite, type Inproc, startInproc } from './helpers/inproc.ts';
import { RawNode } from './helpers/raw-node.ts';
import { until } from './helpers/until.ts';

const person = (country: string) => ({
  id: `${country.toLowerCase()}-karl`,
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
});
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const answerAll = { v: 1, answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }], budgets: { dailyEvaluations: 10_000_000, perRequester: {} } };
/** Blinded elements per second one requester may have one target evaluate here (burst: twice that). */
const EVALS_PER_PAIR = 256;
const ITEMS = 64;
const FLOOD_MS = 3000;
/** FR's honest queries during the flood (at least; it lasts at least FLOOD_MS). */
const HONEST = 5;

type QueryResult = Extract<CoordinatorFrame, { t: 'query-result' }>;

describe('a query flood from one member at one target', () => {
  let net: Inproc;
  let analyst: VeilClient;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc(
      [{ country: 'FR' }, { country: 'DE', records: [person('DE')], policy: answerAll }, { country: 'IT', records: [person('IT')], policy: answerAll }],
      { evalsPerPair: EVALS_PER_PAIR, ratePerCountry: 100_000 },
    );
    analyst = await net.client('FR');
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('is refused past its (requester, target) bucket; other pairs, its own included, keep being served', { timeout: 180_000 }, async () => {
    const rogue = net.pki.member('RO');
    const ro = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogue, { caPem: net.pki.bundle().caPem });
    await ro.next('welcome');
    // RO publishes its keys, as a member does, so the targets answer it.
    ro.descriptor(BoxKeyPair.generate().publicKey(), OprfKey.generate('voprf'));
    await until('targets know RO', () =>
      ['DE', 'IT'].every((c) =>
        net.nodes
          .get(c)
          ?.members.all()
          .some((m) => m.country === 'RO'),
      )
        ? true
        : undefined,
    );
    const kid = keyId.node('RO');
    // Blinded once; every query still has its own id and nonce.
    const items = Array.from({ length: ITEMS }, (_, i) => ({ cls: 'name_dob' as const, blinded: blind('voprf', utf8(`flood-${i}`)).blindedElement }));
    const query = (target: string): string => {
      const q: ForwardedQuery = {
        t: 'fwd-query',
        id: toHex(randomBytes(16)),
        ts: Date.now(),
        nonce: randomBytes(16),
        from: 'RO',
        analyst: 'flooder',
        ...CTX,
        targets: [target],
        items,
      };
      ro.send({ t: 'query', env: signEnvelope(rogue.signing, kid, q) });
      return q.id;
    };
    const toDe = new Set<string>();
    const toIt = new Set<string>();
    const started = Date.now();
    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        for (let i = 0; i < 5; i++) toDe.add(query('DE'));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    // Meanwhile: RO's queries to IT (another pair of the same requester), FR's analyst at DE and IT.
    const honest = [];
    while (Date.now() - started < FLOOD_MS || honest.length < HONEST) {
      toIt.add(query('IT'));
      honest.push(await analyst.query(KARL, CTX, { targets: ['DE', 'IT'] }));
      await new Promise((r) => setTimeout(r, 100));
    }
    flooding = false;
    await flood;
    const elapsedS = (Date.now() - started) / 1000;

    const results = await until(
      'every RO query answered',
      () => {
        const got = ro.frames.filter((f): f is QueryResult => f.t === 'query-result');
        return got.length >= toDe.size + toIt.size ? got : undefined;
      },
      60_000,
    );
    const status = (ids: Set<string>, country: string) =>
      results
        .filter((r) => ids.has(r.id))
        .map((r) => r.answers.find((a) => a.country === country)?.code ?? r.answers.find((a) => a.country === country)?.status);
    const de = status(toDe, 'DE');
    const it_ = status(toIt, 'IT');
    const evaluatedByDe = de.filter((s) => s === 'answered').length * ITEMS;

    // The flood was refused at the coordinator past the pair's burst and rate…
    expect(toDe.size).toBeGreaterThan(100);
    expect(de.filter((s) => s === 'rate_limited').length).toBeGreaterThan(toDe.size / 2);
    expect(evaluatedByDe).toBeLessThanOrEqual(2 * EVALS_PER_PAIR + EVALS_PER_PAIR * (elapsedS + 1) + ITEMS);
    // …while RO's other pair and FR's pairs were served throughout.
    expect(it_.every((s) => s === 'answered')).toBe(true);
    for (const r of honest) expect(r.results.map((x) => `${x.country}:${x.status}`).sort()).toEqual(['DE:hit', 'IT:hit']);

    // The refusals were audited for the pair.
    const audit = coordinatorSqlite(net.coordinator).auditLog;
    if (!audit) throw new Error('coordinator audit');
    const limited = await until('refusal audited', () => {
      const e = audit.list({ kind: 'rate.limited', limit: 100 }).map((r) => r.entry);
      return e.length ? e : undefined;
    });
    expect(limited.some((e) => e.country === 'RO' && e.status === 'eval' && e.peer === 'DE')).toBe(true);
    expect(limited.some((e) => e.country === 'FR' || e.peer === 'IT')).toBe(false);
    ro.close();
  });
});
