/**
 * Shared fixture of the audit tests: throw-away databases with the audit tables, an Ed25519 signer and
 * verifier from node:crypto, a fake clock, sample entries, and what an attacker with the file can do
 * (drop the append-only triggers, rewrite rows, recompute the chain).
 */
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, openDatabase } from '../sqlite.ts';
import type { AuditEntry } from './entry.ts';
import { type AuditSigner, type AuditVerifier, auditEntryHash } from './hash-chain.ts';
import { AuditLog } from './log.ts';
import { AUDIT_SQL } from './sql.ts';
import { type AuditVerifyReport, verifyAudit } from './verify.ts';

const dir = mkdtempSync(join(tmpdir(), 'veil-audit-'));
let fileNo = 0;

/** Removes the database files `open` created; call it from the test file's `afterAll`. */
export function removeAuditFiles(): void {
  rmSync(dir, { recursive: true, force: true });
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export function makeSigner(): AuditSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKey: new Uint8Array(raw), sign: (m) => new Uint8Array(sign(null, m, privateKey)) };
}

export const verifier: AuditVerifier = (pk, msg, sig) =>
  verify(null, msg, createPublicKey({ key: Buffer.concat([SPKI_ED25519, pk]), format: 'der', type: 'spki' }), sig);

export const signer = makeSigner();

export function open(file = true): Db {
  const path = file ? join(dir, `audit-${++fileNo}.db`) : ':memory:';
  return openDatabase(path, [
    { version: 1, sql: AUDIT_SQL },
    { version: 2, sql: 'CREATE TABLE state (k TEXT PRIMARY KEY, v INTEGER NOT NULL)' },
  ]);
}

export function fakeClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => (t += 7);
}

export const SAMPLE: readonly AuditEntry[] = [
  { kind: 'query.received', queryId: 'q-0001', country: 'FR', analyst: 'analyst-7', purpose: 'serious-crime', legalBasis: 'art-3' },
  { kind: 'eval.served', queryId: 'q-0001', country: 'DE', cls: 'name_dob', count: 4, ms: 3 },
  { kind: 'query.refused', queryId: 'q-0002', country: 'NL', code: 'refused_by_policy', status: 'refused' },
  { kind: 'disclosure.approved', requestId: 'r-9', owner: 'owner-2', country: 'FR', count: 3 },
  { kind: 'mailbox.stored', peer: 'coordinator', requestId: 'r-9', bytes: 1234 },
  { kind: 'member.connected', country: 'ES' },
];

export function fill(log: AuditLog, n: number): void {
  for (let i = 0; i < n; i++) log.append(SAMPLE[i % SAMPLE.length]!);
}

/** A log of `n` appended entries (plus its checkpoint entries). */
export function makeLog(n: number, every: number, file = true): { db: Db; log: AuditLog } {
  const db = open(file);
  const log = new AuditLog(db, { signer, checkpointEvery: every, clock: fakeClock() });
  fill(log, n);
  return { db, log };
}

/** What an attacker with the file can do: drop the append-only triggers, then write. */
export function tamper(db: Db, sql: string, ...params: unknown[]): void {
  for (const t of ['audit_log_no_update', 'audit_log_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) {
    db.exec(`DROP TRIGGER IF EXISTS ${t}`);
  }
  db.prepare(sql).run(...params);
}

export function check(db: Db, extra: Partial<Parameters<typeof verifyAudit>[1]> = {}): AuditVerifyReport {
  return verifyAudit(db, { publicKey: signer.publicKey, verify: verifier, ...extra });
}

export function checkpointSeqs(db: Db): number[] {
  return (db.prepare('SELECT seq FROM audit_checkpoints ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
}

export function count(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
}

export function flip(bytes: Buffer | Uint8Array, bit = 0): Buffer {
  const out = Buffer.from(bytes);
  const i = Math.floor(bit / 8) % out.length;
  out[i] = (out[i] ?? 0) ^ (1 << (bit % 8));
  return out;
}

export function sigOf(db: Db, seq: number): Buffer {
  return (db.prepare('SELECT signature FROM audit_checkpoints WHERE seq = ?').get(seq) as { signature: Buffer }).signature;
}

export function hashOf(db: Db, seq: number): Buffer {
  return (db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq) as { hash: Buffer }).hash;
}

/** Recomputes prev_hash/hash from `fromSeq` on, as an attacker who rewrites the chain would. */
export function rehash(db: Db, fromSeq: number): void {
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
