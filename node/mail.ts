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
import type { AuditLog, Clock, Logger, TimerHandle } from '#platform';
import type { MemberDirectory } from '#sdk';
import type { NodeRepositories } from './store/repositories.ts';
import type { FrameSender } from './link.ts';
import type { DisclosureDesk } from './disclosure/desk.ts';
import type { DisclosureOutbox } from './disclosure/outgoing.ts';

const MailPayload = z.discriminatedUnion('t', [ForwardedDisclosure, DisclosureDecision]);

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
}

export class Mail implements Disposable {
  readonly #d: MailDeps;
  readonly #inFlight = new Set<string>();
  readonly #poll: TimerHandle;

  constructor(deps: MailDeps) {
    this.#d = deps;
    this.#poll = deps.clock.setInterval(() => {
      try {
        this.#d.desk.expireDue();
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
    const { link, store } = this.#d;
    if (!link.ready) return;
    for (const m of store.mail.outbox()) {
      if (this.#inFlight.has(m.mid)) continue;
      const env = decodeWith(m.env, Envelope, LIMITS.maxFrameBytes);
      if (!link.trySend({ t: 'mail-send', mid: m.mid, to: m.recipient, env })) return;
      this.#inFlight.add(m.mid);
    }
  }

  onStored(mid: string): void {
    this.#inFlight.delete(mid);
    this.#d.store.mail.sent(mid);
  }

  onMail(items: MailItem[]): void {
    const { store, link, log, clock } = this.#d;
    const acked: string[] = [];
    for (const item of items) {
      try {
        store.tx(() => {
          if (!store.mail.received(item.mid, item.from, clock.now())) return; // processed before: just acknowledge
          this.#dispatch(item);
        });
        acked.push(item.mid);
      } catch (e) {
        // Not acknowledged: the coordinator redelivers on the next connection.
        log.error('mail item failed', e, { peer: item.from });
      }
    }
    if (acked.length > 0) link.trySend({ t: 'mail-ack', mids: acked });
  }

  #dispatch(item: MailItem): void {
    const { members, audit, desk, outbox, country } = this.#d;
    let msg: z.infer<typeof MailPayload>;
    try {
      msg = verifyEnvelope(
        item.env,
        (kid) => {
          const m = members.get(item.from);
          if (!m || kid !== keyId.node(item.from)) throw new VeilError('unknown_member');
          return m.signPub;
        },
        MailPayload,
      );
      if (msg.from !== item.from || msg.to !== country) throw new VeilError('forbidden', 'mail addressed elsewhere');
    } catch (e) {
      // Unverifiable mail is dropped (and acknowledged) so it cannot block the mailbox; it is audited.
      audit.append({ kind: 'disclosure.claim-rejected', requestId: item.mid, country: item.from, code: asVeilError(e).code });
      return;
    }
    switch (msg.t) {
      case 'fwd-disclosure':
        desk.receive(msg);
        return;
      case 'disclosure-decision':
        outbox.onDecision(msg, item.env);
        return;
      default: {
        const never: never = msg;
        throw new Error(`unhandled mail ${String(never)}`);
      }
    }
  }

  close(): void {
    this.#d.clock.clear(this.#poll);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
