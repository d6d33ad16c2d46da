/**
 * SQLite repository of disclosures at a node: requests received from other countries for this node's
 * data owners (`disclosures_in`, with their decisions, and `disclosures_in_rejected` for those refused
 * before any officer saw them), and requests this node's analysts sent abroad (`disclosures_out`, with
 * the owners' signed decisions once they arrive).
 *
 * Request ids are the requester's, so they are scoped: incoming requests are unique by (requester,
 * analyst, request id) and carry this node's own handle for officers; outgoing ones by (analyst, id).
 */
import type { Db } from '#platform';
import type { BioModality, DisclosureField, DisclosureStatus, MatchClass, Purpose } from '#protocol';
import type {
  DisclosuresRepository,
  IncomingDecision,
  IncomingDisclosure,
  IncomingKey,
  IncomingStatus,
  NewIncomingDisclosure,
  OutgoingDisclosure,
  OutgoingKey,
  SeenIncoming,
} from './repositories.ts';
import { blob, type Prepared, prepared } from './statement.ts';

interface IncomingSql {
  id: string;
  requester: string;
  analyst: string;
  request_id: string;
  purpose: string;
  case_ref: string;
  legal_basis: string;
  fields: string;
  justification: string;
  record_id: string;
  cls: string;
  claim_kind: string;
  score: number | null;
  analyst_box_pub: Uint8Array;
  status: IncomingStatus;
  received_at: number;
  deadline: number;
  decided_at: number | null;
  decided_by: string | null;
  released_fields: string | null;
  reason: string | null;
}

interface OutgoingSql {
  id: string;
  analyst: string;
  digest: Uint8Array;
  owner: string;
  fields: string;
  status: DisclosureStatus;
  created_at: number;
  decision: Uint8Array | null;
}

const fieldList = (json: string): DisclosureField[] => JSON.parse(json) as DisclosureField[];

function toIncoming(r: IncomingSql): IncomingDisclosure {
  return {
    id: r.id,
    requester: r.requester,
    analyst: r.analyst,
    requestId: r.request_id,
    purpose: r.purpose as Purpose,
    caseRef: r.case_ref,
    legalBasis: r.legal_basis,
    fields: fieldList(r.fields),
    justification: r.justification,
    recordId: r.record_id,
    cls: r.cls as MatchClass | BioModality,
    claimKind: r.claim_kind,
    score: r.score,
    analystBoxPub: blob(r.analyst_box_pub),
    status: r.status,
    receivedAt: r.received_at,
    deadline: r.deadline,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    releasedFields: r.released_fields === null ? null : fieldList(r.released_fields),
    reason: r.reason,
  };
}

const toOutgoing = (r: OutgoingSql): OutgoingDisclosure => ({
  analyst: r.analyst,
  id: r.id,
  digest: blob(r.digest),
  owner: r.owner,
  fields: fieldList(r.fields),
  status: r.status,
  createdAt: r.created_at,
  decision: r.decision === null ? null : blob(r.decision),
});

const INCOMING_COLUMNS =
  'id, requester, analyst, request_id, purpose, case_ref, legal_basis, fields, justification, record_id, cls, claim_kind, score, analyst_box_pub, status, received_at, deadline, decided_at, decided_by, released_fields, reason';
const OUTGOING_COLUMNS = 'analyst, id, digest, owner, fields, status, created_at, decision';

type IncomingParams = [
  string,
  string,
  string,
  string,
  Uint8Array,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  number | null,
  Uint8Array,
  number,
  number,
];

export class SqliteDisclosures implements DisclosuresRepository {
  readonly #addIncoming: Prepared<IncomingParams>;
  readonly #addRejected: Prepared<[string, string, string, Uint8Array, string, number]>;
  readonly #seenQueued: Prepared<[string, string, string], { id: string; digest: Uint8Array }>;
  readonly #seenRejected: Prepared<[string, string, string], { code: string; digest: Uint8Array }>;
  readonly #incoming: Prepared<[string], IncomingSql>;
  readonly #byRequestId: Prepared<[string], { id: string }>;
  readonly #byPrefix: Prepared<[string, string], { id: string }>;
  readonly #pending: Prepared<[number], IncomingSql>;
  readonly #decided: Prepared<[number], IncomingSql>;
  readonly #all: Prepared<[number], IncomingSql>;
  readonly #due: Prepared<[number], { id: string }>;
  readonly #decide: Prepared<[IncomingStatus, number, string, string | null, string | null, string]>;
  readonly #outgoing: Prepared<[string, string], OutgoingSql>;
  readonly #addOutgoing: Prepared<[string, string, Uint8Array, string, string, number]>;
  readonly #settle: Prepared<[DisclosureStatus, Uint8Array, string, string]>;
  readonly #listOutgoing: Prepared<[string, number], OutgoingSql>;

