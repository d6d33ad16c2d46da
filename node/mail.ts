/**
 * A node's side of store-and-forward mail (disclosure requests and decisions).
 *
 * Sending: messages wait in `mail_outbox` (written in the same transaction as the state change that
 * produced them) until the coordinator confirms it stored them durably (`mail-stored`); they are resent
 * on every new connection until then, and again after `resendMs` without a confirmation (the
 * coordinator may have refused one for a quota, and ignores a `mid` it already holds).
 *
 * Receiving: each item is verified and processed in one transaction (a savepoint of its page's) together
 * with its `mid` in `mail_inbox`, so a redelivered item is acknowledged but never processed twice, and
 * acknowledged only once its page has committed. An item refused with a
 * typed error — unverifiable, addressed elsewhere, a `conflict` with an earlier request — is audited
 * (`mail.refused`), recorded and acknowledged in that same transaction, and dropped: it never comes back.
 * Only an unexpected (`internal`) failure leaves an item unacknowledged, for redelivery on the next
 * connection.
 */
import { z } from 'zod';
import type { AuditLog, Clock, Logger, TimerHandle } from '#platform';
import { asVeilError, DisclosureDecision, decodeWith, Envelope, ForwardedDisclosure, keyId, LIMITS, type MailItem, VeilError, verifyEnvelope } from '#protocol';
import type { MemberDirectory } from '#sdk';
import type { DisclosureDesk } from './disclosure/desk.ts';
import type { DisclosureOutbox } from './disclosure/outgoing.ts';
import type { FrameSender } from './link.ts';
import type { NodeRepositories } from './store/repositories.ts';

const MailPayload = z.discriminatedUnion('t', [ForwardedDisclosure, DisclosureDecision]);
type MailPayload = z.infer<typeof MailPayload>;

/** How long a sent item waits for `mail-stored` before it is sent again on the same connection. */
export const MAIL_RESEND_MS = 30_000;

export interface MailDeps {
  country: string;
  store: NodeRepositories;
  link: FrameSender;
  members: Pick<MemberDirectory, 'get'>;
  /** Requests from abroad go to the desk; its deadlines are checked on every poll. */
  desk: Pick<DisclosureDesk, 'receive' | 'expireDue'>;
  /** Decisions on this node's own requests go to the outbox. */
  outbox: Pick<DisclosureOutbox, 'onDecision'>;
  audit: AuditLog;
  log: Logger;
  clock: Clock;
  pollMs?: number;
  resendMs?: number;
}

export class Mail implements Disposable {
  readonly #d: MailDeps;
  /** Items sent on this connection and not yet confirmed stored, with when they were sent. */
  readonly #inFlight = new Map<string, number>();
  readonly #poll: TimerHandle;

  constructor(deps: MailDeps) {
    this.#d = deps;
    this.#poll = deps.clock.setInterval(() => {
      try {
        this.#d.desk.expireDue();
        this.#retryUnconfirmed();
        this.kick();
      } catch (e) {
        this.#d.log.error('mail poll failed', e);
      }
    }, deps.pollMs ?? 500);
  }

  reset(): void {
    this.#inFlight.clear();
    this.kick();
  }

  kick(): void {
    const { link, store, clock } = this.#d;
    if (!link.ready) return;
    for (const m of store.mail.outbox()) {
      if (this.#inFlight.has(m.mid)) continue;
      const env = decodeWith(m.env, Envelope, LIMITS.maxFrameBytes);
      if (!link.trySend({ t: 'mail-send', mid: m.mid, to: m.recipient, env })) return;
      this.#inFlight.set(m.mid, clock.now());
    }
  }

  onStored(mid: string): void {
    this.#inFlight.delete(mid);
    this.#d.store.mail.sent(mid);
  }

  /**
   * Process a page of mail in one transaction (one durable commit), each item in its own savepoint with
   * its `mail_inbox` row; acknowledge what committed.
   */
  onMail(items: MailItem[]): void {
    const { store, link, log } = this.#d;
    const acked: string[] = [];
    try {
      store.tx(() => {
        for (const item of items) {
          try {
            store.tx(() => this.#process(item));
            acked.push(item.mid);
          } catch (e) {
            // Not acknowledged: the coordinator redelivers on the next connection.
            log.error('mail item failed', e, { peer: item.from });
          }
        }
      });
    } catch (e) {
      log.error('mail page failed', e, { count: items.length });
      return;
    }
    if (acked.length > 0) link.trySend({ t: 'mail-ack', mids: acked });
  }

  /** One item, exactly once: processed, or refused for good (audited); only `internal` errors escape. */
  #process(item: MailItem): void {
    const { store, clock, audit } = this.#d;
    if (!store.mail.received(item.mid, item.from, clock.now())) return; // processed before: just acknowledge
    let about = item.mid;
    try {
      // A savepoint: a refused item leaves nothing of its processing behind.
      store.tx(() => {
        const msg = this.#verify(item);
        about = msg.id;
        this.#dispatch(msg, item);
      });
    } catch (e) {
      const err = asVeilError(e);
      if (err.code === 'internal') throw e;
      audit.append({ kind: 'mail.refused', requestId: about, country: item.from, code: err.code });
    }
  }

  /** The item's message, signed by the member it claims to be from and addressed to this node. */
  #verify(item: MailItem): MailPayload {
    const { members, country } = this.#d;
    const msg = verifyEnvelope(
      item.env,
      (kid) => {
        const m = members.get(item.from);
        if (!m || kid !== keyId.node(item.from)) throw new VeilError('unknown_member');
        return m.signPub;
      },
      MailPayload,
    );
    if (msg.from !== item.from || msg.to !== country) throw new VeilError('forbidden', 'mail addressed elsewhere');
    return msg;
  }

  #dispatch(msg: MailPayload, item: MailItem): void {
    switch (msg.t) {
      case 'fwd-disclosure':
        this.#d.desk.receive(msg);
        return;
      case 'disclosure-decision':
        this.#d.outbox.onDecision(msg, item.env);
        return;
      default: {
        const never: never = msg;
        throw new Error(`unhandled mail ${String(never)}`);
      }
    }
  }

  /** Forget items sent long ago without a confirmation, so the next kick sends them again. */
  #retryUnconfirmed(): void {
    const cutoff = this.#d.clock.now() - (this.#d.resendMs ?? MAIL_RESEND_MS);
    for (const [mid, at] of this.#inFlight) if (at <= cutoff) this.#inFlight.delete(mid);
  }

  close(): void {
    this.#d.clock.clear(this.#poll);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
