/**
 * The owning node's disclosure desk (DESIGN.md §4 steps 3–4).
 *
 * A request from abroad is checked before any officer sees it: the sealed claim must open under this
 * node's box key, the hit token must open under its token key and name a record it holds, and the claim
 * (the identifier the analyst searched for) must really produce a match key of the token's class for
 * that record — so guessed tokens and fishing claims are refused and audited. A valid request is queued
 * with a deadline; the sharing policy may approve it at once for selected fields, which is recorded.
 * A data owner then approves a subset of fields, denies with a reason, or lets it expire. A decision is
 * final and idempotent; the released fields (with the record's handling code) are sealed to the
 * analyst's key, signed by this node and queued for delivery in the same transaction.
 */
import { randomBytes, toHex, sealTo, utf8, equalBytes } from '#crypto';
import { LABELS, LIMITS, SealedClaim, decode, decodeWith, encode, matchKeysForQuery, matchKeysForRecord, signEnvelope, DISCLOSURE_FIELDS, type DisclosureDecision, type DisclosureField, type ForwardedDisclosure, type MatchClass, type Purpose, type SealedRelease, type VeilRecord, type Handling, type QuerySubject, type BioModality, decodeTemplate, dot, BIO_PARAMS, VeilError, asVeilError, keyId } from '#protocol';
import { HE_PARAMS } from '#crypto';

export function bioThreshold(m: BioModality): number {
  return HE_PARAMS[BIO_PARAMS[m]].threshold;
}
import type { AuditLog } from '#platform';
import type { NodeRepositories, IncomingDisclosure, IncomingStatus } from '../store/repositories.ts';
import type { NodeKeys } from '../config.ts';
import { autoApprovedFields, type Policy } from '../policy.ts';
import { layoutPosition } from '../bio.ts';

export type InboundStatus = IncomingStatus;

export interface DisclosureView {
  id: string;
  requester: string;
  analyst: string;
  purpose: Purpose;
  caseRef: string;
  legalBasis: string;
  fields: DisclosureField[];
  justification: string;
  recordId: string;
  /** Match class, or the biometric modality for biometric hits. */
  cls: MatchClass | BioModality;
  claimKind: string;
  /** For biometric claims: the plaintext similarity the node measured. */
  score: number | null;
  status: InboundStatus;
  receivedAt: number;
  deadline: number;
  decidedAt: number | null;
  decidedBy: string | null;
  releasedFields: DisclosureField[] | null;
  reason: string | null;
  /** The record the request is about (this node's own data), or null if it was deleted since. */
  record: VeilRecord | null;
}

/** Extract the chosen fields from a record: the only place record contents are selected for release. */
export function releaseFields(record: VeilRecord, fields: readonly DisclosureField[]): Partial<Record<DisclosureField, unknown>> {
  const out: Partial<Record<DisclosureField, unknown>> = {};
  const p = record.person;
  for (const f of fields) {
    switch (f) {
      case 'name':
        if (p) out.name = { family: p.family, ...(p.given ? { given: p.given } : {}), ...(p.aliases?.length ? { aliases: p.aliases } : {}) };
        break;
      case 'dob':
        if (p?.dob) out.dob = p.dob;
        break;
      case 'nationality':
        if (p?.nationality) out.nationality = p.nationality;
        break;
      case 'sex':
        if (p?.sex) out.sex = p.sex;
        break;
      case 'documents':
        if (record.documents?.length) out.documents = record.documents;
        break;
      case 'vehicle':
        if (record.vehicle) out.vehicle = record.vehicle;
        break;
      case 'dataset':
        out.dataset = record.dataset;
        break;
      default: {
        const never: never = f;
        throw new Error(`unknown field ${String(never)}`);
      }
    }
  }
  return out;
}

export class DisclosureDesk {
  constructor(
    readonly country: string,
    readonly store: NodeRepositories,
    readonly keys: NodeKeys,
    readonly audit: AuditLog,
    readonly policy: () => Policy,
    readonly clock: () => number = Date.now,
  ) {}

