/**
 * What a node keeps, as repositories: one per aggregate, each a small synchronous interface over typed
 * objects. Services depend on these interfaces (`NodeRepositories`), not on SQL; `NodeStore` is the
 * SQLite implementation, and `store-suite.ts` is the behaviour every implementation must show.
 *
 * The node's store is embedded and single-country: one process (and the CLI's offline operations on
 * the same file) and synchronous calls, so a service can read, decide and write inside one `tx` without
 * awaiting. Time is never read here: callers pass `now`.
 */
import type { BioModality, BlockStore, DisclosureField, DisclosureStatus, MatchClass, Purpose } from '#protocol';
import type { GalleryBlocksRepository } from './gallery-blocks.ts';

// ---------------------------------------------------------------------------------------------------
// Records, their tags per OPRF epoch, and the publication outbox

export interface StoredRecord {
  id: string;
  kind: string;
  dataset: string;
  handling: string;
  /** Canonical JSON of the record without its biometric templates. */
  body: string;
  digest: Uint8Array;
}

export interface RecordKeyRow {
  epoch: number;
  cls: MatchClass;
  tag: Uint8Array;
  token: Uint8Array;
}

export type EpochState = 'pending' | 'active' | 'retired';

export interface EpochRow {
  epoch: number;
  secret: Uint8Array;
  state: EpochState;
}

export interface OutboxChunk {
  epoch: number;
  /** msgpack of the (tag, token) pairs added and removed. */
  adds: Uint8Array;
  removes: Uint8Array;
  /** The last chunk of a pending epoch: acknowledging it activates the epoch. */
  final: boolean;
  /** Root of the epoch's bucket tree once this chunk is applied (protocol/index-commitment.ts). */
  root: Uint8Array;
  /** Entries of the epoch's index once this chunk is applied. */
  entries: number;
}

export interface OutboxRow extends OutboxChunk {
  seq: number;
}

/**
 * Records and what is published about them: the tags (and hit tokens) of each record per epoch, the
 * OPRF epochs, and the outbox of index chunks the coordinator has not acknowledged yet.
 */
export interface RecordsRepository {
  get(id: string): StoredRecord | undefined;
  count(): number;
  /** Every record, by id. */
  iterate(): IterableIterator<StoredRecord>;
  upsert(r: StoredRecord, now: number): void;
  delete(id: string): void;

  keysOf(recordId: string): RecordKeyRow[];
  /** Add (or replace) one tag of a record. */
  addKey(recordId: string, k: RecordKeyRow): void;
  removeKey(recordId: string, epoch: number, tag: Uint8Array): void;
  keyCount(epoch: number): number;
  /** Every (tag, token) of one epoch whose tag falls in `bucket` (its first two bytes). */
  bucketEntries(epoch: number, bucket: number): Array<[Uint8Array, Uint8Array]>;
  /** The blocks of one epoch's commitment tree. */
  indexBlocks(epoch: number): BlockStore;

  /** Every epoch, oldest first. */
  epochs(): EpochRow[];
  /** The active epoch; `bad_config` if there is none. */
  activeEpoch(): EpochRow;
  /** Epochs whose tags are maintained on import: the active one and a pending rotation, if any. */
  liveEpochs(): EpochRow[];
  addEpoch(epoch: number, secret: Uint8Array, state: EpochState, now: number): void;
  /** Make an epoch current: the previously active one retires; every retired epoch's secret is wiped and its tags and tree dropped. */
  activateEpoch(epoch: number): void;

  /** The oldest unacknowledged chunk. */
  outboxFirst(): OutboxRow | undefined;
  outboxCount(): number;
  /** Append a chunk; chunks are sent in the order they were added. */
  outboxAdd(chunk: OutboxChunk): void;
  outboxDelete(seq: number): void;
}

// ---------------------------------------------------------------------------------------------------
// Analysts, budgets, meta

export interface AnalystRow {
  id: string;
  name: string;
  signPub: Uint8Array;
  boxPub: Uint8Array;
  revoked: boolean;
}

export interface AnalystsRepository {
  get(id: string): AnalystRow | undefined;
  /** Every account (revoked ones too), by name. */
  list(): AnalystRow[];
  /** Add an account; an id already in use throws. */
  add(a: Omit<AnalystRow, 'revoked'>, now: number): void;
  /** Revoke an account; false if there is no such account. */
  revoke(id: string): boolean;
}

/** Units spent per requester key per UTC day (`YYYY-MM-DD`). */
export interface BudgetsRepository {
  used(requester: string, day: string): number;
  /** Every budget key's use on `day`. */
  usage(day: string): Array<{ requester: string; used: number }>;
  /** Add `n` to what `requester` spent on `day`. */
  add(requester: string, day: string, n: number): void;
}

