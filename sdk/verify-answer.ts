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
 */
import { type BlindResult, finalize, verifyBatch } from '#crypto';
import { type Envelope, type ErrorCode, EvalResult, errorCodeOf, LIMITS, type MatchClass, type MatchKey, VeilError, verifyEnvelope } from '#protocol';
import type { FlowDeps } from './flow-deps.ts';
import { nodeSigner } from './known-members.ts';
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

export interface AnswerToCheck {
  country: string;
  env: Envelope;
  /** The query's id, and its keys in the order of its items. */
  queryId: string;
  keys: readonly BlindedKey[];
}

export async function verifyAnswer(deps: Pick<FlowDeps, 'members' | 'credential'>, a: AnswerToCheck): Promise<VerifiedAnswer> {
  const { country, env, queryId, keys } = a;
  const resolve = (m: Member | undefined) => nodeSigner(country, m, 'answer not signed by the target');
  let member = deps.members.get(country);
  let r: EvalResult;
  try {
    r = verifyEnvelope(env, resolve(member), EvalResult);
  } catch (e) {
    if (errorCodeOf(e) !== 'unknown_member') throw e;
    await deps.members.list(true);
    member = deps.members.get(country);
    r = verifyEnvelope(env, resolve(member), EvalResult);
  }
  if (r.id !== queryId || r.from !== country || r.to !== deps.credential.country) throw new VeilError('bad_request', 'answer is for another query');
  if (r.status === 'refused') return { status: 'refused', ...(r.code ? { code: r.code } : {}), epoch: r.epoch };
  if (member && member.epoch !== r.epoch) {
    await deps.members.list(true);
    member = deps.members.get(country);
  }
  if (!member || member.epoch !== r.epoch) throw new VeilError('bad_proof', 'no published OPRF key for that epoch');
  const proof = r.proof;
  if (r.items.length !== r.evaluated.length || !proof || r.items.some((i) => i >= keys.length) || new Set(r.items).size !== r.items.length) {
    throw new VeilError('bad_proof', 'answer shape');
  }
  const blinded = r.items.map((i) => itemAt(keys, i).blindedElement);
  verifyBatch(member.oprfPub, blinded, r.evaluated, proof);
  const tags = r.items.map((i, j) => {
    const k = itemAt(keys, i);
    const tag = finalize('voprf', k.input, k.blind, itemAt(r.evaluated, j)).subarray(0, LIMITS.tagBytes);
    return k.reading === undefined ? { cls: k.cls, tag } : { cls: k.cls, tag, reading: k.reading };
  });
  return { status: 'ok', epoch: r.epoch, items: r.items, tags, indexSeq: r.indexSeq };
}

/** `xs[i]`, for indexes already checked against the array's length. */
function itemAt<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new VeilError('bad_proof', 'answer shape');
  return x;
}
