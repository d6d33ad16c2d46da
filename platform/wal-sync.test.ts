/**
 * Transactions synced off the event loop (wal-sync.ts): the commit runs with `synchronous=NORMAL` and
 * the connection is back to FULL afterwards, even when the transaction fails; `synced()` resolves only
 * after an fsync of the WAL that started after the commit, callers arriving during a sync share the next
 * one, and a failed sync rejects (nothing may be acknowledged) without breaking later ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './sqlite.ts';
import { type FsyncFn, walSync } from './wal-sync.ts';

const root = mkdtempSync(join(tmpdir(), 'veil-walsync-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const table = [{ version: 1, sql: 'CREATE TABLE t (x INTEGER)' }];

/** An fsync the test completes by hand, recording each call. */
function manualFsync() {
  const pending: Array<(err: NodeJS.ErrnoException | null) => void> = [];
  const fsync: FsyncFn = (_fd, done) => void pending.push(done);
  return { fsync, pending };
}

describe('walSync', () => {
  it('commits under synchronous=NORMAL and restores FULL, also when the transaction throws', () => {
    const db = openDatabase(join(root, 'modes.db'), table);
    const w = walSync(db);
    try {
      const during = w.tx(() => {
        db.prepare('INSERT INTO t VALUES (1)').run();
        return db.pragma('synchronous', { simple: true });
      });
      expect(during).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(() =>
        w.tx(() => {
          db.prepare('INSERT INTO t VALUES (2)').run();
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.prepare('SELECT x FROM t').all()).toEqual([{ x: 1 }]);
      // Nested in a FULL transaction: a savepoint of it, committed (and synced) by the outer one.
      const nested = db.transaction(() => w.tx(() => db.pragma('synchronous', { simple: true })))();
      expect(nested).toBe(2);
    } finally {
      w.close();
      db.close();
    }
  });

  it('resolves after a real fsync of the WAL; the commit is in the file for another connection', async () => {
    const path = join(root, 'real.db');
    const db = openDatabase(path, table);
    const w = walSync(db);
    try {
      w.tx(() => db.prepare('INSERT INTO t VALUES (7)').run());
      await w.synced();
      const other = openDatabase(path, table);
      expect(other.prepare('SELECT x FROM t').all()).toEqual([{ x: 7 }]);
      other.close();
    } finally {
      w.close();
      db.close();
    }
  });

  it('groups callers: those arriving during a sync share the next one, which starts after it', async () => {
    const db = openDatabase(join(root, 'group.db'), table);
    const { fsync, pending } = manualFsync();
    const w = walSync(db, { fsync });
    try {
      w.tx(() => db.prepare('INSERT INTO t VALUES (1)').run());
      let done = 0;
      const first = w.synced().then(() => done++);
      expect(pending).toHaveLength(1);
      const later = [w.synced(), w.synced(), w.synced()].map((p) => p.then(() => done++));
      expect(pending).toHaveLength(1); // the second sync waits for the first
      pending[0]?.(null);
      await first;
      await new Promise((r) => setImmediate(r));
      expect(done).toBe(1);
      expect(pending).toHaveLength(2);
      pending[1]?.(null);
      await Promise.all(later);
      expect(done).toBe(4);
      expect(pending).toHaveLength(2);
    } finally {
      w.close();
      db.close();
    }
  });

  it('a failed sync rejects its callers; the next call syncs again', async () => {
    const db = openDatabase(join(root, 'fail.db'), table);
    const { fsync, pending } = manualFsync();
    const w = walSync(db, { fsync });
    try {
      w.tx(() => db.prepare('INSERT INTO t VALUES (1)').run());
      const failed = w.synced();
      pending[0]?.(Object.assign(new Error('EIO'), { code: 'EIO' }));
      await expect(failed).rejects.toThrow('EIO');
      const again = w.synced();
      expect(pending).toHaveLength(2);
      pending[1]?.(null);
      await expect(again).resolves.toBeUndefined();
    } finally {
      w.close();
      db.close();
    }
  });
});
