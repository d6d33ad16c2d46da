/**
 * Unit tests of store-and-forward mail through the coordinator: store before acknowledge, delivery,
 * retransmission, redelivery after login; and against a flooding member (issue 10): the item cap, the
 * senders' quotas, and delivery in pages that no amount of waiting mail pushes past a frame.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { randomBytes, toHex } from '#crypto';
import { CoordinatorFrame, decodeWith, encode, LIMITS, MAIL_LIMITS, readUnverified } from '#protocol';
import { type Connected, type Harness, type Member, settle, startHarness } from './harness.test-fixture.ts';
import { MAIL_DELIVERY, MAIL_QUOTA } from './mailboxes.ts';

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
  const received = (c: Connected) =>
    c.socket.framesOf('mail').flatMap((f) => f.items.map((i) => ({ mid: i.mid, from: i.from, n: readUnverified(i.env, Mail).n })));

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

  describe('against a flooding member', () => {
    /** A mail item whose encoded envelope is about `bytes` long. */
    const padded = (from: Connected, bytes: number) => from.sign({ t: 'fwd-disclosure', pad: randomBytes(Math.max(0, bytes - 160)) });
    const sendAll = async (from: Connected, to: string, envs: ReturnType<Connected['sign']>[]) => {
      const mids = envs.map(() => mid());
      for (const [i, env] of envs.entries()) from.send({ t: 'mail-send', mid: mids[i] ?? '', to, env });
      await settle();
      h.turns.run(); // the refusals' audit batch
      await settle();
      return mids;
    };
    const codes = (c: Connected) => c.socket.framesOf('error').map((e) => e.code);
    const refusals = () => h.auditEntries().filter((e) => e.kind === 'mailbox.refused');

    it('refuses an item over the cap, audited, and stores nothing', async () => {
      const big = padded(fr, MAIL_LIMITS.maxItemBytes + 1000);
      expect(encode(big).length).toBeGreaterThan(MAIL_LIMITS.maxItemBytes);
      const [id] = await sendAll(fr, 'DE', [big]);
      expect(codes(fr)).toEqual(['too_large']);
      expect(fr.socket.framesOf('mail-stored')).toEqual([]);
      expect(await h.store.mailboxes.counts()).toEqual({ pending: 0, delivered: 0 });
      expect(refusals()).toEqual([{ kind: 'mailbox.refused', requestId: id, country: 'DE', peer: 'FR', code: 'too_large', bytes: encode(big).length }]);
      // Just under the cap is fine.
      await sendAll(fr, 'DE', [padded(fr, MAIL_LIMITS.maxItemBytes - 200)]);
      expect(fr.socket.framesOf('mail-stored')).toHaveLength(1);
    });

    it('caps a sender’s undelivered items per recipient; other senders and other recipients are not affected; delivery makes room', async () => {
      const itM = await h.admit('IT');
      const it_ = await h.connect(itM);
      const n = MAIL_QUOTA.perRecipient.items;
      const mids = await sendAll(
        fr,
        'DE',
        Array.from({ length: n + 3 }, (_, i) => fr.sign({ t: 'fwd-disclosure', n: i })),
      );
      expect(fr.socket.framesOf('mail-stored')).toHaveLength(n);
      expect(codes(fr)).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
      expect(refusals().map((e) => [e.requestId, e.code, e.peer])).toEqual(mids.slice(n).map((m) => [m, 'rate_limited', 'FR']));
      expect(await h.store.mailboxes.usage('FR', 'DE')).toMatchObject({ toRecipient: { items: n }, total: { items: n } });
      // A retransmission of a stored item is still acknowledged.
      fr.send({ t: 'mail-send', mid: mids[0] ?? '', to: 'DE', env: fr.sign({ t: 'fwd-disclosure', n: 0 }) });
      await settle();
      expect(fr.socket.framesOf('mail-stored')).toHaveLength(n + 1);
      // IT to DE, and FR to IT, still go through.
      await sendAll(it_, 'DE', [it_.sign({ t: 'fwd-disclosure', n: 1 })]);
      await sendAll(fr, 'IT', [fr.sign({ t: 'fwd-disclosure', n: 1 })]);
      expect(it_.socket.framesOf('mail-stored')).toHaveLength(1);
      expect(fr.socket.framesOf('mail-stored')).toHaveLength(n + 2);
      // DE takes its mail; FR's refused item goes through on its retry.
      const de = await h.connect(deM);
      h.turns.run();
      await settle();
      const got = received(de).map((m) => m.mid);
      expect(got).toHaveLength(n + 1);
      for (let i = 0; i < got.length; i += 256) de.send({ t: 'mail-ack', mids: got.slice(i, i + 256) });
      await settle();
      await sendAll(fr, 'DE', [fr.sign({ t: 'fwd-disclosure', n: n })]);
      expect(fr.socket.framesOf('mail-stored')).toHaveLength(n + 3);
    });

    it('caps a sender’s undelivered bytes per recipient and in total', async () => {
      const others = await Promise.all(['IT', 'UA', 'PL', 'ES'].map((c) => h.admit(c)));
      const item = 60 * 1024;
      const size = encode(padded(fr, item)).length;
      const perRecipient = Math.floor(MAIL_QUOTA.perRecipient.bytes / size);
      await sendAll(
        fr,
        'DE',
        Array.from({ length: perRecipient + 1 }, () => padded(fr, item)),
      );
      expect(fr.socket.framesOf('mail-stored')).toHaveLength(perRecipient);
      expect(codes(fr)).toEqual(['rate_limited']);
      expect((await h.store.mailboxes.usage('FR', 'DE')).toRecipient.bytes).toBeLessThanOrEqual(MAIL_QUOTA.perRecipient.bytes);
      // Three more recipients fill FR's total; the fourth is refused from its first item.
      for (const o of others.slice(0, 3))
        await sendAll(
          fr,
          o.country,
          Array.from({ length: perRecipient }, () => padded(fr, item)),
        );
      expect(fr.socket.framesOf('mail-stored')).toHaveLength(4 * perRecipient);
      // What is left of the total is less than one recipient's share: the fifth recipient gets only that.
      const room = Math.floor((MAIL_QUOTA.total.bytes - 4 * perRecipient * size) / size);
      expect(room).toBeLessThan(perRecipient);
      await sendAll(
        fr,
        'ES',
        Array.from({ length: room + 2 }, () => padded(fr, item)),
      );
      expect(codes(fr)).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
      const usage = await h.store.mailboxes.usage('FR', 'ES');
      expect(usage.toRecipient.items).toBe(room);
      expect(usage.total.bytes).toBeLessThanOrEqual(MAIL_QUOTA.total.bytes);
    });

    it('delivers more mail than a frame could hold in pages under the page size, continuing after acknowledgements, each item once', async () => {
      const itM = await h.admit('IT');
      const it_ = await h.connect(itM);
      const big = 60 * 1024;
      const perSender = Math.floor(MAIL_QUOTA.perRecipient.bytes / encode(padded(fr, big)).length);
      const sent = [
        ...(await sendAll(
          fr,
          'DE',
          Array.from({ length: perSender }, () => padded(fr, big)),
        )),
        ...(await sendAll(
          it_,
          'DE',
          Array.from({ length: perSender }, () => padded(it_, big)),
        )),
      ];
      expect(await h.store.mailboxes.counts()).toEqual({ pending: 2 * perSender, delivered: 0 });

      const de = await h.connect(deM);
      h.turns.run();
      await settle();
      const seen: string[] = [];
      let rounds = 0;
      for (; rounds < 100 && seen.length < sent.length; rounds++) {
        const frames = de.socket.sent.slice(0);
        de.socket.sent.length = 0;
        const pages = frames.map((b) => ({ bytes: b.length, ...readMail(b) })).filter((p) => p.mids.length > 0);
        for (const p of pages) expect(p.bytes).toBeLessThanOrEqual(MAIL_DELIVERY.pageBytes);
        // Never more than the window unacknowledged.
        expect(pages.reduce((a, p) => a + p.bytes, 0)).toBeLessThanOrEqual(MAIL_DELIVERY.windowBytes);
        const mids = pages.flatMap((p) => p.mids);
        expect(mids.length).toBeGreaterThan(0);
        seen.push(...mids);
        de.send({ t: 'mail-ack', mids });
        await settle();
      }
      expect(rounds).toBeGreaterThan(1); // 8 MiB waiting: more than one window
      expect(seen).toHaveLength(sent.length);
      expect([...seen].sort()).toEqual([...sent].sort());
      expect(await h.store.mailboxes.counts()).toEqual({ pending: 0, delivered: sent.length });
    });

    it('drops, audited, an item stored before the cap that no page could hold, and delivers the rest', async () => {
      const old = mid();
      await h.store.mailboxes.store(
        { mid: old, recipient: 'DE', sender: 'FR', body: encode(padded(fr, 2 * 1024 * 1024)) },
        { kind: 'mailbox.stored', requestId: old, country: 'DE', peer: 'FR' },
      );
      h.clock.advance(1);
      const fresh = mail(fr, 'DE', 7);
      await settle();
      const de = await h.connect(deM);
      h.turns.run();
      await settle();
      expect(received(de).map((m) => m.mid)).toEqual([fresh]);
      expect(refusals()).toEqual([{ kind: 'mailbox.refused', requestId: old, country: 'DE', code: 'too_large' }]);
      expect(await h.store.mailboxes.counts()).toEqual({ pending: 1, delivered: 1 });
    });
  });
});

/** The mids of a `mail` frame (none for other frames). */
function readMail(b: Uint8Array): { mids: string[] } {
  const f = decodeWith(b, CoordinatorFrame, LIMITS.maxFrameBytes);
  return { mids: f.t === 'mail' ? f.items.map((i) => i.mid) : [] };
}
