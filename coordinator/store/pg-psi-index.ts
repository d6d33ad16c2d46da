/**
 * The PSI index on PostgreSQL, with the rules of `sqlite-psi-index.ts`: chunks applied in sequence per
 * (country, epoch), retransmissions ignored, the commitment tree of the touched buckets recomputed and
 * checked against the node's signed root and count (a mismatch rolls the whole chunk back), the newest
 * two complete epochs kept; lookups read buckets, paths and the commitment from one snapshot.
 *
 * The tree code (protocol/index-commitment.ts) reads and writes its 16 KiB blocks synchronously, so a
 * chunk first loads the few blocks its buckets live in (one per 256 buckets, plus the top block) into
 * memory, runs the tree there, and writes back what changed. Chunks of one country serialise on a
 * transaction-scoped advisory lock, so two of them (two coordinator instances in a failover) cannot
 * both read the same tree and overwrite each other's blocks.
 */
import { equalBytes } from '#crypto';
import type { PgDatabase, PgQueryable } from '#platform';
import { type BlockStore, bucketLeaf, bucketOf, decodeWith, Envelope, IndexTree, LIMITS, type LookupResult, TOP_BLOCK, VeilError } from '#protocol';
import type { PgAuditWriter } from './pg-audit.ts';
import type { IndexEntry, PsiIndexRepository } from './repositories.ts';

const COUNTRY_LOCK_SPACE = 0x70736969; // 'psii'
const LEVELS_PER_BLOCK = 8;

interface StateRow {
  last_seq: number;
  complete: boolean;
  commitment: Buffer | null;
}

/** The blocks of one (country, epoch) tree that `buckets` need, loaded; `dirty` are the ones written. */
async function loadBlocks(q: PgQueryable, country: string, epoch: number, buckets: Iterable<number>) {
  const wanted = [...new Set([...buckets].map((b) => b >> LEVELS_PER_BLOCK)), TOP_BLOCK];
  const rows = await q.query<{ block: number; hashes: Buffer }>(
    'SELECT block, hashes FROM index_blocks WHERE country = $1 AND epoch = $2 AND block = ANY($3)',
    [country, epoch, wanted],
  );
  const blocks = new Map(rows.map((r) => [r.block, new Uint8Array(r.hashes)]));
  const dirty = new Set<number>();
  const store: BlockStore = {
    get: (n) => {
      if (!wanted.includes(n)) throw new VeilError('internal', 'index tree block not loaded');
      return blocks.get(n);
    },
    put: (n, hashes) => {
      blocks.set(n, hashes.slice());
      dirty.add(n);
    },
  };
  const save = async () => {
    for (const n of dirty) {
      await q.run(
        `INSERT INTO index_blocks (country, epoch, block, hashes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (country, epoch, block) DO UPDATE SET hashes = excluded.hashes`,
        [country, epoch, n, Buffer.from(blocks.get(n) as Uint8Array)],
      );
    }
  };
  return { store, save };
}

/** The entries of each bucket asked, in one statement. */
async function bucketEntries(
  q: PgQueryable,
  country: string,
  epoch: number,
  buckets: readonly number[],
): Promise<Map<number, Array<[Uint8Array, Uint8Array]>>> {
  const rows = await q.query<{ bucket: number; tag: Buffer; token: Buffer }>(
    'SELECT bucket, tag, token FROM psi_index WHERE country = $1 AND epoch = $2 AND bucket = ANY($3) ORDER BY bucket, tag, token',
    [country, epoch, [...new Set(buckets)]],
  );
  const out = new Map<number, Array<[Uint8Array, Uint8Array]>>(buckets.map((b) => [b, []]));
  for (const r of rows) {
    const list = out.get(r.bucket) as Array<[Uint8Array, Uint8Array]>;
    if (list.length >= LIMITS.maxBucketEntries) throw new VeilError('too_large', 'index bucket');
    list.push([new Uint8Array(r.tag), new Uint8Array(r.token)]);
  }
  return out;
}

const buffers = (entries: readonly IndexEntry[], i: 0 | 1) => entries.map((e) => Buffer.from(e[i]));

