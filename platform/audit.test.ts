import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS, VeilError } from '#protocol';
import {
  AUDIT_CHECKPOINT_LABEL,
  AUDIT_KINDS,
  AUDIT_SQL,
  AuditLog,
  auditCheckpointMessage,
  auditEntryHash,
  canonicalAuditData,
  verifyAudit,
  type AuditEntry,
  type AuditKind,
  type AuditSigner,
  type AuditVerifier,
  type AuditVerifyReport,
} from './audit.ts';
import { openDatabase, type Db } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'veil-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

function makeSigner(): AuditSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKey: new Uint8Array(raw), sign: (m) => new Uint8Array(sign(null, m, privateKey)) };
}

const verifier: AuditVerifier = (pk, msg, sig) =>
  verify(null, msg, createPublicKey({ key: Buffer.concat([SPKI_ED25519, pk]), format: 'der', type: 'spki' }), sig);

const signer = makeSigner();

function open(file = true): Db {
  const path = file ? join(dir, `audit-${++fileNo}.db`) : ':memory:';
  return openDatabase(path, [
    { version: 1, sql: AUDIT_SQL },
    { version: 2, sql: 'CREATE TABLE state (k TEXT PRIMARY KEY, v INTEGER NOT NULL)' },
  ]);
}

function fakeClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => (t += 7);
}

const SAMPLE: readonly AuditEntry[] = [
  { kind: 'query.received', queryId: 'q-0001', country: 'FR', analyst: 'analyst-7', purpose: 'serious-crime', legalBasis: 'art-3' },
  { kind: 'eval.served', queryId: 'q-0001', country: 'DE', cls: 'name_dob', count: 4, ms: 3 },
  { kind: 'query.refused', queryId: 'q-0002', country: 'NL', code: 'refused_by_policy', status: 'refused' },
  { kind: 'disclosure.approved', requestId: 'r-9', owner: 'owner-2', country: 'FR', count: 3 },
  { kind: 'mailbox.stored', peer: 'coordinator', requestId: 'r-9', bytes: 1234 },
  { kind: 'member.connected', country: 'ES' },
];

function fill(log: AuditLog, n: number): void {
  for (let i = 0; i < n; i++) log.append(SAMPLE[i % SAMPLE.length]!);
}

/** A log of `n` appended entries (plus its checkpoint entries). */
function makeLog(n: number, every: number, file = true): { db: Db; log: AuditLog } {
  const db = open(file);
  const log = new AuditLog(db, { signer, checkpointEvery: every, clock: fakeClock() });
  fill(log, n);
  return { db, log };
}