export interface MetaRepository {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

// ---------------------------------------------------------------------------------------------------
// Biometric gallery and the biometric queries answered from it

export interface GalleryRow {
  modality: string;
  position: number;
  /** null (with `vector`) for a freed position, kept so it can be reused. */
  recordId: string | null;
  vector: Float32Array | null;
  /** Order of changes: a running node applies those after the last seq it saw. */
  seq: number;
}

export interface AnsweredBioQuery {
  id: string;
  requester: string;
  modality: string;
  /** Size of the (permuted) position space the answer used. */
  positions: number;
  answeredAt: number;
  /** The analyst the query named (null: answered before this was recorded). */
  analyst: string | null;
  /** Random bytes this node drew for the answer's position permutation (null: answered before they were). */
  permutationNonce: Uint8Array | null;
}

export interface GalleryRepository {
  /** Put (or replace) a record's template and return its position: its own, else the lowest free one, else a new one. Run inside `tx`. */
  set(modality: string, recordId: string, vector: Float32Array): number;
  /** Withdraw a record's template (the position is freed); false if it had none. Run inside `tx`. */
  remove(modality: string, recordId: string): boolean;
  /** Rows changed after `afterSeq`, in change order. */
  changes(afterSeq: number, modality?: string): IterableIterator<GalleryRow>;
  /** The same without the templates: which positions changed, whether they are now held, in change order. */
  changedPositions(afterSeq: number): IterableIterator<{ modality: string; position: number; present: boolean; seq: number }>;
  /** Templates held at positions [from, to) of a modality, in position order. */
  range(modality: string, from: number, to: number): IterableIterator<{ position: number; vector: Float32Array }>;
  at(modality: string, position: number): { recordId: string; vector: Float32Array } | undefined;
  /** Templates held (occupied positions). */
  count(modality: string): number;
  /** Remember an answered query; a second one with the same (requester, id) throws VeilError('conflict'). */
  recordAnswered(q: AnsweredBioQuery): void;
  answered(requester: string, id: string): AnsweredBioQuery | undefined;
}

// ---------------------------------------------------------------------------------------------------
// Store-and-forward mail

export interface QueuedMail {
  mid: string;
  recipient: string;
  /** msgpack of the signed envelope. */
  env: Uint8Array;
}

export interface MailRepository {
  /** Queue a message for sending; a mid already queued is left as it is. */
  queue(m: QueuedMail, now: number): void;
  /** Messages not yet confirmed stored by the coordinator, oldest first. */
  outbox(limit?: number): QueuedMail[];
  outboxCount(): number;
  /** The coordinator stored it: stop resending. */
  sent(mid: string): void;
  /**
   * Record a received mail item; false if it was recorded before (process it exactly once).
   * Deviation from the idempotency rule: items are known by `mid` alone, not by (sender, mid); mids are
   * 128-bit random, chosen by the sending node.
   */
  received(mid: string, sender: string, now: number): boolean;
}

// ---------------------------------------------------------------------------------------------------
// Disclosures: requests received for this node's data owners, and requests this node's analysts sent

export type IncomingStatus = 'pending' | 'approved' | 'denied' | 'expired';

/**
 * How a request from abroad is known (the idempotency rule): the requesting country and its analyst,
 * both authenticated by the requesting node's signature, and the id the analyst chose.
 */
export interface IncomingKey {
  requester: string;
  analyst: string;
  requestId: string;
}

export interface IncomingDisclosure extends IncomingKey {
  /** This node's own handle for the request (what officers, the console and the CLI use). */
  id: string;
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
  analystBoxPub: Uint8Array;
  status: IncomingStatus;
  receivedAt: number;
  deadline: number;
  decidedAt: number | null;
  decidedBy: string | null;
  releasedFields: DisclosureField[] | null;
  reason: string | null;
}

export type NewIncomingDisclosure = Omit<IncomingDisclosure, 'status' | 'decidedAt' | 'decidedBy' | 'releasedFields' | 'reason'> & {
  /** Digest of the request's content: a repeat under the same key must carry the same. */
  digest: Uint8Array;
};

/** What is known of a key already seen: the content's digest and what became of it. */
export interface SeenIncoming {
  digest: Uint8Array;
  /** Queued for officers (with its handle), or rejected before any officer saw it. */
  outcome: { queued: string } | { rejected: string };
}

export interface IncomingDecision {
  status: Exclude<IncomingStatus, 'pending'>;
  decidedAt: number;
  decidedBy: string;
  releasedFields: DisclosureField[] | null;
  reason: string | null;
}

/** How a request of this node's analysts is known: the analyst and the id it chose. */
export interface OutgoingKey {
  analyst: string;
  id: string;
}

export interface OutgoingDisclosure extends OutgoingKey {
  /** Digest of what was asked (without the per-send fields): a repeat must carry the same. */
  digest: Uint8Array;
  /** The owning country the request went to. */
  owner: string;
  fields: DisclosureField[];
  status: DisclosureStatus;
  createdAt: number;
  /** msgpack of the owner's signed decision envelope, once it arrived. */
  decision: Uint8Array | null;
}

export interface DisclosuresRepository {
  /**
   * Queue a request received from abroad as `pending`; false (and nothing written) if its key
   * (requester, analyst, request id) or its handle is known.
   */
  addIncoming(d: NewIncomingDisclosure): boolean;
  /** Remember a request refused before any officer saw it, under its key. */
  addRejectedIncoming(key: IncomingKey, digest: Uint8Array, code: string, now: number): void;
  /** Whether a key was seen, queued or rejected. */
  seenIncoming(key: IncomingKey): SeenIncoming | undefined;
  /** A queued request by this node's handle. */
  incoming(id: string): IncomingDisclosure | undefined;
  /** Handles of the queued requests carrying this request id (of any requester). */
  incomingByRequestId(requestId: string): string[];
  /** Handles that start with `prefix` (at most two: enough to tell unique from ambiguous). */
  incomingByPrefix(prefix: string): string[];
  /** Pending by deadline (soonest first); decided by decision time (latest first); all likewise. */
  listIncoming(filter: 'pending' | 'decided' | 'all', limit: number): IncomingDisclosure[];
  /** Handles of pending requests whose deadline is at or before `now`. */
  dueIncoming(now: number): string[];
  /** Record the decision on a request (the caller checked it is pending). */
  decideIncoming(id: string, d: IncomingDecision): void;

