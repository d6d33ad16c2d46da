/**
 * The audit log verifier: recomputes a party's whole chain and checks its signed checkpoints, streaming
 * rows, and reports the first broken link.
 *
 * What `verifyAudit` proves, with the party's public key(s):
 * - every entry up to the last valid checkpoint (`signedThrough`) is exactly what the party wrote, in
 *   order, with no entry removed, inserted, reordered or altered — including by someone who rewrote
 *   the chain and recomputed every hash, since they cannot re-sign a checkpoint;
 * - a checkpoint whose entries were cut off (tail deleted up to or past a checkpoint) is reported;
 * - after `signedThrough`, entries are only hash-linked: an accidental or naive edit (one row changed,
 *   deleted or moved) is caught, but anyone with write access to the file can rewrite or truncate the
 *   unsigned tail (at most `checkpointEvery` entries) and recompute the hashes undetected. The chain
 *   has no secret. Truncation after the last checkpoint — including deleting the last checkpoints
 *   themselves together with their entries — cannot be detected from the file alone; it needs an
 *   external anchor: a head or checkpoint (`head()`, `lastCheckpoint()`) kept elsewhere and passed as
 *   `anchor`, or the writer's `checkpointEvery` passed to the verifier, which flags a stretch of more
 *   entries than that without a checkpoint. The report says how many entries are unsigned.
 *
 * What it does not prove: that the party logged every event it should have (a party can simply not
 * write an entry), or that timestamps are true (they are the writer's clock).
 */

import { VeilError } from '#protocol';
import type { Db } from '../sqlite.ts';
import { decodeAuditEntry } from './entry.ts';
import { type AuditVerifier, auditCheckpointMessage, auditEntryHash, bytesEqual, HASH_BYTES, isSeq, isTs, ZERO_HASH } from './hash-chain.ts';
import { AuditChainStatements, type CheckpointRow, type EntryRow } from './sql.ts';

export type AuditBreakReason = 'hash-mismatch' | 'missing-entry' | 'reordered' | 'bad-checkpoint-signature' | 'checkpoint-mismatch' | 'bad-entry';

export interface AuditVerifyOptions {
  /** The party's checkpoint key. */
  publicKey: Uint8Array;
  /** Earlier keys of the same party, still trusted for the checkpoints they signed (key rotation). */
  previousKeys?: readonly Uint8Array[];
  verify: AuditVerifier;
  /**
   * A head or checkpoint of this log kept outside the file (another party, a printout, a backup):
   * the log must contain an entry at `seq` with this hash. Detects truncation and rewriting of
   * entries the file's own checkpoints cannot cover.
   */
  anchor?: { seq: number; hash: Uint8Array };
  /**
   * The writer's `checkpointEvery` (the largest it ever used). When given, more than this many
   * entries in a row without a checkpoint is reported: checkpoints were removed and the chain rewritten.
   */
  checkpointEvery?: number;
}

export interface AuditVerifyReport {
  ok: boolean;
  /** Entries verified (hash, link, content), from seq 1 up to the first break. */
  entries: number;
  /** Checkpoints whose signature and hash verified. */
  checkpoints: number;
  /** Seq of the last verified entry (0 if none). */
  head: number;
  /** Seq of the last verified checkpoint (0 if none): entries up to here are proven as written. */
  signedThrough: number;
  /**
   * Verified entries after `signedThrough`. They are hash-linked but not signed: they could have been
   * rewritten or truncated by someone with the file without detection, unless an `anchor` covers them.
   */
  unsignedTail: number;
  firstBroken?: { seq: number; reason: AuditBreakReason; detail: string };
}

/** How far around a mismatching row to look for the seq its content was written under. */
const MOVE_WINDOW = 64;

/**
 * Recomputes the whole chain from seq 1 and checks every checkpoint, streaming rows (memory does not
 * grow with the log). Stops at the first break. Runs in one read transaction, so it sees one
 * consistent snapshot even while another connection appends.
 */
