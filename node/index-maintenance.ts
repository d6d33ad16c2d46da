/**
 * Keeping a node's published index in step with its records: for each changed record, the difference
 * between the tags it had and the tags it should have, per live epoch, turned into outbox chunks that
 * the publisher sends to the coordinator. Tags that did not change keep their hit token, so an update
 * that touches no match key publishes nothing.
 */

import { type TokenKey, utf8 } from '#crypto';
import { bucketLeaf, bucketOf, compareEntries, encode, IndexTree, LABELS, LIMITS, type MatchClass, VeilError } from '#protocol';
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

  /**
   * Write outbox chunks (≤ maxPublishPairs pairs each) in tag order, each with the root of the epoch's
   * commitment tree once it is applied; `finalEpoch` marks that epoch's last chunk. Must run in the
   * transaction that changed `record_keys`: the tree is brought up to date here, chunk by chunk.
   */
  flush(store: NodeRepositories, finalEpoch?: number): number {
    const epochs = new Set([...this.adds.keys(), ...this.removes.keys(), ...(finalEpoch === undefined ? [] : [finalEpoch])]);
    let chunks = 0;
    for (const epoch of [...epochs].sort((a, b) => a - b)) {
      const adds = this.adds.get(epoch) ?? [];
      const removes = this.removes.get(epoch) ?? [];
      const tree = new IndexTree(store.records.indexBlocks(epoch));
      let entries = store.records.keyCount(epoch) - adds.length + removes.length;
      const groups = chunkByBucket([...adds.map((p) => ({ p, add: true })), ...removes.map((p) => ({ p, add: false }))]);
      if (groups.length === 0 && epoch === finalEpoch) groups.push([]);
      groups.forEach((ops, i) => {
        const a = ops.filter((o) => o.add).map((o) => o.p);
        const r = ops.filter((o) => !o.add).map((o) => o.p);
        entries += a.length - r.length;
        const touched = new Map<number, Uint8Array>();
        for (const o of ops) {
          const b = bucketOf(o.p[0]);
          if (!touched.has(b)) touched.set(b, bucketLeaf(b, store.records.bucketEntries(epoch, b)));
        }
        tree.setBuckets(touched);
        const final = epoch === finalEpoch && i === groups.length - 1;
        store.records.outboxAdd({ epoch, adds: encode(a), removes: encode(r), final, root: tree.root(), entries });
        chunks++;
      });
    }
    return chunks;
  }
}

interface Op {
  p: Pair;
  add: boolean;
}

/**
 * Sort changes by tag and cut them into chunks of at most `maxPublishPairs`, never splitting a bucket:
 * each chunk then covers a contiguous run of buckets, so the commitment after it is exact and cheap.
 */
function chunkByBucket(ops: Op[]): Op[][] {
  ops.sort((x, y) => compareEntries(x.p, y.p) || (x.add === y.add ? 0 : x.add ? 1 : -1));
  const max = LIMITS.maxPublishPairs;
  const out: Op[][] = [];
  let cur: Op[] = [];
  for (let i = 0; i < ops.length; ) {
    const b = bucketOf((ops[i] as Op).p[0]);
    let j = i;
    while (j < ops.length && bucketOf((ops[j] as Op).p[0]) === b) j++;
    if (j - i > max) throw new VeilError('too_large', 'one index bucket changed by more than a chunk holds');
    if (cur.length + (j - i) > max) {
      out.push(cur);
      cur = [];
    }
    cur.push(...ops.slice(i, j));
    i = j;
  }
  if (cur.length > 0) out.push(cur);
  return out;
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
