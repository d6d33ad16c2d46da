/**
 * The PSI index on SQLite: (tag, token) entries per (country, epoch) as published by the nodes in
 * sequenced chunks, the publication progress of each epoch, and the commitment tree over its buckets
 * (protocol/index-commitment.ts) with the node's latest signed commitment.
 *
 * Applying a chunk recomputes the leaves of the buckets it touched from the stored entries and checks
 * the resulting root and entry count against what the node signed: a chunk that would make the index
 * differ from the node's own is refused whole, so the coordinator never serves a commitment its index
 * does not match. A lookup reads each country's complete buckets and paths in one snapshot; the top of
 * each tree and its commitment, which every lookup of that country needs, are kept in memory between
 * chunks.
 */

import { equalBytes } from '#crypto';
import type { AuditEntry, Db } from '#platform';
import { type BlockStore, bucketLeaf, bucketOf, decodeWith, Envelope, IndexTree, LIMITS, type LookupResult, TOP_BLOCK, VeilError } from '#protocol';
import type { IndexChunk, IndexLookupItem, PsiIndexRepository } from './repositories.ts';
import type { SqliteAuditWriter } from './sqlite-audit.ts';

interface EntryRow {
  tag: Uint8Array;
  token: Uint8Array;
}

const prefixOf = (bucket: number) => Uint8Array.of(bucket >> 8, bucket & 0xff);

