/**
 * The audit log every party keeps (DESIGN.md §7): append-only, hash-chained, with signed checkpoints.
 *
 * Each node and the coordinator keep their log in their own SQLite file, in the tables of `AUDIT_SQL`,
 * which the party adds as one of its numbered migrations. Entries hold metadata only — an allow-listed
 * set of fields (`AuditEntrySchema`) whose strings are short codes or opaque ids from a restricted
 * charset — so no name, document number, VIN, embedding, record, case text or key can be written,
 * not even by mistake: anything else is rejected with `bad_request` naming the field, never its value.
 *
 * Entry hash (all integers big-endian; variable fields length-prefixed so no field can be shifted
 * into its neighbour):
 *
 *     hash[seq] = SHA-256( "veil/v1/audit-entry"       19 bytes ASCII, domain separation
 *                        ‖ prev_hash                   32 bytes: hash[seq-1]; 32 zero bytes for seq 1
 *                        ‖ u64(seq)                     8 bytes, seq ≥ 1, consecutive
 *                        ‖ u64(ts)                      8 bytes, milliseconds since the Unix epoch
 *                        ‖ u32(len(kind)) ‖ kind        UTF-8 (ASCII by schema)
 *                        ‖ u32(len(data)) ‖ data )      UTF-8 canonical JSON, see `canonicalAuditData`
 *
 * `data` is the entry without `kind`: keys in ascending code-point order, no whitespace, values
 * strings from the schema's charsets (which need no JSON escaping) or non-negative safe integers.
 * The stored `data` text is what is hashed; verification also checks it is canonical.
 *
 * Checkpoints. Every `checkpointEvery` entries (and on `checkpoint()`), the log appends an
 * `audit.checkpoint` entry at seq c, in the same transaction as the entry that made it due, and stores
 *
 *     signature = sign( "veil/v1/audit-checkpoint" ‖ u64(c) ‖ hash[c] )     (LABELS.auditCheckpoint)
 *
 * in `audit_checkpoints`. Because the checkpoint is itself a chained entry, deleting a checkpoint row
 * is detected (the chain holds an `audit.checkpoint` entry without its signature).
 *
 * What `verifyAudit` proves, with the party's public key(s):
 * - every entry up to the last valid checkpoint (`signedThrough`) is exactly what the party wrote, in
 *   order, with no entry removed, inserted, reordered or altered — including by someone who rewrote
 *   the chain and recomputed every hash, since they cannot re-sign a checkpoint;
 * - a checkpoint whose entries were cut off (tail deleted up to or past a checkpoint) is reported;
 * - after `signedThrough`, entries are only hash-linked: an accidental or naive edit (one row changed,
 *   deleted or moved) is caught, but anyone with write access to the file can rewrite or truncate the
 *   unsigned tail (at most `checkpointEvery` entries) and recompute the hashes undetected. The chain
 *   has no secret. Truncation after the last checkpoint — including deleting the last checkpoints
 *   themselves together with their entries — cannot be detected from the file alone; it needs an
 *   external anchor: a head or checkpoint (`head()`, `lastCheckpoint()`) kept elsewhere and passed as
 *   `anchor`, or the writer's `checkpointEvery` passed to the verifier, which flags a stretch of more
 *   entries than that without a checkpoint. The report says how many entries are unsigned.
 *
 * What it does not prove: that the party logged every event it should have (a party can simply not
 * write an entry), or that timestamps are true (they are the writer's clock; they are not required to
 * increase, since clocks step backwards).
 *
 * The tables also carry triggers that abort UPDATE and DELETE, so application code cannot rewrite the
 * log by mistake; they are not a defence against someone with the file (who can drop them) — the
 * hashes and signatures are.
 */
import { hash as oneShotHash } from 'node:crypto';
import { z } from 'zod';
import type { Db, Statement } from './sqlite.ts';
import { VeilError } from '#protocol';

// ---------------------------------------------------------------------------------------------------
// Registry of entry kinds

/**
 * Every kind of audit entry, with what it records. Add kinds freely; never remove or rename one:
 * old logs must keep verifying (`verifyAudit` rejects kinds it does not know).
 */
