/**
 * Publication of the PSI index: a node sends its (tag, token) changes in sequenced, signed chunks; each
 * chunk is applied with its audit entry in one store call and acknowledged (a retransmitted chunk is
 * acknowledged again without effect). A node publishes only its own country's index.
 */
import { PublishChunk, VeilError, verifyEnvelope, type Envelope } from '#protocol';
import type { PsiIndexRepository } from './store/repositories.ts';
import { sendFrame } from './frames.ts';
import { sessionKey, type Session } from './sessions.ts';

export interface Publications {
  onPublish(s: Session, env: Envelope): Promise<void>;
}

export function createPublications(deps: { index: PsiIndexRepository }): Publications {
  return {
    async onPublish(s, env) {
      const c = verifyEnvelope(env, sessionKey(s), PublishChunk);
      if (c.country !== s.country) throw new VeilError('forbidden', 'publish for another country');
      await deps.index.applyChunk(
        { country: c.country, epoch: c.epoch, seq: c.seq, adds: c.adds, removes: c.removes, final: c.final },
        { kind: c.final ? 'publish.epoch' : 'publish.chunk', country: c.country, epoch: c.epoch, count: c.adds.length + c.removes.length },
      );
      sendFrame(s.socket, { t: 'publish-ack', epoch: c.epoch, seq: c.seq });
    },
  };
}
