/**
 * The requesting side of a disclosure, at the analyst's own node: the analyst's signed request is
 * checked (its box key must be the one registered for that analyst, so releases can only be sealed to
 * the account that asked), recorded, re-signed by the node and queued for the owner's mailbox in one
 * transaction. Decisions coming back are verified against the owner's signing key and kept for the
 * analyst to collect; the node cannot open the sealed release.
 */
import { randomBytes, toHex, equalBytes } from '#crypto';
import { encode, signEnvelope, type DisclosureDecision, type DisclosureRequest, type DisclosureStatus, type DisclosureField, type ForwardedDisclosure, type Envelope, VeilError, keyId } from '#protocol';
import type { AuditLog, Clock } from '#platform';
import type { MemberDirectory } from '#sdk';
import type { NodeRepositories } from '../store/repositories.ts';
import type { NodeKeys } from '../config.ts';

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
   * Record the request and queue it for the owner's mailbox; a repeat of a stored id returns the
   * stored status.
   *
   * Deviation from the idempotency rule (known by (analyst, id), same content → first outcome, other
   * content → `conflict`): requests are stored by id alone, so another analyst's id is a `conflict`
   * rather than a separate request, and a repeat with different content returns the first status
   * instead of `conflict`. Both are harmless at the requesting node (ids are 128-bit random).
   */
  submit(analyst: string, req: DisclosureRequest): { id: string; status: DisclosureStatus } {
    const a = this.#store.analysts.get(analyst);
    if (!a) throw new VeilError('unauthenticated');
    if (!equalBytes(a.boxPub, req.analystBoxPub)) throw new VeilError('forbidden', 'box key differs from the analyst account');
    if (req.to === this.#country) throw new VeilError('bad_request', 'disclosure from the own country goes through national channels');
    if (!this.#members.get(req.to)) throw new VeilError('unknown_member', 'owner country');
    return this.#store.tx(() => {
      const existing = this.#store.disclosures.outgoing(req.id);
      if (existing) {
        if (existing.analyst !== analyst) throw new VeilError('conflict', 'request id in use');
        return { id: req.id, status: existing.status };
      }
      const fwd: ForwardedDisclosure = {
        t: 'fwd-disclosure',
        id: req.id,
        ts: this.#clock.now(),
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
      const now = this.#clock.now();
      this.#store.disclosures.addOutgoing({ id: req.id, analyst, owner: req.to, fields: req.fields }, now);
      this.#store.mail.queue({ mid: toHex(randomBytes(16)), recipient: req.to, env: encode(signEnvelope(this.#keys.signing, keyId.node(this.#country), fwd)) }, now);
      this.#audit.append({ kind: 'disclosure.requested', requestId: req.id, country: req.to, analyst, purpose: req.purpose, legalBasis: req.legalBasis, count: req.fields.length });
      return { id: req.id, status: 'sent' as const };
    });
  }

  /** A decision arrived (inside the mail transaction). */
  onDecision(d: DisclosureDecision, env: Envelope): void {
    const row = this.#store.disclosures.outgoing(d.id);
    if (!row || row.owner !== d.from || row.analyst !== d.analyst) {
      this.#audit.append({ kind: 'disclosure.received', requestId: d.id, country: d.from, status: 'unmatched' });
      return;
    }
    if (row.status !== 'sent' && row.status !== 'pending') return; // already final: keep the first decision
    this.#store.disclosures.settleOutgoing(d.id, d.status, encode(env));
    this.#audit.append({ kind: 'disclosure.received', requestId: d.id, country: d.from, analyst: d.analyst, status: d.status });
  }

  list(analyst: string): OutgoingRow[] {
    return this.#store.disclosures
      .listOutgoing(analyst, 10_000)
      .map((r) => ({ id: r.id, to: r.owner, status: r.status, createdAt: r.createdAt, fields: r.fields, decision: r.decision }));
  }
}
