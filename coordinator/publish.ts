/**
 * Publication of the PSI index: a node sends its (tag, token) changes in sequenced, signed chunks, each
 * with its signed commitment to the index after it; the chunk is applied with its audit entry in one
 * store call, which refuses it if the index would not match the commitment, and acknowledged (a
 * retransmitted chunk is acknowledged again without effect). A node publishes only its own index.
 */
import { type Envelope, encode, IndexCommitment, PublishChunk, VeilError, verifyEnvelope } from '#protocol';
import { sendFrame } from './frames.ts';
import { type Session, sessionKey } from './sessions.ts';
import type { PsiIndexRepository } from './store/repositories.ts';

export interface Publications {
  onPublish(s: Session, env: Envelope, commit: Envelope): Promise<void>;
}

export function createPublications(deps: { index: PsiIndexRepository }): Publications {
  return {
    async onPublish(s, env, commit) {
      const c = verifyEnvelope(env, sessionKey(s), PublishChunk);
      if (c.country !== s.country) throw new VeilError('forbidden', 'publish for another country');
      const m = verifyEnvelope(commit, sessionKey(s), IndexCommitment);
      if (m.country !== c.country || m.epoch !== c.epoch || m.seq !== c.seq) throw new VeilError('bad_request', 'commitment is for another chunk');
      await deps.index.applyChunk(
        {
          country: c.country,
          epoch: c.epoch,
          seq: c.seq,
          adds: c.adds,
          removes: c.removes,
          final: c.final,
          commitment: { envelope: encode(commit), root: m.root, count: m.count },
        },
        { kind: c.final ? 'publish.epoch' : 'publish.chunk', country: c.country, epoch: c.epoch, count: c.adds.length + c.removes.length },
      );
      sendFrame(s.socket, { t: 'publish-ack', epoch: c.epoch, seq: c.seq });
    },
  };
}
