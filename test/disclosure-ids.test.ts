/**
 * Abuse resistance of disclosure request ids (issue 10, attack 1), on a real network in this process.
 *
 * Request ids are chosen by the requester (the SDK lets an analyst pick one), so another analyst or
 * another country may reuse one — by accident or on purpose. Nothing may follow from that: each
 * (requesting country, analyst, id) is its own request at the owning node and each (analyst, id) at the
 * requesting node; the owner's approval of one request releases to that request's analyst only; another
 * country's request with the same id neither pre-empts it nor gets it approved by policy; and a
 * conflicting duplicate from a hostile member is refused (`conflict`), audited, acknowledged and dropped
 * instead of coming back on every connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, toHex } from '#crypto';
import { type DisclosureView, loadNodeKeys } from '#node';
import { ForwardedDisclosure, keyId, type NodeFrame, type QuerySubject, readUnverified, signEnvelope } from '#protocol';
import type { Disclosure, VeilClient } from '#sdk';
import { CTX, coordinatorSqlite, type Inproc, startInproc } from './helpers/inproc.ts';
import { until } from './helpers/until.ts';

const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06', nationality: 'DEU', sex: 'M' },
};
const car = { id: 'de-car', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'WVWZZZ1KZ6W000777', make: 'Volkswagen' } };
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const CAR = { vin: 'WVWZZZ1KZ6W000777' };

/** DE answers everyone; stolen vehicles are released by policy, wanted persons only by an officer. */
const dePolicy = {
  v: 1,
  answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
  budgets: { dailyEvaluations: 10000, perRequester: {} },
  disclosure: { deadlineHours: 48, autoApprove: [{ datasets: ['stolen-vehicles'], requesters: ['*'], purposes: ['*'], fields: ['vehicle', 'dataset'] }] },
};