export function sqlitePsiIndex(db: Db, deps: { audit: SqliteAuditWriter }): PsiIndexRepository {
  const bucketTo = db.prepare<[string, number, Uint8Array, Uint8Array], EntryRow>(
    'SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag >= ? AND tag < ?',
  );
  const bucketOpen = db.prepare<[string, number, Uint8Array], EntryRow>('SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag >= ?');
  const add = db.prepare<[string, number, Uint8Array, Uint8Array]>('INSERT OR IGNORE INTO psi_index (country, epoch, tag, token) VALUES (?, ?, ?, ?)');
  const remove = db.prepare<[string, number, Uint8Array, Uint8Array]>('DELETE FROM psi_index WHERE country = ? AND epoch = ? AND tag = ? AND token = ?');
  const selectState = db.prepare<[string, number], { lastSeq: number; complete: number; commitment: Uint8Array | null }>(
    'SELECT last_seq AS lastSeq, complete, commitment FROM publish_state WHERE country = ? AND epoch = ?',
  );
  const upsertState = db.prepare<[string, number, number, number, Uint8Array]>(
    `INSERT INTO publish_state (country, epoch, last_seq, complete, commitment) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(country, epoch) DO UPDATE SET last_seq = excluded.last_seq, complete = MAX(complete, excluded.complete),
       commitment = excluded.commitment`,
  );
  const completeEpochs = db.prepare<[string], { epoch: number }>('SELECT epoch FROM publish_state WHERE country = ? AND complete = 1 ORDER BY epoch DESC');
  const dropEntriesBelow = db.prepare<[string, number]>('DELETE FROM psi_index WHERE country = ? AND epoch < ?');
  const dropStateBelow = db.prepare<[string, number]>('DELETE FROM publish_state WHERE country = ? AND epoch < ?');
  const dropBlocksBelow = db.prepare<[string, number]>('DELETE FROM index_blocks WHERE country = ? AND epoch < ?');
  const count = db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM psi_index WHERE country = ? AND epoch = ?');
  const blockGet = db.prepare<[string, number, number], { hashes: Uint8Array }>(
    'SELECT hashes FROM index_blocks WHERE country = ? AND epoch = ? AND block = ?',
  );
  const blockPut = db.prepare<[string, number, number, Uint8Array]>(
    'INSERT INTO index_blocks (country, epoch, block, hashes) VALUES (?, ?, ?, ?) ON CONFLICT(country, epoch, block) DO UPDATE SET hashes = excluded.hashes',
  );

  // A view of the row's own bytes (no copy): IndexTree copies a block before changing it.
  const readBlock = (country: string, epoch: number, block: number): Uint8Array | undefined => {
    const r = blockGet.get(country, epoch, block);
    return r ? new Uint8Array(r.hashes.buffer, r.hashes.byteOffset, r.hashes.byteLength) : undefined;
  };
  const blocks = (country: string, epoch: number): BlockStore => ({
    get: (block) => readBlock(country, epoch, block),
    put: (block, hashes) => void blockPut.run(country, epoch, block, hashes),
  });

  /**
   * What every lookup of a (country, epoch) reads whatever its buckets: the top block of the tree and
   * the decoded commitment. Kept until a chunk of that country and epoch is applied (the entry is
   * dropped whether the chunk committed or rolled back), or the epoch is dropped. The index keeps at
   * most two epochs per member, so this holds at most two entries of ≈ 16 KiB per member.
   */
  const snapshots = new Map<string, { top: Uint8Array | undefined; commitment: Envelope }>();
  const snapshotKey = (country: string, epoch: number) => `${country}/${epoch}`;
  const forget = (country: string, epoch?: number): void => {
    if (epoch !== undefined) snapshots.delete(snapshotKey(country, epoch));
    else for (const k of snapshots.keys()) if (k.startsWith(`${country}/`)) snapshots.delete(k);
  };

  const bucketEntries = (country: string, epoch: number, bucket: number): Array<[Uint8Array, Uint8Array]> => {
    const rows = bucket === 0xffff ? bucketOpen.all(country, epoch, prefixOf(bucket)) : bucketTo.all(country, epoch, prefixOf(bucket), prefixOf(bucket + 1));
    if (rows.length > LIMITS.maxBucketEntries) throw new VeilError('too_large', 'index bucket');
    return rows.map((r) => [new Uint8Array(r.tag), new Uint8Array(r.token)]);
  };

  // Entries per (country, epoch), counted once and then kept up to date from each applied chunk's
  // changes: counting the whole index after every chunk made publishing 10^6 records quadratic. This
  // process is the file's only writer; an entry is set only after its transaction committed.
  const sizes = new Map<string, number>();
  const sizeKey = (country: string, epoch: number) => `${country}\u0000${epoch}`;
  const knownSize = (country: string, epoch: number): number => sizes.get(sizeKey(country, epoch)) ?? count.get(country, epoch)?.n ?? 0;

  const applyTx = db.transaction((c: IndexChunk, audit: AuditEntry): { size: number } | 'duplicate' => {
    const last = selectState.get(c.country, c.epoch)?.lastSeq ?? 0;
    if (c.seq <= last) return 'duplicate';
    let size = knownSize(c.country, c.epoch);
    const touched = new Set<number>();
    for (const [tag, token] of c.removes) {
      size -= remove.run(c.country, c.epoch, tag, token).changes;
      touched.add(bucketOf(tag));
    }
    for (const [tag, token] of c.adds) {
      size += add.run(c.country, c.epoch, tag, token).changes;
      touched.add(bucketOf(tag));
    }
    const tree = new IndexTree(blocks(c.country, c.epoch));
    tree.setBuckets(new Map([...touched].map((b) => [b, bucketLeaf(b, bucketEntries(c.country, c.epoch, b))])));
    // Throwing rolls the whole chunk back: the index never diverges from what the node committed to.
    if (!equalBytes(tree.root(), c.commitment.root)) throw new VeilError('bad_proof', 'the index after this chunk differs from the node’s commitment');
    if (size !== c.commitment.count) throw new VeilError('bad_proof', 'the index size after this chunk differs from the node’s commitment');
    upsertState.run(c.country, c.epoch, c.seq, c.final ? 1 : 0, c.commitment.envelope);
    if (c.final) {
      // Keep this epoch and the previous complete one; drop anything older.
      const complete = completeEpochs.all(c.country).map((r) => r.epoch);
      const keepFrom = complete[1] ?? complete[0] ?? c.epoch;
      dropEntriesBelow.run(c.country, keepFrom);
      dropStateBelow.run(c.country, keepFrom);
      dropBlocksBelow.run(c.country, keepFrom);
    }
    deps.audit.append(audit);
    return { size };
  });

  // One read transaction per country: its buckets and paths come from the same snapshot as its commitment
  // (the cached top block and commitment are those of the last applied chunk, see `snapshots`).
  const lookupItem = db.transaction((item: IndexLookupItem): LookupResult | undefined => {
    const key = snapshotKey(item.country, item.epoch);
    let snap = snapshots.get(key);
    if (!snap) {
      const state = selectState.get(item.country, item.epoch);
      if (!state?.commitment) return undefined;
      snap = {
        top: readBlock(item.country, item.epoch, TOP_BLOCK),
        commitment: decodeWith(new Uint8Array(state.commitment), Envelope, LIMITS.maxPayloadBytes),
      };
      snapshots.set(key, snap);
    }
    const { top } = snap;
    const tree = new IndexTree({
      get: (n) => (n === TOP_BLOCK ? top : readBlock(item.country, item.epoch, n)),
      put: () => {
        throw new VeilError('internal', 'a lookup does not write the index');
      },
    });
    const paths = tree.paths(item.buckets);
    return {
      country: item.country,
      epoch: item.epoch,
      commitment: snap.commitment,
      buckets: item.buckets.map((bucket, i) => ({ bucket, entries: bucketEntries(item.country, item.epoch, bucket), path: paths[i] as Uint8Array[] })),
    };
  });

  /**
   * Countries one after another, yielding to the event loop between them: a lookup of thousands of keys
   * is many index reads, and other members' frames must not wait behind all of them at once.
   */
  const lookup = async (items: readonly IndexLookupItem[]): Promise<LookupResult[]> => {
    const results: LookupResult[] = [];
    for (const [i, item] of items.entries()) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const r = lookupItem(item);
      if (r) results.push(r);
    }
    return results;
  };

  return {
    applyChunk: async (chunk, audit) => {
      // The transaction is synchronous, so no lookup runs meanwhile; committed or rolled back, the
      // cached snapshot of this epoch (of every epoch, when a final chunk may drop old ones) goes.
      try {
        const r = applyTx(chunk, audit);
        if (r === 'duplicate') return r;
        sizes.set(sizeKey(chunk.country, chunk.epoch), r.size);
        if (chunk.final)
          for (const k of [...sizes.keys()]) if (k.startsWith(`${chunk.country}\u0000`) && k !== sizeKey(chunk.country, chunk.epoch)) sizes.delete(k);
        return 'applied';
      } finally {
        forget(chunk.country, chunk.final ? undefined : chunk.epoch);
      }
    },
    lookup,
    publishState: async (country, epoch) => {
      const r = selectState.get(country, epoch);
      return r ? { lastSeq: r.lastSeq, complete: r.complete === 1 } : undefined;
    },
    size: async (country, epoch) => count.get(country, epoch)?.n ?? 0,
  };
}
