/**
 * The SQLite files every party keeps: what they acknowledge is durable — a commit is on disk before the
 * call returns (WAL with `synchronous=FULL`), so an acknowledgement given after it (mail-stored,
 * publish-ack, mail-ack, HTTP 202) survives a power loss —, they are private to their owner (the file
 * and its -wal and -shm 0600, the directory 0700, whatever the umask), and migrations apply once.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './sqlite.ts';

const root = mkdtempSync(join(tmpdir(), 'veil-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('opens in WAL mode with synchronous=FULL: every commit is durable when it returns', () => {
    const db = openDatabase(join(root, 'durable.db'), []);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 = FULL: the WAL is synced at every commit (NORMAL, 1, syncs only at checkpoints).
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('leaves no copy of overwritten or deleted content in the file once checkpointed (secure_delete)', () => {
    const path = join(root, 'wiped.db');
    const secret = Buffer.from('0123456789abcdef-a-retired-oprf-secret-0123456789abcdef');
    const db = openDatabase(path, [{ version: 1, sql: 'CREATE TABLE k (id INTEGER PRIMARY KEY, secret BLOB NOT NULL); CREATE TABLE r (body BLOB)' }]);
    try {
      db.prepare('INSERT INTO k (id, secret) VALUES (1, ?)').run(secret);
      db.prepare('INSERT INTO r (body) VALUES (?)').run(Buffer.concat([secret, Buffer.from('-record')]));
      db.pragma('wal_checkpoint(TRUNCATE)');
      expect(readFileSync(path).includes(secret)).toBe(true);
      db.prepare("UPDATE k SET secret = X'' WHERE id = 1").run();
      db.prepare('DELETE FROM r').run();
      db.pragma('wal_checkpoint(TRUNCATE)');
      expect(readFileSync(path).includes(secret)).toBe(false);
    } finally {
      db.close();
    }
  });

  it('applies numbered migrations once, in order, and refuses a newer database', () => {
    const path = join(root, 'migrations.db');
    const m1 = { version: 1, sql: 'CREATE TABLE a (x INTEGER)' };
    const m2 = { version: 2, sql: 'CREATE TABLE b (y INTEGER)' };
    const db = openDatabase(path, [m1]);
    migrate(db, [m2, m1]);
    migrate(db, [m1, m2]);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }]);
    expect(() => migrate(db, [m1, { version: 3, sql: 'SELECT 1' }])).toThrow(expect.objectContaining({ code: 'internal' }));
    db.close();
    expect(() => openDatabase(path, [m1])).toThrow(expect.objectContaining({ code: 'bad_config' }));
  });

  it('creates the database 0600, with its -wal and -shm, in a 0700 directory, whatever the umask', () => {
    const mode = (p: string) => statSync(p).mode & 0o777;
    const old = process.umask(0o000);
    try {
      const dir = join(root, 'fresh', 'party');
      const db = openDatabase(join(dir, 'party.db'), [{ version: 1, sql: 'CREATE TABLE t (x INTEGER)' }]);
      db.prepare('INSERT INTO t VALUES (1)').run();
      expect(mode(dir)).toBe(0o700);
      for (const f of ['party.db', 'party.db-wal', 'party.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
      db.close();

      // A database left world-readable by an older version, in an open directory, is tightened on open.
      const legacy = join(root, 'legacy');
      mkdirSync(legacy, { mode: 0o777 });
      chmodSync(legacy, 0o777);
      const path = join(legacy, 'node.db');
      for (const f of [path, `${path}-wal`, `${path}-shm`]) {
        writeFileSync(f, '');
        chmodSync(f, 0o666);
      }
      const again = openDatabase(path, []);
      expect(mode(legacy)).toBe(0o700);
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(mode(f), f).toBe(0o600);
      again.close();
    } finally {
      process.umask(old);
    }
  });
});
