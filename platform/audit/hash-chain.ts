/**
 * The audit log's hash chain and the bytes its checkpoints sign.
 *
 * Entry hash (all integers big-endian; variable fields length-prefixed so no field can be shifted
 * into its neighbour):
 *
 *     hash[seq] = SHA-256( "veil/v1/audit-entry"       19 bytes ASCII, domain separation
 *                        ‖ prev_hash                   32 bytes: hash[seq-1]; 32 zero bytes for seq 1
 *                        ‖ u64(seq)                     8 bytes, seq ≥ 1, consecutive
 *                        ‖ u64(ts)                      8 bytes, milliseconds since the Unix epoch
 *                        ‖ u32(len(kind)) ‖ kind        UTF-8 (ASCII by schema)
 *                        ‖ u32(len(data)) ‖ data )      UTF-8 canonical JSON, see `canonicalAuditData`
 *
 * A checkpoint at seq c signs
 *
 *     "veil/v1/audit-checkpoint" ‖ u64(c) ‖ hash[c]     (LABELS.auditCheckpoint)
 *
 * with the party's key. Signing and verifying are injected (`AuditSigner`, `AuditVerifier`), so this
 * layer needs no key material of its own.
 */
import { hash as oneShotHash } from 'node:crypto';
import { VeilError } from '#protocol';

/** Domain label of entry hashes. */
export const AUDIT_ENTRY_LABEL = 'veil/v1/audit-entry';
/** Domain label of checkpoint signatures; equals `LABELS.auditCheckpoint` in protocol/labels.ts. */
export const AUDIT_CHECKPOINT_LABEL = 'veil/v1/audit-checkpoint';

const ENTRY_LABEL = Buffer.from(AUDIT_ENTRY_LABEL, 'ascii');
const CHECKPOINT_LABEL = Buffer.from(AUDIT_CHECKPOINT_LABEL, 'ascii');
export const HASH_BYTES = 32;
/** The `prev_hash` of entry 1, and the head hash of an empty log. */
export const ZERO_HASH = new Uint8Array(HASH_BYTES);

export interface AuditSigner {
  sign(message: Uint8Array): Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Returns whether `signature` is valid for `message` under `publicKey`; may throw on malformed keys. */
export type AuditVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

/** A valid entry number: a safe integer ≥ 1. */
export function isSeq(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 1;
}

/** A valid timestamp: a safe integer ≥ 0 (milliseconds since the Unix epoch). */
export function isTs(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** The entry hash defined in the module header. */
export function auditEntryHash(prevHash: Uint8Array, seq: number, ts: number, kind: string, data: string): Uint8Array {
  if (prevHash.length !== HASH_BYTES) throw new VeilError('bad_length', 'prev_hash');
  if (!isSeq(seq)) throw new VeilError('bad_request', 'seq');
  if (!isTs(ts)) throw new VeilError('bad_request', 'ts');
  const kindLen = Buffer.byteLength(kind, 'utf8');
  const dataLen = Buffer.byteLength(data, 'utf8');
  const buf = Buffer.allocUnsafe(ENTRY_LABEL.length + HASH_BYTES + 8 + 8 + 4 + kindLen + 4 + dataLen);
  let o = ENTRY_LABEL.copy(buf, 0);
  buf.set(prevHash, o);
  o += HASH_BYTES;
  writeU64(buf, seq, o);
  writeU64(buf, ts, o + 8);
  o += 16;
  buf.writeUInt32BE(kindLen, o);
  o += 4 + buf.write(kind, o + 4, 'utf8');
  buf.writeUInt32BE(dataLen, o);
  buf.write(data, o + 4, 'utf8');
  const d = oneShotHash('sha256', buf, 'buffer');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** The bytes a checkpoint signs: `label ‖ u64(seq) ‖ hash`. */
export function auditCheckpointMessage(seq: number, hash: Uint8Array): Uint8Array {
  if (!isSeq(seq)) throw new VeilError('bad_request', 'seq');
  if (hash.length !== HASH_BYTES) throw new VeilError('bad_length', 'hash');
  const buf = Buffer.allocUnsafe(CHECKPOINT_LABEL.length + 8 + HASH_BYTES);
  CHECKPOINT_LABEL.copy(buf, 0);
  writeU64(buf, seq, CHECKPOINT_LABEL.length);
  buf.set(hash, CHECKPOINT_LABEL.length + 8);
  return buf;
}
