/**
 * The coordinator's storage as repositories, one per aggregate: members, the PSI index (with its
 * publication state), mailboxes and meta, plus the audit sink of the same database.
 *
 * These interfaces are what the coordinator's services depend on, so another database can stand in for
 * SQLite by implementing them and passing the shared suite (`store-suite.ts`). Two rules make that
 * possible:
 * - every method returns a Promise (drivers of server databases are asynchronous);
 * - every write that must be atomic is ONE method, one transaction — "store this mail and its audit
 *   entry" is a single call. No caller holds a transaction open across an `await`.
 *
 * Nothing here holds an identifier, embedding, score or record in the clear: tags are pseudorandom OPRF
 * outputs, tokens and mail bodies are ciphertexts only their recipients can open.
 */
import type { AuditEntry } from '#platform';
import type { LookupResult } from '#protocol';

export type MemberStatus = 'active' | 'suspended' | 'revoked';

export interface MemberRow {
  readonly country: string;
  /** The signing key its certificate names. */
  readonly signPub: Uint8Array;
  /** Milliseconds since the epoch: when it first logged in with a certificate. */
  readonly admittedAt: number;
  /** Its member certificate as it presented it at its last login (an encoded envelope). */
  readonly cert: Uint8Array | null;
  /** Its last descriptor (an encoded envelope, signed by the certified key), once it has sent one. */
  readonly descriptor: Uint8Array | null;
  readonly status: MemberStatus;
}

/** A member that logged in with a valid certificate. */
export interface Admission {
  readonly country: string;
  readonly signPub: Uint8Array;
  /** The encoded member-certificate envelope. */
  readonly cert: Uint8Array;
}

export interface MembersRepository {
  /** A member of any status. */
  get(country: string): Promise<MemberRow | undefined>;
  /** Active members, by country code. */
  listActive(): Promise<MemberRow[]>;
  /**
   * Record a member that logged in with a valid certificate: its key and certificate, active. A new key
   * (the member was certified again) drops its old descriptor, which that key did not sign. `audit` is
   * written in the same transaction when given.
   */
  admit(admission: Admission, audit?: AuditEntry): Promise<void>;
  /** Change a member's status (and write `audit` with it); false if there is no such member. */
  setStatus(country: string, status: MemberStatus, audit?: AuditEntry): Promise<boolean>;
  setDescriptor(country: string, envelope: Uint8Array): Promise<void>;
}

/** One index entry: a pseudorandom tag and the ciphertext token filed under it. */
export type IndexEntry = readonly [tag: Uint8Array, token: Uint8Array];

export interface IndexChunk {
  readonly country: string;
  readonly epoch: number;
  readonly seq: number;
  readonly adds: readonly IndexEntry[];
  readonly removes: readonly IndexEntry[];
  /** The last chunk of the epoch: the epoch is complete and older ones may be dropped. */
  readonly final: boolean;
  /** The node's signed commitment to the index after this chunk (encoded envelope), and what it says. */
  readonly commitment: { readonly envelope: Uint8Array; readonly root: Uint8Array; readonly count: number };
}

export interface PublishState {
  readonly lastSeq: number;
  readonly complete: boolean;
}

export interface IndexLookupItem {
  readonly country: string;
  readonly epoch: number;
  /** The buckets (first two tag bytes) asked for. */
  readonly buckets: readonly number[];
}

export interface PsiIndexRepository {
  /**
   * Apply one publish chunk atomically, with `audit` in the same transaction. Chunks arrive in sequence
   * per (country, epoch); a chunk at or below the last applied one is a retransmission: 'duplicate',
   * no effect, no audit entry. The store recomputes the commitment tree of the touched buckets and
   * refuses the chunk (`bad_proof`, nothing applied) when its root or entry count differs from the
   * node's signed commitment, which it keeps as the epoch's current one. The final chunk completes the
   * epoch; the index keeps it and the previous complete epoch (queries evaluated just before a rotation
   * still find their entries) and drops older ones.
   */
  applyChunk(chunk: IndexChunk, audit: AuditEntry): Promise<'applied' | 'duplicate'>;
  /**
   * Complete buckets with their paths and the epoch's current commitment, one result per item that has
   * a commitment, in request order (an epoch never published is left out: the analyst's SDK accepts
   * that only from a node whose answer says it has published nothing).
   */
  lookup(items: readonly IndexLookupItem[]): Promise<LookupResult[]>;
  publishState(country: string, epoch: number): Promise<PublishState | undefined>;
  /** Number of entries of one epoch. */
  size(country: string, epoch: number): Promise<number>;
}

export interface MailItem {
  /** The sender's message id: a retransmission carries the same one. */
  readonly mid: string;
  readonly recipient: string;
  readonly sender: string;
  /** The sealed, signed envelope, encoded. */
  readonly body: Uint8Array;
}

export interface PendingMail {
  readonly mid: string;
  readonly sender: string;
  readonly body: Uint8Array;
}

/** A cap on undelivered mail: items and encoded bytes. */
export interface MailAllowance {
  readonly items: number;
  readonly bytes: number;
}

/** How much undelivered mail one sender may have waiting: for one recipient, and for all together. */
export interface SenderQuota {
  readonly perRecipient: MailAllowance;
  readonly total: MailAllowance;
}

/** Undelivered mail of one sender: to one recipient, and to all together. */
export interface SenderUsage {
  readonly toRecipient: { readonly items: number; readonly bytes: number };
  readonly total: { readonly items: number; readonly bytes: number };
}

export interface MailboxRepository {
  /**
   * Store a mail item once, with `audit`, in one transaction. A repeated `mid` is a retransmission:
   * 'duplicate', no audit. With `quota`, an item that would take its sender's undelivered mail (to this
   * recipient, or in total) past the quota is not stored: 'over_quota', no audit (the caller records
   * the refusal). The check and the insert are one transaction, so concurrent stores cannot overshoot.
   */
  store(item: MailItem, audit: AuditEntry, quota?: SenderQuota): Promise<'stored' | 'duplicate' | 'over_quota'>;
  /** Undelivered mail of one recipient, oldest first. */
  pending(recipient: string, limit?: number): Promise<PendingMail[]>;
  /** Undelivered mail of `sender`, to `recipient` and in total. */
  usage(sender: string, recipient: string): Promise<SenderUsage>;
  /**
   * Mark mail delivered and drop its ciphertext (the metadata row stays for accounting), writing
   * `audit(mid)` for each item newly delivered, all in one transaction. Returns the newly delivered mids.
   */
  markDelivered(recipient: string, mids: readonly string[], audit: (mid: string) => AuditEntry): Promise<string[]>;
  counts(): Promise<{ pending: number; delivered: number }>;
}

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** The party's audit log, as the coordinator uses it. */
export interface AuditSink {
  /** Append entries in order, in one transaction. */
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** Sign the log's head now. */
  checkpoint(): Promise<void>;
}

export interface CoordinatorStore {
  readonly members: MembersRepository;
  readonly index: PsiIndexRepository;
  readonly mailboxes: MailboxRepository;
  readonly meta: MetaRepository;
  /** The audit log kept in the same database, so audited writes above commit with their entry. */
  readonly audit: AuditSink;
  close(): Promise<void>;
}