export function verifyAudit(db: Db, opts: AuditVerifyOptions): AuditVerifyReport {
  const trusted = [opts.publicKey, ...(opts.previousKeys ?? [])];
  if (opts.anchor !== undefined && (!isSeq(opts.anchor.seq) || opts.anchor.hash.length !== HASH_BYTES)) {
    throw new VeilError('bad_request', 'audit verify: anchor is invalid');
  }
  if (opts.checkpointEvery !== undefined && (!Number.isSafeInteger(opts.checkpointEvery) || opts.checkpointEvery < 1)) {
    throw new VeilError('bad_request', 'audit verify: checkpointEvery is invalid');
  }
  const sql = new AuditChainStatements(db);
  return db.transaction(() => verifyStreaming(sql, trusted, opts))();
}

function verifyStreaming(sql: AuditChainStatements, trusted: readonly Uint8Array[], opts: AuditVerifyOptions): AuditVerifyReport {
  let expected = 1;
  let prev: Uint8Array = ZERO_HASH;
  let checkpoints = 0;
  let signedThrough = 0;
  let sinceCheckpoint = 0;

  const report = (broken?: AuditVerifyReport['firstBroken']): AuditVerifyReport => {
    const head = expected - 1;
    const r: AuditVerifyReport = {
      ok: broken === undefined,
      entries: head,
      checkpoints,
      head,
      signedThrough,
      unsignedTail: head - signedThrough,
    };
    if (broken !== undefined) r.firstBroken = broken;
    return r;
  };
  const broken = (seq: number, reason: AuditBreakReason, detail: string): AuditVerifyReport => report({ seq, reason, detail });

  const cpIter = sql.checkpoints();
  const nextCp = (): CheckpointRow | undefined => {
    const n = cpIter.next();
    return n.done === true ? undefined : n.value;
  };
  let cp = nextCp();

  /** Checks a checkpoint row's signature; returns a failure detail or undefined. */
  const badSignature = (row: CheckpointRow): string | undefined => {
    if (!isSeq(row.seq) || !(row.hash instanceof Uint8Array) || row.hash.length !== HASH_BYTES) {
      return 'the checkpoint row is malformed';
    }
    if (!(row.public_key instanceof Uint8Array) || !trusted.some((k) => bytesEqual(k, row.public_key))) {
      return 'the checkpoint is signed by a key that is not trusted';
    }
    if (!(row.signature instanceof Uint8Array)) return 'the checkpoint signature is malformed';
    let valid = false;
    try {
      valid = opts.verify(new Uint8Array(row.public_key), auditCheckpointMessage(row.seq, row.hash), new Uint8Array(row.signature));
    } catch {
      valid = false;
    }
    return valid === true ? undefined : 'the checkpoint signature does not verify';
  };

  try {
    // A checkpoint for a seq below 1 cannot match any entry.
    if (cp !== undefined && cp.seq < 1) {
      return broken(cp.seq, 'bad-checkpoint-signature', 'a checkpoint row is numbered below 1');
    }
    for (const row of sql.entries()) {
      const seq = row.seq;
      if (seq < expected) return broken(seq, 'bad-entry', 'an entry is numbered below 1');
      if (seq > expected) {
        const last = seq - 1;
        return broken(expected, 'missing-entry', last === expected ? `entry ${expected} is missing` : `entries ${expected}..${last} are missing`);
      }
      if (
        !(row.prev_hash instanceof Uint8Array) ||
        row.prev_hash.length !== HASH_BYTES ||
        !(row.hash instanceof Uint8Array) ||
        row.hash.length !== HASH_BYTES ||
        !isTs(row.ts) ||
        typeof row.kind !== 'string' ||
        typeof row.data !== 'string'
      ) {
        return broken(seq, 'bad-entry', 'the row has a malformed column');
      }
      const hash = auditEntryHash(row.prev_hash, seq, row.ts, row.kind, row.data);
      if (!bytesEqual(hash, row.hash)) {
        const origin = whereWritten(sql, row);
        return origin === undefined
          ? broken(seq, 'hash-mismatch', 'the entry does not hash to its stored hash: it was altered')
          : broken(seq, 'reordered', `the entry stored at seq ${seq} was written as seq ${origin}`);
      }
      if (!bytesEqual(row.prev_hash, prev)) {
        return broken(
          seq,
          'missing-entry',
          seq === 1
            ? 'the first entry does not start from the zero hash: earlier entries were removed'
            : `the entry does not link to entry ${seq - 1}: an entry before it was removed or replaced`,
        );
      }
      if (decodeAuditEntry(row) === undefined) {
        return broken(seq, 'bad-entry', 'the entry content is not a valid, canonical audit entry');
      }
      if (cp !== undefined && cp.seq === seq) {
        const bad = badSignature(cp);
        if (bad !== undefined) return broken(seq, 'bad-checkpoint-signature', bad);
        if (row.kind !== 'audit.checkpoint') {
          return broken(seq, 'checkpoint-mismatch', 'a checkpoint row signs an entry that is not a checkpoint entry');
        }
        if (!bytesEqual(cp.hash, hash) || cp.ts !== row.ts) {
          return broken(
            seq,
            'checkpoint-mismatch',
            `the chain differs from the signed checkpoint: entries after seq ${signedThrough} and up to ${seq} were rewritten`,
          );
        }
        checkpoints++;
        signedThrough = seq;
        sinceCheckpoint = 0;
        cp = nextCp();
      } else if (row.kind === 'audit.checkpoint') {
        return broken(seq, 'checkpoint-mismatch', 'a checkpoint entry has no signed checkpoint row: it was removed');
      } else {
        sinceCheckpoint++;
        if (opts.checkpointEvery !== undefined && sinceCheckpoint > opts.checkpointEvery) {
          return broken(
            seq,
            'checkpoint-mismatch',
            `more than ${opts.checkpointEvery} entries after seq ${signedThrough} without a checkpoint: checkpoints were removed`,
          );
        }
      }
      if (opts.anchor !== undefined && opts.anchor.seq === seq && !bytesEqual(opts.anchor.hash, hash)) {
        return broken(seq, 'checkpoint-mismatch', 'the entry differs from the external anchor: the log was rewritten');
      }
      prev = hash;
      expected++;
    }
    const head = expected - 1;
    if (cp !== undefined) {
      const bad = badSignature(cp);
      if (bad !== undefined) return broken(cp.seq, 'bad-checkpoint-signature', bad);
      return broken(head + 1, 'missing-entry', `a signed checkpoint covers entries up to seq ${cp.seq} but the log ends at seq ${head}: the tail was removed`);
    }
    if (opts.anchor !== undefined && opts.anchor.seq > head) {
      return broken(
        head + 1,
        'missing-entry',
        `the external anchor covers entries up to seq ${opts.anchor.seq} but the log ends at seq ${head}: the tail was removed`,
      );
    }
    return report();
  } finally {
    cpIter.return?.();
  }
}

