/**
 * The requesting side of a disclosure, at the analyst's own node: the analyst's signed request is
 * checked (its box key must be the one registered for that analyst, so releases can only be sealed to
 * the account that asked), recorded, re-signed by the node and queued for the owner's mailbox in one
 * transaction. Decisions coming back are verified against the owner's signing key and kept for the
 * analyst to collect; the node cannot open the sealed release.
 */
import { randomBytes, toHex, equalBytes } from '#crypto';
import { encode, signEnvelope, type DisclosureDecision, type DisclosureRequest, type DisclosureStatus, type DisclosureField, type ForwardedDisclosure, type Envelope, VeilError, keyId } from '#protocol';
import type { AuditLog } from '#platform';
import type { MemberDirectory } from '#sdk';
import type { NodeStore } from '../store/sqlite-store.ts';
import type { NodeKeys } from '../config.ts';

export interface OutgoingRow {
  id: string;
  to: string;
  status: DisclosureStatus;
  createdAt: number;
  fields: DisclosureField[];
  decision: Uint8Array | null;
}

export class DisclosureOutbox {
  constructor(
    readonly country: string,
    readonly store: NodeStore,
    readonly keys: NodeKeys,
    readonly members: MemberDirectory,
    readonly audit: AuditLog,
  ) {}

  /** Idempotent by request id: a repeated submission returns the stored status. */
  submit(analyst: string, req: DisclosureRequest): { id: string; status: DisclosureStatus } {
    const a = this.store.analyst(analyst);
    if (!a) throw new VeilError('unauthenticated');
    if (!equalBytes(a.boxPub, req.analystBoxPub)) throw new VeilError('forbidden', 'box key differs from the analyst account');
    if (req.to === this.country) throw new VeilError('bad_request', 'disclosure from the own country goes through national channels');
    if (!this.members.get(req.to)) throw new VeilError('unknown_member', 'owner country');
    return this.store.tx(() => {
      const existing = this.store.db.prepare('SELECT analyst, status FROM disclosures_out WHERE id = ?').get(req.id) as { analyst: string; status: DisclosureStatus } | undefined;
      if (existing) {
        if (existing.analyst !== analyst) throw new VeilError('conflict', 'request id in use');
        return { id: req.id, status: existing.status };
      }
      const fwd: ForwardedDisclosure = {
        t: 'fwd-disclosure',
        id: req.id,
        ts: Date.now(),
        from: this.country,
        analyst,
        to: req.to,
        purpose: req.purpose,
        caseRef: req.caseRef,
        legalBasis: req.legalBasis,
        fields: req.fields,
        analystBoxPub: req.analystBoxPub,
        sealedClaim: req.sealedClaim,
      };
      this.store.db
        .prepare("INSERT INTO disclosures_out (id, analyst, owner, fields, status, created_at) VALUES (?, ?, ?, ?, 'sent', ?)")
        .run(req.id, analyst, req.to, JSON.stringify(req.fields), Date.now());
      this.store.mailQueue(toHex(randomBytes(16)), req.to, encode(signEnvelope(this.keys.signing, keyId.node(this.country), fwd)));
      this.audit.append({ kind: 'disclosure.requested', requestId: req.id, country: req.to, analyst, purpose: req.purpose, legalBasis: req.legalBasis, count: req.fields.length });
      return { id: req.id, status: 'sent' as const };
    });
  }

  /** A decision arrived (inside the mail transaction). */
  onDecision(d: DisclosureDecision, env: Envelope): void {
    const row = this.store.db.prepare('SELECT owner, analyst, status FROM disclosures_out WHERE id = ?').get(d.id) as
      | { owner: string; analyst: string; status: DisclosureStatus }
      | undefined;
    if (!row || row.owner !== d.from || row.analyst !== d.analyst) {
      this.audit.append({ kind: 'disclosure.received', requestId: d.id, country: d.from, status: 'unmatched' });
      return;
    }
    if (row.status !== 'sent' && row.status !== 'pending') return; // already final: keep the first decision
    this.store.db.prepare('UPDATE disclosures_out SET status = ?, decision = ? WHERE id = ?').run(d.status, encode(env), d.id);
    this.audit.append({ kind: 'disclosure.received', requestId: d.id, country: d.from, analyst: d.analyst, status: d.status });
  }

  list(analyst: string): OutgoingRow[] {
    const rows = this.store.db
      .prepare('SELECT id, owner, status, created_at, fields, decision FROM disclosures_out WHERE analyst = ? ORDER BY created_at DESC LIMIT 10000')
      .all(analyst) as Array<{ id: string; owner: string; status: DisclosureStatus; created_at: number; fields: string; decision: Uint8Array | null }>;
    return rows.map((r) => ({ id: r.id, to: r.owner, status: r.status, createdAt: r.created_at, fields: JSON.parse(r.fields) as DisclosureField[], decision: r.decision }));
  }
}
