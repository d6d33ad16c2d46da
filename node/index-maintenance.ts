/**
 * Keeping a node's published index in step with its records: for each changed record, the difference
 * between the tags it had and the tags it should have, per live epoch, turned into outbox chunks that
 * the publisher sends to the coordinator. Tags that did not change keep their hit token, so an update
 * that touches no match key publishes nothing.
 */
import { encode, LABELS, LIMITS, type MatchClass } from '#protocol';
import { utf8, type TokenKey } from '#crypto';
import type { NodeRepositories, RecordKeyRow } from './store/repositories.ts';

export type Pair = [Uint8Array, Uint8Array];

export function hitToken(tokenKey: TokenKey, country: string, recordId: string, cls: MatchClass, epoch: number): Uint8Array {
  return tokenKey.seal(encode([recordId, cls, epoch]), utf8(LABELS.hitToken + country));
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function append(m: Map<number, Pair[]>, epoch: number, p: Pair): void {
  const list = m.get(epoch);
  if (list) list.push(p);
  else m.set(epoch, [p]);
}

/** Per-epoch accumulator of index changes, flushed as outbox chunks inside the caller's transaction. */
export class IndexDelta {
  readonly adds = new Map<number, Pair[]>();
  readonly removes = new Map<number, Pair[]>();

  add(epoch: number, p: Pair): void {
    append(this.adds, epoch, p);
  }

  remove(epoch: number, p: Pair): void {
    append(this.removes, epoch, p);
  }

  get size(): { added: number; removed: number } {
    let added = 0;
    let removed = 0;
    for (const v of this.adds.values()) added += v.length;
    for (const v of this.removes.values()) removed += v.length;
    return { added, removed };
  }

  /** Write outbox chunks (≤ maxPublishPairs pairs each); `finalEpoch` marks that epoch's last chunk. */
  flush(store: NodeRepositories, finalEpoch?: number): number {
    const epochs = new Set([...this.adds.keys(), ...this.removes.keys(), ...(finalEpoch === undefined ? [] : [finalEpoch])]);
    let chunks = 0;
    for (const epoch of [...epochs].sort((a, b) => a - b)) {
      const adds = this.adds.get(epoch) ?? [];
      const removes = this.removes.get(epoch) ?? [];
      const max = LIMITS.maxPublishPairs;
      const n = Math.max(1, Math.ceil(adds.length / max), Math.ceil(removes.length / max));
      for (let i = 0; i < n; i++) {
        const a = adds.slice(i * max, (i + 1) * max);
        const r = removes.slice(i * max, (i + 1) * max);
        const final = epoch === finalEpoch && i === n - 1;
        if (a.length === 0 && r.length === 0 && !final) continue;
        store.records.outboxAdd({ epoch, adds: encode(a), removes: encode(r), final });
        chunks++;
      }
    }
    return chunks;
  }
}

/**
 * Replace a record's keys for one epoch by `wanted` (tag → class), recording the difference in `delta`.
 * Must run inside a transaction.
 */
export function syncRecordKeys(
  store: NodeRepositories,
  delta: IndexDelta,
  tokenKey: TokenKey,
  country: string,
  recordId: string,
  epoch: number,
  current: readonly RecordKeyRow[],
  wanted: ReadonlyMap<string, { tag: Uint8Array; cls: MatchClass }>,
): void {
  const have = new Map<string, RecordKeyRow>();
  for (const k of current) if (k.epoch === epoch) have.set(hex(k.tag), k);
  for (const [h, k] of have) {
    if (wanted.has(h)) continue;
    store.records.removeKey(recordId, epoch, k.tag);
    delta.remove(epoch, [k.tag, k.token]);
  }
  for (const [h, w] of wanted) {
    if (have.has(h)) continue;
    const token = hitToken(tokenKey, country, recordId, w.cls, epoch);
    store.records.addKey(recordId, { epoch, cls: w.cls, tag: w.tag, token });
    delta.add(epoch, [w.tag, token]);
  }
}

export { hex as tagHex };
