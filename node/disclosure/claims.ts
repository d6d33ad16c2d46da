/**
 * Checking the claim behind a disclosure request from abroad, before any officer sees it: the sealed
 * claim must open under this node's box key and be bound to this very request — its id, requesting
 * country and analyst, this node as owner, the analyst's box key, purpose, case, legal basis and fields
 * all equal to the forwarded request's clear fields, so a claim lifted from one request into another
 * (another analyst's, another country's, other fields or another key to seal the release to) is
 * refused; an identifier claim's hit token
 * must open under the node's token key and name a record it holds, and the identifier the analyst
 * searched for must really produce a match key of the token's class for that record; a biometric claim
 * must name a query this node answered for that country and a gallery position whose template the
 * carried probe really matches. Guessed tokens and fishing claims throw a typed error.
 */
import { equalBytes, HE_PARAMS, utf8 } from '#crypto';
import {
  BIO_PARAMS,
  type BioModality,
  decode,
  decodeTemplate,
  decodeWith,
  dot,
  type ForwardedDisclosure,
  LABELS,
  LIMITS,
  MAIL_LIMITS,
  type MatchClass,
  matchKeysForQuery,
  matchKeysForRecord,
  type QuerySubject,
  SealedClaim,
  VeilError,
  type VeilRecord,
} from '#protocol';
import { layoutPosition } from '../bio-layout.ts';
import type { NodeKeys } from '../config.ts';
import type { NodeRepositories } from '../store/repositories.ts';

export interface VerifiedClaim {
  claim: SealedClaim;
  recordId: string;
  /** Match class from the hit token, or the biometric modality. */
  cls: MatchClass | BioModality;
  record: VeilRecord;
  /** For biometric claims: the plaintext similarity measured here. */
  score: number | null;
}

export interface ClaimCheckDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
}

export function bioThreshold(m: BioModality): number {
  return HE_PARAMS[BIO_PARAMS[m]].threshold;
}

/** Open and check the claim of `fwd`; throws (`forbidden` when the claim does not match the record). */
export function verifyClaim(d: ClaimCheckDeps, fwd: ForwardedDisclosure): VerifiedClaim {
  const claim = decodeWith(d.keys.box.open(fwd.sealedClaim), SealedClaim, MAIL_LIMITS.maxSealedBytes);
  if (!boundTo(claim, fwd, d.country)) throw new VeilError('forbidden', 'claim is bound to another request');
  let recordId: string;
  let cls: string;
  let score: number | null = null;
  if ('bio' in claim.claim) {
    ({ recordId, score } = checkBioClaim(d, fwd.from, claim.claim.bio));
    cls = claim.claim.bio.modality;
  } else {
    if (!claim.token) throw new VeilError('bad_request', 'identifier claim without hit token');
    const opened = decode(d.keys.token.open(claim.token, utf8(LABELS.hitToken + d.country)), LIMITS.maxTokenBytes) as unknown;
    if (!Array.isArray(opened) || typeof opened[0] !== 'string' || typeof opened[1] !== 'string') throw new VeilError('decrypt_failed', 'token content');
    recordId = opened[0];
    cls = opened[1];
  }
  const stored = d.store.records.get(recordId);
  if (!stored) throw new VeilError('not_found', 'record no longer held');
  const record = JSON.parse(stored.body) as VeilRecord;
  if (!('bio' in claim.claim) && !claimMatches(claim.claim, record, cls as MatchClass)) throw new VeilError('forbidden', 'claim does not match the record');
  return { claim, recordId, cls: cls as MatchClass | BioModality, record, score };
}

/** The claim was made for `fwd`, addressed to this node (`country`). */
function boundTo(claim: SealedClaim, fwd: ForwardedDisclosure, country: string): boolean {
  return (
    claim.id === fwd.id &&
    claim.from === fwd.from &&
    claim.analyst === fwd.analyst &&
    claim.to === country &&
    fwd.to === country &&
    claim.purpose === fwd.purpose &&
    claim.caseRef === fwd.caseRef &&
    claim.legalBasis === fwd.legalBasis &&
    claim.fields.length === fwd.fields.length &&
    claim.fields.every((f, i) => f === fwd.fields[i]) &&
    equalBytes(claim.analystBoxPub, fwd.analystBoxPub)
  );
}

/**
 * A biometric claim names a query this node answered for that country and a gallery position; the
 * probe it carries must really score at or above the modality's threshold against the template there
 * (plaintext, here at the owner). The score is shown to the data owner.
 */
function checkBioClaim(
  d: ClaimCheckDeps,
  requester: string,
  bio: { modality: BioModality; queryId: string; position: number; embedding: number[] },
): { recordId: string; score: number } {
  // The position is in the query's permuted space: map it back (this also checks the query exists).
  const slot = layoutPosition(d.store, d.keys, requester, bio.queryId, bio.modality, bio.position);
  const at = d.store.gallery.at(bio.modality, slot);
  if (!at) throw new VeilError('not_found', 'gallery position no longer held');
  const probe = decodeTemplate(bio.embedding, bio.modality).vector;
  const score = dot(probe, at.vector);
  if (score < bioThreshold(bio.modality)) throw new VeilError('forbidden', 'probe does not match the template');
  return { recordId: at.recordId, score };
}

function claimMatches(claim: QuerySubject, record: VeilRecord, cls: MatchClass): boolean {
  let wanted: ReturnType<typeof matchKeysForQuery>;
  try {
    wanted = matchKeysForQuery(claim).filter((k) => k.cls === cls);
  } catch {
    return false;
  }
  const have = matchKeysForRecord(record).filter((k) => k.cls === cls);
  return wanted.some((w) => have.some((h) => equalBytes(w.input, h.input)));
}
