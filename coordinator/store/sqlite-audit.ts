/**
 * The coordinator's audit log on SQLite: the platform `AuditLog` in the store's own database, seen
 * two ways — as the asynchronous `AuditSink` the services use, and as a synchronous writer the SQLite
 * repositories call inside their transactions, so a state change and its audit entry commit together.
 *
 * A store opened without a signer (offline reads, `audit verify`) has no writer: an audited write then
 * fails with `internal` and changes nothing.
 */
import { type AuditEntry, AuditLog, type AuditSigner, type Db, type FsyncFn, walSync } from '#platform';
import { VeilError } from '#protocol';
import type { AuditSink } from './repositories.ts';

/** Appends inside the caller's SQLite transaction (as a savepoint). */
export interface SqliteAuditWriter {
  append(entry: AuditEntry): void;
}

export interface SqliteAudit {
  readonly log: AuditLog | undefined;
  readonly writer: SqliteAuditWriter;
  readonly sink: AuditSink;
  /** Releases the file handle used to sync (the caller closes the database). */
  close(): void;
}

export function sqliteAudit(db: Db, opts: { signer: AuditSigner | undefined; now: () => number; fsync?: FsyncFn }): SqliteAudit {
  const log = opts.signer ? new AuditLog(db, { signer: opts.signer, clock: opts.now }) : undefined;
  const need = (): AuditLog => {
    if (!log) throw new VeilError('internal', 'coordinator store opened without an audit signer');
    return log;
  };
  const wal = walSync(db, opts.fsync ? { fsync: opts.fsync } : {});
  const writer: SqliteAuditWriter = { append: (e) => void need().append(e) };
  const sink: AuditSink = {
    // Resolves once the entries are on disk, without blocking the event loop while the disk syncs
    // (platform/wal-sync.ts): the hot path's batches (audit-batch.ts) are a few per query.
    append: async (entries) => {
      if (entries.length === 0) return;
      wal.tx(() => {
        const l = need();
        for (const e of entries) l.append(e);
      });
      await wal.synced();
    },
    checkpoint: async () => {
      need().checkpoint();
    },
  };
  return { log, writer, sink, close: () => wal.close() };
}