  /**
   * Take in a request from abroad (inside the caller's mail-processing transaction). A request that
   * fails a check is answered `rejected` with a code and never reaches an officer.
   */
  receive(fwd: ForwardedDisclosure): void {
    const now = this.clock();
    let claim: SealedClaim;
    let recordId: string;
    let cls: string;
    let record: VeilRecord;
    let score: number | null = null;
    try {
      claim = decodeWith(this.keys.box.open(fwd.sealedClaim), SealedClaim, LIMITS.maxPayloadBytes);
      if (claim.id !== fwd.id) throw new VeilError('bad_request', 'claim is for another request');
      if ('bio' in claim.claim) {
        ({ recordId, score } = this.#checkBioClaim(fwd.from, claim.claim.bio));
        cls = claim.claim.bio.modality;
      } else {
        if (!claim.token) throw new VeilError('bad_request', 'identifier claim without hit token');
        const opened = decode(this.keys.token.open(claim.token, utf8(LABELS.hitToken + this.country)), LIMITS.maxTokenBytes) as unknown;
        if (!Array.isArray(opened) || typeof opened[0] !== 'string' || typeof opened[1] !== 'string') throw new VeilError('decrypt_failed', 'token content');
        recordId = opened[0];
        cls = opened[1];
      }
      const stored = this.store.records.get(recordId);
      if (!stored) throw new VeilError('not_found', 'record no longer held');
      record = JSON.parse(stored.body) as VeilRecord;
      if (!('bio' in claim.claim) && !this.#claimMatches(claim.claim, record, cls as MatchClass)) throw new VeilError('forbidden', 'claim does not match the record');
    } catch (e) {
      const code = asVeilError(e).code;
      this.audit.append({ kind: 'disclosure.claim-rejected', requestId: fwd.id, country: fwd.from, code });
      this.#send(fwd.from, { id: fwd.id, analyst: fwd.analyst, status: 'rejected', code: code === 'forbidden' ? 'claim_mismatch' : code });
      return;
    }
    const p = this.policy();
    const deadline = now + p.disclosure.deadlineHours * 3_600_000;
    // A repeated id is ignored here (see the KNOWN FLAW on `DisclosuresRepository.addIncoming`).
    this.store.disclosures.addIncoming({
      id: fwd.id,
      requester: fwd.from,
      analyst: fwd.analyst,
      purpose: fwd.purpose,
      caseRef: fwd.caseRef,
      legalBasis: fwd.legalBasis,
      fields: fwd.fields,
      justification: claim.justification,
      recordId,
      cls: cls as MatchClass | BioModality,
      claimKind: Object.keys(claim.claim)[0] ?? '',
      score,
      analystBoxPub: fwd.analystBoxPub,
      receivedAt: now,
      deadline,
    });
    this.audit.append({ kind: 'disclosure.queued', requestId: fwd.id, country: fwd.from, analyst: fwd.analyst, cls, purpose: fwd.purpose });
    const auto = autoApprovedFields(p, record.dataset, fwd.from, fwd.purpose, fwd.fields);
    if (auto.length > 0) {
      this.#decide(fwd.id, 'approved', { fields: auto, by: 'policy' });
      this.audit.append({ kind: 'disclosure.auto-approved', requestId: fwd.id, country: fwd.from, count: auto.length });
    }
  }

  /**
   * A biometric claim names a query this node answered for that country and a gallery position; the
   * probe it carries must really score at or above the modality's threshold against the template there
   * (plaintext, here at the owner). The score is shown to the data owner.
   */
  #checkBioClaim(requester: string, bio: { modality: BioModality; queryId: string; position: number; embedding: number[] }): { recordId: string; score: number } {
    // The position is in the query's permuted space: map it back (this also checks the query exists).
    const slot = layoutPosition(this.store, this.keys, requester, bio.queryId, bio.modality, bio.position);
    const at = this.store.gallery.at(bio.modality, slot);
    if (!at) throw new VeilError('not_found', 'gallery position no longer held');
    const probe = decodeTemplate(bio.embedding, bio.modality).vector;
    const score = dot(probe, at.vector);
    if (score < bioThreshold(bio.modality)) throw new VeilError('forbidden', 'probe does not match the template');
    return { recordId: at.recordId, score };
  }

  #claimMatches(claim: QuerySubject, record: VeilRecord, cls: MatchClass): boolean {
    let wanted;
    try {
      wanted = matchKeysForQuery(claim).filter((k) => k.cls === cls);
    } catch {
      return false;
    }
    const have = matchKeysForRecord(record).filter((k) => k.cls === cls);
    return wanted.some((w) => have.some((h) => equalBytes(w.input, h.input)));
  }