export function pgPsiIndex(db: PgDatabase, deps: { audit: PgAuditWriter }): PsiIndexRepository {
  const state = (q: PgQueryable, country: string, epoch: number) =>
    q.one<StateRow>('SELECT last_seq, complete, commitment FROM publish_state WHERE country = $1 AND epoch = $2', [country, epoch]);

  return {
    applyChunk: async (c, audit) =>
      db.tx(async (q) => {
        await q.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [COUNTRY_LOCK_SPACE, c.country]);
        const last = (await state(q, c.country, c.epoch))?.last_seq ?? 0;
        if (c.seq <= last) return 'duplicate';
        const touched = new Set<number>();
        if (c.removes.length > 0) {
          await q.run(
            'DELETE FROM psi_index p USING unnest($3::bytea[], $4::bytea[]) AS r(tag, token) WHERE p.country = $1 AND p.epoch = $2 AND p.tag = r.tag AND p.token = r.token',
            [c.country, c.epoch, buffers(c.removes, 0), buffers(c.removes, 1)],
          );
          for (const [tag] of c.removes) touched.add(bucketOf(tag));
        }
        if (c.adds.length > 0) {
          const buckets = c.adds.map(([tag]) => bucketOf(tag));
          await q.run(
            `INSERT INTO psi_index (country, epoch, bucket, tag, token)
             SELECT $1, $2, a.bucket, a.tag, a.token FROM unnest($3::int[], $4::bytea[], $5::bytea[]) AS a(bucket, tag, token)
             ON CONFLICT DO NOTHING`,
            [c.country, c.epoch, buckets, buffers(c.adds, 0), buffers(c.adds, 1)],
          );
          for (const b of buckets) touched.add(b);
        }
        const entries = await bucketEntries(q, c.country, c.epoch, [...touched]);
        const blocks = await loadBlocks(q, c.country, c.epoch, touched);
        const tree = new IndexTree(blocks.store);
        tree.setBuckets(new Map([...touched].map((b) => [b, bucketLeaf(b, entries.get(b) ?? [])])));
        const size = (await q.one<{ n: number }>('SELECT COUNT(*) AS n FROM psi_index WHERE country = $1 AND epoch = $2', [c.country, c.epoch]))?.n ?? 0;
        // Throwing rolls the whole chunk back: the index never diverges from what the node committed to.
        if (!equalBytes(tree.root(), c.commitment.root)) throw new VeilError('bad_proof', 'the index after this chunk differs from the node’s commitment');
        if (size !== c.commitment.count) throw new VeilError('bad_proof', 'the index size after this chunk differs from the node’s commitment');
        await blocks.save();
        await q.run(
          `INSERT INTO publish_state (country, epoch, last_seq, complete, commitment) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (country, epoch) DO UPDATE SET last_seq = excluded.last_seq, complete = publish_state.complete OR excluded.complete,
             commitment = excluded.commitment`,
          [c.country, c.epoch, c.seq, c.final, Buffer.from(c.commitment.envelope)],
        );
        if (c.final) {
          // Keep this epoch and the previous complete one; drop anything older.
          const complete = (
            await q.query<{ epoch: number }>('SELECT epoch FROM publish_state WHERE country = $1 AND complete ORDER BY epoch DESC LIMIT 2', [c.country])
          ).map((r) => r.epoch);
          const keepFrom = complete[1] ?? complete[0] ?? c.epoch;
          for (const table of ['psi_index', 'publish_state', 'index_blocks']) {
            await q.run(`DELETE FROM ${table} WHERE country = $1 AND epoch < $2`, [c.country, keepFrom]);
          }
        }
        await deps.audit.append(q, audit);
        return 'applied';
      }),

    // One snapshot per lookup: every bucket and path comes from the same state as the commitment.
    lookup: async (items) =>
      db.tx(
        async (q) => {
          const results: LookupResult[] = [];
          for (const item of items) {
            const s = await state(q, item.country, item.epoch);
            if (!s?.commitment) continue;
            const entries = await bucketEntries(q, item.country, item.epoch, item.buckets);
            const tree = new IndexTree((await loadBlocks(q, item.country, item.epoch, item.buckets)).store);
            results.push({
              country: item.country,
              epoch: item.epoch,
              commitment: decodeWith(new Uint8Array(s.commitment), Envelope, LIMITS.maxPayloadBytes),
              buckets: item.buckets.map((bucket) => ({ bucket, entries: entries.get(bucket) ?? [], path: tree.path(bucket) })),
            });
          }
          return results;
        },
        { isolation: 'repeatable read', readOnly: true },
      ),

    publishState: async (country, epoch) => {
      const r = await state(db, country, epoch);
      return r ? { lastSeq: r.last_seq, complete: r.complete } : undefined;
    },
    size: async (country, epoch) =>
      (await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM psi_index WHERE country = $1 AND epoch = $2', [country, epoch]))?.n ?? 0,
  };
}