/**
 * Diagnoses a row whose hash does not recompute: returns the seq its content was originally written
 * under if it was moved (rows swapped, renumbered, or contents exchanged), else undefined (altered).
 * Runs only on failure; the full scan is O(n) once.
 */
function whereWritten(sql: AuditChainStatements, row: EntryRow): number | undefined {
  const { seq, ts, kind, data } = row;
  // The whole row moved: its stored prev_hash/hash are consistent under another seq.
  const candidates = new Set<number>();
  for (let d = 1; d <= MOVE_WINDOW; d++) {
    candidates.add(seq + d);
    if (seq - d >= 1) candidates.add(seq - d);
  }
  if (bytesEqual(row.prev_hash, ZERO_HASH)) candidates.add(1);
  const pred = sql.seqByHash(row.prev_hash);
  if (pred !== undefined) candidates.add(pred + 1);
  const succ = sql.seqByPrevHash(row.hash);
  if (succ !== undefined) candidates.add(succ - 1);
  for (const k of candidates) {
    if (k !== seq && isSeq(k) && bytesEqual(auditEntryHash(row.prev_hash, k, ts, kind, data), row.hash)) return k;
  }
  // Only the contents moved: this content hashes correctly at another row's position, whose own
  // content differs (so an untouched duplicate does not count).
  for (const other of sql.scan()) {
    if (other.seq === seq || !isSeq(other.seq)) continue;
    if (!(other.prev_hash instanceof Uint8Array) || other.prev_hash.length !== HASH_BYTES) continue;
    if (!(other.hash instanceof Uint8Array) || other.hash.length !== HASH_BYTES) continue;
    if (other.ts === ts && other.kind === kind && other.data === data) continue;
    if (bytesEqual(auditEntryHash(other.prev_hash, other.seq, ts, kind, data), other.hash)) return other.seq;
  }
  return undefined;
}