  constructor(db: Db) {
    this.#addIncoming = prepared(
      db,
      `INSERT OR IGNORE INTO disclosures_in (id, requester, analyst, request_id, digest, purpose, case_ref, legal_basis, fields, justification,
         record_id, cls, claim_kind, score, analyst_box_pub, status, received_at, deadline)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    this.#addRejected = prepared(
      db,
      'INSERT OR IGNORE INTO disclosures_in_rejected (requester, analyst, request_id, digest, code, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#seenQueued = prepared(db, 'SELECT id, digest FROM disclosures_in WHERE requester = ? AND analyst = ? AND request_id = ?');
    this.#seenRejected = prepared(db, 'SELECT code, digest FROM disclosures_in_rejected WHERE requester = ? AND analyst = ? AND request_id = ?');
    this.#incoming = prepared(db, `SELECT ${INCOMING_COLUMNS} FROM disclosures_in WHERE id = ?`);
    this.#byRequestId = prepared(db, 'SELECT id FROM disclosures_in WHERE request_id = ? ORDER BY received_at, id LIMIT 16');
    // A range on the primary key: handles are ASCII letters and digits, all sorting below '~'.
    this.#byPrefix = prepared(db, 'SELECT id FROM disclosures_in WHERE id >= ? AND id < ? ORDER BY id LIMIT 2');
    this.#pending = prepared(db, `SELECT ${INCOMING_COLUMNS} FROM disclosures_in WHERE status = 'pending' ORDER BY deadline ASC LIMIT ?`);
    this.#decided = prepared(
      db,
      `SELECT ${INCOMING_COLUMNS} FROM disclosures_in WHERE status <> 'pending' ORDER BY COALESCE(decided_at, received_at) DESC LIMIT ?`,
    );
    this.#all = prepared(db, `SELECT ${INCOMING_COLUMNS} FROM disclosures_in ORDER BY COALESCE(decided_at, received_at) DESC LIMIT ?`);
    this.#due = prepared(db, "SELECT id FROM disclosures_in WHERE status = 'pending' AND deadline <= ?");
    this.#decide = prepared(db, 'UPDATE disclosures_in SET status = ?, decided_at = ?, decided_by = ?, released_fields = ?, reason = ? WHERE id = ?');
    this.#outgoing = prepared(db, `SELECT ${OUTGOING_COLUMNS} FROM disclosures_out WHERE analyst = ? AND id = ?`);
    this.#addOutgoing = prepared(db, "INSERT INTO disclosures_out (analyst, id, digest, owner, fields, status, created_at) VALUES (?, ?, ?, ?, ?, 'sent', ?)");
    this.#settle = prepared(db, 'UPDATE disclosures_out SET status = ?, decision = ? WHERE analyst = ? AND id = ?');
    this.#listOutgoing = prepared(db, `SELECT ${OUTGOING_COLUMNS} FROM disclosures_out WHERE analyst = ? ORDER BY created_at DESC LIMIT ?`);
  }

  addIncoming(d: NewIncomingDisclosure): boolean {
    return (
      this.#addIncoming.run(
        d.id,
        d.requester,
        d.analyst,
        d.requestId,
        d.digest,
        d.purpose,
        d.caseRef,
        d.legalBasis,
        JSON.stringify(d.fields),
        d.justification,
        d.recordId,
        d.cls,
        d.claimKind,
        d.score,
        d.analystBoxPub,
        d.receivedAt,
        d.deadline,
      ).changes === 1
    );
  }

  addRejectedIncoming(key: IncomingKey, digest: Uint8Array, code: string, now: number): void {
    this.#addRejected.run(key.requester, key.analyst, key.requestId, digest, code, now);
  }

  seenIncoming(key: IncomingKey): SeenIncoming | undefined {
    const q = this.#seenQueued.get(key.requester, key.analyst, key.requestId);
    if (q) return { digest: blob(q.digest), outcome: { queued: q.id } };
    const r = this.#seenRejected.get(key.requester, key.analyst, key.requestId);
    return r ? { digest: blob(r.digest), outcome: { rejected: r.code } } : undefined;
  }

  incoming(id: string): IncomingDisclosure | undefined {
    const r = this.#incoming.get(id);
    return r ? toIncoming(r) : undefined;
  }

  incomingByRequestId(requestId: string): string[] {
    return this.#byRequestId.all(requestId).map((r) => r.id);
  }

  incomingByPrefix(prefix: string): string[] {
    return this.#byPrefix.all(prefix, `${prefix}~`).map((r) => r.id);
  }

  listIncoming(filter: 'pending' | 'decided' | 'all', limit: number): IncomingDisclosure[] {
    const q = filter === 'pending' ? this.#pending : filter === 'decided' ? this.#decided : this.#all;
    return q.all(limit).map(toIncoming);
  }

  dueIncoming(now: number): string[] {
    return this.#due.all(now).map((r) => r.id);
  }

  decideIncoming(id: string, d: IncomingDecision): void {
    this.#decide.run(d.status, d.decidedAt, d.decidedBy, d.releasedFields ? JSON.stringify(d.releasedFields) : null, d.reason, id);
  }

  outgoing(key: OutgoingKey): OutgoingDisclosure | undefined {
    const r = this.#outgoing.get(key.analyst, key.id);
    return r ? toOutgoing(r) : undefined;
  }

  addOutgoing(d: Omit<OutgoingDisclosure, 'status' | 'createdAt' | 'decision'>, now: number): void {
    this.#addOutgoing.run(d.analyst, d.id, d.digest, d.owner, JSON.stringify(d.fields), now);
  }

  settleOutgoing(key: OutgoingKey, status: DisclosureStatus, decision: Uint8Array): void {
    this.#settle.run(status, decision, key.analyst, key.id);
  }

  listOutgoing(analyst: string, limit: number): OutgoingDisclosure[] {
    return this.#listOutgoing.all(analyst, limit).map(toOutgoing);
  }
}