  outgoing(key: OutgoingKey): OutgoingDisclosure | undefined;
  /** Record a request sent by an analyst, with status `sent`; a key already in use throws. */
  addOutgoing(d: Omit<OutgoingDisclosure, 'status' | 'createdAt' | 'decision'>, now: number): void;
  /** Store the decision that came back for a request. */
  settleOutgoing(key: OutgoingKey, status: DisclosureStatus, decision: Uint8Array): void;
  /** An analyst's requests, newest first. */
  listOutgoing(analyst: string, limit: number): OutgoingDisclosure[];
}

// ---------------------------------------------------------------------------------------------------
// Data owners (approval console accounts) and their sessions

export interface OwnerAccount {
  id: string;
  name: string;
  /** Argon2id hash (libsodium `crypto_pwhash_str`). */
  pwHash: string;
  createdAt: number;
  disabled: boolean;
}

export interface OwnerSessionRow {
  /** SHA-256 of the cookie token: the table never holds the token. */
  tokenHash: Uint8Array;
  owner: string;
  csrf: string;
  expiresAt: number;
}

export interface OwnersRepository {
  add(o: Omit<OwnerAccount, 'createdAt' | 'disabled'>, now: number): void;
  get(id: string): OwnerAccount | undefined;
  /** Every account, by name then id. */
  list(): OwnerAccount[];
  /** Disable an active account; false if it is already disabled or does not exist. */
  disable(id: string): boolean;

  addSession(s: OwnerSessionRow): void;
  /** A session with its account (whatever the expiry or the account's state: the caller decides). */
  session(tokenHash: Uint8Array): { session: OwnerSessionRow; owner: OwnerAccount } | undefined;
  deleteSession(tokenHash: Uint8Array): void;
  deleteSessionsOf(owner: string): void;
  deleteExpiredSessions(now: number): void;

  /** Failed-login throttle state (`console/login-throttle.ts`), per client address or per account. */
  throttle(scope: ThrottleScope, key: string): ThrottleRow | undefined;
  putThrottle(row: ThrottleRow): void;
  deleteThrottle(scope: ThrottleScope, key: string): void;
  /**
   * Record that `address` failed against `account` at `at`; returns how many different addresses have
   * failed against it at or after `since`.
   */
  addFailureSource(account: string, address: string, at: number, since: number): number;
  clearFailureSources(account: string): void;
  /** Forget throttle rows with no failure and no lock since `before`, and failure sources older than `sourcesBefore`. */
  pruneThrottle(before: number, sourcesBefore: number): void;
}

export type ThrottleScope = 'address' | 'account';

export interface ThrottleRow {
  scope: ThrottleScope;
  key: string;
  /** Failures (address) or different failing addresses (account) counted toward the next lock. */
  failures: number;
  /** When the counted failures began. */
  windowStart: number;
  /** Consecutive locks: the backoff exponent. */
  locks: number;
  lockedUntil: number;
  lastFailure: number;
}

// ---------------------------------------------------------------------------------------------------

/** Everything a node keeps, and a transaction spanning any of it. */
export interface NodeRepositories {
  readonly records: RecordsRepository;
  readonly analysts: AnalystsRepository;
  readonly budgets: BudgetsRepository;
  readonly meta: MetaRepository;
  readonly gallery: GalleryRepository;
  readonly galleryBlocks: GalleryBlocksRepository;
  readonly mail: MailRepository;
  readonly disclosures: DisclosuresRepository;
  readonly owners: OwnersRepository;
  /** Run `fn` atomically; nested calls join the outer transaction. */
  tx<T>(fn: () => T): T;
  /**
   * `tx` committed without waiting for the disk (platform/wal-sync.ts), for hot paths: whatever it
   * wrote may be acknowledged only once `synced()` has resolved.
   */
  txDeferred<T>(fn: () => T): T;
  /** Resolves once every transaction committed before the call is on disk. */
  synced(): Promise<void>;
}
