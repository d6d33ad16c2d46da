/**
 * Looking verified tags up in the coordinator's PSI index, through the own node:
 * - `exact`: the full 16-byte tags are sent, so the coordinator learns which country hit;
 * - `bucket`: only a 2..4-byte prefix of each tag is sent, so the coordinator learns neither the tag
 *   nor whether it hit.
 * Either way every bucket asked for comes back complete, with its path to the root the owning node
 * signed (protocol/index-commitment.ts); it is checked here before any entry is believed, and the hit
 * is found here, locally, by comparing full tags. A coordinator that hides an entry, invents one or
 * answers from an index older than the node's answer promised is caught, and that country is reported
 * as an error, never as a no-hit. A hit is a match class with its opaque hit token, described by the
 * analyst's keys that met (`describeMatch`: strength and words, and which reading of an ambiguous date).
 */
import { equalBytes, toBase64url, toHex } from '#crypto';
import {
  asVeilError,
  bucketOf,
  type CommittedBucket,
  describeMatch,
  IndexCommitment,
  type LookupRequest,
  LookupResponse,
  type LookupResult,
  type MetKey,
  VeilError,
  verifyBucket,
  verifyEnvelope,
} from '#protocol';
import { type FlowDeps, freshId } from './flow-deps.ts';
import { nodeSigner } from './known-members.ts';
import type { Hit } from './types.ts';
import type { ClassTag } from './verify-answer.ts';

export interface CountryTags {
  epoch: number;
  tags: ClassTag[];
  /** From the node's signed answer: the lookup must come from a commitment at least this recent. */
  indexSeq: number;
}

export interface LookupOptions {
  mode: 'exact' | 'bucket';
}

/**
 * Bucket mode asks for the 2-byte bucket of each tag and nothing longer: the answer is the whole
 * committed bucket either way (that is what its proof covers), so a longer prefix would only tell the
 * coordinator more.
 */
const BUCKET_PREFIX_BYTES = 2;

/** Hits per country among `byCountry`'s tags, or the error that country's proof failed with. */
export async function lookupTags(
  deps: Pick<FlowDeps, 'api' | 'rng' | 'clock' | 'members' | 'commitments'>,
  byCountry: ReadonlyMap<string, CountryTags>,
  opts: LookupOptions,
): Promise<Map<string, Hit[] | VeilError>> {
  const { mode } = opts;
  const items: LookupRequest['items'] = [];
  for (const [country, v] of byCountry) {
    const keys = v.tags.map((t) => (mode === 'exact' ? t.tag : t.tag.subarray(0, BUCKET_PREFIX_BYTES)));
    items.push({ country, epoch: v.epoch, keys: dedupe(keys) });
  }
  const req: LookupRequest = { t: 'lookup', id: freshId(deps.rng), ts: deps.clock.now(), nonce: deps.rng(16), mode, items };
  const resp = await deps.api.post('/v1/lookup', req, LookupResponse);
  const byResult = new Map(resp.results.map((r) => [r.country, r]));
  const out = new Map<string, Hit[] | VeilError>();
  for (const [country, mine] of byCountry) {
    try {
      out.set(country, matchEntries(mine.tags, provenEntries(deps, country, mine, byResult.get(country))));
    } catch (e) {
      out.set(country, asVeilError(e));
    }
  }
  return out;
}

/**
 * The entries of the buckets `mine` needs, once each is proven complete against the node's signed
 * commitment for that epoch, at least as recent as the node's answer said.
 */
function provenEntries(
  deps: Pick<FlowDeps, 'members' | 'commitments'>,
  country: string,
  mine: CountryTags,
  r: LookupResult | undefined,
): LookupResult['buckets'][number]['entries'] {
  if (!r) {
    // Only a node that has published nothing yet may have no commitment.
    if (mine.indexSeq === 0) return [];
    throw new VeilError('bad_proof', 'the index of this country was not served');
  }
  const member = deps.members.get(country);
  const c = deps.commitments
    ? deps.commitments.verify(country, r.commitment, member)
    : verifyEnvelope(r.commitment, nodeSigner(country, member, 'commitment not signed by the owning node'), IndexCommitment);
  if (c.country !== country || c.epoch !== mine.epoch || r.epoch !== mine.epoch) throw new VeilError('bad_proof', 'commitment for another index');
  if (c.seq < mine.indexSeq) throw new VeilError('bad_proof', 'the index served is older than the node’s answer');
  const byBucket = new Map<number, CommittedBucket>(r.buckets.map((b) => [b.bucket, b]));
  const entries: LookupResult['buckets'][number]['entries'] = [];
  for (const bucket of new Set(mine.tags.map((t) => bucketOf(t.tag)))) {
    const b = byBucket.get(bucket);
    if (!b) throw new VeilError('bad_proof', 'a bucket was not served');
    verifyBucket(c.root, bucket, b.entries, b.path);
    entries.push(...b.entries);
  }
  return entries;
}

/**
 * The hits among `entries` for `tags`: equal full tags, one hit per (class, token). In bucket mode the
 * entries include other tags of the same buckets; they match nothing here.
 */
export function matchEntries(tags: readonly ClassTag[], entries: LookupResult['buckets'][number]['entries']): Hit[] {
  const met = new Map<string, { cls: ClassTag['cls']; token: string; keys: MetKey[] }>();
  for (const [tag, token] of entries) {
    for (const t of tags) {
      if (!equalBytes(t.tag, tag)) continue;
      const tok = toBase64url(token);
      const k = `${t.cls}|${tok}`;
      const m = met.get(k) ?? { cls: t.cls, token: tok, keys: [] };
      m.keys.push(t.reading === undefined ? { cls: t.cls } : { cls: t.cls, reading: t.reading });
      met.set(k, m);
    }
  }
  return [...met.values()].map((m) => ({ cls: m.cls, token: m.token, match: describeMatch(m.keys) }));
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