/** What an attacker with the file can do: drop the append-only triggers, then write. */
function tamper(db: Db, sql: string, ...params: unknown[]): void {
  for (const t of ['audit_log_no_update', 'audit_log_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) {
    db.exec(`DROP TRIGGER IF EXISTS ${t}`);
  }
  db.prepare(sql).run(...params);
}

function check(db: Db, extra: Partial<Parameters<typeof verifyAudit>[1]> = {}): AuditVerifyReport {
  return verifyAudit(db, { publicKey: signer.publicKey, verify: verifier, ...extra });
}

function checkpointSeqs(db: Db): number[] {
  return (db.prepare('SELECT seq FROM audit_checkpoints ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
}

function count(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
}

describe('audit log: writing', () => {
  it('chains entries, checkpoints every N and verifies', () => {
    const { db, log } = makeLog(25, 10);
    // 25 entries + checkpoints after the 10th and 20th → seqs 11 and 22.
    expect(checkpointSeqs(db)).toEqual([11, 22]);
    expect(log.head().seq).toBe(27);
    const r = check(db);
    expect(r).toEqual({ ok: true, entries: 27, checkpoints: 2, head: 27, signedThrough: 22, unsignedTail: 5 });
  });

  it('uses the documented byte layout for the entry hash and checkpoint message', () => {
    const db = open();
    const log = new AuditLog(db, { signer, clock: () => 1_700_000_000_123 });
    const entry: AuditEntry = { kind: 'eval.served', queryId: 'q-1', country: 'FR', count: 2 };
    const { seq, hash } = log.append(entry);
    const data = '{"count":2,"country":"FR","queryId":"q-1"}';
    expect(canonicalAuditData(entry)).toBe(data);
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const u64 = (n: number) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(n));
      return b;
    };
    const expected = createHash('sha256')
      .update(
        Buffer.concat([
          Buffer.from('veil/v1/audit-entry'),
          Buffer.alloc(32),
          u64(1),
          u64(1_700_000_000_123),
          u32('eval.served'.length),
          Buffer.from('eval.served'),
          u32(data.length),
          Buffer.from(data),
        ]),
      )
      .digest();
    expect(seq).toBe(1);
    expect(Buffer.from(hash)).toEqual(expected);
    expect(Buffer.from(auditEntryHash(new Uint8Array(32), 1, 1_700_000_000_123, 'eval.served', data))).toEqual(expected);
    const stored = db.prepare('SELECT ts, kind, data, prev_hash FROM audit_log WHERE seq = 1').get();
    expect(stored).toEqual({ ts: 1_700_000_000_123, kind: 'eval.served', data, prev_hash: Buffer.alloc(32) });

    const cp = log.checkpoint();
    expect(cp.seq).toBe(2);
    expect(Buffer.from(auditCheckpointMessage(cp.seq, cp.hash))).toEqual(
      Buffer.concat([Buffer.from('veil/v1/audit-checkpoint'), u64(2), Buffer.from(cp.hash)]),
    );
    expect(verifier(signer.publicKey, auditCheckpointMessage(cp.seq, cp.hash), cp.signature)).toBe(true);
  });

  it('uses the checkpoint label of the protocol label registry', () => {
    expect(AUDIT_CHECKPOINT_LABEL).toBe(LABELS.auditCheckpoint);
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

describe('audit log: validation (allow-list, no identifiers)', () => {
  const bad: [string, unknown, string][] = [
    ['field not in the allow-list', { kind: 'query.received', name: 'Hans Muller' }, 'unknown field "name"'],
    ['odd unknown key is not echoed', { kind: 'query.received', 'Hans Muller': 1 }, 'an unknown field'],
    ['space in a code field', { kind: 'query.refused', code: 'refused by policy' }, 'field "code"'],
    ['name-like string in a code field', { kind: 'query.answered', status: 'Muller' }, 'field "status"'],
    ['name in the country field', { kind: 'query.received', country: 'Hans' }, 'field "country"'],
    ['free text as purpose', { kind: 'query.received', purpose: 'suspect Hans Muller, born 1970' }, 'field "purpose"'],
    ['email as account id', { kind: 'owner.login', owner: 'hans.muller@police.example' }, 'field "owner"'],
    ['non-ASCII id', { kind: 'query.received', queryId: 'müller' }, 'field "queryId"'],
    ['over-long id', { kind: 'query.received', queryId: 'a'.repeat(65) }, 'field "queryId"'],
    ['document number in case text', { kind: 'disclosure.requested', legalBasis: 'case X123456 passport' }, 'field "legalBasis"'],
    ['fractional count', { kind: 'eval.served', count: 1.5 }, 'field "count"'],
    ['negative count', { kind: 'eval.served', count: -1 }, 'field "count"'],
    ['NaN', { kind: 'eval.served', ms: Number.NaN }, 'field "ms"'],
    ['Infinity', { kind: 'eval.served', bytes: Number.POSITIVE_INFINITY }, 'field "bytes"'],
    ['string for a number', { kind: 'eval.served', count: '3' }, 'field "count"'],
    ['unknown kind', { kind: 'query.leaked' }, 'field "kind"'],
    ['reserved kind', { kind: 'audit.checkpoint' }, 'kind "audit.checkpoint"'],
    ['embedding array', { kind: 'bio.query.received', count: [0.1, 0.2] }, 'field "count"'],
  ];
  for (const [what, entry, field] of bad) {
    it(`rejects ${what} and writes nothing`, () => {
      const { db, log } = makeLog(2, 100);
      const before = log.head();
      let err: unknown;
      try {
        log.append(entry as AuditEntry);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VeilError);
      expect((err as VeilError).code).toBe('bad_request');
      expect((err as VeilError).message).toContain(field);
      for (const v of Object.values(entry as Record<string, unknown>)) {
        if (typeof v === 'string' && v.length > 3 && !v.startsWith('audit.') && !v.startsWith('query.')) {
          expect((err as VeilError).message).not.toContain(v);
        }
      }
      expect((err as VeilError).message).not.toContain('Hans');
      expect(log.head()).toEqual(before);
      expect(count(db)).toBe(2);
    });
  }

  it('accepts every registered kind (except the reserved one) with every field', () => {
    const log = new AuditLog(open(false), { signer, checkpointEvery: 7 });
    for (const kind of Object.keys(AUDIT_KINDS) as AuditKind[]) {
      if (kind === 'audit.checkpoint') continue;
      log.append({
        kind,
        queryId: 'b7c1e0f2-5d7a-4c1e-9a1b-0f3e2d1c4b5a',
        requestId: 'AbC_-123',
        country: 'DEU',
        peer: 'coordinator',
        analyst: 'analyst:fr/42',
        owner: 'owner.7',
        cls: 'phonetic_yob',
        count: 0,
        status: 'no-hit',
        code: 'over_budget',
        purpose: 'EU-2016/680',
        legalBasis: 'art-3',
        epoch: 12,
        bytes: Number.MAX_SAFE_INTEGER,
        ms: 5,
      });
    }
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
      ['flipped signature bit', (db) => tamper(db, 'UPDATE audit_checkpoints SET signature = ? WHERE seq = 22', flip(sigOf(db, 22))), 22, 'bad-checkpoint-signature'],
      ['signature by another key', (db) => tamper(db, 'UPDATE audit_checkpoints SET signature = ? WHERE seq = 11', Buffer.from(forged.sign(auditCheckpointMessage(11, hashOf(db, 11))))), 11, 'bad-checkpoint-signature'],
      ['re-signed with another key', (db) => tamper(db, 'UPDATE audit_checkpoints SET public_key = ?, signature = ? WHERE seq = 11', Buffer.from(forged.publicKey), Buffer.from(forged.sign(auditCheckpointMessage(11, hashOf(db, 11))))), 11, 'bad-checkpoint-signature'],
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
    seqs.forEach((s, i) => tamper(db, 'UPDATE audit_log SET seq = ? WHERE seq = ?', i + 1, s));
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
              const kinds = Object.keys(AUDIT_KINDS).filter((k) => k !== row['kind']);
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
            const anchored = check(db, { anchor: { seq: head, hash: row['hash'] as Buffer } });
            expect(anchored.firstBroken).toMatchObject({ seq, reason: 'missing-entry' });
            return;
          }
          expect(r.ok).toBe(false);
          expect(r.firstBroken?.seq).toBe(seq);
          const reason = { ts: 'hash-mismatch', kind: 'hash-mismatch', data: 'hash-mismatch', prev_hash: 'hash-mismatch', hash: 'hash-mismatch', seq: 'missing-entry', delete: 'missing-entry' }[m.op];
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

function flip(bytes: Buffer | Uint8Array, bit = 0): Buffer {
  const out = Buffer.from(bytes);
  const i = Math.floor(bit / 8) % out.length;
  out[i] = out[i]! ^ (1 << (bit % 8));
  return out;
}

function sigOf(db: Db, seq: number): Buffer {
  return (db.prepare('SELECT signature FROM audit_checkpoints WHERE seq = ?').get(seq) as { signature: Buffer }).signature;
}

function hashOf(db: Db, seq: number): Buffer {
  return (db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq) as { hash: Buffer }).hash;
}

/** Recomputes prev_hash/hash from `fromSeq` on, as an attacker who rewrites the chain would. */
function rehash(db: Db, fromSeq: number): void {
  const rows = db.prepare('SELECT seq, ts, kind, data FROM audit_log WHERE seq >= ? ORDER BY seq').all(fromSeq) as {
    seq: number;
    ts: number;
    kind: string;
    data: string;
  }[];
  let prev: Uint8Array = fromSeq === 1 ? new Uint8Array(32) : hashOf(db, fromSeq - 1);
  for (const r of rows) {
    const h = auditEntryHash(prev, r.seq, r.ts, r.kind, r.data);
    tamper(db, 'UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?', Buffer.from(prev), Buffer.from(h), r.seq);
    prev = h;
  }
}