export const AUDIT_KINDS = {
  'node.initialised': 'a country node directory was created (keys, epoch 1)',
  'node.started': 'a country node started',
  'node.stopped': 'a country node stopped',
  'coordinator.started': 'the coordinator started',
  'coordinator.stopped': 'the coordinator stopped',
  'member.admitted': 'a country was admitted to the registry',
  'member.removed': 'a country was removed from the registry',
  'member.connected': 'a member node connected to the coordinator',
  'member.disconnected': 'a member node disconnected',
  'query.received': 'a query arrived (from an analyst at the gateway, or from the coordinator)',
  'query.forwarded': 'a query was forwarded to the coordinator or to target nodes',
  'query.answered': 'a query was answered',
  'query.refused': 'a query was refused',
  'eval.served': 'OPRF evaluations were served to a requester',
  'eval.refused': 'OPRF evaluations were refused',
  'budget.exceeded': 'a requester exceeded its budget',
  'publish.chunk': 'a chunk of the PSI index was published or stored',
  'publish.epoch': 'a new PSI epoch was published',
  'index.lookup': 'the PSI index was looked up',
  'records.imported': 'records were imported, updated or deleted (counts only)',
  'disclosure.requested': 'a disclosure request was sent or received',
  'disclosure.claim-rejected': 'a disclosure claim did not verify',
  'disclosure.queued': 'a disclosure request was queued for data owners',
  'disclosure.auto-approved': 'a disclosure request was approved by policy',
  'disclosure.approved': 'a data owner approved a disclosure',
  'disclosure.denied': 'a data owner denied a disclosure',
  'disclosure.expired': 'a disclosure request expired without a decision',
  'disclosure.delivered': 'a sealed disclosure was delivered',
  'disclosure.received': 'a sealed disclosure was received and opened',
  'mailbox.stored': 'a sealed message was stored in a mailbox',
  'mailbox.delivered': 'a stored message was delivered and acknowledged',
  'analyst.added': 'an analyst account was created',
  'analyst.removed': 'an analyst account was removed',
  'owner.added': 'a data owner account was created',
  'owner.removed': 'a data owner account was removed',
  'owner.login': 'a data owner logged in to the approval console',
  'owner.logout': 'a data owner logged out of the approval console',
  'auth.failed': 'an authentication attempt failed',
  'key.rotated': 'a key was rotated',
  'policy.reloaded': 'the sharing policy or limits were reloaded',
  'bio.query.received': 'a biometric query arrived',
  'bio.query.answered': 'a biometric query was answered',
  'bio.query.refused': 'a biometric query was refused',
  'audit.checkpoint': 'the audit log signed its head (written only by the log itself)',
} as const satisfies Record<string, string>;

export type AuditKind = keyof typeof AUDIT_KINDS;

export function isAuditKind(x: unknown): x is AuditKind {
  return typeof x === 'string' && Object.hasOwn(AUDIT_KINDS, x);
}

const AUDIT_KIND_NAMES = Object.keys(AUDIT_KINDS) as [AuditKind, ...AuditKind[]];

// ---------------------------------------------------------------------------------------------------
// Entry schema: the allow-list

/** Opaque ids: query/request ids, account ids, peer ids. No spaces, no '@', no non-ASCII. */
const ID_RE = /^[A-Za-z0-9._:/-]{1,64}$/;
/** Codes from a registry: lower case only, so a capitalised name cannot pass as one. */
const CODE_RE = /^[a-z0-9][a-z0-9_.:/-]{0,63}$/;
/** Member country codes: ISO 3166 alpha-2/alpha-3, or a simulated code such as `C042`. */
const COUNTRY_RE = /^[A-Z][A-Z0-9]{1,3}$/;

const id = z.string().regex(ID_RE);
const code = z.string().regex(CODE_RE);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const AuditEntrySchema = z.strictObject({
  kind: z.enum(AUDIT_KIND_NAMES),
  queryId: id.optional(),
  requestId: id.optional(),
  /** The other country involved (requester, target or owner, by kind). */
  country: z.string().regex(COUNTRY_RE).optional(),
  /** A peer that is not a country (e.g. `coordinator`) or a connection id. */
  peer: id.optional(),
  analyst: id.optional(),
  owner: id.optional(),
  /** Match class (`doc`, `name_dob`, `phonetic_yob`, `vehicle`, `face`, ...). */
  cls: code.optional(),
  count: count.optional(),
  status: code.optional(),
  /** An error code (`refused_by_policy`, `over_budget`, ...). */
  code: code.optional(),
  /** A code from the purpose registry; never free text. */
  purpose: id.optional(),
  /** A legal-basis code such as `art-3`; never free text. */
  legalBasis: id.optional(),
  epoch: count.optional(),
  bytes: count.optional(),
  ms: count.optional(),
});

export type AuditEntry = z.infer<typeof AuditEntrySchema>;

// ---------------------------------------------------------------------------------------------------
// Injected signatures

