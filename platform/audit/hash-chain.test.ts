/** The audit hash chain: the documented byte layouts of entry hashes and checkpoint messages. */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS } from '#protocol';
import { open, removeAuditFiles, signer, verifier } from './audit.test-fixture.ts';
import { type AuditEntry, canonicalAuditData } from './entry.ts';
import { AUDIT_CHECKPOINT_LABEL, auditCheckpointMessage, auditEntryHash } from './hash-chain.ts';
import { AuditLog } from './log.ts';

afterAll(removeAuditFiles);

describe('audit hash chain', () => {
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
});
