/**
 * The requesting side of a disclosure, at the analyst's own node: the analyst's signed request is
 * checked (its box key must be the one registered for that analyst, so releases can only be sealed to
 * the account that asked), recorded, re-signed by the node and queued for the owner's mailbox in one
 * transaction with its audit entry. Decisions coming back (verified by the mail layer against the
 * owner's signing key) are kept for the analyst to collect; the node cannot open the sealed release.
 *
 * Requests follow the idempotency rule: known by (analyst, id), so analysts' ids never meet; a repeat
 * with the same content (`outgoingDigest`) returns the stored status, other content is `conflict`.
 * Decisions are matched by the same key — the decision's analyst and id — and must come from the
 * country the request went to.
 */
import { equalBytes } from '#crypto';
import type { AuditLog, Clock } from '#platform';
import {
  type DisclosureDecision,
  type DisclosureField,
  type DisclosureRequest,
  type DisclosureStatus,
  type Envelope,
  encode,
  type ForwardedDisclosure,
  VeilError,
} from '#protocol';
import type { MemberDirectory } from '#sdk';
import type { NodeKeys } from '../config.ts';
import type { NodeRepositories } from '../store/repositories.ts';
import { queueSigned } from './mail-item.ts';
import { outgoingDigest } from './request-digest.ts';

export interface OutgoingRow {
  id: string;
  to: string;
  status: DisclosureStatus;
  createdAt: number;
  fields: DisclosureField[];
  decision: Uint8Array | null;
}

export interface DisclosureOutboxDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  members: Pick<MemberDirectory, 'get'>;
  audit: AuditLog;
  clock: Pick<Clock, 'now'>;
}

export class DisclosureOutbox {
  readonly #country: string;
  readonly #store: NodeRepositories;
  readonly #keys: NodeKeys;
  readonly #members: Pick<MemberDirectory, 'get'>;
  readonly #audit: AuditLog;
  readonly #clock: Pick<Clock, 'now'>;

  constructor(deps: DisclosureOutboxDeps) {
    this.#country = deps.country;
    this.#store = deps.store;
    this.#keys = deps.keys;
    this.#members = deps.members;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  /**
   * Record the request and queue it for the owner's mailbox; a repeat of a stored (analyst, id) with
   * the same content returns the stored status, with other content it is `conflict`.
   */
  submit(analyst: string, req: DisclosureRequest): { id: string; status: DisclosureStatus } {
    const a = this.#store.analysts.get(analyst);
    if (!a) throw new VeilError('unauthenticated');
    if (!equalBytes(a.boxPub, req.analystBoxPub)) throw new VeilError('forbidden', 'box key differs from the analyst account');
    if (req.to === this.#country) throw new VeilError('bad_request', 'disclosure from the own country goes through national channels');
    if (!this.#members.get(req.to)) throw new VeilError('unknown_member', 'owner country');
    const digest = outgoingDigest(req);
    return this.#store.tx(() => {
      const existing = this.#store.disclosures.outgoing({ analyst, id: req.id });
      if (existing) {
        if (!equalBytes(existing.digest, digest)) throw new VeilError('conflict', 'request id reused with other content');
        return { id: req.id, status: existing.status };
      }
      const now = this.#clock.now();
      const fwd: ForwardedDisclosure = {
        t: 'fwd-disclosure',
        id: req.id,
        ts: now,
        from: this.#country,
        analyst,
        to: req.to,
        purpose: req.purpose,
        caseRef: req.caseRef,
        legalBasis: req.legalBasis,
        fields: req.fields,
        analystBoxPub: req.analystBoxPub,
        sealedClaim: req.sealedClaim,
      };
      this.#store.disclosures.addOutgoing({ analyst, id: req.id, digest, owner: req.to, fields: req.fields }, now);
      queueSigned({ country: this.#country, store: this.#store, keys: this.#keys, clock: this.#clock }, req.to, fwd);
      this.#audit.append({
        kind: 'disclosure.requested',
        requestId: req.id,
        country: req.to,
        analyst,
        purpose: req.purpose,
        legalBasis: req.legalBasis,
        count: req.fields.length,
      });
      return { id: req.id, status: 'sent' as const };
    });
  }

  /**
   * A decision arrived (in one transaction: a savepoint inside the mail layer's). A decision for no
   * request of that analyst at that owner is audited as unmatched and dropped; a second, different
   * decision on a request already decided is `conflict` (the first stands).
   */
  onDecision(d: DisclosureDecision, env: Envelope): void {
    this.#store.tx(() => {
      const key = { analyst: d.analyst, id: d.id };
      const row = this.#store.disclosures.outgoing(key);
      if (!row || row.owner !== d.from) {
        this.#audit.append({ kind: 'disclosure.received', requestId: d.id, country: d.from, status: 'unmatched' });
        return;
      }
      const decision = encode(env);
      if (row.status !== 'sent' && row.status !== 'pending') {
        if (row.decision && equalBytes(row.decision, decision)) return;
        throw new VeilError('conflict', 'request already decided');
      }
      this.#store.disclosures.settleOutgoing(key, d.status, decision);
      this.#audit.append({ kind: 'disclosure.received', requestId: d.id, country: d.from, analyst: d.analyst, status: d.status });
    });
  }

  list(analyst: string): OutgoingRow[] {
    return this.#store.disclosures
      .listOutgoing(analyst, 10_000)
      .map((r) => ({ id: r.id, to: r.owner, status: r.status, createdAt: r.createdAt, fields: r.fields, decision: r.decision }));
  }
}
