/**
 * Lookups in the PSI index published by the nodes: exact (full tags) or bucket (tag prefixes of 2–4
 * bytes, so the coordinator does not learn whether anything matched). Either way the answer is the
 * complete committed bucket of each key with its path to the node-signed root, so the analyst's SDK can
 * check nothing was hidden or invented. A lookup is verified against its sender's session, checked for
 * replay and size, answered from the index in one call, and audited as metadata only.
 */
import { bucketsOfKeys, type Envelope, ForwardedLookup, LIMITS, type ReplayGuard, VeilError, verifyEnvelope } from '#protocol';
import type { AuditBatch } from './audit-batch.ts';
import { sendFrame } from './frames.ts';
import { type Session, sessionKey } from './sessions.ts';
import type { PsiIndexRepository } from './store/repositories.ts';

/** Longest prefix a bucket lookup may ask for. */
export const MAX_BUCKET_PREFIX_BYTES = 4;

export interface Lookups {
  onLookup(s: Session, env: Envelope): Promise<void>;
}

export function createLookups(deps: { index: PsiIndexRepository; replay: ReplayGuard; audit: AuditBatch }): Lookups {
  return {
    async onLookup(s, env) {
      const q = verifyEnvelope(env, sessionKey(s), ForwardedLookup);
      if (q.from !== s.country) throw new VeilError('forbidden', 'lookup from another country');
      deps.replay.check(env.kid, q.ts, q.nonce);
      let keys = 0;
      for (const item of q.items) {
        keys += item.keys.length;
        if (keys > LIMITS.maxLookupItems) throw new VeilError('too_large', 'lookup keys');
        for (const k of item.keys) {
          if (q.mode === 'exact' && k.length !== LIMITS.tagBytes) throw new VeilError('bad_length', 'exact lookup needs full tags');
          if (q.mode === 'bucket' && k.length > MAX_BUCKET_PREFIX_BYTES) throw new VeilError('bad_length', 'bucket prefix longer than 4 bytes');
        }
      }
      const results = await deps.index.lookup(q.items.map((i) => ({ country: i.country, epoch: i.epoch, buckets: bucketsOfKeys(i.keys) })));
      deps.audit.add({ kind: 'index.lookup', queryId: q.id, country: s.country, count: keys, status: q.mode });
      sendFrame(s.socket, { t: 'lookup-result', id: q.id, results });
    },
  };
}
