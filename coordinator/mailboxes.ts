/**
 * Store-and-forward mail between nodes (disclosure requests and decisions). A node's signed message is
 * verified, stored durably in the recipient's mailbox together with its audit entry, and only then
 * acknowledged to the sender (`mail-stored`); a retransmission with the same `mid` is acknowledged
 * again without a second copy. Stored mail goes to the recipient when it is connected — at once, and
 * again after each login — and stays until the recipient acknowledges it (`mail-ack`). The coordinator
 * checks only who signed a message and that it is one of the mail kinds; the rest is sealed.
 */
import { z } from 'zod';
import { LIMITS, Envelope, VeilError, decodeWith, encode, verifyEnvelope } from '#protocol';
import type { Logger } from '#platform';
import type { MailboxRepository, MembersRepository } from './store/repositories.ts';
import { sendFrame } from './frames.ts';
import { sessionKey, type Session, type SessionRegistry } from './sessions.ts';

const MailPayloadHeader = z.looseObject({ t: z.enum(['fwd-disclosure', 'disclosure-decision']) });

export interface Mailboxes {
  onSend(s: Session, mid: string, to: string, env: Envelope): Promise<void>;
  onAck(s: Session, mids: readonly string[]): Promise<void>;
  /** Send a session the mail waiting for it that is not already on its way. */
  deliver(s: Session): Promise<void>;
}

export function createMailboxes(deps: {
  members: MembersRepository;
  mailboxes: MailboxRepository;
  sessions: SessionRegistry;
  log: Logger;
  isClosed: () => boolean;
}): Mailboxes {
  const live = (s: Session) => !deps.isClosed() && deps.sessions.isCurrent(s);

  const deliver = async (s: Session): Promise<void> => {
    if (!live(s)) return;
    const pending = await deps.mailboxes.pending(s.country);
    if (!live(s)) return;
    // Filtered and marked in flight in one synchronous step, so concurrent deliveries never send an item twice.
    const items = pending
      .filter((m) => !s.mailInFlight.has(m.mid))
      .map((m) => ({ mid: m.mid, from: m.sender, env: decodeWith(m.body, Envelope, LIMITS.maxFrameBytes) }));
    if (items.length === 0) return;
    for (const i of items) s.mailInFlight.add(i.mid);
    sendFrame(s.socket, { t: 'mail', items });
  };

  return {
    async onSend(s, mid, to, env) {
      verifyEnvelope(env, sessionKey(s), MailPayloadHeader);
      if (!(await deps.members.get(to))) throw new VeilError('unknown_member', 'mail recipient');
      const r = await deps.mailboxes.store(
        { mid, recipient: to, sender: s.country, body: encode(env) },
        { kind: 'mailbox.stored', requestId: mid, country: to, peer: s.country },
      );
      sendFrame(s.socket, { t: 'mail-stored', mid });
      const target = deps.sessions.get(to);
      if (r === 'stored' && target) await deliver(target);
    },

    async onAck(s, mids) {
      await deps.mailboxes.markDelivered(s.country, mids, (mid) => ({ kind: 'mailbox.delivered', requestId: mid, country: s.country }));
      for (const mid of mids) s.mailInFlight.delete(mid);
      await deliver(s);
    },

    deliver,
  };
}
