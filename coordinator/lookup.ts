/**
 * Lookups in the PSI index published by the nodes: exact (full tags) or bucket (tag prefixes of 2–4
 * bytes, so the coordinator does not learn whether anything matched). Either way the answer is the
 * complete committed bucket of each key with its path to the node-signed root, so the analyst's SDK can
 * check nothing was hidden or invented. A lookup is verified against its sender's session, checked for
 * size (one item per country and epoch), charged one token per key to its country's lookup bucket (`rate-limit.ts`: an empty bucket is
 * refused `rate_limited` before anything is verified), checked for replay, answered from the index, and
 * audited as metadata only.
 */
import { bucketsOfKeys, type Envelope, ForwardedLookup, LIMITS, type ReplayGuard, VeilError, verifyEnvelope } from '#protocol';
import type { AuditBatch } from './audit-batch.ts';
import { sendFrame, sendRateLimited } from './frames.ts';
import type { CountryLimits } from './rate-limit.ts';
import { type Session, sessionKey } from './sessions.ts';
import type { PsiIndexRepository } from './store/repositories.ts';

/** Longest prefix a bucket lookup may ask for. */
export const MAX_BUCKET_PREFIX_BYTES = 4;

export interface Lookups {
  onLookup(s: Session, env: Envelope): Promise<void>;
}

export function createLookups(deps: { index: PsiIndexRepository; replay: ReplayGuard; audit: AuditBatch; limits: CountryLimits }): Lookups {
  return {
    async onLookup(s, env) {
      if (!deps.limits.admit('lookup', s.country)) return sendRateLimited(s.socket, env);
      const q = verifyEnvelope(env, sessionKey(s), ForwardedLookup);
      if (q.from !== s.country) throw new VeilError('forbidden', 'lookup from another country');
      let keys = 0;
      const seen = new Set<string>();
      for (const item of q.items) {
        // One item per (country, epoch), as the SDK sends: each item is one index snapshot and tree to read.
        const at = `${item.country}/${item.epoch}`;
        if (seen.has(at)) throw new VeilError('bad_request', 'lookup names a country and epoch twice');
        seen.add(at);
        keys += item.keys.length;
        if (keys > LIMITS.maxLookupItems) throw new VeilError('too_large', 'lookup keys');
        for (const k of item.keys) {
          if (q.mode === 'exact' && k.length !== LIMITS.tagBytes) throw new VeilError('bad_length', 'exact lookup needs full tags');
          if (q.mode === 'bucket' && k.length > MAX_BUCKET_PREFIX_BYTES) throw new VeilError('bad_length', 'bucket prefix longer than 4 bytes');
        }
      }
      deps.limits.charge('lookup', s.country, keys);
      deps.replay.check(env.kid, q.ts, q.nonce);
      const results = await deps.index.lookup(q.items.map((i) => ({ country: i.country, epoch: i.epoch, buckets: bucketsOfKeys(i.keys) })));
      deps.audit.add({ kind: 'index.lookup', queryId: q.id, country: s.country, count: keys, status: q.mode });
      sendFrame(s.socket, { t: 'lookup-result', id: q.id, results });
    },
  };
}
