/**
 * Store-and-forward mail between nodes (disclosure requests and decisions). A node's signed message is
 * verified, stored durably in the recipient's mailbox together with its audit entry, and only then
 * acknowledged to the sender (`mail-stored`); a retransmission with the same `mid` is acknowledged
 * again without a second copy. Stored mail goes to the recipient when it is connected — at once, and
 * again after each login — and stays until the recipient acknowledges it (`mail-ack`). The coordinator
 * checks only who signed a message and that it is one of the mail kinds; the rest is sealed.
 *
 * No member can make another's mail undeliverable or fill the coordinator (issue 10):
 * - an item over `MAIL_LIMITS.maxItemBytes` is refused (`too_large`): no legitimate request or decision
 *   comes near it;
 * - a sender's undelivered mail is capped, to each recipient and in total, in items and bytes
 *   (`MAIL_QUOTA`); an item past the quota is refused (`rate_limited`) and the sender retries it later;
 * - delivery goes in pages of at most `MAIL_DELIVERY.pageBytes` (1 MiB, 40 times below the frame limit),
 *   with at most `windowBytes` unacknowledged per connection, continuing as acknowledgements come in —
 *   so however much mail waits, no frame grows past a page.
 * Refusals are audited (`mailbox.refused`, one transaction per event-loop turn).
 */
import { z } from 'zod';
import type { AuditEntry, Logger } from '#platform';
import { decodeWith, Envelope, type ErrorCode, encode, MAIL_LIMITS, VeilError, verifyEnvelope } from '#protocol';
import type { AuditBatch } from './audit-batch.ts';
import { sendFrame } from './frames.ts';
import { type Session, type SessionRegistry, sessionKey } from './sessions.ts';
import type { MailboxRepository, MembersRepository, SenderQuota } from './store/repositories.ts';

const MailPayloadHeader = z.looseObject({ t: z.enum(['fwd-disclosure', 'disclosure-decision']) });

/**
 * Undelivered mail one sender may have waiting. 256 requests to one country is far beyond what one
 * country's analysts send another in the time it is offline; 4 MiB holds them even at biometric-claim
 * size (~20 KiB). In total, four times that: a sender cannot fill the coordinator's disk beyond 16 MiB.
 */
export const MAIL_QUOTA: SenderQuota = {
  perRecipient: { items: 256, bytes: 4 * 1024 * 1024 },
  total: { items: 1024, bytes: 16 * 1024 * 1024 },
};

export const MAIL_DELIVERY = {
  /** Most bytes of mail items in one `mail` frame (the frame adds a few bytes per item). */
  pageBytes: 1024 * 1024,
  /** Most items in one `mail` frame (the frame schema's cap). */
  pageItems: 256,
  /** Most bytes delivered to one connection and not yet acknowledged. */
  windowBytes: 4 * 1024 * 1024,
  /** What a frame adds per item around its envelope (mid, sender, keys), counted generously. */
  itemOverheadBytes: 128,
} as const;

export interface Mailboxes {
  onSend(s: Session, mid: string, to: string, env: Envelope): Promise<void>;
  onAck(s: Session, mids: readonly string[]): Promise<void>;
  /** Send a session the mail waiting for it that is not already on its way, page by page. */
  deliver(s: Session): Promise<void>;
}

export interface MailboxesDeps {
  members: MembersRepository;
  mailboxes: MailboxRepository;
  sessions: SessionRegistry;
  /** Where refusals are recorded (they change nothing else). */
  audit: Pick<AuditBatch, 'add'>;
  log: Logger;
  isClosed: () => boolean;
  /** Default `MAIL_QUOTA`. */
  quota?: SenderQuota;
  /** Default `MAIL_DELIVERY`. */
  delivery?: Partial<typeof MAIL_DELIVERY>;
}

export function createMailboxes(deps: MailboxesDeps): Mailboxes {
  const quota = deps.quota ?? MAIL_QUOTA;
  const paging = { ...MAIL_DELIVERY, ...deps.delivery };
  const live = (s: Session) => !deps.isClosed() && deps.sessions.isCurrent(s);

  const refuse = (code: ErrorCode, entry: Omit<AuditEntry, 'kind' | 'code'>): never => {
    deps.audit.add({ kind: 'mailbox.refused', ...entry, code });
    throw new VeilError(code, 'mail refused');
  };

  /** One page of what waits for `s`, marked in flight in the same synchronous step as it is chosen. */
  const nextPage = async (s: Session): Promise<'sent' | 'again' | 'done'> => {
    let inFlight = 0;
    for (const n of s.mailInFlight.values()) inFlight += n;
    if (inFlight >= paging.windowBytes) return 'done';
    const pending = await deps.mailboxes.pending(s.country, paging.pageItems + s.mailInFlight.size);
    if (!live(s)) return 'done';
    const page: Array<{ mid: string; from: string; env: Envelope; size: number }> = [];
    const oversized: string[] = [];
    let bytes = 0;
    for (const m of pending) {
      if (s.mailInFlight.has(m.mid)) continue;
      // Stored before items had a cap: it can never be delivered within a page.
      if (m.body.length > MAIL_LIMITS.maxItemBytes) {
        oversized.push(m.mid);
        continue;
      }
      const size = m.body.length + paging.itemOverheadBytes;
      if (page.length >= paging.pageItems || bytes + size > paging.pageBytes || inFlight + bytes + size > paging.windowBytes) break;
      page.push({ mid: m.mid, from: m.sender, env: decodeWith(m.body, Envelope, MAIL_LIMITS.maxItemBytes), size });
      bytes += size;
    }
    for (const i of page) s.mailInFlight.set(i.mid, i.size);
    if (page.length > 0) sendFrame(s.socket, { t: 'mail', items: page.map(({ mid, from, env }) => ({ mid, from, env })) });
    if (oversized.length > 0) {
      await deps.mailboxes.markDelivered(s.country, oversized, (mid) => ({ kind: 'mailbox.refused', requestId: mid, country: s.country, code: 'too_large' }));
      return 'again';
    }
    return page.length > 0 ? 'sent' : 'done';
  };

  const deliver = async (s: Session): Promise<void> => {
    while (live(s) && (await nextPage(s)) !== 'done');
  };

  return {
    async onSend(s, mid, to, env) {
      const body = encode(env);
      if (body.length > MAIL_LIMITS.maxItemBytes) refuse('too_large', { requestId: mid, country: to, peer: s.country, bytes: body.length });
      verifyEnvelope(env, sessionKey(s), MailPayloadHeader);
      if (!(await deps.members.get(to))) throw new VeilError('unknown_member', 'mail recipient');
      const r = await deps.mailboxes.store(
        { mid, recipient: to, sender: s.country, body },
        { kind: 'mailbox.stored', requestId: mid, country: to, peer: s.country },
        quota,
      );
      if (r === 'over_quota') refuse('rate_limited', { requestId: mid, country: to, peer: s.country, bytes: body.length });
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
