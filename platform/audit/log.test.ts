/** The audit log writer: chaining, checkpoints, listing, transactions and volume. */
import { afterAll, describe, expect, it } from 'vitest';
import { VeilError } from '#protocol';
import { openDatabase } from '../sqlite.ts';
import { check, checkpointSeqs, count, fill, makeLog, open, removeAuditFiles, SAMPLE, signer, verifier } from './audit.test-fixture.ts';
import type { AuditSigner } from './hash-chain.ts';
import { AuditLog } from './log.ts';
import { verifyAudit } from './verify.ts';

afterAll(removeAuditFiles);

describe('audit log: writing', () => {
  it('chains entries, checkpoints every N and verifies', () => {
    const { db, log } = makeLog(25, 10);
    // 25 entries + checkpoints after the 10th and 20th → seqs 11 and 22.
    expect(checkpointSeqs(db)).toEqual([11, 22]);
    expect(log.head().seq).toBe(27);
    const r = check(db);
    expect(r).toEqual({ ok: true, entries: 27, checkpoints: 2, head: 27, signedThrough: 22, unsignedTail: 5 });
  });

  it('checkpoint() forces one, and is idempotent when the head already is one', () => {
    const { db, log } = makeLog(3, 100);
    const a = log.checkpoint();
    const b = log.checkpoint();
    expect(a.seq).toBe(4);
    expect(b).toEqual(a);
    expect(log.lastCheckpoint()).toEqual(a);
    expect(log.list({ afterSeq: 3 })[0]?.entry).toEqual({ kind: 'audit.checkpoint', count: 3 });
    // An empty log can be checkpointed too.
    const empty = new AuditLog(open(), { signer });
    expect(empty.checkpoint().seq).toBe(1);
    expect(check(db)).toMatchObject({ ok: true, signedThrough: 4, unsignedTail: 0 });
  });

  it('lists entries for an audit view', () => {
    const { log } = makeLog(20, 5);
    const all = log.list({ limit: 1000 });
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(all[0]?.entry).toEqual(SAMPLE[0]);
    expect(log.list({ kind: 'eval.served' }).map((r) => r.seq)).toEqual([2, 9, 16, 23]);
    expect(log.list({ afterSeq: 20, limit: 2 }).map((r) => r.seq)).toEqual([21, 22]);
    expect(log.list({ order: 'desc', limit: 3 }).map((r) => r.seq)).toEqual([24, 23, 22]);
    expect(log.list({ beforeSeq: 10, order: 'desc', limit: 2, kind: 'audit.checkpoint' }).map((r) => r.seq)).toEqual([6]);
    expect(() => log.list({ limit: 0 })).toThrow(VeilError);
  });

  it('is append-only for application code', () => {
    const { db } = makeLog(5, 2);
    expect(() => db.prepare("UPDATE audit_log SET data = '{}' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 5').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_checkpoints').run()).toThrow(/append-only/);
  });

  it('two writers on one file keep one chain', () => {
    const { db, log } = makeLog(3, 4);
    const other = new AuditLog(db, { signer, checkpointEvery: 4 });
    for (let i = 0; i < 10; i++) (i % 2 === 0 ? log : other).append(SAMPLE[i % SAMPLE.length]!);
    expect(check(db)).toMatchObject({ ok: true, entries: 16, checkpoints: 3 });
  });

  it('fails closed when the signer fails: the entry that made a checkpoint due is not written', () => {
    const db = open();
    let fail = false;
    const flaky: AuditSigner = {
      publicKey: signer.publicKey,
      sign: (m) => {
        if (fail) throw new Error('hsm offline');
        return signer.sign(m);
      },
    };
    const log = new AuditLog(db, { signer: flaky, checkpointEvery: 3 });
    fill(log, 2);
    fail = true;
    expect(() => log.append(SAMPLE[0]!)).toThrow('hsm offline');
    expect(count(db)).toBe(2);
    fail = false;
    fill(log, 1);
    expect(check(db)).toMatchObject({ ok: true, entries: 4, checkpoints: 1 });
  });

  it('rejects a bad checkpointEvery and a database without the tables', () => {
    expect(() => new AuditLog(open(), { signer, checkpointEvery: 0 })).toThrow(VeilError);
    const bare = openDatabase(':memory:', []);
    expect(() => new AuditLog(bare, { signer })).toThrow(/AUDIT_SQL/);
    expect(() => verifyAudit(bare, { publicKey: signer.publicKey, verify: verifier })).toThrow(VeilError);
  });
});

describe('audit log: transactions', () => {
  it('commits or rolls back together with the caller’s state change', () => {
    const { db, log } = makeLog(4, 3);
    const head = log.head();
    const setState = db.prepare('INSERT OR REPLACE INTO state (k, v) VALUES (?, ?)');
    const failing = db.transaction(() => {
      setState.run('approvals', 1);
      log.append({ kind: 'disclosure.approved', requestId: 'r-1', owner: 'owner-1' });
      log.append({ kind: 'disclosure.delivered', requestId: 'r-1' }); // makes a checkpoint due
      throw new Error('crash after the audit entry');
    });
    expect(() => failing()).toThrow('crash after the audit entry');
    expect(db.prepare('SELECT * FROM state').all()).toEqual([]);
    expect(log.head()).toEqual(head);
    expect(count(db)).toBe(5);

    // The writer holds no stale head: the next entry chains onto the committed one.
    db.transaction(() => {
      setState.run('approvals', 2);
      log.append({ kind: 'disclosure.approved', requestId: 'r-2', owner: 'owner-1' });
    })();
    expect(db.prepare('SELECT v FROM state').get()).toEqual({ v: 2 });
    expect(log.head().seq).toBe(6);
    expect(check(db)).toMatchObject({ ok: true, entries: 6 });
  });

  it('a rejected entry inside a caller’s transaction leaves the rest of it usable', () => {
    const { db, log } = makeLog(1, 100);
    db.transaction(() => {
      expect(() => log.append({ kind: 'query.received', country: 'not a country' })).toThrow(VeilError);
      log.append({ kind: 'query.received', country: 'FR' });
    })();
    expect(check(db)).toMatchObject({ ok: true, entries: 2 });
  });
});

describe('audit log: volume', () => {
  // Behaviour at volume only; the append and verify rates are measured by the benchmark, not asserted here.
  it('appends 10^4 entries with a checkpoint every 100 and verifies them all', () => {
    const db = open();
    const log = new AuditLog(db, { signer });
    const n = 10_000;
    for (let i = 0; i < n; i++) log.append(SAMPLE[i % SAMPLE.length]!);
    const r = check(db);
    expect(r).toMatchObject({ ok: true, entries: n + n / 100, checkpoints: n / 100 });
  });
});
