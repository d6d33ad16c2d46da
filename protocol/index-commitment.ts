/**
 * Lookups the coordinator cannot falsify: a node commits to its published PSI index, per epoch, with a
 * sparse Merkle tree over buckets, and every lookup answer carries complete buckets with their paths.
 *
 * - A **bucket** is the set of index entries `(tag, token)` whose tag starts with the same 2 bytes
 *   (65,536 buckets; the bucket lookup mode asks for exactly these).
 * - A bucket's **leaf** is `H("…/leaf" ‖ 0x00 ‖ bucket ‖ n ‖ (tag ‖ len(token) ‖ token)*n)` over its
 *   entries in byte order; an empty bucket's leaf is the constant `H("…/empty")`.
 * - Inner nodes are `H("…/node" ‖ 0x00 ‖ left ‖ right)`; the tree has depth 16, so a bucket's path is
 *   16 sibling hashes and its position is the bucket number.
 * - The node signs `(country, epoch, seq, root, count)` after each publish chunk; the coordinator
 *   recomputes the same root when it applies the chunk and refuses a chunk that does not match.
 *
 * A lookup answer names, for every bucket asked, all its entries and the path to a root the node signed.
 * The SDK recomputes the leaf, checks every entry belongs to the bucket, folds the path, and compares
 * with the signed root: a hidden entry, an invented one or a changed token changes the leaf. A stale
 * answer is caught by the sequence number: a node's evaluation answer states the sequence of its last
 * acknowledged chunk, and a commitment older than that is refused.
 *
 * Storage: the tree is kept as 257 blocks of 511 hashes (256 subtrees of 8 levels under one top tree
 * of 8 levels), so updating a bucket rewrites two 16 KiB blocks and a proof reads two. Blocks never
 * written are all-empty and need no storage. Nodes publish index changes in tag order, so one chunk
 * touches a contiguous run of buckets and few blocks.
 */
import { concatBytes, sha256, utf8 } from '#crypto';
import { VeilError } from './errors.ts';
import { LABELS } from './labels.ts';
import { LIMITS } from './limits.ts';

export const BUCKET_BITS = 16;
export const BUCKETS = 1 << BUCKET_BITS;
const LEVELS_PER_BLOCK = 8;
const BLOCK_LEAVES = 1 << LEVELS_PER_BLOCK; // 256
const BLOCK_HASHES = 2 * BLOCK_LEAVES - 1; // 511
export const TOP_BLOCK = BLOCK_LEAVES; // block number of the top tree
const H = 32;

const leafPrefix = concatBytes(utf8(`${LABELS.indexCommitment}/leaf`), Uint8Array.of(0));
const nodePrefix = concatBytes(utf8(`${LABELS.indexCommitment}/node`), Uint8Array.of(0));

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(nodePrefix, left, right));
}

let empties: Uint8Array[] | undefined;

/**
 * Empty-subtree hash of a height: 0 is an empty leaf, 16 the root of an empty index. Computed on first
 * use (hashing needs the crypto library initialised).
 */
export function emptyHash(height: number): Uint8Array {
  if (!empties) {
    empties = [sha256(utf8(`${LABELS.indexCommitment}/empty`))];
    for (let i = 1; i <= BUCKET_BITS; i++) empties.push(nodeHash(empties[i - 1] as Uint8Array, empties[i - 1] as Uint8Array));
  }
  const h = empties[height];
  if (!h) throw new VeilError('internal', 'no such tree height');
  return h;
}

/** The buckets a lookup key (a full tag or a prefix of 2 bytes or more) falls in, without repeats. */
export function bucketsOfKeys(keys: readonly Uint8Array[]): number[] {
  return [...new Set(keys.map(bucketOf))].sort((a, b) => a - b);
}

