/**
 * Checking one country's answer to a blind query before trusting any of it:
 * 1. the answer is signed by that country's node (a signer the directory does not know yet triggers
 *    one refresh of the directory, then must verify);
 * 2. it is for this query, from that country, to the analyst's country;
 * 3. its OPRF epoch is the one the node published (refresh once if the directory is behind), and its
 *    batched DLEQ proof verifies against that published key, so the node evaluated with the key its
 *    index was built with (otherwise `bad_proof`: a wrong key must never read as "no hit");
 * 4. Finalize (RFC 9497 VOPRF) each evaluated element with its blind → 16-byte tags.
 * A signed refusal is returned as such (its epoch and code), with no tags.
 *
 * `checkAnswer` is steps 1–4 against member keys given to it, with no I/O, so it can run on a worker
 * thread (`verify-pool.ts`); `verifyAnswers` adds the directory refreshes around it.
 */
import { type BlindResult, finalize, verifyBatch } from '#crypto';
import {
  decodeWith,
  Envelope,
  type ErrorCode,
  EvalResult,
  errorCodeOf,
  keyId,
  LIMITS,
  type MatchClass,
  type MatchKey,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import type { FlowDeps } from './flow-deps.ts';
import type { Member } from './members.ts';

/** A tag derived for one match key of the query. */
export interface ClassTag {
  cls: MatchClass;
  tag: Uint8Array;
  /** For a key made from one reading of an ambiguous date: which. */
  reading?: MatchKey['reading'];
}

export type VerifiedAnswer =
  | { status: 'refused'; code?: ErrorCode; epoch: number }
  | {
      status: 'ok';
      epoch: number;
      /** Indexes of the query items the node evaluated (the others were refused by its policy). */
      items: number[];
      tags: ClassTag[];
      /** The node's last acknowledged index chunk: lookups must be proven against a commitment this recent. */
      indexSeq: number;
    };

/** A match key of the query with its blind (kept here) and blinded element (sent). */
export type BlindedKey = MatchKey & BlindResult;

/** One answer and everything needed to check it without the directory. */
export interface AnswerJob {
  country: string;
  /** The answer as the coordinator relayed it: an encoded signed Envelope. */
  env: Uint8Array;
  /** The query's id, the analyst's country, and its keys in the order of its items. */
  queryId: string;
  analystCountry: string;
  keys: readonly BlindedKey[];
  /** The member's certified signing key and its published OPRF key, as the directory holds them. */
  signPub: Uint8Array;
  epoch: number;
  oprfPub: Uint8Array;
}

/** What checking an answer gives: the verified answer, or a reason to refresh the directory and retry. */
export type AnswerCheck = VerifiedAnswer | { status: 'stale'; code: 'unknown_member' | 'epoch' } | { status: 'failed'; code: ErrorCode };

/** Steps 1–4 for one answer; never throws (a failure is `failed` with its code). */
export function checkAnswer(job: AnswerJob): AnswerCheck {
  try {
    const env = decodeWith(job.env, Envelope, LIMITS.maxPayloadBytes);
    if (env.kid !== keyId.node(job.country)) return { status: 'stale', code: 'unknown_member' };
    const r = verifyEnvelope(env, () => job.signPub, EvalResult);
    if (r.id !== job.queryId || r.from !== job.country || r.to !== job.analystCountry) throw new VeilError('bad_request', 'answer is for another query');
    if (r.status === 'refused') return { status: 'refused', ...(r.code ? { code: r.code } : {}), epoch: r.epoch };
    if (r.epoch !== job.epoch) return { status: 'stale', code: 'epoch' };
    return { status: 'ok', epoch: r.epoch, items: r.items, tags: provenTags(r, job), indexSeq: r.indexSeq };
  } catch (e) {
    return { status: 'failed', code: errorCodeOf(e) };
  }
}

/** The proof of an `ok` answer against the published key, then its tags. */
function provenTags(r: EvalResult, job: AnswerJob): ClassTag[] {
  const { keys } = job;
  const proof = r.proof;
  if (r.items.length !== r.evaluated.length || !proof || r.items.some((i) => i >= keys.length) || new Set(r.items).size !== r.items.length) {
    throw new VeilError('bad_proof', 'answer shape');
  }
  const blinded = r.items.map((i) => itemAt(keys, i).blindedElement);
  verifyBatch(job.oprfPub, blinded, r.evaluated, proof);
  return r.items.map((i, j) => {
    const k = itemAt(keys, i);
    const tag = finalize('voprf', k.input, k.blind, itemAt(r.evaluated, j)).subarray(0, LIMITS.tagBytes);
    return k.reading === undefined ? { cls: k.cls, tag } : { cls: k.cls, tag, reading: k.reading };
  });
}

/** Checks a set of answers at once: `run` may spread them over threads; results come back in order. */
export type AnswerChecker = (jobs: readonly AnswerJob[]) => Promise<AnswerCheck[]>;

export const checkInline: AnswerChecker = async (jobs) => jobs.map(checkAnswer);

export interface AnswerToCheck {
  country: string;
  env: Uint8Array;
}

/**
 * Every answer of one query, checked with `check`: an answer whose signer or epoch the directory does not
 * know yet (the member rotated since the last fetch) triggers one refresh for all of them, then must verify.
 * Each result is the verified answer or the `VeilError` it failed with.
 */
export async function verifyAnswers(
  deps: Pick<FlowDeps, 'members' | 'credential'>,
  query: { id: string; keys: readonly BlindedKey[] },
  answers: readonly AnswerToCheck[],
  check: AnswerChecker,
): Promise<Array<VerifiedAnswer | VeilError>> {
  const jobFor = (a: AnswerToCheck, m: Member): AnswerJob => ({
    country: a.country,
    env: a.env,
    queryId: query.id,
    analystCountry: deps.credential.country,
    keys: query.keys,
    signPub: m.signPub,
    epoch: m.epoch,
    oprfPub: m.oprfPub,
  });
  const out: Array<AnswerCheck | undefined> = answers.map(() => undefined);
  const run = async (refreshed: boolean): Promise<void> => {
    const idx: number[] = [];
    const jobs: AnswerJob[] = [];
    for (const [i, a] of answers.entries()) {
      const prev = out[i];
      if (prev !== undefined && prev.status !== 'stale') continue;
      const m = deps.members.get(a.country);
      if (!m) out[i] = { status: 'stale', code: 'unknown_member' };
      else {
        idx.push(i);
        jobs.push(jobFor(a, m));
      }
    }
    const results = await check(jobs);
    results.forEach((r, j) => {
      out[idx[j] as number] = r;
    });
    if (!refreshed && out.some((r) => r?.status === 'stale')) {
      await deps.members.list(true);
      await run(true);
    }
  };
  await run(false);
  return out.map(outcome);
}

function outcome(r: AnswerCheck | undefined): VerifiedAnswer | VeilError {
  if (!r) return new VeilError('internal', 'answer not checked');
  if (r.status === 'ok' || r.status === 'refused') return r;
  if (r.status === 'failed') return new VeilError(r.code);
  return r.code === 'epoch'
    ? new VeilError('bad_proof', 'no published OPRF key for that epoch')
    : new VeilError('unknown_member', 'answer not signed by the target');
}

/** `xs[i]`, for indexes already checked against the array's length. */
function itemAt<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new VeilError('bad_proof', 'answer shape');
  return x;
}
