/**
 * The owning node's desk against requesters that reuse ids and lift claims: requests are known by
 * (requesting country, analyst, id); a repeat changes nothing, other content under a known key is a
 * `conflict` with nothing written; a sealed claim is good only for the request it was made for; and
 * decisions name the request by its requester's key.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, randomBytes, toHex } from '#crypto';
import { DEFAULT_POLICY } from '../policy.ts';
import { type DeskFixture, deskFixture, forwarded, queuedDecisions, requester } from './disclosure.test-fixture.ts';

describe('disclosure desk: requests are scoped to their requester', () => {
  let f: DeskFixture;
  beforeAll(initCrypto);
  beforeEach(() => {
    f = deskFixture();
  });
  afterEach(() => f.close());

  const auditKinds = () =>
    f.audit
      .list({ limit: 1000 })
      .map((r) => r.entry.kind)
      .filter((k) => k !== 'audit.checkpoint');

  it('queues a request under its key; a repeat changes nothing; other content under the key is a conflict and writes nothing', () => {
    const alice = requester('FR', 'alice-1a2b3c');
    const fwd = forwarded(f, alice);
    f.desk.receive(fwd);
    const [v, ...more] = f.desk.list('all');
    expect(more).toEqual([]);
    expect(v).toMatchObject({ requester: 'FR', analyst: 'alice-1a2b3c', requestId: fwd.id, status: 'pending', recordId: 'de-karl', fields: ['name', 'dob'] });
    expect(v?.id).toMatch(/^[0-9a-f]{32}$/);

    f.clock.advance(1000);
    f.desk.receive({ ...fwd, ts: f.clock.now() }); // the same content in a fresh envelope
    const before = auditKinds();
    expect(() => f.desk.receive({ ...fwd, fields: ['name'] })).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => f.desk.receive(forwarded(f, alice, { id: fwd.id }))).toThrow(expect.objectContaining({ code: 'conflict' })); // a fresh claim: other bytes
    expect(f.desk.list('all')).toHaveLength(1);
    expect(auditKinds()).toEqual(before);
    expect(auditKinds().filter((k) => k === 'disclosure.queued')).toHaveLength(1);
    expect(queuedDecisions(f)).toEqual([]);
  });

  it('keeps the same id of another analyst or another country apart, and decides each on its own', () => {
    const id = toHex(randomBytes(16));
    const alice = requester('FR', 'alice-1a2b3c');
    const bob = requester('FR', 'bob-4d5e6f');
    const mallory = requester('IT', 'alice-1a2b3c'); // even the same account name, in another country
    for (const r of [alice, bob, mallory]) f.desk.receive(forwarded(f, r, { id }));
    const views = f.desk.list('pending');
    expect(views.map((v) => `${v.requester}/${v.analyst}/${v.requestId}`).sort()).toEqual([
      `FR/alice-1a2b3c/${id}`,
      `FR/bob-4d5e6f/${id}`,
      `IT/alice-1a2b3c/${id}`,
    ]);
    expect(new Set(views.map((v) => v.id)).size).toBe(3);
    // The shared id does not name one of them.
    expect(() => f.desk.get(id)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => f.desk.approve(id, ['name'], 'owner-1')).toThrow(expect.objectContaining({ code: 'conflict' }));

    const ofMallory = views.find((v) => v.requester === 'IT');
    if (!ofMallory) throw new Error('unreachable');
    f.desk.approve(ofMallory.id, ['name'], 'owner-1');
    // One decision, to IT, naming mallory's request by its key; the others stay pending.
    const sent = queuedDecisions(f);
    expect(sent).toEqual([{ recipient: 'IT', decision: expect.objectContaining({ id, from: 'DE', to: 'IT', analyst: 'alice-1a2b3c', status: 'approved' }) }]);
    // Sealed to mallory's box key only.
    const sealed = sent[0]?.decision.sealed;
    if (!sealed) throw new Error('no release');
    expect(() => alice.box.open(sealed)).toThrow();
    expect(mallory.box.open(sealed).length).toBeGreaterThan(0);
    expect(f.desk.list('pending').map((v) => v.requester + v.analyst)).toEqual(expect.arrayContaining(['FRalice-1a2b3c', 'FRbob-4d5e6f']));
    expect(f.desk.list('pending')).toHaveLength(2);
  });

  it('an auto-approval of one requester’s request leaves another requester’s request with the same id to the officers', () => {
    f.policy.current = {
      ...DEFAULT_POLICY,
      disclosure: { deadlineHours: 48, autoApprove: [{ datasets: ['wanted-persons'], requesters: ['IT'], purposes: ['*'], fields: ['name'] }] },
    };
    const id = toHex(randomBytes(16));
    f.desk.receive(forwarded(f, requester('FR'), { id }));
    f.desk.receive(forwarded(f, requester('IT'), { id }));
    const byCountry = Object.fromEntries(f.desk.list('all').map((v) => [v.requester, v]));
    expect(byCountry.FR).toMatchObject({ status: 'pending', decidedBy: null });
    expect(byCountry.IT).toMatchObject({ status: 'approved', decidedBy: 'policy', releasedFields: ['name'] });
    expect(queuedDecisions(f).map((d) => [d.recipient, d.decision.status])).toEqual([['IT', 'approved']]);
  });

  it('refuses a claim lifted into another request before any officer sees it', () => {
    const alice = requester('FR', 'alice-1a2b3c');
    const other = BoxKeyPair.generate().publicKey();
    // Each request carries a claim made for another one: it differs from the forwarded clear fields in one place.
    const lifted = [
      { claim: { analyst: 'bob-4d5e6f' } },
      { claim: { from: 'IT' } },
      { claim: { to: 'UA' } },
      { claim: { analystBoxPub: other } },
      { claim: { fields: ['name' as const] } },
      { claim: { fields: ['dob' as const, 'name' as const] } },
      { claim: { purpose: 'border-control' as const } },
      { claim: { caseRef: 'FR-2026-2' } },
      { claim: { legalBasis: 'art-4' } },
      { claim: { id: toHex(randomBytes(16)) } },
    ];
    for (const o of lifted) f.desk.receive(forwarded(f, alice, o));
    expect(f.desk.list('all')).toEqual([]);
    const sent = queuedDecisions(f);
    expect(sent).toHaveLength(lifted.length);
    for (const s of sent) expect(s).toMatchObject({ recipient: 'FR', decision: { status: 'rejected', code: 'claim_mismatch', analyst: 'alice-1a2b3c' } });
    expect(auditKinds().filter((k) => k === 'disclosure.claim-rejected')).toHaveLength(lifted.length);
    // The same claim, bound to this request, is fine.
    f.desk.receive(forwarded(f, alice));
    expect(f.desk.list('pending')).toHaveLength(1);
  });

  it('remembers a rejected request under its key: a repeat is silent, other content is a conflict', () => {
    const alice = requester('FR', 'alice-1a2b3c');
    const bad = forwarded(f, alice, { claim: { claim: { name: 'Somebody Else', dob: '1966-06-06' } } });
    f.desk.receive(bad);
    f.desk.receive(bad);
    expect(queuedDecisions(f).map((d) => d.decision.code)).toEqual(['claim_mismatch']);
    expect(() => f.desk.receive(forwarded(f, alice, { id: bad.id }))).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(f.desk.list('all')).toEqual([]);
  });

  it('finds a request by the requester’s id while it is the only one with that id', () => {
    const fwd = forwarded(f, requester());
    f.desk.receive(fwd);
    const v = f.desk.get(fwd.id);
    expect(v?.requestId).toBe(fwd.id);
    expect(f.desk.approve(fwd.id, ['dob'], 'owner-1')).toMatchObject({ status: 'approved', releasedFields: ['dob'] });
    expect(f.desk.get(toHex(randomBytes(16)))).toBeUndefined();
  });

  it('commits a request, its decision mail and their audit entries together or not at all', () => {
    f.policy.current = {
      ...DEFAULT_POLICY,
      disclosure: { deadlineHours: 48, autoApprove: [{ datasets: ['wanted-persons'], requesters: ['*'], purposes: ['*'], fields: ['name'] }] },
    };
    const fwd = forwarded(f, requester());
    const queue = f.store.mail.queue.bind(f.store.mail);
    f.store.mail.queue = () => {
      throw new Error('disk full');
    };
    // Called on its own (not inside the mail layer's transaction): the desk's own transaction holds it.
    expect(() => f.desk.receive(fwd)).toThrow('disk full');
    expect(f.desk.list('all')).toEqual([]);
    expect(f.store.disclosures.seenIncoming({ requester: 'FR', analyst: 'alice-1a2b3c', requestId: fwd.id })).toBeUndefined();
    expect(auditKinds().filter((k) => k.startsWith('disclosure.'))).toEqual([]);
    f.store.mail.queue = queue;
    f.desk.receive(fwd);
    expect(f.desk.list('all')).toMatchObject([{ status: 'approved', decidedBy: 'policy' }]);
    expect(auditKinds().filter((k) => k.startsWith('disclosure.'))).toEqual(['disclosure.queued', 'disclosure.approved', 'disclosure.auto-approved']);
    expect(queuedDecisions(f)).toHaveLength(1);
  });
});
