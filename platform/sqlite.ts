/**
 * The only module that imports the SQLite driver (better-sqlite3).
 *
 * Opens one database file per party in WAL mode and applies numbered migrations inside one transaction
 * each, recording them in `schema_migrations`. A crash mid-migration leaves the previous version intact.
 *
 * Durability: `synchronous=FULL`. Both parties acknowledge what they have written — the coordinator's
 * `mail-stored` and `publish-ack`, a node's `mail-ack` and the gateway's 202 for a disclosure request —
 * and the other side then forgets its copy. In WAL mode NORMAL syncs the log only at checkpoints, so a
 * power loss could undo a commit already acknowledged; FULL syncs it at every commit, before the call
 * returns. The price is one fsync per transaction (`bench/durable-writes.ts`); hot paths write one
 * transaction per batch (audit batches, one per page of mail) rather than one per item, and the
 * hottest (a node's evaluation batches, the coordinator's audit batches) commit under NORMAL and
 * acknowledge only after an fsync of the WAL off the event loop (`wal-sync.ts`).
 *
 * Privacy on disk: the database holds records, keys (OPRF epoch secrets) and the audit log, so its
 * directory (the party's own: node or coordinator directory) is made 0700 and the file 0600 before the
 * driver opens it; SQLite gives its -wal and -shm files the database file's mode, and any left from
 * before are set to 0600 too. Set by chmod, whatever the umask. `secure_delete` overwrites deleted
 * content (an erased record, a wiped OPRF secret of a retired epoch) with zeros instead of leaving it in
 * free pages; the WAL keeps a copy only until its next checkpoint overwrites it.
 */
import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { VeilError } from '#protocol';
import { PRIVATE_FILE_MODE, privateDir, privateFile } from './files.ts';

export type Db = Database.Database;
export type Statement = Database.Statement;

export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export function openDatabase(path: string, migrations: readonly Migration[]): Db {
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) {
    privateDir(dirname(path));
    privateFile(path);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  if (onDisk) for (const f of [`${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  if (sorted.some((m, i) => m.version !== i + 1)) throw new VeilError('internal', 'migrations must be numbered 1..n');
  if (row.v > sorted.length) throw new VeilError('bad_config', `database schema v${row.v} is newer than this program (v${sorted.length})`);
  for (const m of sorted) {
    if (m.version <= row.v) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    })();
  }
}
