/**
 * The blind identifier query, end to end:
 * 1. derive the subject's match keys with the same module the nodes use, and blind each (RFC 9497
 *    VOPRF Blind) — the network sees only blinded elements;
 * 2. send them, signed with the analyst's key, to the analyst's own node, which fans them out;
 * 3. per target country, verify its answer (`verify-answer.ts`; all answers at once, on the worker pool
 *    `verify-pool.ts` when the client has one) → tags;
 * 4. look the tags up in the coordinator's index (`lookup.ts`), exactly or by bucket.
 * Result: per country, hit or no hit per match class with opaque hit tokens; no identity. Answers that
 * are missing, refused or fail verification are reported per country, never as "no hit".
 */
import { blind } from '#crypto';
import { describeMatch, LIMITS, type MatchClass, matchKeysForQuery, type QueryRequest, QueryResponse, type QuerySubject, VeilError } from '#protocol';
import { checkTargets, type FlowDeps, freshId } from './flow-deps.ts';
import { type CountryTags, lookupTags } from './lookup.ts';
import type { CountryResult, QueryOptions, QueryResult, SearchContext } from './types.ts';
import { type BlindedKey, checkInline, verifyAnswers } from './verify-answer.ts';

export async function runQuery(deps: FlowDeps, subject: QuerySubject, ctx: SearchContext, opts: QueryOptions = {}): Promise<QueryResult> {
  checkTargets(deps, opts.targets);
  const keys = matchKeysForQuery(subject);
  if (keys.length === 0) throw new VeilError('bad_request', 'the subject yields no match keys');
  if (keys.length > LIMITS.maxQueryItems) throw new VeilError('too_large', 'too many match keys');
  await deps.members.list();
  const blinded: BlindedKey[] = keys.map((k) => ({ ...k, ...blind('voprf', k.input, deps.rng) }));
  const req: QueryRequest = {
    t: 'query',
    id: freshId(deps.rng),
    ts: deps.clock.now(),
    nonce: deps.rng(16),
    ...ctx,
    targets: opts.targets ?? null,
    items: blinded.map((k) => ({ cls: k.cls, blinded: k.blindedElement })),
  };
  const resp = await deps.api.post('/v1/query', req, QueryResponse);

  const results: CountryResult[] = [];
  const tagsByCountry = new Map<string, CountryTags>();
  const answered = resp.answers.flatMap((a) => (a.status === 'answered' && a.env ? [{ country: a.country, env: a.env }] : []));
  const verified = await verifyAnswers(deps, { id: req.id, keys: blinded }, answered, deps.check ?? checkInline);
  let next = 0;
  for (const a of resp.answers) {
    if (a.status !== 'answered' || !a.env) {
      results.push({
        country: a.country,
        status: a.status === 'answered' ? 'error' : a.status,
        ...(a.code ? { code: a.code } : {}),
        hits: [],
        refusedClasses: [],
      });
      continue;
    }
    const r = verified[next++];
    if (!r || r instanceof VeilError) {
      results.push({ country: a.country, status: 'error', code: r?.code ?? 'internal', hits: [], refusedClasses: [] });
      continue;
    }
    if (r.status === 'refused') {
      results.push({
        country: a.country,
        status: 'refused',
        ...(r.code ? { code: r.code } : {}),
        epoch: r.epoch,
        hits: [],
        refusedClasses: keys.map((k) => k.cls),
      });
      continue;
    }
    const evaluated = new Set(r.items);
    const refusedClasses: MatchClass[] = [...new Set(keys.filter((_, i) => !evaluated.has(i)).map((k) => k.cls))];
    tagsByCountry.set(a.country, { epoch: r.epoch, tags: r.tags, indexSeq: r.indexSeq });
    results.push({ country: a.country, status: 'no-hit', epoch: r.epoch, hits: [], refusedClasses });
  }

  if (tagsByCountry.size > 0) {
    const found = await lookupTags(deps, tagsByCountry, { mode: opts.mode ?? 'exact' });
    for (const r of results) {
      const h = found.get(r.country);
      if (h instanceof VeilError) {
        // The coordinator's answer did not prove itself against the node's commitment: never a no-hit.
        r.status = 'error';
        r.code = h.code;
      } else if (h && h.length > 0) {
        r.status = 'hit';
        r.hits = h;
        r.match = describeMatch(h.map((x) => (x.match.reading ? { cls: x.cls, reading: x.match.reading } : { cls: x.cls })));
      }
    }
  }
  results.sort((a, b) => a.country.localeCompare(b.country));
  return { queryId: req.id, results, classes: keys.map((k) => k.cls) };
}
