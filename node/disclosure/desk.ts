/**
 * The owning node's disclosure desk: requests from abroad for this node's data owners.
 *
 * A request is known by its key (requesting country, analyst, request id): the id is the requester's
 * choice, so another requester's id is another request, and officers address each by this node's own
 * handle (`id` of the view; the requester's id also finds a request while no other requester used it).
 * A repeat of a key with the same content changes nothing (the first outcome
 * was sent); other content under a known key is refused with `conflict`, which the mail layer audits,
 * acknowledges and drops.
 *
 * A request is checked before any officer sees it (`claims.ts`), including that its sealed claim was
 * made for this very request: one whose claim fails is answered `rejected` with a code and audited, and
 * never reaches an officer. A valid request is queued with a deadline; the sharing policy may approve it
 * at once for selected fields, which is recorded. A data owner then approves a subset of fields, denies
 * with a reason, or lets it expire. A decision is final and idempotent; the released fields (with the
 * record's handling code) are sealed to the analyst's key, signed by this node and queued for delivery
 * in the same transaction as the decision and its audit entry.
 */
import { equalBytes, randomBytes, sealTo, toHex } from '#crypto';
import type { AuditLog, Clock } from '#platform';
import {
  asVeilError,
  DISCLOSURE_FIELDS,
  type DisclosureDecision,
  type DisclosureField,
  encode,
  type ForwardedDisclosure,
  type Handling,
  type SealedRelease,
  VeilError,
  type VeilRecord,
} from '#protocol';
import type { NodeKeys } from '../config.ts';
import { autoApprovedFields, type PolicySource } from '../policy.ts';
import type { IncomingDisclosure, IncomingKey, IncomingStatus, NodeRepositories } from '../store/repositories.ts';
import { type VerifiedClaim, verifyClaim } from './claims.ts';
import { queueSigned } from './mail-item.ts';
import { releaseFields } from './release-fields.ts';
import { incomingDigest } from './request-digest.ts';

export type InboundStatus = IncomingStatus;

/** A request as the data owners see it: the stored request and the record it is about. */
export interface DisclosureView extends Omit<IncomingDisclosure, 'analystBoxPub'> {
  /** The record the request is about (this node's own data), or null if it was deleted since. */
  record: VeilRecord | null;
}

export interface DisclosureDeskDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  audit: AuditLog;
  /** The sharing policy in force (deadlines, auto-approval). */
  policy: PolicySource;
  clock: Pick<Clock, 'now'>;
}

/** The shortest id prefix accepted for a request (shorter ones would be ambiguous too soon). */
export const MIN_PREFIX = 4;

export class DisclosureDesk {
  readonly #country: string;
  readonly #store: NodeRepositories;
  readonly #keys: NodeKeys;
  readonly #audit: AuditLog;
  readonly #policy: PolicySource;
  readonly #clock: Pick<Clock, 'now'>;

  constructor(deps: DisclosureDeskDeps) {
    this.#country = deps.country;
    this.#store = deps.store;
    this.#keys = deps.keys;
    this.#audit = deps.audit;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
  }