  list(filter: 'pending' | 'decided' | 'all' = 'all', limit = 500): DisclosureView[] {
    this.expireDue();
    return this.store.disclosures.listIncoming(filter, limit).map((r) => this.#view(r));
  }

  get(id: string): DisclosureView | undefined {
    this.expireDue();
    const r = this.store.disclosures.incoming(id);
    return r ? this.#view(r) : undefined;
  }

  /** Approve with a subset of the requested fields. Repeating the same decision is a no-op. */
  approve(id: string, fields: readonly DisclosureField[], owner: string): DisclosureView {
    if (fields.length === 0) throw new VeilError('bad_request', 'choose at least one field (or deny)');
    for (const f of fields) if (!(DISCLOSURE_FIELDS as readonly string[]).includes(f)) throw new VeilError('bad_request', `unknown field ${f}`);
    return this.store.tx(() => {
      this.#decide(id, 'approved', { fields: [...new Set(fields)], by: owner });
      return this.get(id)!;
    });
  }

  deny(id: string, reason: string, owner: string): DisclosureView {
    const r = reason.trim();
    if (r.length === 0 || r.length > 2000) throw new VeilError('bad_request', 'a denial needs a reason (1–2000 characters)');
    return this.store.tx(() => {
      this.#decide(id, 'denied', { reason: r, by: owner });
      return this.get(id)!;
    });
  }

  /** Expire pending requests past their deadline; returns how many expired. */
  expireDue(): number {
    const now = this.clock();
    const due = this.store.disclosures.dueIncoming(now);
    if (due.length === 0) return 0;
    this.store.tx(() => {
      for (const id of due) this.#decide(id, 'expired', { by: 'deadline' });
    });
    return due.length;
  }

  #decide(id: string, status: 'approved' | 'denied' | 'expired', d: { fields?: DisclosureField[]; reason?: string; by: string }): void {
    const r = this.store.disclosures.incoming(id);
    if (!r) throw new VeilError('not_found', 'no such request');
    if (r.status !== 'pending') {
      const same =
        r.status === status &&
        (status !== 'approved' || JSON.stringify([...(r.releasedFields ?? [])].sort()) === JSON.stringify([...(d.fields ?? [])].sort())) &&
        (status !== 'denied' || r.reason === d.reason);
      if (same) return; // idempotent repeat
      throw new VeilError('conflict', `request already ${r.status}`);
    }
    const now = this.clock();
    if (d.fields) for (const f of d.fields) if (!r.fields.includes(f)) throw new VeilError('bad_request', `field ${f} was not requested`);
    this.store.disclosures.decideIncoming(id, { status, decidedAt: now, decidedBy: d.by, releasedFields: d.fields ?? null, reason: d.reason ?? null });
    let sealed: Uint8Array | undefined;
    if (status !== 'expired') {
      const stored = this.store.records.get(r.recordId);
      const record = stored ? (JSON.parse(stored.body) as VeilRecord) : undefined;
      const release: SealedRelease =
        status === 'approved'
          ? { id, ...(record ? { handling: record.handling as Handling, fields: releaseFields(record, d.fields ?? []) } : {}), decidedAt: now }
          : { id, reason: d.reason ?? '', decidedAt: now };
      sealed = sealTo(r.analystBoxPub, encode(release));
    }
    this.#send(r.requester, { id, analyst: r.analyst, status, cls: r.cls, ...(sealed ? { sealed } : {}) });
    this.audit.append({
      kind: status === 'approved' ? 'disclosure.approved' : status === 'denied' ? 'disclosure.denied' : 'disclosure.expired',
      requestId: id,
      country: r.requester,
      owner: d.by,
      ...(d.fields ? { count: d.fields.length } : {}),
    });
  }

  #send(to: string, d: Omit<DisclosureDecision, 't' | 'ts' | 'from' | 'to'>): void {
    const decision: DisclosureDecision = { t: 'disclosure-decision', ts: this.clock(), from: this.country, to, ...d };
    const env = signEnvelope(this.keys.signing, keyId.node(this.country), decision);
    this.store.mail.queue({ mid: toHex(randomBytes(16)), recipient: to, env: encode(env) }, this.clock());
  }

  #view(r: IncomingDisclosure): DisclosureView {
    const stored = this.store.records.get(r.recordId);
    const { analystBoxPub: _box, ...view } = r;
    return { ...view, record: stored ? (JSON.parse(stored.body) as VeilRecord) : null };
  }

}