export function bucketOf(tag: Uint8Array): number {
  if (tag.length < 2) throw new VeilError('bad_length', 'tag shorter than a bucket prefix');
  return ((tag[0] as number) << 8) | (tag[1] as number);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function compareEntries(a: readonly [Uint8Array, Uint8Array], b: readonly [Uint8Array, Uint8Array]): number {
  return compareBytes(a[0], b[0]) || compareBytes(a[1], b[1]);
}

/** The leaf of one bucket over its entries (sorted here; duplicates are an error). */
export function bucketLeaf(bucket: number, entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKETS) throw new VeilError('bad_request', 'bucket out of range');
  if (entries.length === 0) return emptyHash(0);
  if (entries.length > LIMITS.maxBucketEntries) throw new VeilError('too_large', 'bucket');
  const sorted = [...entries].sort(compareEntries);
  const parts: Uint8Array[] = [leafPrefix, Uint8Array.of(bucket >> 8, bucket & 0xff), u32(sorted.length)];
  for (let i = 0; i < sorted.length; i++) {
    const [tag, token] = sorted[i] as readonly [Uint8Array, Uint8Array];
    if (tag.length !== LIMITS.tagBytes || bucketOf(tag) !== bucket) throw new VeilError('bad_request', 'entry outside its bucket');
    if (token.length > LIMITS.maxTokenBytes) throw new VeilError('too_large', 'token');
    if (i > 0 && compareEntries(sorted[i - 1] as readonly [Uint8Array, Uint8Array], sorted[i] as readonly [Uint8Array, Uint8Array]) === 0) {
      throw new VeilError('bad_request', 'duplicate entry');
    }
    parts.push(tag, Uint8Array.of(token.length >> 8, token.length & 0xff), token);
  }
  return sha256(concatBytes(...parts));
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Where the tree's blocks live: the node's and the coordinator's stores each implement this. */
export interface BlockStore {
  get(block: number): Uint8Array | undefined;
  put(block: number, hashes: Uint8Array): void;
}

function emptyBlock(leafHeight: number): Uint8Array {
  const b = new Uint8Array(BLOCK_HASHES * H);
  // heap order: index 0 is the block's root (height leafHeight + 8), leaves start at 255
  for (let i = 0; i < BLOCK_HASHES; i++) {
    const depth = 31 - Math.clz32(i + 1); // 0 for the root, 8 for leaves
    b.set(emptyHash(leafHeight + LEVELS_PER_BLOCK - depth), i * H);
  }
  return b;
}

let emptyBlocks: { bottom: Uint8Array; top: Uint8Array } | undefined;

function at(block: Uint8Array, i: number): Uint8Array {
  return block.subarray(i * H, (i + 1) * H);
}

/** Set several leaves of a block, then recompute each inner hash above them once. */
function setLeaves(block: Uint8Array, leaves: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const dirty = new Set<number>();
  for (const [slot, hash] of leaves) {
    let i = BLOCK_LEAVES - 1 + slot;
    block.set(hash, i * H);
    while (i > 0) {
      i = (i - 1) >> 1;
      dirty.add(i);
    }
  }
  for (const i of [...dirty].sort((a, b) => b - a)) block.set(nodeHash(at(block, 2 * i + 1), at(block, 2 * i + 2)), i * H);
  return at(block, 0);
}

/** Sibling hashes from a block's leaf `slot` up to (not including) its root, bottom first. */
function siblings(block: Uint8Array, slot: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = BLOCK_LEAVES - 1 + slot; i > 0; i = (i - 1) >> 1) out.push(at(block, i % 2 === 1 ? i + 1 : i - 1).slice());
  return out;
}

/** The commitment tree of one (country, epoch) over a block store. */
export class IndexTree {
  constructor(readonly blocks: BlockStore) {}

