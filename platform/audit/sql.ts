/**
 * The audit log's tables and every statement that touches them: the one place audit SQL is written.
 *
 * Each node and the coordinator keep their log in their own SQLite file, in the tables of `AUDIT_SQL`,
 * which the party adds as one of its numbered migrations. The tables carry triggers that abort UPDATE
 * and DELETE, so application code cannot rewrite the log by mistake; they are not a defence against
 * someone with the file (who can drop them) — the hashes and signatures are.
 *
 * `AuditLogStatements` serves the writer and `AuditChainStatements` the verifier: each prepares its
 * statements once, with typed parameters and rows.
 */

import { VeilError } from '#protocol';
import type { Db } from '../sqlite.ts';
import type { AuditKind } from './kinds.ts';

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

/** An `audit_log` row as stored. */
export interface EntryRow {
  seq: number;
  ts: number;
  kind: string;
  data: string;
  prev_hash: Buffer;
  hash: Buffer;
}

/** An `audit_checkpoints` row as stored. */
export interface CheckpointRow {
  seq: number;
  ts: number;
  hash: Buffer;
  public_key: Buffer;
  signature: Buffer;
}

/** The newest entry, with the seq of the newest checkpoint (null when there is none). */
export interface HeadRow {
  seq: number;
  hash: Buffer;
  cp: number | null;
}

/** Which entries `AuditLogStatements.list` returns (validated by the caller). */
export interface EntryFilter {
  kind?: AuditKind;
  afterSeq?: number;
  beforeSeq?: number;
  order: 'asc' | 'desc';
  limit: number;
}

/** A prepared statement seen through the parameters it binds and the rows it returns. */
interface Statement<Params extends unknown[], Row = unknown> {
  run(...params: Params): unknown;
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  iterate(...params: Params): IterableIterator<Row>;
}

const ENTRY_COLUMNS = 'seq, ts, kind, data, prev_hash, hash';
const CHECKPOINT_COLUMNS = 'seq, ts, hash, public_key, signature';

/** The statements of one `AuditLog`: read the head, append entries and checkpoints, list entries. */
export class AuditLogStatements {
  readonly #db: Db;
  readonly #head: Statement<[], HeadRow>;
  readonly #insert: Statement<[seq: number, ts: number, kind: string, data: string, prevHash: Uint8Array, hash: Uint8Array]>;
  readonly #insertCheckpoint: Statement<[seq: number, ts: number, hash: Uint8Array, publicKey: Uint8Array, signature: Uint8Array]>;
  readonly #lastCheckpoint: Statement<[], CheckpointRow>;
  /** List statements by their SQL text: a handful of shapes, each prepared once. */
  readonly #lists = new Map<string, Statement<Array<number | string>, EntryRow>>();

  constructor(db: Db) {
    this.#db = db;
    try {
      this.#head = db.prepare<[], HeadRow>(`SELECT seq, hash, (SELECT MAX(seq) FROM audit_checkpoints) AS cp FROM audit_log ORDER BY seq DESC LIMIT 1`);
      this.#insert = db.prepare<[number, number, string, string, Uint8Array, Uint8Array]>(
        'INSERT INTO audit_log (seq, ts, kind, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
      );
      this.#insertCheckpoint = db.prepare<[number, number, Uint8Array, Uint8Array, Uint8Array]>(
        'INSERT INTO audit_checkpoints (seq, ts, hash, public_key, signature) VALUES (?, ?, ?, ?, ?)',
      );
      this.#lastCheckpoint = db.prepare<[], CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`);
    } catch (e) {
      throw new VeilError('bad_config', 'the audit tables are missing: add AUDIT_SQL to the migrations', { cause: e });
    }
  }

  head(): HeadRow | undefined {
    return this.#head.get();
  }

  insertEntry(seq: number, ts: number, kind: string, data: string, prevHash: Uint8Array, hash: Uint8Array): void {
    this.#insert.run(seq, ts, kind, data, prevHash, hash);
  }

  insertCheckpoint(seq: number, ts: number, hash: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): void {
    this.#insertCheckpoint.run(seq, ts, hash, publicKey, signature);
  }

  lastCheckpoint(): CheckpointRow | undefined {
    return this.#lastCheckpoint.get();
  }

  list(filter: EntryFilter): EntryRow[] {
    const where: string[] = [];
    const params: (number | string)[] = [];
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(filter.afterSeq);
    }
    if (filter.beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(filter.beforeSeq);
    }
    const sql =
      `SELECT ${ENTRY_COLUMNS} FROM audit_log` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY seq ${filter.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`;
    let stmt = this.#lists.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare<Array<number | string>, EntryRow>(sql);
      this.#lists.set(sql, stmt);
    }
    return stmt.all(...params, filter.limit);
  }
}

/** The statements of one verification run: both tables in seq order, and look-ups by hash. */
export class AuditChainStatements {
  readonly #entries: Statement<[], EntryRow>;
  readonly #checkpoints: Statement<[], CheckpointRow>;
  /** A second cursor over the entries, for diagnosing a break while the first one is open. */
  readonly #scan: Statement<[], EntryRow>;
  readonly #byHash: Statement<[hash: Uint8Array], { seq: number }>;
  readonly #byPrev: Statement<[prevHash: Uint8Array], { seq: number }>;

  constructor(db: Db) {
    try {
      this.#entries = db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_log ORDER BY seq`);
      this.#checkpoints = db.prepare<[], CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq`);
      this.#scan = db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_log ORDER BY seq`);
      this.#byHash = db.prepare<[Uint8Array], { seq: number }>('SELECT seq FROM audit_log WHERE hash = ? LIMIT 1');
      this.#byPrev = db.prepare<[Uint8Array], { seq: number }>('SELECT seq FROM audit_log WHERE prev_hash = ? LIMIT 1');
    } catch (e) {
      throw new VeilError('bad_config', 'this database has no audit log', { cause: e });
    }
  }

  entries(): IterableIterator<EntryRow> {
    return this.#entries.iterate();
  }

  checkpoints(): IterableIterator<CheckpointRow> {
    return this.#checkpoints.iterate();
  }

  scan(): IterableIterator<EntryRow> {
    return this.#scan.iterate();
  }

  /** The seq of the entry whose hash is `hash`, if any. */
  seqByHash(hash: Uint8Array): number | undefined {
    return this.#byHash.get(hash)?.seq;
  }

  /** The seq of the entry that links to `hash` (its prev_hash), if any. */
  seqByPrevHash(hash: Uint8Array): number | undefined {
    return this.#byPrev.get(hash)?.seq;
  }
}
