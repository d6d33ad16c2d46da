/**
 * Keeping a node's published index in step with its records: for each changed record, the difference
 * between the tags it had and the tags it should have, per live epoch, turned into outbox chunks that
 * the publisher sends to the coordinator. Tags that did not change keep their hit token, so an update
 * that touches no match key publishes nothing.
 */

import { type Rng, randomBytes, type TokenKey, utf8 } from '#crypto';
import { BUCKETS, bucketLeaf, bucketOf, compareEntries, encode, IndexTree, LABELS, LIMITS, type MatchClass, VeilError } from '#protocol';
import type { NodeRepositories, RecordKeyRow } from './store/repositories.ts';

export type Pair = [Uint8Array, Uint8Array];

export function hitToken(tokenKey: TokenKey, country: string, recordId: string, cls: MatchClass, epoch: number, rng: Rng = randomBytes): Uint8Array {
  return tokenKey.seal(encode([recordId, cls, epoch]), utf8(LABELS.hitToken + country), rng);
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * One epoch's changes as bytes in a growing arena, `add(1) | tagLen(1) | tag | tokenLen(2) | token` per
 * change: an import of 10^6 records makes millions of changes, and millions of small objects would
 * cost far more memory (and garbage collection) than the bytes they hold.
 */
class ChangeArena {
  #bytes = new Uint8Array(1 << 16);
  #used = 0;
  adds = 0;
  removes = 0;

  push(p: Pair, add: boolean): void {
    const [tag, token] = p;
    if (tag.length > 0xff || token.length > 0xffff) throw new VeilError('too_large', 'index entry');
    const need = 4 + tag.length + token.length;
    if (this.#used + need > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#used + need));
      grown.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = grown;
    }
    const b = this.#bytes;
    let o = this.#used;
    b[o++] = add ? 1 : 0;
    b[o++] = tag.length;
    b.set(tag, o);
    o += tag.length;
    b[o++] = token.length >> 8;
    b[o++] = token.length & 0xff;
    b.set(token, o);
    this.#used = o + token.length;
    if (add) this.adds++;
    else this.removes++;
  }

  get count(): number {
    return this.adds + this.removes;
  }

  /** Offsets of every change, in the order pushed. */
  *offsets(): IterableIterator<number> {
    const b = this.#bytes;
    for (let o = 0; o < this.#used; ) {
      yield o;
      const tagEnd = o + 2 + (b[o + 1] as number);
      o = tagEnd + 2 + (((b[tagEnd] as number) << 8) | (b[tagEnd + 1] as number));
    }
  }

  /** The change at `offset`, as views into the arena (valid until the next `push`). */
  at(offset: number): Op {
    const b = this.#bytes;
    const tagEnd = offset + 2 + (b[offset + 1] as number);
    const tokenLen = ((b[tagEnd] as number) << 8) | (b[tagEnd + 1] as number);
    return { p: [b.subarray(offset + 2, tagEnd), b.subarray(tagEnd + 2, tagEnd + 2 + tokenLen)], add: b[offset] === 1 };
  }
}

/** Per-epoch accumulator of index changes, flushed as outbox chunks inside the caller's transaction. */
export class IndexDelta {
  readonly #epochs = new Map<number, ChangeArena>();
  /** Where the nonces of the hit tokens minted for these changes come from. */
  readonly rng: Rng;

  constructor(opts: { rng?: Rng } = {}) {
    this.rng = opts.rng ?? randomBytes;
  }

  #arena(epoch: number): ChangeArena {
    let a = this.#epochs.get(epoch);
    if (!a) {
      a = new ChangeArena();
      this.#epochs.set(epoch, a);
    }
    return a;
  }

  add(epoch: number, p: Pair): void {
    this.#arena(epoch).push(p, true);
  }

  remove(epoch: number, p: Pair): void {
    this.#arena(epoch).push(p, false);
  }

  get size(): { added: number; removed: number } {
    let added = 0;
    let removed = 0;
    for (const a of this.#epochs.values()) {
      added += a.adds;
      removed += a.removes;
    }
    return { added, removed };
  }

  /**
   * Write outbox chunks (≤ maxPublishPairs pairs each) in tag order, each with the root of the epoch's
   * commitment tree once it is applied; `finalEpoch` marks that epoch's last chunk. Must run in the
   * transaction that changed `record_keys`: the tree is brought up to date here, chunk by chunk. Each
   * touched bucket is read back once per flush, so one flush after many changes costs least.
   */
  flush(store: NodeRepositories, finalEpoch?: number): number {
    const epochs = new Set([...this.#epochs.keys(), ...(finalEpoch === undefined ? [] : [finalEpoch])]);
    let chunks = 0;
    for (const epoch of [...epochs].sort((a, b) => a - b)) {
      const arena = this.#epochs.get(epoch);
      const tree = new IndexTree(store.records.indexBlocks(epoch));
      let entries = store.records.keyCount(epoch) - (arena?.adds ?? 0) + (arena?.removes ?? 0);
      const emit = (ops: Op[], final: boolean): void => {
        const adds = ops.filter((o) => o.add).map((o) => o.p);
        const removes = ops.filter((o) => !o.add).map((o) => o.p);
        entries += adds.length - removes.length;
        const touched = new Map<number, Uint8Array>();
        for (const o of ops) {
          const b = bucketOf(o.p[0]);
          if (!touched.has(b)) touched.set(b, bucketLeaf(b, store.records.bucketEntries(epoch, b)));
        }
        tree.setBuckets(touched);
        store.records.outboxAdd({ epoch, adds: encode(adds), removes: encode(removes), final, root: tree.root(), entries });
        chunks++;
      };
      // One chunk of lookahead: only the epoch's last chunk may be final.
      let held: Op[] | undefined;
      for (const ops of arena ? chunksByBucket(arena) : []) {
        if (held) emit(held, false);
        held = ops;
      }
      if (held) emit(held, epoch === finalEpoch);
      else if (epoch === finalEpoch) emit([], true);
    }
    return chunks;
  }
}

interface Op {
  p: Pair;
  add: boolean;
}

/**
 * Changes in tag order, cut into chunks of at most `maxPublishPairs`, never splitting a bucket: each
 * chunk then covers a contiguous run of buckets, so the commitment after it is exact and cheap. The
 * changes are spread over their buckets by a counting sort on the 2-byte prefix (typed arrays, no
 * object per change); only one chunk's changes exist as objects at a time, each bucket's few sorted by
 * (tag, token), a removal before an addition of the same pair.
 */
function* chunksByBucket(arena: ChangeArena): Generator<Op[]> {
  const n = arena.count;
  const offsets = new Float64Array(n);
  const buckets = new Uint16Array(n);
  const starts = new Uint32Array(BUCKETS + 1);
  let i = 0;
  for (const o of arena.offsets()) {
    const b = bucketOf(arena.at(o).p[0]);
    offsets[i] = o;
    buckets[i++] = b;
    starts[b + 1] = (starts[b + 1] as number) + 1;
  }
  for (let b = 0; b < BUCKETS; b++) starts[b + 1] = (starts[b + 1] as number) + (starts[b] as number);
  const fill = starts.slice(0, BUCKETS);
  const order = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const b = buckets[j] as number;
    order[fill[b] as number] = offsets[j] as number;
    fill[b] = (fill[b] as number) + 1;
  }
  const max = LIMITS.maxPublishPairs;
  let cur: Op[] = [];
  for (let b = 0; b < BUCKETS; b++) {
    const from = starts[b] as number;
    const to = starts[b + 1] as number;
    if (from === to) continue;
    if (to - from > max) throw new VeilError('too_large', 'one index bucket changed by more than a chunk holds');
    const ops: Op[] = [];
    for (let j = from; j < to; j++) ops.push(arena.at(order[j] as number));
    ops.sort((x, y) => compareEntries(x.p, y.p) || (x.add === y.add ? 0 : x.add ? 1 : -1));
    if (cur.length + ops.length > max) {
      yield cur;
      cur = [];
    }
    cur.push(...ops);
  }
  if (cur.length > 0) yield cur;
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
    const token = hitToken(tokenKey, country, recordId, w.cls, epoch, delta.rng);
    store.records.addKey(recordId, { epoch, cls: w.cls, tag: w.tag, token });
    delta.add(epoch, [w.tag, token]);
  }
}

export { hex as tagHex };
