/**
 * Unit tests of query fan-out through the real coordinator with fake member sockets: batching,
 * deadlines, unavailable targets, late answers, the result cache and rate limiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CoordinatorFrame, ForwardedQuery, LIMITS, readUnverified } from '#protocol';
import { answerFrame, type Connected, fwdBioQuery, fwdQuery, type Harness, sendQuery, settle, startHarness } from './harness.test-fixture.ts';
import { RESULT_RETAIN_MS } from './result-cache.ts';

type Result = Extract<CoordinatorFrame, { t: 'query-result' }>;

const statuses = (r: Result | undefined) => r?.answers.map((a) => `${a.country}:${a.status}${a.code ? `:${a.code}` : ''}`);
const evalIds = (c: Connected) => c.socket.framesOf('eval').map((f) => f.batch.map((env) => readUnverified(env, ForwardedQuery).id));

describe('coordinator fan-out', () => {
  let h: Harness;
  let fr: Connected;
  let de: Connected;
  let it_: Connected;
  let es: Connected;

  beforeEach(async () => {
    h = await startHarness({ queryDeadlineMs: 3000, bioDeadlineMs: 60_000 });
    fr = await h.connect(await h.admit('FR'));
    de = await h.connect(await h.admit('DE'));
    it_ = await h.connect(await h.admit('IT'));
    es = await h.connect(await h.admit('ES'));
  });
  afterEach(async () => {
    await h.close();
  });

  it('sends a query to every other member and returns one result listing each', async () => {
    const q = fwdQuery('FR');
    sendQuery(fr, q);
    await settle();
    // Nothing leaves before the end of the turn.
    expect(de.socket.framesOf('eval')).toEqual([]);
    h.turns.run();
    for (const t of [de, it_, es]) expect(evalIds(t)).toEqual([[q.id]]);
    expect(evalIds(fr)).toEqual([]);
    // The same batch is one frame: the very same bytes go to every target.
    const evalBytes = (t: Connected) => t.socket.sent.at(-1);
    expect(evalBytes(de)).toBe(evalBytes(it_));
    expect(evalBytes(de)).toBe(evalBytes(es));

    for (const t of [es, de, it_]) t.send(answerFrame(t, 'FR', q.id));
    await settle();
    const [r] = fr.socket.framesOf('query-result');
    expect(r?.id).toBe(q.id);
    expect(statuses(r)).toEqual(['DE:answered', 'ES:answered', 'IT:answered']);
    expect(r?.answers.every((a) => a.status !== 'answered' || a.env instanceof Uint8Array)).toBe(true);
    h.turns.run();
    await settle();
    expect(h.auditEntries().map((e) => e.kind)).toContain('query.answered');
    expect(h.auditEntries().find((e) => e.kind === 'query.answered')).toMatchObject({ queryId: q.id, country: 'FR', count: 3, status: 'complete' });
  });

  it('batches what is queued for one node in one frame per turn', async () => {
    const a = fwdQuery('FR', { targets: ['DE', 'IT'] });
    const b = fwdQuery('FR', { targets: ['DE'] });
    const c = fwdQuery('FR', { targets: ['DE', 'IT'] });
    for (const q of [a, b, c]) sendQuery(fr, q);
    await settle();
    h.turns.run();
    expect(evalIds(de)).toEqual([[a.id, b.id, c.id]]);
    expect(evalIds(it_)).toEqual([[a.id, c.id]]);
    expect(evalIds(es)).toEqual([]);
    const d = fwdQuery('FR', { targets: ['DE'] });
    sendQuery(fr, d);
    await settle();
    h.turns.run();
    expect(evalIds(de)).toEqual([[a.id, b.id, c.id], [d.id]]);
  });

  it('sends a full batch at once without waiting for the turn to end', async () => {
    await h.close();
    h = await startHarness({ ratePerCountry: 100_000 });
    const [a, b] = [await h.admit('FR'), await h.admit('DE')];
    [fr, de] = [await h.connect(a), await h.connect(b)];
    const ids: string[] = [];
    for (let i = 0; i < LIMITS.maxBatchQueries; i++) {
      const q = fwdQuery('FR', { targets: ['DE'] });
      ids.push(q.id);
      sendQuery(fr, q);
    }
    await settle();
    expect(evalIds(de)).toEqual([ids]);
  });

  it('reports absent targets as timed out at the deadline; biometric queries wait longer', async () => {
    const q = fwdQuery('FR', { targets: ['DE', 'IT'] });
    const bio = fwdBioQuery('FR', { targets: ['DE'] });
    sendQuery(fr, q);
    sendQuery(fr, bio);
    await settle();
    h.turns.run();
    de.send(answerFrame(de, 'FR', q.id));
    await settle();
    h.clock.advance(2999);
    expect(fr.socket.framesOf('query-result')).toEqual([]);
    h.clock.advance(1);
    await settle();
    const results = fr.socket.framesOf('query-result');
    expect(results.map((r) => r.id)).toEqual([q.id]);
    expect(statuses(results[0])).toEqual(['DE:answered', 'IT:timeout:timeout']);
    h.clock.advance(60_000 - 3000);
    await settle();
    const bioResult = fr.socket.framesOf('query-result').find((r) => r.id === bio.id);
    expect(statuses(bioResult)).toEqual(['DE:timeout:timeout']);
    h.turns.run();
    await settle();
    expect(
      h
        .auditEntries()
        .filter((e) => e.kind === 'query.answered')
        .map((e) => e.status),
    ).toEqual(['deadline', 'deadline']);
    expect(h.auditEntries().map((e) => e.kind)).toContain('bio.query.received');
  });

  it('reports members that are offline as unavailable and unknown targets as errors, at once', async () => {
    // A member the coordinator knows (it logged in once with its certificate) that is now offline.
    const nl = await h.connect(await h.admit('NL'));
    nl.socket.terminate();
    await settle();
    const q = fwdQuery('FR', { targets: ['NL', 'ZZ', 'FR'] });
    sendQuery(fr, q);
    await settle();
    expect(statuses(fr.socket.framesOf('query-result')[0])).toEqual(['NL:unavailable:unavailable', 'ZZ:error:unknown_member']);
  });

  it('drops late answers, answers from nodes not asked and repeated answers', async () => {
    const q = fwdQuery('FR', { targets: ['DE', 'IT'] });
    sendQuery(fr, q);
    await settle();
    h.turns.run();
    es.send(answerFrame(es, 'FR', q.id)); // not asked
    de.send(answerFrame(de, 'FR', q.id));
    de.send(answerFrame(de, 'FR', q.id)); // repeated
    await settle();
    expect(fr.socket.framesOf('query-result')).toEqual([]);
    h.clock.advance(3000);
    await settle();
    it_.send(answerFrame(it_, 'FR', q.id)); // late
    await settle();
    const results = fr.socket.framesOf('query-result');
    expect(results).toHaveLength(1);
    expect(statuses(results[0])).toEqual(['DE:answered', 'IT:timeout:timeout']);
  });

  it('routes the bare code of a query a target could not verify as an error for that target, unsigned', async () => {
    const q = fwdQuery('FR', { targets: ['DE', 'IT'] });
    sendQuery(fr, q);
    await settle();
    h.turns.run();
    de.send({ t: 'eval-results', results: [{ to: 'FR', id: q.id, code: 'unknown_member' }] });
    it_.send(answerFrame(it_, 'FR', q.id));
    await settle();
    const [r] = fr.socket.framesOf('query-result');
    expect(statuses(r)).toEqual(['DE:error:unknown_member', 'IT:answered']);
    expect(r?.answers.find((a) => a.country === 'DE')?.env).toBeUndefined();
  });

  it('an answer routed to another query or requester is dropped', async () => {
    const q = fwdQuery('FR', { targets: ['DE'] });
    sendQuery(fr, q);
    await settle();
    h.turns.run();
    de.send(answerFrame(de, 'IT', q.id));
    await settle();
    expect(fr.socket.framesOf('query-result')).toEqual([]);
  });

  it('resends the same result to a retransmission, drops one in flight, and forgets it after the window', async () => {
    const q = fwdQuery('FR', { targets: ['DE'] });
    sendQuery(fr, q);
    await settle();
    h.turns.run();
    // In flight: the retransmission (a fresh envelope, same id) is dropped; the result will follow.
    sendQuery(fr, { ...q, nonce: new Uint8Array(16).fill(1), ts: Date.now() });
    await settle();
    h.turns.run();
    expect(evalIds(de)).toEqual([[q.id]]);
    de.send(answerFrame(de, 'FR', q.id));
    await settle();
    const first = fr.socket.sent.at(-1);
    expect(fr.socket.framesOf('query-result')).toHaveLength(1);

    h.clock.advance(RESULT_RETAIN_MS - 1);
    sendQuery(fr, { ...q, nonce: new Uint8Array(16).fill(2), ts: Date.now() });
    await settle();
    h.turns.run();
    expect(fr.socket.sent.at(-1)).toEqual(first);
    expect(fr.socket.framesOf('query-result')).toHaveLength(2);
    expect(evalIds(de)).toEqual([[q.id]]); // no second fan-out

    h.clock.advance(2);
    sendQuery(fr, { ...q, nonce: new Uint8Array(16).fill(3), ts: Date.now() });
    await settle();
    h.turns.run();
    expect(evalIds(de)).toEqual([[q.id], [q.id]]); // forgotten: asked again
  });

  it("keys kept results by analyst: another analyst's query under a kept id is fanned out anew, and one under an id in flight is a conflict", async () => {
    const q = fwdQuery('FR', { targets: ['DE'], analyst: 'alice' });
    sendQuery(fr, q);
    await settle();
    h.turns.run();
    // In flight: the same id from another analyst of FR cannot be routed apart from it.
    sendQuery(fr, { ...q, analyst: 'bob', nonce: new Uint8Array(16).fill(1) });
    await settle();
    expect(fr.socket.framesOf('error')).toEqual([{ t: 'error', code: 'conflict', ref: q.id }]);
    de.send(answerFrame(de, 'FR', q.id));
    await settle();
    expect(fr.socket.framesOf('query-result')).toHaveLength(1);
    // Kept for alice only: bob's query under the id is asked again, not answered from alice's result.
    sendQuery(fr, { ...q, analyst: 'bob', nonce: new Uint8Array(16).fill(2) });
    await settle();
    h.turns.run();
    expect(evalIds(de)).toEqual([[q.id], [q.id]]);
    expect(fr.socket.framesOf('query-result')).toHaveLength(1); // alice's only, nothing sent to bob yet
  });

  it('refuses a replayed envelope', async () => {
    const q = fwdQuery('FR', { targets: ['DE'] });
    const env = sendQuery(fr, q);
    await settle();
    h.turns.run();
    de.send(answerFrame(de, 'FR', q.id));
    await settle();
    // A new id in a replayed envelope is impossible (the id is signed); replay the same envelope after the result is forgotten.
    h.clock.advance(RESULT_RETAIN_MS + 1);
    fr.send({ t: 'query', env });
    await settle();
    expect(fr.socket.framesOf('error')).toEqual([{ t: 'error', code: 'replay', ref: q.id }]);
  });

  it('rate-limits each country on its own', async () => {
    await h.close();
    h = await startHarness({ ratePerCountry: 1 });
    const fr2 = await h.connect(await h.admit('FR'));
    const de2 = await h.connect(await h.admit('DE'));
    const sent = [fwdQuery('FR'), fwdQuery('FR'), fwdQuery('FR')];
    for (const q of sent) sendQuery(fr2, q);
    sendQuery(de2, fwdQuery('DE'));
    await settle();
    // A burst of two seconds' worth (2 queries), then refused, naming the query.
    expect(fr2.socket.framesOf('error')).toEqual([{ t: 'error', code: 'rate_limited', ref: sent[2]?.id }]);
    expect(de2.socket.framesOf('error')).toEqual([]);
    h.clock.advance(1000);
    sendQuery(fr2, fwdQuery('FR'));
    await settle();
    expect(fr2.socket.framesOf('error')).toHaveLength(1);
  });

  it('refuses a query from another country or signed by another key, naming it', async () => {
    const q = fwdQuery('DE', { targets: ['IT'] });
    fr.send({ t: 'query', env: de.sign(q) });
    sendQuery(fr, q);
    await settle();
    expect(fr.socket.framesOf('error')).toEqual([
      { t: 'error', code: 'forbidden', ref: q.id },
      { t: 'error', code: 'forbidden', ref: q.id },
    ]);
    expect(fr.socket.open).toBe(true);
  });
});
