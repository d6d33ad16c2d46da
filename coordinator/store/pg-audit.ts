/**
 * The coordinator's audit log on PostgreSQL: the same hash chain and signed checkpoints as the platform
 * `AuditLog` (platform/audit: entry hash, checkpoint message, canonical data, allow-list), written
 * inside the repositories' own transactions so a state change and its entry commit together.
 *
 * Appends serialise on one transaction-scoped advisory lock taken before the head is read, so two
 * writers — two coordinator instances during a failover, or two transactions of one — never chain
 * onto the same head; the primary key on `seq` would refuse it anyway.
 */
import {
  type AuditEntry,
  type AuditSigner,
  auditCheckpointMessage,
  auditEntryHash,
  canonicalAuditData,
  type PgDatabase,
  type PgQueryable,
  parseAuditEntry,
} from '#platform';
import { VeilError } from '#protocol';
import type { AuditSink } from './repositories.ts';

/** Sign a checkpoint after this many entries, as the platform log does by default. */
export const PG_CHECKPOINT_EVERY = 100;
const AUDIT_LOCK = 0x61756469; // 'audi'
const ZERO_HASH = new Uint8Array(32);
const MAX_SIGNATURE_BYTES = 1024;

/** Appends inside the caller's transaction. */
export interface PgAuditWriter {
  append(q: PgQueryable, entry: AuditEntry): Promise<void>;
}

export interface PgAudit {
  readonly writer: PgAuditWriter;
  readonly sink: AuditSink;
}

interface Head {
  seq: number;
  hash: Uint8Array;
  cp: number;
}

export function pgAudit(db: PgDatabase, opts: { signer: AuditSigner | undefined; now: () => number; checkpointEvery?: number }): PgAudit {
  const every = opts.checkpointEvery ?? PG_CHECKPOINT_EVERY;
  const signer = (): AuditSigner => {
    if (!opts.signer) throw new VeilError('internal', 'coordinator store opened without an audit signer');
    return opts.signer;
  };

  const lockedHead = async (q: PgQueryable): Promise<Head> => {
    await q.run('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const row = await q.one<{ seq: number; hash: Buffer; cp: number | null }>(
      'SELECT seq, hash, (SELECT MAX(seq) FROM audit_checkpoints) AS cp FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    if (!row) return { seq: 0, hash: ZERO_HASH, cp: 0 };
    if (row.hash.length !== 32) throw new VeilError('internal', 'audit head is malformed');
    return { seq: row.seq, hash: new Uint8Array(row.hash), cp: row.cp ?? 0 };
  };

  const write = async (q: PgQueryable, prev: Head, kind: string, data: string): Promise<Head & { ts: number }> => {
    const seq = prev.seq + 1;
    const ts = opts.now();
    const hash = auditEntryHash(prev.hash, seq, ts, kind, data);
    await q.run('INSERT INTO audit_log (seq, ts, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6)', [
      seq,
      ts,
      kind,
      data,
      Buffer.from(prev.hash),
      Buffer.from(hash),
    ]);
    return { seq, hash, cp: prev.cp, ts };
  };

  const writeCheckpoint = async (q: PgQueryable, prev: Head): Promise<void> => {
    const s = signer();
    const data = canonicalAuditData({ kind: 'audit.checkpoint', count: prev.seq - prev.cp });
    const written = await write(q, prev, 'audit.checkpoint', data);
    const signature = s.sign(auditCheckpointMessage(written.seq, written.hash));
    if (!(signature instanceof Uint8Array) || signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) {
      throw new VeilError('internal', 'audit signer returned an invalid signature');
    }
    await q.run('INSERT INTO audit_checkpoints (seq, ts, hash, public_key, signature) VALUES ($1, $2, $3, $4, $5)', [
      written.seq,
      written.ts,
      Buffer.from(written.hash),
      Buffer.from(s.publicKey),
      Buffer.from(signature),
    ]);
  };

  const writer: PgAuditWriter = {
    async append(q, entry) {
      signer();
      const parsed = parseAuditEntry(entry);
      if (parsed.kind === 'audit.checkpoint') throw new VeilError('bad_request', 'audit entry: kind "audit.checkpoint" is written only by checkpoint()');
      const head = await lockedHead(q);
      const written = await write(q, head, parsed.kind, canonicalAuditData(parsed));
      if (written.seq - head.cp >= every) await writeCheckpoint(q, written);
    },
  };

  const sink: AuditSink = {
    append: async (entries) => {
      if (entries.length === 0) return;
      await db.tx(async (q) => {
        for (const e of entries) await writer.append(q, e);
      });
    },
    checkpoint: async () => {
      signer();
      await db.tx(async (q) => {
        const head = await lockedHead(q);
        if (head.seq > 0 && head.cp === head.seq) return;
        await writeCheckpoint(q, head);
      });
    },
  };
  return { writer, sink };
}
