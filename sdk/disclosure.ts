/**
 * Disclosure: identity only on the owning country's approval.
 *
 * A request names the owning country, the purpose, case reference, legal basis and the fields wanted
 * (visible to the own node and the coordinator, which relay it). The claim — what was searched for,
 * with the hit token, or for a biometric hit the probe itself — and the justification travel sealed to
 * the owning node's box key: it checks the claim really matches before any officer sees the request.
 * The sealed claim also repeats the request's clear fields (this analyst and country, the box key,
 * purpose, case, legal basis, fields), so it is good for this request only.
 *
 * The list of the analyst's requests comes from the own node; each decision is verified here as signed
 * by the owning node for this request and this analyst (otherwise the item reads `rejected` with the
 * reason's code), and an approval's or denial's sealed release is opened with the analyst's box key.
 */
import { fromBase64url, sealTo } from '#crypto';
import {
  type BioModality,
  DisclosureAccepted,
  DisclosureDecision,
  DisclosureListResponse,
  type DisclosureRequest,
  decodeWith,
  encode,
  errorCodeOf,
  LIMITS,
  type ListDisclosures,
  type QuerySubject,
  type SealedClaim,
  SealedRelease,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import { type FlowDeps, freshId } from './flow-deps.ts';
import { nodeSigner } from './known-members.ts';
import type { Disclosure, DisclosureOptions, DisclosureReceipt, SearchContext } from './types.ts';

type Claim = SealedClaim['claim'];

/** What the request carries in the clear besides the owner: the search context without its handling code. */
export type DisclosureContext = Omit<SearchContext, 'handling'>;

/** The claim for an identifier hit: the subject searched for, with the hit's token. */
export function identifierClaim(hit: { country: string; token: string }, subject: QuerySubject): { country: string; token: Uint8Array; claim: Claim } {
  return { country: hit.country, token: fromBase64url(hit.token), claim: claimOf(subject) };
}

/** The subject as a claim, with exactly the options that shaped its keys (no undefined fields on the wire). */
function claimOf(s: QuerySubject): Claim {
  if ('vin' in s) return { vin: s.vin };
  if ('doc' in s) return { doc: s.doc, ...(s.confusions ? { confusions: true } : {}) };
  return { name: s.name, dob: s.dob, ...(s.sex ? { sex: s.sex } : {}), ...(s.dateOrder ? { dateOrder: s.dateOrder } : {}) };
}

/** The claim for a biometric hit (`bio:<queryId>:<position>`): the probe, at that position of that query. */
export function biometricClaim(hit: { country: string; ref: string }, modality: BioModality, embedding: ArrayLike<number>): { country: string; claim: Claim } {
  const m = /^bio:([0-9a-f]{32}):(\d+)$/.exec(hit.ref);
  const queryId = m?.[1];
  const position = m?.[2];
  if (queryId === undefined || position === undefined) throw new VeilError('bad_request', 'biometric hit reference must be bio:<queryId>:<position>');
  return { country: hit.country, claim: { bio: { modality, queryId, position: Number(position), embedding: Array.from(embedding) } } };
}

/** Seal the claim to the owner and hand the request to the own node, which queues it. */
export async function requestDisclosure(
  deps: FlowDeps,
  target: { country: string; token?: Uint8Array; claim: Claim },
  ctx: DisclosureContext,
  opts: DisclosureOptions,
): Promise<DisclosureReceipt> {
  const { country, token, claim } = target;
  await deps.members.list();
  const owner = await deps.members.find(country);
  if (!owner) throw new VeilError('unknown_member', 'owner country');
  const id = opts.id ?? freshId(deps.rng);
  const analystBoxPub = deps.credential.box.publicKey();
  // The claim repeats the request it belongs to, so the owner can refuse it in any other request.
  const bound: SealedClaim = {
    id,
    from: deps.credential.country,
    analyst: deps.credential.analystId,
    to: country,
    purpose: ctx.purpose,
    caseRef: ctx.caseRef,
    legalBasis: ctx.legalBasis,
    fields: opts.fields,
    analystBoxPub,
    ...(token ? { token } : {}),
    claim,
    justification: opts.justification,
  };
  const req: DisclosureRequest = {
    t: 'disclosure-request',
    id,
    ts: deps.clock.now(),
    nonce: deps.rng(16),
    to: country,
    purpose: ctx.purpose,
    caseRef: ctx.caseRef,
    legalBasis: ctx.legalBasis,
    fields: opts.fields,
    analystBoxPub,
    sealedClaim: sealTo(owner.boxPub, encode(bound)),
  };
  return deps.api.post('/v1/disclosures', req, DisclosureAccepted);
}

/** The analyst's disclosure requests with their status; decisions verified, releases opened. */
export async function listDisclosures(deps: FlowDeps): Promise<Disclosure[]> {
  await deps.members.list();
  const req: ListDisclosures = { t: 'list-disclosures', ts: deps.clock.now(), nonce: deps.rng(16) };
  const r = await deps.api.post('/v1/disclosures/list', req, DisclosureListResponse);
  const out: Disclosure[] = [];
  for (const it of r.items) {
    const d: Disclosure = { id: it.id, to: it.to, status: it.status, createdAt: it.createdAt, fields: it.fields };
    if (it.decision) {
      try {
        const owner = await deps.members.find(it.to);
        const dec = verifyEnvelope(it.decision, nodeSigner(it.to, owner), DisclosureDecision);
        if (dec.id !== it.id || dec.from !== it.to || dec.analyst !== deps.credential.analystId)
          throw new VeilError('bad_request', 'decision for another request');
        if (dec.code) d.code = dec.code;
        if (dec.sealed) {
          const rel = decodeWith(deps.credential.box.open(dec.sealed), SealedRelease, LIMITS.maxPayloadBytes);
          if (rel.id !== it.id) throw new VeilError('bad_request', 'release for another request');
          d.released = rel;
        }
      } catch (e) {
        d.status = 'rejected';
        d.code = errorCodeOf(e);
      }
    }
    out.push(d);
  }
  return out;
}
