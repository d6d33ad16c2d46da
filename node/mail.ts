/**
 * A node's side of store-and-forward mail (disclosure requests and decisions).
 *
 * Sending: messages wait in `mail_outbox` (written in the same transaction as the state change that
 * produced them) until the coordinator confirms it stored them durably (`mail-stored`); they are resent
 * on every new connection until then, and the coordinator ignores a `mid` it already holds.
 * Receiving: each item is verified and processed in one transaction together with its `mid` in
 * `mail_inbox`, so a redelivered item is acknowledged but never processed twice.
 */
import { z } from 'zod';
import { LIMITS, decodeWith, verifyEnvelope, Envelope, ForwardedDisclosure, DisclosureDecision, type MailItem, VeilError, asVeilError, keyId } from '#protocol';
import type { AuditLog, Logger } from '#platform';
import type { MemberDirectory } from '#sdk';
import type { NodeRepositories } from './store/repositories.ts';
import type { CoordinatorLink } from './link.ts';
import type { DisclosureDesk } from './disclosure/desk.ts';
import type { DisclosureOutbox } from './disclosure/outgoing.ts';

const MailPayload = z.discriminatedUnion('t', [ForwardedDisclosure, DisclosureDecision]);

export class Mail {
  readonly #inFlight = new Set<string>();
  readonly #poll: NodeJS.Timeout;

  constructor(
    readonly country: string,
    readonly store: NodeRepositories,
    readonly link: CoordinatorLink,
    readonly members: MemberDirectory,
    readonly desk: DisclosureDesk,
    readonly outbox: DisclosureOutbox,
    readonly audit: AuditLog,
    readonly log: Logger,
    pollMs = 500,
  ) {
    this.#poll = setInterval(() => {
      try {
        this.desk.expireDue();
        this.kick();
      } catch (e) {
        this.log.error('mail poll failed', e);
      }
    }, pollMs);
    this.#poll.unref();
  }

  reset(): void {
    this.#inFlight.clear();
    this.kick();
  }

  kick(): void {
    if (!this.link.ready) return;
    for (const m of this.store.mail.outbox()) {
      if (this.#inFlight.has(m.mid)) continue;
      const env = decodeWith(m.env, Envelope, LIMITS.maxFrameBytes);
      if (!this.link.trySend({ t: 'mail-send', mid: m.mid, to: m.recipient, env })) return;
      this.#inFlight.add(m.mid);
    }
  }

  onStored(mid: string): void {
    this.#inFlight.delete(mid);
    this.store.mail.sent(mid);
  }

  onMail(items: MailItem[]): void {
    const acked: string[] = [];
    for (const item of items) {
      try {
        this.store.tx(() => {
          if (!this.store.mail.received(item.mid, item.from, Date.now())) return; // processed before: just acknowledge
          this.#dispatch(item);
        });
        acked.push(item.mid);
      } catch (e) {
        // Not acknowledged: the coordinator redelivers on the next connection.
        this.log.error('mail item failed', e, { peer: item.from });
      }
    }
    if (acked.length > 0) this.link.trySend({ t: 'mail-ack', mids: acked });
  }

  #dispatch(item: MailItem): void {
    let msg: z.infer<typeof MailPayload>;
    try {
      msg = verifyEnvelope(
        item.env,
        (kid) => {
          const m = this.members.get(item.from);
          if (!m || kid !== keyId.node(item.from)) throw new VeilError('unknown_member');
          return m.signPub;
        },
        MailPayload,
      );
      if (msg.from !== item.from || msg.to !== this.country) throw new VeilError('forbidden', 'mail addressed elsewhere');
    } catch (e) {
      // Unverifiable mail is dropped (and acknowledged) so it cannot block the mailbox; it is audited.
      this.audit.append({ kind: 'disclosure.claim-rejected', requestId: item.mid, country: item.from, code: asVeilError(e).code });
      return;
    }
    switch (msg.t) {
      case 'fwd-disclosure':
        this.desk.receive(msg);
        return;
      case 'disclosure-decision':
        this.outbox.onDecision(msg, item.env);
        return;
      default: {
        const never: never = msg;
        throw new Error(`unhandled mail ${String(never)}`);
      }
    }
  }

  close(): void {
    clearInterval(this.#poll);
  }
}
