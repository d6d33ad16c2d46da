import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, toHex } from '#crypto';
import { errorCodeOf } from './errors.ts';
import { type BlockStore, BUCKETS, bucketLeaf, bucketOf, emptyHash, IndexTree, nodeHash, verifyBucket } from './index-commitment.ts';

beforeAll(initCrypto);

type Entry = readonly [Uint8Array, Uint8Array];

function memoryBlocks(): BlockStore & { writes: number } {
  const m = new Map<number, Uint8Array>();
  return {
    writes: 0,
    get: (n) => m.get(n),
    put(n, b) {
      this.writes++;
      m.set(n, b.slice());
    },
  };
}

function entry(bucket: number): Entry {
  const tag = randomBytes(16);
  tag[0] = bucket >> 8;
  tag[1] = bucket & 0xff;
  return [tag, randomBytes(40 + (bucket % 7))];
}

/** Reference: every leaf, then fold level by level (no blocks, no sparsity). */
function naiveRoot(byBucket: Map<number, Entry[]>): Uint8Array {
  let level: Uint8Array[] = [];
  for (let b = 0; b < BUCKETS; b++) level.push(byBucket.has(b) ? bucketLeaf(b, byBucket.get(b) as Entry[]) : emptyHash(0));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    level = next;
  }
  return level[0] as Uint8Array;
}

const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return errorCodeOf(e);
  }
};

describe('index commitment', () => {
  it('an empty index has the empty root; the block tree equals a naive full tree', () => {
    const tree = new IndexTree(memoryBlocks());
    expect(toHex(tree.root())).toBe(toHex(emptyHash(16)));
    const byBucket = new Map<number, Entry[]>();
    for (const b of [0, 1, 255, 256, 4660, 65535, 4660]) byBucket.set(b, [...(byBucket.get(b) ?? []), entry(b)]);
    for (const [b, es] of byBucket) tree.setBucket(b, bucketLeaf(b, es));
    expect(toHex(tree.root())).toBe(toHex(naiveRoot(byBucket)));
    // a batched update of many buckets gives the same root as one at a time
    const batched = new IndexTree(memoryBlocks());
    for (let b = 300; b < 900; b += 7) byBucket.set(b, [entry(b)]);
    for (const [b, es] of byBucket) tree.setBucket(b, bucketLeaf(b, es));
    batched.setBuckets(new Map([...byBucket].map(([b, es]) => [b, bucketLeaf(b, es)])));
    expect(toHex(batched.root())).toBe(toHex(tree.root()));
    expect(toHex(batched.root())).toBe(toHex(naiveRoot(byBucket)));
    // removing a bucket's entries brings back the empty leaf
    byBucket.delete(4660);
    tree.setBucket(4660, emptyHash(0));
    expect(toHex(tree.root())).toBe(toHex(naiveRoot(byBucket)));
  });

  it('complete buckets verify; hidden, invented or altered entries and wrong paths do not', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: BUCKETS - 1 }), { minLength: 1, maxLength: 12 }), (buckets) => {
        const tree = new IndexTree(memoryBlocks());
        const byBucket = new Map<number, Entry[]>();
        for (const b of buckets) byBucket.set(b, [...(byBucket.get(b) ?? []), entry(b), entry(b)]);
        for (const [b, es] of byBucket) tree.setBucket(b, bucketLeaf(b, es));
        const root = tree.root();
        const [b, es] = [...byBucket][0] as [number, Entry[]];
        const path = tree.path(b);
        expect(code(() => verifyBucket(root, b, es, path))).toBe('ok');
        expect(code(() => verifyBucket(root, b, [...es].reverse(), path))).toBe('ok'); // order is not trusted, content is
        expect(code(() => verifyBucket(root, b, es.slice(1), path))).toBe('bad_proof'); // a hidden hit
        expect(code(() => verifyBucket(root, b, [...es, entry(b)], path))).toBe('bad_proof'); // an invented hit
        const altered: Entry[] = [[es[0]![0], randomBytes(40)], ...es.slice(1)];
        expect(code(() => verifyBucket(root, b, altered, path))).toBe('bad_proof');
        const other = (b + 1) % BUCKETS;
        expect(code(() => verifyBucket(root, other, byBucket.get(other) ?? [], tree.path(other)))).toBe('ok'); // a no-hit proven empty
        expect(code(() => verifyBucket(root, other, [entry(other)], tree.path(other)))).toBe('bad_proof');
        expect(code(() => verifyBucket(root, b, es, path.slice(1)))).toBe('bad_proof');
        expect(code(() => verifyBucket(root, b, [entry((b + 3) % BUCKETS)], path))).toBe('bad_proof'); // entry outside its bucket
      }),
      { numRuns: 20 },
    );
  });

  it('an update rewrites two blocks', () => {
    const blocks = memoryBlocks();
    const tree = new IndexTree(blocks);
    tree.setBucket(bucketOf(Uint8Array.of(0x12, 0x34)), bucketLeaf(0x1234, [entry(0x1234)]));
    expect(blocks.writes).toBe(2);
  });
});
