/**
 * The SQLite files every party keeps: what they acknowledge is durable — a commit is on disk before the
 * call returns (WAL with `synchronous=FULL`), so an acknowledgement given after it (mail-stored,
 * publish-ack, mail-ack, HTTP 202) survives a power loss — and migrations apply once, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
});