  /**
   * Take in a request from abroad, in one transaction (a savepoint inside the caller's mail-processing
   * one). Throws `conflict` for other content under a known key; nothing is written then.
   */
  receive(fwd: ForwardedDisclosure): void {
    this.#store.tx(() => {
      const key: IncomingKey = { requester: fwd.from, analyst: fwd.analyst, requestId: fwd.id };
      const digest = incomingDigest(fwd);
      const seen = this.#store.disclosures.seenIncoming(key);
      if (seen) {
        if (equalBytes(seen.digest, digest)) return; // a repeat: the first outcome stands and was sent
        throw new VeilError('conflict', 'request id reused with other content');
      }
      const now = this.#clock.now();
      let v: VerifiedClaim;
      try {
        v = verifyClaim({ country: this.#country, store: this.#store, keys: this.#keys }, fwd);
      } catch (e) {
        const err = asVeilError(e);
        const code = err.code === 'forbidden' ? 'claim_mismatch' : err.code;
        this.#store.disclosures.addRejectedIncoming(key, digest, code, now);
        this.#audit.append({ kind: 'disclosure.claim-rejected', requestId: fwd.id, country: fwd.from, analyst: fwd.analyst, code: err.code });
        this.#send(fwd.from, { id: fwd.id, analyst: fwd.analyst, status: 'rejected', code });
        return;
      }
      const p = this.#policy.current;
      const handle = toHex(randomBytes(16));
      this.#store.disclosures.addIncoming({
        id: handle,
        ...key,
        digest,
        purpose: fwd.purpose,
        caseRef: fwd.caseRef,
        legalBasis: fwd.legalBasis,
        fields: fwd.fields,
        justification: v.claim.justification,
        recordId: v.recordId,
        cls: v.cls,
        claimKind: Object.keys(v.claim.claim)[0] ?? '',
        score: v.score,
        analystBoxPub: fwd.analystBoxPub,
        receivedAt: now,
        deadline: now + p.disclosure.deadlineHours * 3_600_000,
      });
      this.#audit.append({ kind: 'disclosure.queued', requestId: fwd.id, country: fwd.from, analyst: fwd.analyst, cls: v.cls, purpose: fwd.purpose });
      const auto = autoApprovedFields(p, v.record.dataset, fwd.from, fwd.purpose, fwd.fields);
      if (auto.length > 0) {
        this.#decide(handle, 'approved', { fields: auto, by: 'policy' });
        this.#audit.append({ kind: 'disclosure.auto-approved', requestId: fwd.id, country: fwd.from, analyst: fwd.analyst, count: auto.length });
      }
    });
  }

  list(filter: 'pending' | 'decided' | 'all' = 'all', limit = 500): DisclosureView[] {
    this.expireDue();
    return this.#store.disclosures.listIncoming(filter, limit).map((r) => this.#view(r));
  }

  /**
   * A request by this node's handle, or by the requester's id when exactly one request carries it (the
   * id an analyst quotes); several requesters' requests with that id make it ambiguous: `conflict`,
   * use the handle.
   */
  get(ref: string): DisclosureView | undefined {
    this.expireDue();
    const id = this.#resolve(ref);
    const r = id === undefined ? undefined : this.#store.disclosures.incoming(id);
    return r ? this.#view(r) : undefined;
  }

  /** Approve with a subset of the requested fields. Repeating the same decision is a no-op. */
  approve(ref: string, fields: readonly DisclosureField[], owner: string): DisclosureView {
    if (fields.length === 0) throw new VeilError('bad_request', 'choose at least one field (or deny)');
    for (const f of fields) if (!(DISCLOSURE_FIELDS as readonly string[]).includes(f)) throw new VeilError('bad_request', `unknown field ${f}`);
    return this.#store.tx(() => {
      const id = this.#resolved(ref);
      this.#decide(id, 'approved', { fields: [...new Set(fields)], by: owner });
      return this.#decided(id);
    });
  }

  deny(ref: string, reason: string, owner: string): DisclosureView {
    const r = reason.trim();
    if (r.length === 0 || r.length > 2000) throw new VeilError('bad_request', 'a denial needs a reason (1–2000 characters)');
    return this.#store.tx(() => {
      const id = this.#resolved(ref);
      this.#decide(id, 'denied', { reason: r, by: owner });
      return this.#decided(id);
    });
  }

  /** Expire pending requests past their deadline; returns how many expired. */
  expireDue(): number {
    const now = this.#clock.now();
    const due = this.#store.disclosures.dueIncoming(now);
    if (due.length === 0) return 0;
    this.#store.tx(() => {
      for (const id of due) this.#decide(id, 'expired', { by: 'deadline' });
    });
    return due.length;
  }

  #decide(id: string, status: 'approved' | 'denied' | 'expired', d: { fields?: DisclosureField[]; reason?: string; by: string }): void {
    const r = this.#store.disclosures.incoming(id);
    if (!r) throw new VeilError('not_found', 'no such request');
    if (r.status !== 'pending') {
      const same =
        r.status === status &&
        (status !== 'approved' || JSON.stringify([...(r.releasedFields ?? [])].sort()) === JSON.stringify([...(d.fields ?? [])].sort())) &&
        (status !== 'denied' || r.reason === d.reason);
      if (same) return; // idempotent repeat
      throw new VeilError('conflict', `request already ${r.status}`);
    }
    const now = this.#clock.now();
    if (d.fields) for (const f of d.fields) if (!r.fields.includes(f)) throw new VeilError('bad_request', `field ${f} was not requested`);
    this.#store.disclosures.decideIncoming(id, { status, decidedAt: now, decidedBy: d.by, releasedFields: d.fields ?? null, reason: d.reason ?? null });
    let sealed: Uint8Array | undefined;
    if (status !== 'expired') {
      const stored = this.#store.records.get(r.recordId);
      const record = stored ? (JSON.parse(stored.body) as VeilRecord) : undefined;
      const release: SealedRelease =
        status === 'approved'
          ? { id: r.requestId, ...(record ? { handling: record.handling as Handling, fields: releaseFields(record, d.fields ?? []) } : {}), decidedAt: now }
          : { id: r.requestId, reason: d.reason ?? '', decidedAt: now };
      sealed = sealTo(r.analystBoxPub, encode(release));
    }
    // The decision names the request by its requester's key: its id, for that analyst, to that country.
    this.#send(r.requester, { id: r.requestId, analyst: r.analyst, status, cls: r.cls, ...(sealed ? { sealed } : {}) });
    this.#audit.append({
      kind: status === 'approved' ? 'disclosure.approved' : status === 'denied' ? 'disclosure.denied' : 'disclosure.expired',
      requestId: r.requestId,
      country: r.requester,
      analyst: r.analyst,
      owner: d.by,
      ...(d.fields ? { count: d.fields.length } : {}),
    });
  }

  /** The handle `ref` names: a handle, a requester's request id, or a unique prefix of a handle. */
  #resolve(ref: string): string | undefined {
    if (this.#store.disclosures.incoming(ref)) return ref;
    const byRequestId = this.#store.disclosures.incomingByRequestId(ref);
    if (byRequestId.length > 1) throw new VeilError('conflict', 'several requesters used this request id: use the handle');
    if (byRequestId[0] !== undefined) return byRequestId[0];
    if (ref.length < MIN_PREFIX || !/^[A-Za-z0-9]+$/.test(ref)) return undefined;
    const byPrefix = this.#store.disclosures.incomingByPrefix(ref);
    if (byPrefix.length > 1) throw new VeilError('conflict', `several requests start with ${ref}`, { hint: 'give more characters of the id' });
    return byPrefix[0];
  }

  #resolved(ref: string): string {
    const id = this.#resolve(ref);
    if (id === undefined) throw new VeilError('not_found', `no request ${ref}`, { hint: 'the ids (or their first characters) are in `veil approvals list`' });
    return id;
  }

  #send(to: string, d: Omit<DisclosureDecision, 't' | 'ts' | 'from' | 'to'>): void {
    queueSigned({ country: this.#country, store: this.#store, keys: this.#keys, clock: this.#clock }, to, {
      t: 'disclosure-decision',
      ts: this.#clock.now(),
      from: this.#country,
      to,
      ...d,
    });
  }

  #decided(id: string): DisclosureView {
    const v = this.get(id);
    if (!v) throw new VeilError('not_found', 'no such request');
    return v;
  }

  #view(r: IncomingDisclosure): DisclosureView {
    const stored = this.#store.records.get(r.recordId);
    const { analystBoxPub: _box, ...view } = r;
    return { ...view, record: stored ? (JSON.parse(stored.body) as VeilRecord) : null };
  }
}
