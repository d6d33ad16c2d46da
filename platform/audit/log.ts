/**
 * The audit log writer every party keeps: append-only, hash-chained (see hash-chain.ts), with signed
 * checkpoints.
 *
 * Every `checkpointEvery` entries (and on `checkpoint()`), the log appends an `audit.checkpoint` entry
 * at seq c, in the same transaction as the entry that made it due, and stores the party's signature of
 * that entry's hash (`auditCheckpointMessage`) in `audit_checkpoints`. Because the checkpoint is itself a
 * chained entry, deleting a checkpoint row is detected (the chain holds an `audit.checkpoint` entry
 * without its signature). Timestamps are the writer's clock; they are not required to increase, since
 * clocks step backwards.
 */

import { VeilError } from '#protocol';
import type { Db } from '../sqlite.ts';
import { type AuditEntry, canonicalAuditData, decodeAuditEntry, parseAuditEntry, rejectAuditEntry } from './entry.ts';
import { type AuditSigner, auditCheckpointMessage, auditEntryHash, HASH_BYTES, isTs, ZERO_HASH } from './hash-chain.ts';
import { type AuditKind, isAuditKind } from './kinds.ts';
import { AuditLogStatements, type CheckpointRow } from './sql.ts';

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

const DEFAULT_CHECKPOINT_EVERY = 100;
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;
const MAX_SIGNATURE_BYTES = 1024;

/**
 * Appends entries to one party's audit log. Holds no state of its own between calls: the head is read
 * inside each write transaction, so a rolled-back outer transaction, another `AuditLog` on the same
 * file, or another process never makes it chain onto a stale head.
 */
export class AuditLog {
  readonly #sql: AuditLogStatements;
  readonly #signer: AuditSigner;
  readonly #every: number;
  readonly #clock: () => number;
  readonly #appendTx: (entry: AuditEntry) => AuditHead;
  readonly #appendAllTx: (entries: readonly AuditEntry[]) => void;
  readonly #checkpointTx: () => AuditCheckpoint;

  constructor(db: Db, opts: AuditLogOptions) {
    const every = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    if (!Number.isSafeInteger(every) || every < 1 || every > 1_000_000) {
      throw new VeilError('bad_config', 'audit checkpointEvery must be an integer in 1..1000000');
    }
    this.#signer = opts.signer;
    this.#every = every;
    this.#clock = opts.clock ?? Date.now;
    this.#sql = new AuditLogStatements(db);
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
    const appendAllTx = db.transaction((entries: readonly AuditEntry[]): void => {
      for (const e of entries) appendTx(e);
    });
    this.#appendAllTx = appendAllTx.immediate;
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
    const parsed = parseAuditEntry(entry);
    if (parsed.kind === 'audit.checkpoint') rejectAuditEntry('kind "audit.checkpoint" (written only by checkpoint())');
    const { seq, hash } = this.#appendTx(parsed);
    return { seq, hash };
  }

  /**
   * Validates every entry, then appends them all in one transaction (one commit, so one sync to disk,
   * for the lot). Nothing is written if one entry is refused.
   */
  appendAll(entries: readonly AuditEntry[]): void {
    const parsed = entries.map(parseAuditEntry);
    if (parsed.some((e) => e.kind === 'audit.checkpoint')) rejectAuditEntry('kind "audit.checkpoint" (written only by checkpoint())');
    this.#appendAllTx(parsed);
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
    const row = this.#sql.lastCheckpoint();
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
    const rows = this.#sql.list({
      ...(query.kind !== undefined ? { kind: query.kind } : {}),
      ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}),
      ...(query.beforeSeq !== undefined ? { beforeSeq: query.beforeSeq } : {}),
      order: query.order === 'desc' ? 'desc' : 'asc',
      limit,
    });
    return rows.map((row) => {
      const entry = decodeAuditEntry(row);
      if (entry === undefined) throw new VeilError('internal', `audit entry ${row.seq} is malformed; run audit verify`);
      return { seq: row.seq, ts: row.ts, entry, hash: new Uint8Array(row.hash) };
    });
  }

  #readHead(): { seq: number; hash: Uint8Array; cp: number } {
    const row = this.#sql.head();
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
    this.#sql.insertEntry(seq, ts, kind, data, prev.hash, hash);
    return { seq, ts, hash };
  }

  #writeCheckpoint(prev: AuditHead, sinceLast: number): AuditCheckpoint {
    const { seq, ts, hash } = this.#write(prev, 'audit.checkpoint', canonicalAuditData({ kind: 'audit.checkpoint', count: sinceLast }));
    const signature = this.#signer.sign(auditCheckpointMessage(seq, hash));
    if (!(signature instanceof Uint8Array) || signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) {
      throw new VeilError('internal', 'audit signer returned an invalid signature');
    }
    const publicKey = new Uint8Array(this.#signer.publicKey);
    this.#sql.insertCheckpoint(seq, ts, hash, publicKey, signature);
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