export interface AuditSigner {
  sign(message: Uint8Array): Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Returns whether `signature` is valid for `message` under `publicKey`; may throw on malformed keys. */
export type AuditVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

// ---------------------------------------------------------------------------------------------------
// Tables

/** DDL of the audit tables; include it as one of the party's numbered migrations. */
export const AUDIT_SQL = `
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
) STRICT;
CREATE INDEX audit_log_by_kind ON audit_log (kind, seq);
CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  hash BLOB NOT NULL,
  public_key BLOB NOT NULL,
  signature BLOB NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
`;

// ---------------------------------------------------------------------------------------------------
// Hashing

/** Domain label of entry hashes. */
export const AUDIT_ENTRY_LABEL = 'veil/v1/audit-entry';
/** Domain label of checkpoint signatures; equals `LABELS.auditCheckpoint` in protocol/labels.ts. */
export const AUDIT_CHECKPOINT_LABEL = 'veil/v1/audit-checkpoint';

const ENTRY_LABEL = Buffer.from(AUDIT_ENTRY_LABEL, 'ascii');
const CHECKPOINT_LABEL = Buffer.from(AUDIT_CHECKPOINT_LABEL, 'ascii');
const HASH_BYTES = 32;
const ZERO_HASH = new Uint8Array(HASH_BYTES);
const MAX_SIGNATURE_BYTES = 1024;

function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

function isSeq(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 1;
}

function isTs(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

/** The entry hash defined in the module header. */
export function auditEntryHash(prevHash: Uint8Array, seq: number, ts: number, kind: string, data: string): Uint8Array {
  if (prevHash.length !== HASH_BYTES) throw new VeilError('bad_length', 'prev_hash');
  if (!isSeq(seq)) throw new VeilError('bad_request', 'seq');
  if (!isTs(ts)) throw new VeilError('bad_request', 'ts');
  const kindLen = Buffer.byteLength(kind, 'utf8');
  const dataLen = Buffer.byteLength(data, 'utf8');
  const buf = Buffer.allocUnsafe(ENTRY_LABEL.length + HASH_BYTES + 8 + 8 + 4 + kindLen + 4 + dataLen);
  let o = ENTRY_LABEL.copy(buf, 0);
  buf.set(prevHash, o);
  o += HASH_BYTES;
  writeU64(buf, seq, o);
  writeU64(buf, ts, o + 8);
  o += 16;
  buf.writeUInt32BE(kindLen, o);
  o += 4 + buf.write(kind, o + 4, 'utf8');
  buf.writeUInt32BE(dataLen, o);
  buf.write(data, o + 4, 'utf8');
  const d = oneShotHash('sha256', buf, 'buffer');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** The bytes a checkpoint signs: `label ‖ u64(seq) ‖ hash`. */
export function auditCheckpointMessage(seq: number, hash: Uint8Array): Uint8Array {
  if (!isSeq(seq)) throw new VeilError('bad_request', 'seq');
  if (hash.length !== HASH_BYTES) throw new VeilError('bad_length', 'hash');
  const buf = Buffer.allocUnsafe(CHECKPOINT_LABEL.length + 8 + HASH_BYTES);
  CHECKPOINT_LABEL.copy(buf, 0);
  writeU64(buf, seq, CHECKPOINT_LABEL.length);
  buf.set(hash, CHECKPOINT_LABEL.length + 8);
  return buf;
}

/** Every field but `kind`, in ascending code-point order: the key order of canonical data. */
const DATA_FIELDS = Object.keys(AuditEntrySchema.shape)
  .filter((k) => k !== 'kind')
  .sort();

/** Canonical JSON of an entry's fields other than `kind` (see the module header). */
export function canonicalAuditData(entry: AuditEntry): string {
  const rec = entry as Record<string, unknown>;
  let out = '{';
  for (const k of DATA_FIELDS) {
    const v = rec[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += JSON.stringify(k) + ':' + JSON.stringify(v);
  }
  return out + '}';
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

const SAFE_FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,31}$/;

/**
 * Validates an entry; the error names the offending field, never its value. (Field names are
 * our own code's, but an unexpected key is named only if it looks like a field name.)
 */
function parseEntry(input: unknown): AuditEntry {
  const r = AuditEntrySchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  let field = 'entry';
  if (issue !== undefined) {
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0];
      field = key !== undefined && SAFE_FIELD_NAME.test(key) ? `unknown field "${key}"` : 'an unknown field';
    } else if (typeof issue.path[0] === 'string') {
      field = `field "${issue.path[0]}"`;
    }
  }
  return badEntry(field);
}

function badEntry(field: string): never {
  throw new VeilError('bad_request', `audit entry: ${field} is not allowed or malformed`);
}

// ---------------------------------------------------------------------------------------------------
// The writer

export interface AuditLogOptions {
  signer: AuditSigner;
  /** Sign a checkpoint after this many entries (default 100). */
  checkpointEvery?: number;
  /** Milliseconds since the Unix epoch (default `Date.now`). */
  clock?: () => number;
}

export interface AuditHead {
  /** 0 for an empty log. */
  readonly seq: number;
  /** 32 zero bytes for an empty log. */
  readonly hash: Uint8Array;
}

export interface AuditCheckpoint {
  readonly seq: number;
  readonly ts: number;
  readonly hash: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

export interface AuditRecord {
  readonly seq: number;
  readonly ts: number;
  readonly entry: AuditEntry;
  readonly hash: Uint8Array;
}

export interface AuditListQuery {
  /** Only entries with seq > afterSeq. */
  afterSeq?: number;
  /** Only entries with seq < beforeSeq. */
  beforeSeq?: number;
  /** At most this many (default 100, max 1000). */
  limit?: number;
  kind?: AuditKind;
  /** 'asc' (default) or 'desc' for a newest-first view. */
  order?: 'asc' | 'desc';
}

interface HeadRow {
  seq: number;
  hash: Buffer;
  cp: number | null;
}

interface EntryRow {
  seq: number;
  ts: number;
  kind: string;
  data: string;
  prev_hash: Buffer;
  hash: Buffer;
}

interface CheckpointRow {
  seq: number;
  ts: number;
  hash: Buffer;
  public_key: Buffer;
  signature: Buffer;
}

const DEFAULT_CHECKPOINT_EVERY = 100;
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;

/**
 * Appends entries to one party's audit log. Holds no state of its own between calls: the head is read
 * inside each write transaction, so a rolled-back outer transaction, another `AuditLog` on the same
 * file, or another process never makes it chain onto a stale head.
 */
export class AuditLog {
  readonly #db: Db;
  readonly #signer: AuditSigner;
  readonly #every: number;
  readonly #clock: () => number;
  readonly #head: Statement;
  readonly #insert: Statement;
  readonly #insertCheckpoint: Statement;
  readonly #lastCheckpoint: Statement;
  readonly #listCache = new Map<string, Statement>();
  readonly #appendTx: (entry: AuditEntry) => AuditHead;
  readonly #checkpointTx: () => AuditCheckpoint;

  constructor(db: Db, opts: AuditLogOptions) {
    const every = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    if (!Number.isSafeInteger(every) || every < 1 || every > 1_000_000) {
      throw new VeilError('bad_config', 'audit checkpointEvery must be an integer in 1..1000000');
    }
    this.#db = db;
    this.#signer = opts.signer;
    this.#every = every;
    this.#clock = opts.clock ?? Date.now;
    try {
      this.#head = db.prepare(
        `SELECT seq, hash, (SELECT MAX(seq) FROM audit_checkpoints) AS cp FROM audit_log ORDER BY seq DESC LIMIT 1`,
      );
      this.#insert = db.prepare('INSERT INTO audit_log (seq, ts, kind, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)');
      this.#insertCheckpoint = db.prepare(
        'INSERT INTO audit_checkpoints (seq, ts, hash, public_key, signature) VALUES (?, ?, ?, ?, ?)',
      );
      this.#lastCheckpoint = db.prepare(
        'SELECT seq, ts, hash, public_key, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1',
      );
    } catch (e) {
      throw new VeilError('bad_config', 'the audit tables are missing: add AUDIT_SQL to the migrations', { cause: e });
    }
    // Nested inside a caller's transaction these run as savepoints, so the caller's state change and
    // its audit entry commit or roll back together. Standalone, IMMEDIATE takes the write lock before
    // reading the head, so two connections cannot both chain onto the same head.
    const appendTx = db.transaction((entry: AuditEntry): AuditHead => {
      const head = this.#readHead();
      const written = this.#write(head, entry.kind, canonicalAuditData(entry));
      if (written.seq - head.cp >= this.#every) this.#writeCheckpoint(written, written.seq - head.cp);
      return written;
    });
    this.#appendTx = appendTx.immediate;
    const checkpointTx = db.transaction((): AuditCheckpoint => {
      const head = this.#readHead();
      if (head.seq > 0 && head.cp === head.seq) {
        const last = this.lastCheckpoint();
        if (last !== undefined) return last;
      }
      return this.#writeCheckpoint(head, head.seq - head.cp);
    });
    this.#checkpointTx = checkpointTx.immediate;
  }

  /**
   * Validates and appends one entry, plus a signed checkpoint when one is due, in one transaction
   * (a savepoint when called inside the caller's transaction). Throws `bad_request` naming the field
   * for an entry outside the allow-list; nothing is written then.
   */
  append(entry: AuditEntry): { seq: number; hash: Uint8Array } {
    const parsed = parseEntry(entry);
    if (parsed.kind === 'audit.checkpoint') badEntry('kind "audit.checkpoint" (written only by checkpoint())');
    const { seq, hash } = this.#appendTx(parsed);
    return { seq, hash };
  }

  /** Appends and signs a checkpoint now, unless the newest entry already is one (then returns it). */
  checkpoint(): AuditCheckpoint {
    return this.#checkpointTx();
  }

  /** The newest entry's seq and hash; `{ seq: 0, hash: zeros }` for an empty log. */
  head(): AuditHead {
    const h = this.#readHead();
    return { seq: h.seq, hash: h.hash };
  }

  /** The newest signed checkpoint, e.g. to hand to another party as an external anchor. */
  lastCheckpoint(): AuditCheckpoint | undefined {
    const row = this.#lastCheckpoint.get() as CheckpointRow | undefined;
    return row === undefined ? undefined : checkpointFromRow(row);
  }

  /** Entries for an audit view, oldest first by default. */
  list(query: AuditListQuery = {}): AuditRecord[] {
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) badQuery('limit');
    if (query.afterSeq !== undefined && !Number.isSafeInteger(query.afterSeq)) badQuery('afterSeq');
    if (query.beforeSeq !== undefined && !Number.isSafeInteger(query.beforeSeq)) badQuery('beforeSeq');
    if (query.kind !== undefined && !isAuditKind(query.kind)) badQuery('kind');
    if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') badQuery('order');
    const where: string[] = [];
    const params: (number | string)[] = [];
    if (query.kind !== undefined) {
      where.push('kind = ?');
      params.push(query.kind);
    }
    if (query.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(query.afterSeq);
    }
    if (query.beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(query.beforeSeq);
    }
    const sql =
      'SELECT seq, ts, kind, data, prev_hash, hash FROM audit_log' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY seq ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`;
    let stmt = this.#listCache.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      this.#listCache.set(sql, stmt);
    }
    const rows = stmt.all(...params, limit) as EntryRow[];
    return rows.map((row) => {
      const entry = decodeEntry(row);
      if (entry === undefined) throw new VeilError('internal', `audit entry ${row.seq} is malformed; run audit verify`);
      return { seq: row.seq, ts: row.ts, entry, hash: new Uint8Array(row.hash) };
    });
  }

  #readHead(): { seq: number; hash: Uint8Array; cp: number } {
    const row = this.#head.get() as HeadRow | undefined;
    if (row === undefined) return { seq: 0, hash: ZERO_HASH, cp: 0 };
    if (row.hash.length !== HASH_BYTES) throw new VeilError('internal', 'audit head is malformed; run audit verify');
    return { seq: row.seq, hash: new Uint8Array(row.hash), cp: row.cp ?? 0 };
  }

  #now(): number {
    const ts = this.#clock();
    if (!isTs(ts)) throw new VeilError('internal', 'audit clock returned an invalid time');
    return ts;
  }

  #write(prev: AuditHead, kind: AuditKind, data: string): { seq: number; ts: number; hash: Uint8Array } {
    const seq = prev.seq + 1;
    const ts = this.#now();
    const hash = auditEntryHash(prev.hash, seq, ts, kind, data);
    this.#insert.run(seq, ts, kind, data, prev.hash, hash);
    return { seq, ts, hash };
  }

  #writeCheckpoint(prev: AuditHead, sinceLast: number): AuditCheckpoint {
    const { seq, ts, hash } = this.#write(prev, 'audit.checkpoint', canonicalAuditData({ kind: 'audit.checkpoint', count: sinceLast }));
    const signature = this.#signer.sign(auditCheckpointMessage(seq, hash));
    if (!(signature instanceof Uint8Array) || signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) {
      throw new VeilError('internal', 'audit signer returned an invalid signature');
    }
    const publicKey = new Uint8Array(this.#signer.publicKey);
    this.#insertCheckpoint.run(seq, ts, hash, publicKey, signature);
    return { seq, ts, hash, publicKey, signature: new Uint8Array(signature) };
  }
}

function badQuery(field: string): never {
  throw new VeilError('bad_request', `audit list: ${field} is invalid`);
}

function checkpointFromRow(row: CheckpointRow): AuditCheckpoint {
  return {
    seq: row.seq,
    ts: row.ts,
    hash: new Uint8Array(row.hash),
    publicKey: new Uint8Array(row.public_key),
    signature: new Uint8Array(row.signature),
  };
}

/** Parses a stored row back into an entry; undefined unless it is valid and canonical. */
function decodeEntry(row: { kind: unknown; data: unknown }): AuditEntry | undefined {
  if (typeof row.kind !== 'string' || typeof row.data !== 'string') return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(row.data);
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.hasOwn(fields, 'kind')) {
    return undefined;
  }
  const r = AuditEntrySchema.safeParse({ ...fields, kind: row.kind });
  if (!r.success || canonicalAuditData(r.data) !== row.data) return undefined;
  return r.data;
}

// ---------------------------------------------------------------------------------------------------
// Verification

export type AuditBreakReason =
  | 'hash-mismatch'
  | 'missing-entry'
  | 'reordered'
  | 'bad-checkpoint-signature'
  | 'checkpoint-mismatch'
  | 'bad-entry';

export interface AuditVerifyOptions {
  /** The party's checkpoint key. */
  publicKey: Uint8Array;
  /** Earlier keys of the same party, still trusted for the checkpoints they signed (key rotation). */
  previousKeys?: readonly Uint8Array[];
  verify: AuditVerifier;
  /**
   * A head or checkpoint of this log kept outside the file (another party, a printout, a backup):
   * the log must contain an entry at `seq` with this hash. Detects truncation and rewriting of
   * entries the file's own checkpoints cannot cover.
   */
  anchor?: { seq: number; hash: Uint8Array };
  /**
   * The writer's `checkpointEvery` (the largest it ever used). When given, more than this many
   * entries in a row without a checkpoint is reported: checkpoints were removed and the chain rewritten.
   */
  checkpointEvery?: number;
}

export interface AuditVerifyReport {
  ok: boolean;
  /** Entries verified (hash, link, content), from seq 1 up to the first break. */
  entries: number;
  /** Checkpoints whose signature and hash verified. */
  checkpoints: number;
  /** Seq of the last verified entry (0 if none). */
  head: number;
  /** Seq of the last verified checkpoint (0 if none): entries up to here are proven as written. */
  signedThrough: number;
  /**
   * Verified entries after `signedThrough`. They are hash-linked but not signed: they could have been
   * rewritten or truncated by someone with the file without detection, unless an `anchor` covers them.
   */
  unsignedTail: number;
  firstBroken?: { seq: number; reason: AuditBreakReason; detail: string };
}

/** How far around a mismatching row to look for the seq its content was written under. */
const MOVE_WINDOW = 64;

/**
 * Recomputes the whole chain from seq 1 and checks every checkpoint, streaming rows (memory does not
 * grow with the log). Stops at the first break. Runs in one read transaction, so it sees one
 * consistent snapshot even while another connection appends.
 */
export function verifyAudit(db: Db, opts: AuditVerifyOptions): AuditVerifyReport {
  const trusted = [opts.publicKey, ...(opts.previousKeys ?? [])];
  if (opts.anchor !== undefined && (!isSeq(opts.anchor.seq) || opts.anchor.hash.length !== HASH_BYTES)) {
    throw new VeilError('bad_request', 'audit verify: anchor is invalid');
  }
  if (opts.checkpointEvery !== undefined && (!Number.isSafeInteger(opts.checkpointEvery) || opts.checkpointEvery < 1)) {
    throw new VeilError('bad_request', 'audit verify: checkpointEvery is invalid');
  }
  let stmts: VerifyStatements;
  try {
    stmts = {
      entries: db.prepare('SELECT seq, ts, kind, data, prev_hash, hash FROM audit_log ORDER BY seq'),
      checkpoints: db.prepare('SELECT seq, ts, hash, public_key, signature FROM audit_checkpoints ORDER BY seq'),
      scan: db.prepare('SELECT seq, ts, kind, data, prev_hash, hash FROM audit_log ORDER BY seq'),
      byHash: db.prepare('SELECT seq FROM audit_log WHERE hash = ? LIMIT 1'),
      byPrev: db.prepare('SELECT seq FROM audit_log WHERE prev_hash = ? LIMIT 1'),
    };
  } catch (e) {
    throw new VeilError('bad_config', 'this database has no audit log', { cause: e });
  }
  return db.transaction(() => verifyStreaming(stmts, trusted, opts))();
}

interface VerifyStatements {
  entries: Statement;
  checkpoints: Statement;
  scan: Statement;
  byHash: Statement;
  byPrev: Statement;
}

function verifyStreaming(
  stmts: VerifyStatements,
  trusted: readonly Uint8Array[],
  opts: AuditVerifyOptions,
): AuditVerifyReport {
  let expected = 1;
  let prev: Uint8Array = ZERO_HASH;
  let checkpoints = 0;
  let signedThrough = 0;
  let sinceCheckpoint = 0;

  const report = (broken?: AuditVerifyReport['firstBroken']): AuditVerifyReport => {
    const head = expected - 1;
    const r: AuditVerifyReport = {
      ok: broken === undefined,
      entries: head,
      checkpoints,
      head,
      signedThrough,
      unsignedTail: head - signedThrough,
    };
    if (broken !== undefined) r.firstBroken = broken;
    return r;
  };
  const broken = (seq: number, reason: AuditBreakReason, detail: string): AuditVerifyReport =>
    report({ seq, reason, detail });

  const cpIter = (stmts.checkpoints.iterate() as IterableIterator<CheckpointRow>)[Symbol.iterator]();
  const nextCp = (): CheckpointRow | undefined => {
    const n = cpIter.next();
    return n.done === true ? undefined : n.value;
  };
  let cp = nextCp();

  /** Checks a checkpoint row's signature; returns a failure detail or undefined. */
  const badSignature = (row: CheckpointRow): string | undefined => {
    if (!isSeq(row.seq) || !(row.hash instanceof Uint8Array) || row.hash.length !== HASH_BYTES) {
      return 'the checkpoint row is malformed';
    }
    if (!(row.public_key instanceof Uint8Array) || !trusted.some((k) => bytesEqual(k, row.public_key))) {
      return 'the checkpoint is signed by a key that is not trusted';
    }
    if (!(row.signature instanceof Uint8Array)) return 'the checkpoint signature is malformed';
    let valid = false;
    try {
      valid = opts.verify(new Uint8Array(row.public_key), auditCheckpointMessage(row.seq, row.hash), new Uint8Array(row.signature));
    } catch {
      valid = false;
    }
    return valid === true ? undefined : 'the checkpoint signature does not verify';
  };

  try {
    // A checkpoint for a seq below 1 cannot match any entry.
    if (cp !== undefined && cp.seq < 1) {
      return broken(cp.seq, 'bad-checkpoint-signature', 'a checkpoint row is numbered below 1');
    }
    for (const row of stmts.entries.iterate() as IterableIterator<EntryRow>) {
      const seq = row.seq;
      if (seq < expected) return broken(seq, 'bad-entry', 'an entry is numbered below 1');
      if (seq > expected) {
        const last = seq - 1;
        return broken(expected, 'missing-entry', last === expected ? `entry ${expected} is missing` : `entries ${expected}..${last} are missing`);
      }
      if (
        !(row.prev_hash instanceof Uint8Array) ||
        row.prev_hash.length !== HASH_BYTES ||
        !(row.hash instanceof Uint8Array) ||
        row.hash.length !== HASH_BYTES ||
        !isTs(row.ts) ||
        typeof row.kind !== 'string' ||
        typeof row.data !== 'string'
      ) {
        return broken(seq, 'bad-entry', 'the row has a malformed column');
      }
      const hash = auditEntryHash(row.prev_hash, seq, row.ts, row.kind, row.data);
      if (!bytesEqual(hash, row.hash)) {
        const origin = whereWritten(stmts, row);
        return origin === undefined
          ? broken(seq, 'hash-mismatch', 'the entry does not hash to its stored hash: it was altered')
          : broken(seq, 'reordered', `the entry stored at seq ${seq} was written as seq ${origin}`);
      }
      if (!bytesEqual(row.prev_hash, prev)) {
        return broken(
          seq,
          'missing-entry',
          seq === 1
            ? 'the first entry does not start from the zero hash: earlier entries were removed'
            : `the entry does not link to entry ${seq - 1}: an entry before it was removed or replaced`,
        );
      }
      if (decodeEntry(row) === undefined) {
        return broken(seq, 'bad-entry', 'the entry content is not a valid, canonical audit entry');
      }
      if (cp !== undefined && cp.seq === seq) {
        const bad = badSignature(cp);
        if (bad !== undefined) return broken(seq, 'bad-checkpoint-signature', bad);
        if (row.kind !== 'audit.checkpoint') {
          return broken(seq, 'checkpoint-mismatch', 'a checkpoint row signs an entry that is not a checkpoint entry');
        }
        if (!bytesEqual(cp.hash, hash) || cp.ts !== row.ts) {
          return broken(
            seq,
            'checkpoint-mismatch',
            `the chain differs from the signed checkpoint: entries after seq ${signedThrough} and up to ${seq} were rewritten`,
          );
        }
        checkpoints++;
        signedThrough = seq;
        sinceCheckpoint = 0;
        cp = nextCp();
      } else if (row.kind === 'audit.checkpoint') {
        return broken(seq, 'checkpoint-mismatch', 'a checkpoint entry has no signed checkpoint row: it was removed');
      } else {
        sinceCheckpoint++;
        if (opts.checkpointEvery !== undefined && sinceCheckpoint > opts.checkpointEvery) {
          return broken(
            seq,
            'checkpoint-mismatch',
            `more than ${opts.checkpointEvery} entries after seq ${signedThrough} without a checkpoint: checkpoints were removed`,
          );
        }
      }
      if (opts.anchor !== undefined && opts.anchor.seq === seq && !bytesEqual(opts.anchor.hash, hash)) {
        return broken(seq, 'checkpoint-mismatch', 'the entry differs from the external anchor: the log was rewritten');
      }
      prev = hash;
      expected++;
    }
    const head = expected - 1;
    if (cp !== undefined) {
      const bad = badSignature(cp);
      if (bad !== undefined) return broken(cp.seq, 'bad-checkpoint-signature', bad);
      return broken(
        head + 1,
        'missing-entry',
        `a signed checkpoint covers entries up to seq ${cp.seq} but the log ends at seq ${head}: the tail was removed`,
      );
    }
    if (opts.anchor !== undefined && opts.anchor.seq > head) {
      return broken(
        head + 1,
        'missing-entry',
        `the external anchor covers entries up to seq ${opts.anchor.seq} but the log ends at seq ${head}: the tail was removed`,
      );
    }
    return report();
  } finally {
    cpIter.return?.();
  }
}

/**
 * Diagnoses a row whose hash does not recompute: returns the seq its content was originally written
 * under if it was moved (rows swapped, renumbered, or contents exchanged), else undefined (altered).
 * Runs only on failure; the full scan is O(n) once.
 */
function whereWritten(stmts: VerifyStatements, row: EntryRow): number | undefined {
  const { seq, ts, kind, data } = row;
  // The whole row moved: its stored prev_hash/hash are consistent under another seq.
  const candidates = new Set<number>();
  for (let d = 1; d <= MOVE_WINDOW; d++) {
    candidates.add(seq + d);
    if (seq - d >= 1) candidates.add(seq - d);
  }
  if (bytesEqual(row.prev_hash, ZERO_HASH)) candidates.add(1);
  const pred = stmts.byHash.get(row.prev_hash) as { seq: number } | undefined;
  if (pred !== undefined) candidates.add(pred.seq + 1);
  const succ = stmts.byPrev.get(row.hash) as { seq: number } | undefined;
  if (succ !== undefined) candidates.add(succ.seq - 1);
  for (const k of candidates) {
    if (k !== seq && isSeq(k) && bytesEqual(auditEntryHash(row.prev_hash, k, ts, kind, data), row.hash)) return k;
  }
  // Only the contents moved: this content hashes correctly at another row's position, whose own
  // content differs (so an untouched duplicate does not count).
  for (const other of stmts.scan.iterate() as IterableIterator<EntryRow>) {
    if (other.seq === seq || !isSeq(other.seq)) continue;
    if (!(other.prev_hash instanceof Uint8Array) || other.prev_hash.length !== HASH_BYTES) continue;
    if (!(other.hash instanceof Uint8Array) || other.hash.length !== HASH_BYTES) continue;
    if (other.ts === ts && other.kind === kind && other.data === data) continue;
    if (bytesEqual(auditEntryHash(other.prev_hash, other.seq, ts, kind, data), other.hash)) return other.seq;
  }
  return undefined;
}

/**
 * Sign the head every `intervalMs` when anything was appended since the last checkpoint, so a quiet
 * party's recent entries do not stay unsigned for long. Returns a function that stops the timer.
 */
export function periodicCheckpoints(log: AuditLog, intervalMs = 30_000): () => void {
  let lastSigned = -1;
  const t = setInterval(() => {
    if (log.head().seq === lastSigned) return;
    log.checkpoint();
    lastSigned = log.head().seq;
  }, intervalMs);
  t.unref();
  return () => clearInterval(t);
}
