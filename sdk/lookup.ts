/**
 * Looking verified tags up in the coordinator's PSI index, through the own node:
 * - `exact`: the full 16-byte tags are sent, so the coordinator learns which country hit;
 * - `bucket`: only a 2..4-byte prefix of each tag is sent and every entry in those buckets comes back,
 *   so the coordinator learns neither the tag nor whether it hit; the hit is found here, locally, by
 *   comparing the full tags.
 * Either way a hit is a match class with its opaque hit token (only the owning node can open it).
 */
import { equalBytes, toBase64url, toHex } from '#crypto';
import { LookupResponse, VeilError, type LookupRequest, type LookupResult } from '#protocol';
import type { Hit } from './types.ts';
import type { ClassTag } from './verify-answer.ts';
import { freshId, type FlowDeps } from './flow-deps.ts';

export interface CountryTags {
  epoch: number;
  tags: ClassTag[];
}

export interface LookupOptions {
  mode: 'exact' | 'bucket';
  /** Prefix length in bucket mode (2..4). */
  bucketBytes: number;
}

/** Hits per country among `byCountry`'s tags. */
export async function lookupTags(deps: Pick<FlowDeps, 'api' | 'rng' | 'clock'>, byCountry: ReadonlyMap<string, CountryTags>, opts: LookupOptions): Promise<Map<string, Hit[]>> {
  const { mode, bucketBytes } = opts;
  if (bucketBytes < 2 || bucketBytes > 4) throw new VeilError('bad_request', 'bucketBytes must be 2..4');
  const items: LookupRequest['items'] = [];
  for (const [country, v] of byCountry) {
    const keys = v.tags.map((t) => (mode === 'exact' ? t.tag : t.tag.subarray(0, bucketBytes)));
    items.push({ country, epoch: v.epoch, keys: dedupe(keys) });
  }
  const req: LookupRequest = { t: 'lookup', id: freshId(deps.rng), ts: deps.clock.now(), nonce: deps.rng(16), mode, items };
  const resp = await deps.api.post('/v1/lookup', req, LookupResponse);
  const out = new Map<string, Hit[]>();
  for (const r of resp.results) {
    const mine = byCountry.get(r.country);
    if (!mine) continue;
    out.set(r.country, matchEntries(mine.tags, r.entries));
  }
  return out;
}

/**
 * The hits among `entries` for `tags`: equal full tags, one hit per (class, token). In bucket mode the
 * entries include other tags of the same buckets; they match nothing here.
 */
export function matchEntries(tags: readonly ClassTag[], entries: LookupResult['entries']): Hit[] {
  const hits: Hit[] = [];
  const seen = new Set<string>();
  for (const [tag, token] of entries) {
    for (const t of tags) {
      if (!equalBytes(t.tag, tag)) continue;
      const k = `${t.cls}|${toBase64url(token)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      hits.push({ cls: t.cls, token: toBase64url(token) });
    }
  }
  return hits;
}

function dedupe(keys: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const h = toHex(k);
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
}