  /** A block to change: a copy, so a failed update leaves the store's bytes as they were. */
  #block(n: number): Uint8Array {
    return this.#view(n).slice();
  }

  /** A block to read: the store's own bytes (or the shared empty block), never written to. */
  #view(n: number): Uint8Array {
    const b = this.blocks.get(n);
    if (b && b.length !== BLOCK_HASHES * H) throw new VeilError('internal', 'index tree block has the wrong size');
    if (b) return b;
    emptyBlocks ??= { bottom: emptyBlock(0), top: emptyBlock(LEVELS_PER_BLOCK) };
    return n === TOP_BLOCK ? emptyBlocks.top : emptyBlocks.bottom;
  }

  root(): Uint8Array {
    return at(this.#view(TOP_BLOCK), 0).slice();
  }

  /** Replace one bucket's leaf; the caller computes it from the bucket's entries. */
  setBucket(bucket: number, leaf: Uint8Array): void {
    this.setBuckets(new Map([[bucket, leaf]]));
  }

  /** Replace several buckets' leaves: each touched block is read, rehashed and written once. */
  setBuckets(leaves: ReadonlyMap<number, Uint8Array>): void {
    const byBlock = new Map<number, Map<number, Uint8Array>>();
    for (const [bucket, leaf] of leaves) {
      if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKETS) throw new VeilError('bad_request', 'bucket out of range');
      const n = bucket >> LEVELS_PER_BLOCK;
      let m = byBlock.get(n);
      if (!m) {
        m = new Map();
        byBlock.set(n, m);
      }
      m.set(bucket & (BLOCK_LEAVES - 1), leaf);
    }
    const roots = new Map<number, Uint8Array>();
    for (const [n, m] of byBlock) {
      const bottom = this.#block(n);
      roots.set(n, setLeaves(bottom, m).slice());
      this.blocks.put(n, bottom);
    }
    if (roots.size === 0) return;
    const top = this.#block(TOP_BLOCK);
    setLeaves(top, roots);
    this.blocks.put(TOP_BLOCK, top);
  }

  /** The 16 sibling hashes of a bucket's leaf, bottom first. */
  path(bucket: number): Uint8Array[] {
    return this.paths([bucket])[0] as Uint8Array[];
  }

  /** `path` of several buckets, reading the top block once and each bottom block once. */
  paths(buckets: readonly number[]): Uint8Array[][] {
    const top = this.#view(TOP_BLOCK);
    const bottoms = new Map<number, Uint8Array>();
    return buckets.map((bucket) => {
      if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKETS) throw new VeilError('bad_request', 'bucket out of range');
      const n = bucket >> LEVELS_PER_BLOCK;
      let bottom = bottoms.get(n);
      if (!bottom) {
        bottom = this.#view(n);
        bottoms.set(n, bottom);
      }
      return [...siblings(bottom, bucket & (BLOCK_LEAVES - 1)), ...siblings(top, n)];
    });
  }
}

/** Fold a leaf up its path to the root it implies. */
export function rootFromPath(bucket: number, leaf: Uint8Array, path: readonly Uint8Array[]): Uint8Array {
  if (path.length !== BUCKET_BITS) throw new VeilError('bad_proof', 'index path has the wrong length');
  let h = leaf;
  for (let level = 0; level < BUCKET_BITS; level++) {
    const sib = path[level] as Uint8Array;
    if (sib.length !== H) throw new VeilError('bad_proof', 'index path hash has the wrong length');
    h = (bucket >> level) & 1 ? nodeHash(sib, h) : nodeHash(h, sib);
  }
  return h;
}

/** Check a complete bucket against a signed root; throws `bad_proof` if anything was hidden or added. */
export function verifyBucket(root: Uint8Array, bucket: number, entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>, path: readonly Uint8Array[]): void {
  let leaf: Uint8Array;
  try {
    leaf = bucketLeaf(bucket, entries);
  } catch (e) {
    throw new VeilError('bad_proof', 'bucket entries are malformed', { cause: e });
  }
  const r = rootFromPath(bucket, leaf, path);
  let diff = 0;
  for (let i = 0; i < H; i++) diff |= (r[i] as number) ^ (root[i] as number);
  if (root.length !== H || diff !== 0) throw new VeilError('bad_proof', 'bucket does not match the committed index');
}
