/**
 * Unit tests of store-and-forward mail through the coordinator: store before acknowledge, delivery,
 * retransmission, redelivery after login.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes, toHex } from '#crypto';
import { readUnverified } from '#protocol';
import { z } from 'zod';
import { settle, startHarness, type Connected, type Harness, type Member } from './harness.test-fixture.ts';

const Mail = z.looseObject({ t: z.string(), n: z.number() });
const mid = () => toHex(randomBytes(16));

describe('coordinator mailboxes', () => {
  let h: Harness;
  let frM: Member;
  let deM: Member;
  let fr: Connected;

  beforeEach(async () => {
    h = await startHarness();
    frM = await h.admit('FR');
    deM = await h.admit('DE');
    fr = await h.connect(frM);
  });
  afterEach(async () => {
    await h.close();
  });

  const mail = (from: Connected, to: string, n: number, id = mid()) => {
    from.send({ t: 'mail-send', mid: id, to, env: from.sign({ t: 'fwd-disclosure', n }) });
    return id;
  };
  const received = (c: Connected) => c.socket.framesOf('mail').flatMap((f) => f.items.map((i) => ({ mid: i.mid, from: i.from, n: readUnverified(i.env, Mail).n })));

  it('stores mail before acknowledging it, delivers it to a connected recipient and forgets the body on ack', async () => {
    const de = await h.connect(deM);
    const id = mail(fr, 'DE', 1);
    await settle();
    expect(fr.socket.framesOf('mail-stored')).toEqual([{ t: 'mail-stored', mid: id }]);
    expect(received(de)).toEqual([{ mid: id, from: 'FR', n: 1 }]);
    expect(await h.store.mailboxes.counts()).toEqual({ pending: 1, delivered: 0 });

    de.send({ t: 'mail-ack', mids: [id] });
    await settle();
    expect(await h.store.mailboxes.counts()).toEqual({ pending: 0, delivered: 1 });
    expect(h.auditEntries().filter((e) => e.kind.startsWith('mailbox.'))).toEqual([
      { kind: 'mailbox.stored', requestId: id, country: 'DE', peer: 'FR' },
      { kind: 'mailbox.delivered', requestId: id, country: 'DE' },
    ]);
  });

  it('acknowledges a retransmission again without a second copy or delivery', async () => {
    const de = await h.connect(deM);
    const id = mail(fr, 'DE', 1);
    mail(fr, 'DE', 1, id);
    await settle();
    expect(fr.socket.framesOf('mail-stored')).toHaveLength(2);
    expect(received(de)).toHaveLength(1);
    expect(await h.store.mailboxes.counts()).toEqual({ pending: 1, delivered: 0 });
  });

  it('holds mail for an offline recipient and delivers it after its login; unacknowledged mail comes again on a new connection', async () => {
    // DE logged in once (so the coordinator knows its certificate), then went offline.
    const first = await h.connect(deM);
    first.socket.terminate();
    await settle();
    const a = mail(fr, 'DE', 1);
    await settle();
    h.clock.advance(1); // oldest first
    const b = mail(fr, 'DE', 2);
    await settle();
    const de = await h.connect(deM);
    expect(received(de)).toEqual([]);
    h.turns.run(); // delivery follows the welcome
    await settle();
    expect(received(de)).toEqual([
      { mid: a, from: 'FR', n: 1 },
      { mid: b, from: 'FR', n: 2 },
    ]);
    expect(de.socket.frames().map((f) => f.t)).toEqual(['welcome', 'mail']);

    // Not sent twice on the same connection while unacknowledged.
    h.clock.advance(1);
    const c = mail(fr, 'DE', 3);
    await settle();
    expect(received(de).map((m) => m.mid)).toEqual([a, b, c]);

    de.send({ t: 'mail-ack', mids: [a] });
    await settle();
    const again = await h.connect(deM);
    h.turns.run();
    await settle();
    expect(received(again).map((m) => m.mid)).toEqual([b, c]);
  });

  it('refuses mail for an unknown recipient, of another kind, or signed by another node', async () => {
    const de = await h.connect(deM);
    const id = mid();
    fr.send({ t: 'mail-send', mid: id, to: 'ZZ', env: fr.sign({ t: 'fwd-disclosure', n: 1 }) });
    fr.send({ t: 'mail-send', mid: mid(), to: 'DE', env: fr.sign({ t: 'fwd-query', n: 1 }) });
    fr.send({ t: 'mail-send', mid: mid(), to: 'FR', env: de.sign({ t: 'fwd-disclosure', n: 1 }) });
    await settle();
    expect(fr.socket.framesOf('error').map((e) => e.code)).toEqual(['unknown_member', 'bad_schema', 'forbidden']);
    expect(fr.socket.framesOf('mail-stored')).toEqual([]);
    expect(await h.store.mailboxes.counts()).toEqual({ pending: 0, delivered: 0 });
  });
});
