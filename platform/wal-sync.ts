/**
 * Transactions whose fsync happens off the event loop, for hot paths that must be durable before they
 * are acknowledged but need not block the process while the disk syncs.
 *
 * Every database runs WAL with `synchronous=FULL` (sqlite.ts): the commit fsyncs the WAL before it
 * returns, and the event loop waits on the disk (several milliseconds on a virtual disk). A process
 * hosting many such writers — a node answering a stream of queries, the coordinator's audit batches —
 * spends most of its time waiting. Here a transaction commits with `synchronous=NORMAL` (written to
 * the WAL, no fsync), then `synced()` fsyncs the WAL file on libuv's thread pool; the caller
 * acknowledges only once that promise resolves. That is the same guarantee as FULL — what is
 * acknowledged is on disk — since FULL's commit also syncs only the WAL file; a crash before the sync
 * loses a commit nobody was told about. Syncs are grouped: callers that arrive while a sync is running
 * share the next one (one fsync covers every commit written before it started).
 *
 * A FULL commit of another path on the same connection syncs the WAL too, earlier commits included; a
 * checkpoint under NORMAL syncs the WAL before copying it, so nothing deferred is lost by one.
 */
import { closeSync, fsync, openSync } from 'node:fs';
import type { Db } from './sqlite.ts';

export interface WalSync {
  /** Runs `fn` in a transaction committed without waiting for the disk; follow with `synced()` before acknowledging. */
  tx<T>(fn: () => T): T;
  /** Resolves once every transaction committed before this call is on disk. */
  synced(): Promise<void>;
  close(): void;
}

/** How the WAL file reaches the disk (a parameter so tests can count and fail syncs). */
export type FsyncFn = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

export function walSync(db: Db, opts: { fsync?: FsyncFn } = {}): WalSync {
  const sync = opts.fsync ?? fsync;
  const onDisk = !db.memory;
  let fd: number | undefined;
  /** The sync running now, and the one that will start after it for callers that came meanwhile. */
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  const syncOnce = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      try {
        fd ??= openSync(`${db.name}-wal`, 'r');
      } catch (e) {
        reject(e);
        return;
      }
      sync(fd, (err) => (err ? reject(err) : resolve()));
    });

  const start = (): Promise<void> => {
    const p = syncOnce().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };

  return {
    tx<T>(fn: () => T): T {
      // Inside another transaction (a savepoint here), the outer one decides how its commit syncs.
      if (!onDisk || db.inTransaction) return db.transaction(fn)();
      // Not a prepared statement: SQLite applies this pragma when it compiles it.
      db.exec('PRAGMA synchronous = NORMAL');
      try {
        return db.transaction(fn)();
      } finally {
        db.exec('PRAGMA synchronous = FULL');
      }
    },
    synced(): Promise<void> {
      if (!onDisk) return Promise.resolve();
      if (!running) return start();
      // A sync already running may have started before this caller's commit: wait for the next one.
      queued ??= running.then(
        () => {
          queued = undefined;
          return start();
        },
        () => {
          queued = undefined;
          return start();
        },
      );
      return queued;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
