/**
 * Abuse resistance of store-and-forward mail (issue 10, attack 2), on a real network in this process.
 *
 * A hostile member floods another member's mailbox while it is offline: a few padded mails of tens of
 * MB (each a validly signed envelope of an allowed mail kind), then as many near-cap items as it can.
 * Before the fix the victim's delivery at login was one frame over the frame limit: its connection was
 * closed, it logged in again, got the same frame, and so on for ever — answering no queries, with the
 * legitimate mail stuck behind. Now: an item over the cap is refused, a sender's pending mail is capped
 * per recipient and in total (refused `rate_limited`, audited), and delivery goes in pages far below the
 * frame limit, so the victim stays connected, answers queries and receives legitimate mail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, toHex } from '#crypto';
import { loadNodeKeys, startNode } from '#node';
import { silentLogger } from '#platform';
import { keyId, signEnvelope } from '#protocol';
import type { VeilClient } from '#sdk';
import { CTX, coordinatorSqlite, type Inproc, startInproc } from './helpers/inproc.ts';
import { until } from './helpers/until.ts';

const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const MB = 1024 * 1024;

describe('a mail flood cuts no one off', () => {
  let net: Inproc;
  let analyst: VeilClient;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'IT' }, { country: 'DE', records: [karl] }]);
    analyst = await net.client('FR');
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('a member flooding an offline member with padded and near-cap mail: the victim stays connected, answers queries and receives legitimate mail', async () => {
    const { coordinator } = net;
    const audit = coordinatorSqlite(coordinator).auditLog;
    if (!audit) throw new Error('coordinator audit');
    const hit = await analyst.query(KARL, CTX, { targets: ['DE'] });
    const token = hit.results[0]?.hits[0]?.token;
    if (!token) throw new Error('no hit at DE');

    // DE goes offline.
    const de = net.nodes.get('DE');
    if (!de) throw new Error('no DE');
    await de.close();
    await until('DE gone', () => (coordinator.connected().includes('DE') ? undefined : true));

    // IT floods DE's mailbox through its own connection, signing with its real key.
    const it = net.nodes.get('IT');
    if (!it) throw new Error('no IT');
    const keys = loadNodeKeys(net.dir('IT'));
    const junk = (bytes: number) => signEnvelope(keys.signing, keyId.node('IT'), { t: 'fwd-disclosure', from: 'IT', to: 'DE', pad: randomBytes(bytes) });
    const flood = [...Array.from({ length: 3 }, () => junk(20 * MB)), ...Array.from({ length: 200 }, () => junk(60 * 1024))];
    for (const env of flood) expect(it.link.trySend({ t: 'mail-send', mid: toHex(randomBytes(16)), to: 'DE', env })).toBe(true);

    // A legitimate request from FR waits for DE too.
    const req = await analyst.requestDisclosure(
      { country: 'DE', token },
      KARL,
      { purpose: CTX.purpose, caseRef: CTX.caseRef, legalBasis: CTX.legalBasis },
      { fields: ['name'], justification: 'Suspect in case T-2026-1.' },
    );
    await until('FR handed the request to the coordinator', () => (net.nodes.get('FR')?.store.mail.outboxCount() === 0 ? true : undefined));
    const handled = () =>
      audit
        .list({ limit: 1000, order: 'desc' })
        .filter((r) => (r.entry.kind === 'mailbox.stored' || r.entry.kind === 'mailbox.refused') && r.entry.peer === 'IT');
    await until('the coordinator handled the whole flood', () => (handled().length >= flood.length ? true : undefined));

    // DE comes back.
    const connectedBefore = audit.list({ kind: 'member.connected', limit: 1000 }).filter((r) => r.entry.country === 'DE').length;
    const back = await startNode(net.dir('DE'), { logger: silentLogger });
    net.nodes.set('DE', back);
    await back.link.whenReady();
    await until('the legitimate request reaches DE', () => back.desk.list('pending').find((v) => v.requestId === req.id && v.requester === 'FR'));
    await until('DE acknowledged all its mail', async () => ((await coordinator.store.mailboxes.pending('DE')).length === 0 ? true : undefined));

    // It stayed connected throughout and answers queries.
    expect(coordinator.connected()).toContain('DE');
    expect(audit.list({ kind: 'member.connected', limit: 1000 }).filter((r) => r.entry.country === 'DE').length).toBe(connectedBefore + 1);
    const again = await analyst.query(KARL, CTX, { targets: ['DE'] });
    expect(again.results[0]).toMatchObject({ country: 'DE', status: 'hit' });
    expect(again.results[0]?.hits.length).toBeGreaterThan(0);

    // The padded items were refused, and the near-cap ones beyond IT's quota for DE; all audited.
    const refusals = handled().filter((r) => r.entry.kind === 'mailbox.refused');
    expect(refusals.filter((r) => r.entry.code === 'too_large')).toHaveLength(3);
    expect(refusals.filter((r) => r.entry.code === 'rate_limited').length).toBeGreaterThan(0);
    const stored = handled().filter((r) => r.entry.kind === 'mailbox.stored');
    expect(stored.length + refusals.length).toBe(flood.length);
    // What was stored is what DE then received and refused, one by one, in its own log.
    const refusedAtDe = back.audit.list({ kind: 'mail.refused', limit: 1000 }).filter((r) => r.entry.country === 'IT');
    expect(refusedAtDe).toHaveLength(stored.length);
  });
});
