/** The audit verifier: every kind of tampering is reported at the first broken entry. */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../sqlite.ts';
import {
  check,
  checkpointSeqs,
  fill,
  flip,
  hashOf,
  makeLog,
  makeSigner,
  open,
  rehash,
  removeAuditFiles,
  signer,
  sigOf,
  tamper,
  verifier,
} from './audit.test-fixture.ts';
import { canonicalAuditData } from './entry.ts';
import { auditCheckpointMessage } from './hash-chain.ts';
import { AUDIT_KINDS } from './kinds.ts';
import { AuditLog } from './log.ts';
import { verifyAudit } from './verify.ts';

afterAll(removeAuditFiles);

describe('audit verify: tampering', () => {
  it('detects an altered entry (data, kind, ts)', () => {
    for (const [col, value] of [
      ['data', '{"count":5}'],
      ['kind', 'query.answered'],
      ['ts', 1],
    ] as const) {
      const { db } = makeLog(30, 10);
      tamper(db, `UPDATE audit_log SET ${col} = ? WHERE seq = 13`, value);
      expect(check(db).firstBroken).toMatchObject({ seq: 13, reason: 'hash-mismatch' });
      expect(check(db)).toMatchObject({ ok: false, entries: 12, signedThrough: 11 });
    }
  });

  it('detects a deleted entry', () => {
    const { db } = makeLog(30, 10);
    tamper(db, 'DELETE FROM audit_log WHERE seq = 7');
    expect(check(db).firstBroken).toMatchObject({ seq: 7, reason: 'missing-entry' });
    const first = makeLog(5, 10).db;
    tamper(first, 'DELETE FROM audit_log WHERE seq = 1');
    expect(check(first).firstBroken).toMatchObject({ seq: 1, reason: 'missing-entry' });
  });

  it('detects swapped rows (whole rows, adjacent rows, contents only)', () => {
    const swapAll = (db: Db, a: number, b: number) => {
      tamper(db, 'UPDATE audit_log SET seq = -1 WHERE seq = ?', a);
      tamper(db, 'UPDATE audit_log SET seq = ? WHERE seq = ?', a, b);
      tamper(db, 'UPDATE audit_log SET seq = ? WHERE seq = -1', b);
    };
    for (const [a, b] of [
      [5, 17],
      [8, 9],
      [2, 150],
    ] as const) {
      const { db } = makeLog(200, 50);
      swapAll(db, a, b);
      const r = check(db);
      expect(r.firstBroken).toMatchObject({ seq: a, reason: 'reordered' });
      expect(r.firstBroken?.detail).toContain(`written as seq ${b}`);
    }
    // Swap only what was logged, keeping the hash columns in place.
    const { db } = makeLog(30, 10);
    const row = db.prepare('SELECT ts, kind, data FROM audit_log WHERE seq = ?');
    const r3 = row.get(3) as { ts: number; kind: string; data: string };
    const r20 = row.get(20) as { ts: number; kind: string; data: string };
    tamper(db, 'UPDATE audit_log SET ts = ?, kind = ?, data = ? WHERE seq = 3', r20.ts, r20.kind, r20.data);
    tamper(db, 'UPDATE audit_log SET ts = ?, kind = ?, data = ? WHERE seq = 20', r3.ts, r3.kind, r3.data);
    expect(check(db).firstBroken).toMatchObject({ seq: 3, reason: 'reordered' });
  });

  it('detects renumbering after a deletion', () => {
    const { db } = makeLog(30, 10);
    tamper(db, 'DELETE FROM audit_log WHERE seq = 5');
    for (let s = 6; s <= 33; s++) tamper(db, 'UPDATE audit_log SET seq = ? WHERE seq = ?', s - 1, s);
    expect(check(db).firstBroken).toMatchObject({ seq: 5, reason: 'reordered' });
  });

  it('detects a tampered, forged or removed checkpoint', () => {
    const forged = makeSigner();
    const cases: [string, (db: Db) => void, number, string][] = [
      [
        'flipped signature bit',
        (db) => tamper(db, 'UPDATE audit_checkpoints SET signature = ? WHERE seq = 22', flip(sigOf(db, 22))),
        22,
        'bad-checkpoint-signature',
      ],
      [
        'signature by another key',
        (db) => tamper(db, 'UPDATE audit_checkpoints SET signature = ? WHERE seq = 11', Buffer.from(forged.sign(auditCheckpointMessage(11, hashOf(db, 11))))),
        11,
        'bad-checkpoint-signature',
      ],
      [
        're-signed with another key',
        (db) =>
          tamper(
            db,
            'UPDATE audit_checkpoints SET public_key = ?, signature = ? WHERE seq = 11',
            Buffer.from(forged.publicKey),
            Buffer.from(forged.sign(auditCheckpointMessage(11, hashOf(db, 11)))),
          ),
        11,
        'bad-checkpoint-signature',
      ],
      ['altered signed hash', (db) => tamper(db, 'UPDATE audit_checkpoints SET hash = ? WHERE seq = 11', flip(hashOf(db, 11))), 11, 'bad-checkpoint-signature'],
      ['removed checkpoint row', (db) => tamper(db, 'DELETE FROM audit_checkpoints WHERE seq = 11'), 11, 'checkpoint-mismatch'],
      ['moved checkpoint row', (db) => tamper(db, 'UPDATE audit_checkpoints SET seq = 12 WHERE seq = 11'), 11, 'checkpoint-mismatch'],
    ];
    for (const [, mutate, seq, reason] of cases) {
      const { db } = makeLog(25, 10);
      mutate(db);
      expect(check(db).firstBroken).toMatchObject({ seq, reason });
    }
  });

  it('detects a rewritten chain (entry altered, all later hashes recomputed) at the next checkpoint', () => {
    const { db } = makeLog(30, 10);
    tamper(db, `UPDATE audit_log SET data = '{"count":999}' WHERE seq = 14`);
    rehash(db, 14);
    const r = check(db);
    expect(r.firstBroken).toMatchObject({ seq: 22, reason: 'checkpoint-mismatch' });
    expect(r.firstBroken?.detail).toContain('after seq 11');
  });

  it('detects tail truncation up to or past a checkpoint', () => {
    const { db } = makeLog(30, 10);
    tamper(db, 'DELETE FROM audit_log WHERE seq >= 20');
    expect(check(db).firstBroken).toMatchObject({ seq: 20, reason: 'missing-entry' });
    // Removing the last checkpoint entry itself is caught by its surviving signature.
    const b = makeLog(20, 10).db;
    tamper(b, 'DELETE FROM audit_log WHERE seq = 22');
    expect(check(b).firstBroken).toMatchObject({ seq: 22, reason: 'missing-entry' });
  });

  it('flags truncation after the last checkpoint as unverifiable, and catches it with an anchor', () => {
    const { db, log } = makeLog(35, 10);
    const anchor = log.head(); // e.g. kept by another party
    expect(anchor.seq).toBe(38);
    tamper(db, 'DELETE FROM audit_log WHERE seq > 35');
    const r = check(db);
    // Provable only up to the last signed checkpoint: the report says how much is unsigned.
    expect(r).toEqual({ ok: true, entries: 35, checkpoints: 3, head: 35, signedThrough: 33, unsignedTail: 2 });
    expect(check(db, { anchor }).firstBroken).toMatchObject({ seq: 36, reason: 'missing-entry' });
    // An anchor whose hash differs means the log was rewritten.
    const rewritten = makeLog(35, 10);
    const a2 = rewritten.log.head();
    tamper(rewritten.db, `UPDATE audit_log SET data = '{"count":7}' WHERE seq = 36`);
    rehash(rewritten.db, 36);
    expect(check(rewritten.db)).toMatchObject({ ok: true });
    expect(check(rewritten.db, { anchor: a2 }).firstBroken).toMatchObject({ seq: 38, reason: 'checkpoint-mismatch' });
  });

  it('catches removal of checkpoints plus a rewritten chain when the writer’s interval is known', () => {
    const { db } = makeLog(30, 10);
    // Attacker drops every checkpoint entry and row, renumbers and rehashes the chain.
    tamper(db, 'DELETE FROM audit_checkpoints');
    tamper(db, "DELETE FROM audit_log WHERE kind = 'audit.checkpoint'");
    const seqs = (db.prepare('SELECT seq FROM audit_log ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
    for (const [i, s] of seqs.entries()) tamper(db, 'UPDATE audit_log SET seq = ? WHERE seq = ?', i + 1, s);
    rehash(db, 1);
    expect(check(db)).toMatchObject({ ok: true, signedThrough: 0, unsignedTail: 30 });
    expect(check(db, { checkpointEvery: 10 }).firstBroken).toMatchObject({ seq: 11, reason: 'checkpoint-mismatch' });
  });

  it('accepts checkpoints by a previous key after rotation, and only when trusted', () => {
    const db = open();
    const next = makeSigner();
    fill(new AuditLog(db, { signer, checkpointEvery: 5 }), 6);
    fill(new AuditLog(db, { signer: next, checkpointEvery: 5 }), 6);
    const newKeyOnly = verifyAudit(db, { publicKey: next.publicKey, verify: verifier });
    expect(newKeyOnly.firstBroken).toMatchObject({ seq: 6, reason: 'bad-checkpoint-signature' });
    const both = verifyAudit(db, { publicKey: next.publicKey, previousKeys: [signer.publicKey], verify: verifier });
    expect(both).toMatchObject({ ok: true, checkpoints: 2 });
  });

  it('a throwing verifier counts as a bad signature', () => {
    const { db } = makeLog(12, 10);
    const r = verifyAudit(db, {
      publicKey: signer.publicKey,
      verify: () => {
        throw new Error('bad key');
      },
    });
    expect(r.firstBroken).toMatchObject({ seq: 11, reason: 'bad-checkpoint-signature' });
  });

  it('reports non-canonical or non-allow-listed content with a valid hash as bad-entry', () => {
    const { db } = makeLog(5, 100);
    tamper(db, `UPDATE audit_log SET data = '{"name":"Hans Muller"}' WHERE seq = 3`);
    rehash(db, 3);
    expect(check(db).firstBroken).toMatchObject({ seq: 3, reason: 'bad-entry' });
    const b = makeLog(5, 100).db;
    tamper(b, `UPDATE audit_log SET data = '{ "count":1}' WHERE seq = 2`);
    rehash(b, 2);
    expect(check(b).firstBroken).toMatchObject({ seq: 2, reason: 'bad-entry' });
  });

  it('verifies an empty log', () => {
    expect(check(open())).toEqual({ ok: true, entries: 0, checkpoints: 0, head: 0, signedThrough: 0, unsignedTail: 0 });
  });
});

describe('audit verify: property', () => {
  type Mutation =
    | { table: 'log'; op: 'ts' | 'kind' | 'data' | 'prev_hash' | 'hash' | 'seq' | 'delete'; pick: number; bit: number }
    | { table: 'cp'; op: 'signature' | 'hash' | 'public_key' | 'ts' | 'delete'; pick: number; bit: number };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({
      table: fc.constant('log' as const),
      op: fc.constantFrom('ts', 'kind', 'data', 'prev_hash', 'hash', 'seq', 'delete'),
      pick: fc.nat(),
      bit: fc.nat(255),
    }),
    fc.record({
      table: fc.constant('cp' as const),
      op: fc.constantFrom('signature', 'hash', 'public_key', 'ts', 'delete'),
      pick: fc.nat(),
      bit: fc.nat(255),
    }),
  );

  it('any single-row mutation of a random log is detected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 12 }), mutation, (n, every, m) => {
        const { db, log } = makeLog(n, every, false);
        log.checkpoint(); // so there is at least one checkpoint row to mutate
        fill(log, n % 5); // and sometimes an unsigned tail
        const head = log.head().seq;
        if (m.table === 'log') {
          const seq = (m.pick % head) + 1;
          const row = db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq) as Record<string, unknown>;
          switch (m.op) {
            case 'ts':
              tamper(db, 'UPDATE audit_log SET ts = ts + ? WHERE seq = ?', (m.bit % 100) + 1, seq);
              break;
            case 'kind': {
              const kinds = Object.keys(AUDIT_KINDS).filter((k) => k !== row.kind);
              tamper(db, 'UPDATE audit_log SET kind = ? WHERE seq = ?', kinds[m.bit % kinds.length], seq);
              break;
            }
            case 'data': {
              const data = canonicalAuditData({ kind: 'eval.served', count: 1000 + m.bit });
              tamper(db, 'UPDATE audit_log SET data = ? WHERE seq = ?', data, seq);
              break;
            }
            case 'prev_hash':
            case 'hash':
              tamper(db, `UPDATE audit_log SET ${m.op} = ? WHERE seq = ?`, flip(row[m.op] as Buffer, m.bit), seq);
              break;
            case 'seq':
              tamper(db, 'UPDATE audit_log SET seq = ? WHERE seq = ?', head + 1 + (m.bit % 3), seq);
              break;
            case 'delete':
              tamper(db, 'DELETE FROM audit_log WHERE seq = ?', seq);
              break;
          }
          const r = verifyAudit(db, { publicKey: signer.publicKey, verify: verifier });
          const lastCp = Math.max(...checkpointSeqs(db));
          if (m.op === 'delete' && seq === head && seq > lastCp) {
            // Deleting the newest, unsigned entry is undetectable without an anchor; the report
            // shows the unsigned tail, and an anchor catches it.
            expect(r.ok).toBe(true);
            expect(r.head).toBe(head - 1);
            const anchored = check(db, { anchor: { seq: head, hash: row.hash as Buffer } });
            expect(anchored.firstBroken).toMatchObject({ seq, reason: 'missing-entry' });
            return;
          }
          expect(r.ok).toBe(false);
          expect(r.firstBroken?.seq).toBe(seq);
          const reason = {
            ts: 'hash-mismatch',
            kind: 'hash-mismatch',
            data: 'hash-mismatch',
            prev_hash: 'hash-mismatch',
            hash: 'hash-mismatch',
            seq: 'missing-entry',
            delete: 'missing-entry',
          }[m.op];
          expect(r.firstBroken?.reason).toBe(reason);
        } else {
          const seqs = checkpointSeqs(db);
          const seq = seqs[m.pick % seqs.length]!;
          const row = db.prepare('SELECT * FROM audit_checkpoints WHERE seq = ?').get(seq) as Record<string, unknown>;
          if (m.op === 'delete') tamper(db, 'DELETE FROM audit_checkpoints WHERE seq = ?', seq);
          else if (m.op === 'ts') tamper(db, 'UPDATE audit_checkpoints SET ts = ts - 1 WHERE seq = ?', seq);
          else tamper(db, `UPDATE audit_checkpoints SET ${m.op} = ? WHERE seq = ?`, flip(row[m.op] as Buffer, m.bit), seq);
          const r = verifyAudit(db, { publicKey: signer.publicKey, verify: verifier });
          expect(r.ok).toBe(false);
          expect(r.firstBroken?.seq).toBe(seq);
          expect(r.firstBroken?.reason).toBe(m.op === 'delete' || m.op === 'ts' ? 'checkpoint-mismatch' : 'bad-checkpoint-signature');
        }
      }),
      { numRuns: 300 },
    );
  });
});
