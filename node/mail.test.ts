/**
 * The node's mail: an item refused with a typed error (unverifiable, misaddressed, a conflicting
 * duplicate) is audited, recorded and acknowledged in one transaction and never processed again; only an
 * unexpected failure leaves an item unacknowledged for redelivery; sent items are resent when the
 * coordinator has not confirmed them, and decisions are matched by (analyst, id) from the owner asked.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, SigningKey, toHex } from '#crypto';
import { silentLogger } from '#platform';
import { type DisclosureDecision, encode, keyId, type MailItem, type NodeFrame, signEnvelope } from '#protocol';
import { type DeskFixture, deskFixture, forwarded, requester } from './disclosure/disclosure.test-fixture.ts';
import { DisclosureOutbox } from './disclosure/outgoing.ts';
import { Mail } from './mail.ts';

describe('node mail', () => {
  let f: DeskFixture;
  let sent: NodeFrame[];
  let mail: Mail;
  let ready: boolean;
  let fr: SigningKey;
  let it_: SigningKey;

  beforeAll(async () => {
    await initCrypto();
    fr = SigningKey.generate();
    it_ = SigningKey.generate();
  });
  beforeEach(() => {
    f = deskFixture();
    sent = [];
    ready = true;
    const link = {
      get ready() {
        return ready;
      },
      trySend: (frame: NodeFrame) => {
        if (!ready) return false;
        sent.push(frame);
        return true;
      },
    };
    const signers = new Map([
      ['FR', fr],
      ['IT', it_],
    ]);
    const members = {
      get: (c: string) => {
        const k = signers.get(c);
        return k
          ? {
              country: c,
              signPub: k.publicKey(),
              boxPub: new Uint8Array(32),
              epoch: 1,
              oprfPub: new Uint8Array(32),
              roles: [],
              tlsCertificate: new Uint8Array(0),
            }
          : undefined;
      },
    };
    const outbox = new DisclosureOutbox({ country: 'DE', store: f.store, keys: f.keys, members, audit: f.audit, clock: f.clock });
    mail = new Mail({
      country: 'DE',
      store: f.store,
      link,
      members,
      desk: f.desk,
      outbox,
      audit: f.audit,
      log: silentLogger,
      clock: f.clock,
      resendMs: 10_000,
    });
  });
  afterEach(() => {
    mail.close();
    f.close();
  });

  const item = (from: string, key: SigningKey, payload: unknown, mid = toHex(randomBytes(16))): MailItem => ({
    mid,
    from,
    env: signEnvelope(key, keyId.node(from), payload),
  });
  const acks = () => sent.flatMap((s) => (s.t === 'mail-ack' ? s.mids : []));
  const refused = () => f.audit.list({ kind: 'mail.refused', limit: 100 }).map((r) => r.entry);

  it('refuses a conflicting duplicate for good: audited, recorded, acknowledged, never processed again', () => {
    const fwd = forwarded(f, requester('IT', 'mallory-1'));
    const first = item('IT', it_, fwd);
    mail.onMail([first]);
    expect(f.desk.list('pending')).toHaveLength(1);
    const dup = item('IT', it_, { ...fwd, fields: ['name'] });
    mail.onMail([dup]);
    expect(acks()).toEqual([first.mid, dup.mid]);
    expect(refused()).toEqual([{ kind: 'mail.refused', requestId: fwd.id, country: 'IT', code: 'conflict' }]);
    // Redelivered (e.g. the ack was lost): acknowledged again, not processed or audited again.
    mail.onMail([dup]);
    expect(acks()).toEqual([first.mid, dup.mid, dup.mid]);
    expect(refused()).toHaveLength(1);
    expect(f.desk.list('all')).toHaveLength(1);
  });

  it('refuses an item signed by another member, misaddressed or malformed, and acknowledges it', () => {
    const fwd = forwarded(f, requester('FR'));
    const items = [
      item('FR', it_, fwd), // FR's mail signed with IT's key
      item('IT', it_, fwd), // signed by IT but says it is from FR
      item('FR', fr, { ...fwd, to: 'UA' }), // addressed to another node
      item('FR', fr, { t: 'fwd-disclosure', pad: new Uint8Array(100) }), // not a request
      item('ZZ', fr, fwd), // not a member
    ];
    mail.onMail(items);
    expect(acks()).toEqual(items.map((i) => i.mid));
    expect(refused().map((e) => e.code)).toEqual(['bad_signature', 'forbidden', 'forbidden', 'bad_schema', 'unknown_member']);
    expect(f.desk.list('all')).toEqual([]);
  });

  it('leaves an item that failed unexpectedly unacknowledged and unrecorded, for redelivery', () => {
    const fwd = forwarded(f, requester('FR'));
    const i = item('FR', fr, fwd);
    const receive = f.desk.receive.bind(f.desk);
    f.desk.receive = () => {
      throw new Error('disk on fire');
    };
    mail.onMail([i]);
    expect(acks()).toEqual([]);
    expect(refused()).toEqual([]);
    f.desk.receive = receive;
    mail.onMail([i]);
    expect(acks()).toEqual([i.mid]);
    expect(f.desk.list('pending')).toHaveLength(1);
  });

  it('matches a decision by (analyst, id) from the owner asked; another decision on a decided request is a conflict', () => {
    f.store.analysts.add({ id: 'ana-1', name: 'Ana', signPub: new Uint8Array(32), boxPub: new Uint8Array(32).fill(1) }, f.clock.now());
    f.store.analysts.add({ id: 'bob-1', name: 'Bob', signPub: new Uint8Array(32), boxPub: new Uint8Array(32).fill(2) }, f.clock.now());
    const id = toHex(randomBytes(16));
    const req = (box: number) => ({
      t: 'disclosure-request' as const,
      id,
      ts: f.clock.now(),
      nonce: randomBytes(16),
      to: 'FR',
      purpose: 'wanted-person' as const,
      caseRef: 'DE-1',
      legalBasis: 'art-3',
      fields: ['name' as const],
      analystBoxPub: new Uint8Array(32).fill(box),
      sealedClaim: randomBytes(80),
    });
    const outbox = new DisclosureOutbox({
      country: 'DE',
      store: f.store,
      keys: f.keys,
      members: {
        get: (c: string) =>
          c === 'FR'
            ? {
                country: 'FR',
                signPub: fr.publicKey(),
                boxPub: new Uint8Array(32),
                epoch: 1,
                oprfPub: new Uint8Array(32),
                roles: [],
                tlsCertificate: new Uint8Array(0),
              }
            : undefined,
      },
      audit: f.audit,
      clock: f.clock,
    });
    outbox.submit('ana-1', req(1));
    outbox.submit('bob-1', req(2));
    const decision = (analyst: string, status: DisclosureDecision['status']): DisclosureDecision => ({
      t: 'disclosure-decision',
      id,
      ts: f.clock.now(),
      from: 'FR',
      to: 'DE',
      analyst,
      status,
    });
    mail.onMail([item('FR', fr, decision('bob-1', 'denied'))]);
    expect(outbox.list('bob-1').map((r) => r.status)).toEqual(['denied']);
    expect(outbox.list('ana-1').map((r) => r.status)).toEqual(['sent']);
    // From a country that was not asked: unmatched, nothing settled.
    mail.onMail([item('IT', it_, { ...decision('ana-1', 'approved'), from: 'IT' })]);
    expect(outbox.list('ana-1').map((r) => r.status)).toEqual(['sent']);
    // A different second decision on bob's request: refused, the first stands.
    mail.onMail([item('FR', fr, decision('bob-1', 'approved'))]);
    expect(outbox.list('bob-1').map((r) => r.status)).toEqual(['denied']);
    expect(refused()).toEqual([{ kind: 'mail.refused', requestId: id, country: 'FR', code: 'conflict' }]);
  });

  it('resends an item the coordinator has not confirmed, and stops once it is stored', () => {
    f.store.mail.queue(
      { mid: 'a'.repeat(32), recipient: 'FR', env: encode(signEnvelope(f.keys.signing, keyId.node('DE'), { t: 'disclosure-decision' })) },
      f.clock.now(),
    );
    const sends = () => sent.filter((s) => s.t === 'mail-send').length;
    mail.kick();
    mail.kick();
    expect(sends()).toBe(1);
    f.clock.advance(5_000);
    expect(sends()).toBe(1);
    f.clock.advance(6_000);
    expect(sends()).toBe(2);
    mail.onStored('a'.repeat(32));
    f.clock.advance(20_000);
    expect(sends()).toBe(2);
    expect(f.store.mail.outboxCount()).toBe(0);
  });
});
