/**
 * Queueing a disclosure message for another country's mailbox: signed by this node, encoded, checked
 * against the mail item cap (`MAIL_LIMITS.maxItemBytes`: the coordinator refuses anything larger, so a
 * larger item would wait in the outbox for ever) and written to the outbox in the caller's transaction.
 * Schema-valid messages always fit; the check is the backstop that fails the action instead.
 */
import { randomBytes, toHex } from '#crypto';
import type { Clock } from '#platform';
import { type DisclosureDecision, encode, type ForwardedDisclosure, keyId, MAIL_LIMITS, signEnvelope, VeilError } from '#protocol';
import type { NodeKeys } from '../config.ts';
import type { NodeRepositories } from '../store/repositories.ts';

export interface MailSender {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  clock: Pick<Clock, 'now'>;
}

export function queueSigned(d: MailSender, to: string, payload: ForwardedDisclosure | DisclosureDecision): void {
  const env = encode(signEnvelope(d.keys.signing, keyId.node(d.country), payload));
  if (env.length > MAIL_LIMITS.maxItemBytes) throw new VeilError('too_large', 'mail item over the cap');
  d.store.mail.queue({ mid: toHex(randomBytes(16)), recipient: to, env }, d.clock.now());
}
