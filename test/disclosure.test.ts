/**
 * Disclosure end to end (docs/design.md §4) on a real network in this process: request with a sealed claim,
 * checks at the owning node, queue, owner decisions (approve a subset, deny, auto-approve by policy,
 * expiry), sealed release to the analyst's key, idempotent and final decisions, and the mailboxes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, toBase64url } from '#crypto';
import type { Disclosure, VeilClient } from '#sdk';
import { CTX, coordinatorSqlite, type Inproc, startInproc } from './helpers/inproc.ts';

const policyWith = (disclosure: unknown) => ({
  v: 1,
  answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
  budgets: { dailyEvaluations: 10000, perRequester: {} },
  disclosure,
});

const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06', nationality: 'DEU', sex: 'M' },
  documents: [{ type: 'passport', country: 'DEU', number: 'C11111111', status: 'valid' }],
};
const anna = {
  id: 'de-anna',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Schmidt', given: 'Anna', dob: '1980-08-08', nationality: 'DEU', sex: 'F' },
};
const car = { id: 'ua-car', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'WVWZZZ1KZ6W000123', make: 'Volkswagen' } };
const ivan = {
  id: 'it-ivan',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Rossi', given: 'Ivan', dob: '1990-09-09' },
};

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('disclosure', () => {
  let net: Inproc;
  let client: VeilClient;
  const ctx = { purpose: CTX.purpose, caseRef: CTX.caseRef, legalBasis: CTX.legalBasis };

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([
      { country: 'FR' },
      { country: 'DE', records: [karl, anna] },
      {
        country: 'UA',
        records: [car],
        policy: policyWith({
          deadlineHours: 48,
          autoApprove: [{ datasets: ['stolen-vehicles'], requesters: ['*'], purposes: ['*'], fields: ['vehicle', 'dataset'] }],
        }),
      },
      { country: 'IT', records: [ivan], policy: policyWith({ deadlineHours: 0.0005, autoApprove: [] }) },
    ]);
    client = await net.client('FR');
  });

  afterAll(async () => {
    await net?.stop();
  });

  const hitOf = async (subject: Parameters<VeilClient['query']>[0], country: string) => {
    const r = await client.query(subject, CTX, { targets: [country] });
    const h = r.results[0]!.hits.find((x) => x.cls !== 'phonetic_yob') ?? r.results[0]!.hits[0];
    expect(h, `hit at ${country}`).toBeDefined();
    return { country, token: h!.token };
  };
  const mine = async (id: string): Promise<Disclosure | undefined> => (await client.disclosures()).find((d) => d.id === id);
  const decided = (id: string) =>
    until(`decision on ${id}`, async () => {
      const d = await mine(id);
      return d && d.status !== 'sent' ? d : undefined;
    });

  it('approves a subset: the analyst receives exactly the approved fields, sealed and signed', async () => {
    const subject = { name: 'Karl Weber', dob: '1966-06-06' };
    const req = await client.requestDisclosure(await hitOf(subject, 'DE'), subject, ctx, {
      fields: ['name', 'dob', 'documents'],
      justification: 'Suspect in case T-2026-1; needs identification.',
    });
    expect(req.status).toBe('sent');
    const desk = net.nodes.get('DE')!.desk;
    const pending = await until('queued at DE', async () => desk.list('pending').find((v) => v.requestId === req.id));
    expect(pending).toMatchObject({
      requester: 'FR',
      purpose: 'wanted-person',
      fields: ['name', 'dob', 'documents'],
      justification: expect.stringContaining('Suspect'),
      recordId: 'de-karl',
    });
    expect((await mine(req.id))!.status).toBe('sent');

    desk.approve(req.id, ['name', 'dob'], 'owner-1');
    const d = await decided(req.id);
    expect(d.status).toBe('approved');
    expect(d.released?.handling).toBe('confidential');
    expect(d.released?.fields).toEqual({ name: { family: 'Weber', given: 'Karl' }, dob: '1966-06-06' });

    // Final and idempotent.
    expect(() => desk.approve(req.id, ['name', 'dob'], 'owner-1')).not.toThrow();
    expect(() => desk.approve(req.id, ['name'], 'owner-1')).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => desk.deny(req.id, 'changed my mind', 'owner-1')).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => desk.approve(req.id, ['nationality'], 'owner-2')).toThrow();
  });

  it('denies with a reason that only the analyst can read', async () => {
    const subject = { name: 'Anna Schmidt', dob: '1980-08-08' };
    const req = await client.requestDisclosure(await hitOf(subject, 'DE'), subject, ctx, { fields: ['name'], justification: 'Witness.' });
    const desk = net.nodes.get('DE')!.desk;
    await until('queued', async () => desk.get(req.id));
    desk.deny(req.id, 'Legal basis does not cover witnesses.', 'owner-1');
    const d = await decided(req.id);
    expect(d).toMatchObject({ status: 'denied', released: { reason: 'Legal basis does not cover witnesses.' } });
    expect(d.released?.fields).toBeUndefined();
    // The coordinator keeps only metadata: delivered ciphertexts are gone.
    const rows = coordinatorSqlite(net.coordinator).db.prepare('SELECT body FROM mailbox WHERE delivered_at IS NOT NULL').all() as { body: unknown }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.body === null)).toBe(true);
  });

  it('refuses a claim that does not match the record, and a forged token, before any officer sees them', async () => {
    const hit = await hitOf({ name: 'Karl Weber', dob: '1966-06-06' }, 'DE');
    const desk = net.nodes.get('DE')!.desk;
    const before = desk.list('all').length;
    const fishing = await client.requestDisclosure(hit, { name: 'Somebody Else', dob: '1966-06-06' }, ctx, { fields: ['name'], justification: 'Fishing.' });
    const forged = await client.requestDisclosure({ country: 'DE', token: toBase64url(randomBytes(64)) }, { name: 'Karl Weber', dob: '1966-06-06' }, ctx, {
      fields: ['name'],
      justification: 'Forged.',
    });
    expect(await decided(fishing.id)).toMatchObject({ status: 'rejected', code: 'claim_mismatch' });
    expect(await decided(forged.id)).toMatchObject({ status: 'rejected', code: 'decrypt_failed' });
    expect(desk.list('all').length).toBe(before);
    const audit = net.nodes.get('DE')!.audit.list({ kind: 'disclosure.claim-rejected', limit: 10 });
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  it('auto-approves by policy and records that it did', async () => {
    const subject = { vin: 'WVWZZZ1KZ6W000123' };
    const req = await client.requestDisclosure(await hitOf(subject, 'UA'), subject, ctx, {
      fields: ['vehicle', 'name'],
      justification: 'Vehicle seized at the border.',
    });
    const d = await decided(req.id);
    expect(d.status).toBe('approved');
    expect(Object.keys(d.released?.fields ?? {})).toEqual(['vehicle']);
    expect(net.nodes.get('UA')!.desk.get(req.id)).toMatchObject({ decidedBy: 'policy', releasedFields: ['vehicle'] });
    expect(net.nodes.get('UA')!.audit.list({ kind: 'disclosure.auto-approved', limit: 5 }).length).toBe(1);
  });

  it('expires a request nobody decides in time', async () => {
    const subject = { name: 'Ivan Rossi', dob: '1990-09-09' };
    const req = await client.requestDisclosure(await hitOf(subject, 'IT'), subject, ctx, { fields: ['name'], justification: 'Urgent.' });
    const d = await decided(req.id);
    expect(d.status).toBe('expired');
    expect(() => net.nodes.get('IT')!.desk.approve(req.id, ['name'], 'late-owner')).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('a repeated request id is idempotent', async () => {
    const subject = { name: 'Karl Weber', dob: '1966-06-06' };
    const hit = await hitOf(subject, 'DE');
    const id = 'ab'.repeat(16);
    const a = await client.requestDisclosure(hit, subject, ctx, { fields: ['name'], justification: 'x', id });
    const b = await client.requestDisclosure(hit, subject, ctx, { fields: ['name'], justification: 'x', id });
    expect(a.id).toBe(b.id);
    await until('queued once', async () => net.nodes.get('DE')!.desk.get(id));
    const n = (net.nodes.get('FR')!.store.db.prepare('SELECT COUNT(*) AS n FROM disclosures_out WHERE id = ?').get(id) as { n: number }).n;
    expect(n).toBe(1);
  });
});
