/**
 * What the node does with each frame from the coordinator, once its services exist: members update
 * the directory; evaluation batches go to the responder (identifier queries, answered at once in one
 * batch) or to the biometric service (seconds each: run in the background, one at a time); publish
 * acknowledgements to the publisher; mail to the mailbox. On every (re)connection the node announces
 * its descriptor and resends what was in flight.
 */

import type { Logger } from '#platform';
import { decode, type Envelope, LIMITS } from '#protocol';
import type { MemberDirectory } from '#sdk';
import type { BioService } from './bio.ts';
import type { FrameSender, LinkHandler } from './link.ts';
import type { Mail } from './mail.ts';
import type { Publisher } from './publisher.ts';
import type { Responder } from './responder.ts';

export interface DispatcherDeps {
  link: FrameSender;
  members: Pick<MemberDirectory, 'update' | 'revocations'>;
  /** Keep the revocation list the directory applies (persisted: a restart must not forget a revocation). */
  saveRevocations(list: Envelope): void;
  responder: Pick<Responder, 'answerBatch'>;
  bio: Pick<BioService, 'handle'>;
  publisher: Pick<Publisher, 'reset' | 'onAck'>;
  mail: Pick<Mail, 'reset' | 'onMail' | 'onStored'>;
  /** Sign and send the node's descriptor. */
  announce(): void;
  log: Logger;
  /** Hold the node's drain while a biometric search or an evaluation batch runs (a shutdown waits for it, up to its deadline). */
  track?: <T>(p: Promise<T>) => Promise<T>;
}

function isBioQuery(env: Envelope): boolean {
  try {
    return (decode(env.payload, LIMITS.maxPayloadBytes) as { t?: unknown }).t === 'fwd-bio-query';
  } catch {
    return false;
  }
}

export function linkDispatcher(d: DispatcherDeps): LinkHandler {
  return {
    onConnected: () => {
      d.announce();
      d.publisher.reset();
      d.mail.reset();
    },
    onMembers: (entries, revocations) => {
      const before = d.members.revocations.seq;
      d.members.update(entries, revocations);
      const list = d.members.revocations.envelope;
      if (list && d.members.revocations.seq > before) {
        d.saveRevocations(list);
        d.log.info('revocation list applied', { seq: d.members.revocations.seq });
      }
    },
    onEval: (batch) => {
      const ids: Envelope[] = [];
      for (const env of batch) {
        if (isBioQuery(env)) {
          const search = d.bio.handle(env);
          (d.track ? d.track(search) : search)
            .then((r) => r && d.link.trySend({ t: 'eval-results', results: [r] }))
            .catch((e: unknown) => d.log.error('biometric query failed', e));
        } else ids.push(env);
      }
      if (ids.length === 0) return;
      // Sent once what the batch wrote (budgets, audit) is on disk.
      const answering = d.responder.answerBatch(ids);
      (d.track ? d.track(answering) : answering)
        .then((results) => {
          if (results.length > 0) d.link.trySend({ t: 'eval-results', results });
        })
        .catch((e: unknown) => d.log.error('evaluation batch failed', e, { count: ids.length }));
    },
    onPublishAck: (epoch, seq) => d.publisher.onAck(epoch, seq),
    onMail: (items) => d.mail.onMail(items),
    onMailStored: (mid) => d.mail.onStored(mid),
  };
}