describe('disclosure request ids are scoped to the requester', () => {
  let net: Inproc;
  let alice: VeilClient;
  let bob: VeilClient;
  let mallory: VeilClient;
  const ctx = { purpose: CTX.purpose, caseRef: CTX.caseRef, legalBasis: CTX.legalBasis };

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'IT' }, { country: 'DE', records: [karl, car], policy: dePolicy }]);
    alice = await net.client('FR', 'Alice Martin');
    bob = await net.client('FR', 'Bob Durand');
    mallory = await net.client('IT', 'Mallory Rossi');
  });

  afterAll(async () => {
    await net?.stop();
  });

  const desk = () => {
    const n = net.nodes.get('DE');
    if (!n) throw new Error('no DE');
    return n.desk;
  };
  const hit = async (c: VeilClient, subject: QuerySubject) => {
    const r = await c.query(subject, CTX, { targets: ['DE'] });
    const h = r.results[0]?.hits.find((x) => x.cls !== 'phonetic_yob');
    if (!h) throw new Error('no hit at DE');
    return { country: 'DE', token: h.token };
  };
  /** The request (`c`'s country, `c`'s analyst, `id`) as DE's officers see it, with the record it is about. */
  const atDe = (c: VeilClient, id: string, recordId: string): DisclosureView | undefined =>
    desk()
      .list('all')
      .find((v) => v.requester === c.country && v.analyst === c.credential.analystId && v.requestId === id && v.recordId === recordId);
  const mine = async (c: VeilClient, id: string): Promise<Disclosure | undefined> => (await c.disclosures()).find((d) => d.id === id);
  const decided = (c: VeilClient, id: string) =>
    until(`decision on ${id} for ${c.credential.analystId}`, async () => {
      const d = await mine(c, id);
      return d && d.status !== 'sent' ? d : undefined;
    });

  it('another analyst of the same node reusing an id gets a request of its own, decided on its own', async () => {
    const id = toHex(randomBytes(16));
    const a = await alice.requestDisclosure(await hit(alice, KARL), KARL, ctx, { fields: ['name'], justification: 'Suspect in case T-2026-1.', id });
    const b = await bob.requestDisclosure(await hit(bob, KARL), KARL, ctx, { fields: ['dob'], justification: 'Witness statement, case T-2026-9.', id });
    expect([a, b]).toEqual([
      { id, status: 'sent' },
      { id, status: 'sent' },
    ]);
    const va = await until('alice queued at DE', () => atDe(alice, id, 'de-karl'));
    const vb = await until('bob queued at DE', () => atDe(bob, id, 'de-karl'));
    expect(va.id).not.toBe(vb.id);
    // Officers address each by its own handle; the shared id alone is ambiguous.
    expect(() => desk().get(id)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect([va.fields, vb.fields]).toEqual([['name'], ['dob']]);

    desk().approve(vb.id, ['dob'], 'owner-1');
    expect((await decided(bob, id)).released?.fields).toEqual({ dob: '1966-06-06' });
    expect(await mine(alice, id)).toMatchObject({ status: 'sent' });
    expect(atDe(alice, id, 'de-karl')).toMatchObject({ status: 'pending', decidedBy: null });

    desk().deny(va.id, 'Not enough for identification.', 'owner-1');
    expect(await decided(alice, id)).toMatchObject({ status: 'denied', released: { reason: 'Not enough for identification.' } });
    expect((await mine(bob, id))?.released?.fields).toEqual({ dob: '1966-06-06' });
  });

  it('another country reusing an id neither pre-empts the request nor gets it released by policy, and an approval releases to its requester only', async () => {
    const id = toHex(randomBytes(16));
    await alice.requestDisclosure(await hit(alice, KARL), KARL, ctx, { fields: ['name', 'dataset'], justification: 'Suspect in case T-2026-2.', id });
    await until('alice queued at DE', () => (atDe(alice, id, 'de-karl')?.fields.includes('dataset') ? true : undefined));
    // Mallory asks, under alice's id, for a record that DE's policy releases at once.
    await mallory.requestDisclosure(await hit(mallory, CAR), CAR, ctx, { fields: ['dataset'], justification: 'Vehicle seen at the border.', id });
    const first = await until('a decision on either request', async () => {
      const [m, a] = [await mine(mallory, id), await mine(alice, id)];
      return m?.status !== 'sent' || a?.status !== 'sent' ? { m, a } : undefined;
    });
    // The officer-only request was not touched by the policy decision on the other country's request.
    expect(first.a).toMatchObject({ status: 'sent' });
    expect(first.a?.released).toBeUndefined();
    const va = atDe(alice, id, 'de-karl');
    expect(va).toMatchObject({ status: 'pending', decidedBy: null });
    // Mallory's own request was queued and decided on its own: the vehicle record only.
    expect(await decided(mallory, id)).toMatchObject({ status: 'approved', released: { fields: { dataset: 'stolen-vehicles' } } });
    expect(atDe(mallory, id, 'de-car')).toMatchObject({ status: 'approved', decidedBy: 'policy' });

    // The officer approves alice's request: alice gets Karl's name, mallory nothing more.
    if (!va) throw new Error('unreachable');
    desk().approve(va.id, ['name'], 'owner-1');
    expect((await decided(alice, id)).released?.fields).toEqual({ name: { family: 'Weber', given: 'Karl' } });
    const m = await mine(mallory, id);
    expect(m?.released?.fields).toEqual({ dataset: 'stolen-vehicles' });
    expect(JSON.stringify(m)).not.toContain('Weber');
  });

  it('a conflicting duplicate from a hostile member is refused, audited, acknowledged and dropped, never redelivered', async () => {
    const it = net.nodes.get('IT');
    const de = net.nodes.get('DE');
    if (!it || !de) throw new Error('no IT/DE');
    // The hostile node keeps a copy of what it forwards for its analyst.
    const sent: Extract<NodeFrame, { t: 'mail-send' }>[] = [];
    const trySend = it.link.trySend.bind(it.link);
    it.link.trySend = (f: NodeFrame) => {
      if (f.t === 'mail-send') sent.push(f);
      return trySend(f);
    };
    const id = toHex(randomBytes(16));
    await mallory.requestDisclosure(await hit(mallory, CAR), CAR, ctx, { fields: ['dataset'], justification: 'Vehicle seen at the border.', id });
    expect(await decided(mallory, id)).toMatchObject({ status: 'approved' });
    const original = sent.map((f) => readUnverified(f.env, ForwardedDisclosure)).find((f) => f.id === id);
    if (!original) throw new Error('the forwarded request was not seen');

    // Same (country, analyst, id), other content, in a fresh mail item: a conflict.
    const mid = toHex(randomBytes(16));
    const keys = loadNodeKeys(net.dir('IT'));
    const dup: ForwardedDisclosure = { ...original, ts: Date.now(), fields: ['vehicle'] };
    expect(trySend({ t: 'mail-send', mid, to: 'DE', env: signEnvelope(keys.signing, keyId.node('IT'), dup) })).toBe(true);

    const row = () =>
      coordinatorSqlite(net.coordinator).db.prepare('SELECT delivered_at AS d FROM mailbox WHERE mid = ?').get(mid) as { d: number | null } | undefined;
    await until('the duplicate is stored at the coordinator', () => row());
    await until('DE acknowledged the duplicate', () => (row()?.d != null ? true : undefined));
    const refused = de.audit.list({ kind: 'mail.refused', limit: 100 }).map((r) => r.entry);
    expect(refused).toContainEqual(expect.objectContaining({ requestId: id, country: 'IT', code: 'conflict' }));
    // The first decision stands, at both ends.
    expect(atDe(mallory, id, 'de-car')).toMatchObject({ status: 'approved', releasedFields: ['dataset'] });
    expect((await mine(mallory, id))?.released?.fields).toEqual({ dataset: 'stolen-vehicles' });
  });
});
