/**
 * SQLite repository of a node's records, their tags per OPRF epoch (`record_keys`), the epochs, and
 * the publication outbox: one aggregate, because activating an epoch retires the old one and drops
 * its tags together, and an import writes records, tags and outbox chunks in one transaction.
 */
import type { Db } from '#platform';
import { type BlockStore, type MatchClass, VeilError } from '#protocol';
import type { EpochRow, EpochState, OutboxChunk, OutboxRow, RecordKeyRow, RecordsRepository, StoredRecord } from './repositories.ts';
import { blob, type CountRow, type Prepared, prepared } from './statement.ts';

interface RecordSql {
  id: string;
  kind: string;
  dataset: string;
  handling: string;
  body: string;
  digest: Uint8Array;
}

interface KeySql {
  epoch: number;
  cls: string;
  tag: Uint8Array;
  token: Uint8Array;
}

interface EpochSql {
  epoch: number;
  secret: Uint8Array;
  state: EpochState;
}

interface OutboxSql {
  seq: number;
  epoch: number;
  adds: Uint8Array;
  removes: Uint8Array;
  final: number;
  root: Uint8Array | null;
  entries: number;
}

interface EntrySql {
  tag: Uint8Array;
  token: Uint8Array;
}

const toRecord = (r: RecordSql): StoredRecord => ({ id: r.id, kind: r.kind, dataset: r.dataset, handling: r.handling, body: r.body, digest: blob(r.digest) });

export class SqliteRecords implements RecordsRepository {
  readonly #db: Db;
  readonly #get: Prepared<[string], RecordSql>;
  readonly #count: Prepared<[], CountRow>;
  readonly #all: Prepared<[], RecordSql>;
  readonly #upsert: Prepared<[string, string, string, string, string, Uint8Array, number]>;
  readonly #delete: Prepared<[string]>;
  readonly #keysOf: Prepared<[string], KeySql>;
  readonly #addKey: Prepared<[string, number, string, Uint8Array, Uint8Array]>;
  readonly #removeKey: Prepared<[string, number, Uint8Array]>;
  readonly #keyCount: Prepared<[number], CountRow>;
  readonly #epochs: Prepared<[], EpochSql>;
  readonly #addEpoch: Prepared<[number, Uint8Array, EpochState, number]>;
  readonly #setEpochState: Prepared<[EpochState, number]>;
  readonly #retireActive: Prepared<[number]>;
  readonly #wipeRetiredSecrets: Prepared<[]>;
  readonly #dropRetiredKeys: Prepared<[]>;
  readonly #outboxFirst: Prepared<[], OutboxSql>;
  readonly #outboxCount: Prepared<[], CountRow>;
  readonly #outboxAdd: Prepared<[number, Uint8Array, Uint8Array, number, Uint8Array, number]>;
  readonly #bucketTo: Prepared<[number, Uint8Array, Uint8Array], EntrySql>;
  readonly #bucketOpen: Prepared<[number, Uint8Array], EntrySql>;
  readonly #blockGet: Prepared<[number, number], { hashes: Uint8Array }>;
  readonly #blockPut: Prepared<[number, number, Uint8Array]>;
  readonly #dropRetiredBlocks: Prepared<[]>;
  readonly #outboxDelete: Prepared<[number]>;

  constructor(db: Db) {
    this.#db = db;
    this.#get = prepared(db, 'SELECT id, kind, dataset, handling, body, digest FROM records WHERE id = ?');
    this.#count = prepared(db, 'SELECT COUNT(*) AS n FROM records');
    this.#all = prepared(db, 'SELECT id, kind, dataset, handling, body, digest FROM records ORDER BY id');
    this.#upsert = prepared(
      db,
      `INSERT INTO records (id, kind, dataset, handling, body, digest, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, dataset = excluded.dataset, handling = excluded.handling,
         body = excluded.body, digest = excluded.digest, updated_at = excluded.updated_at`,
    );
    this.#delete = prepared(db, 'DELETE FROM records WHERE id = ?');
    this.#keysOf = prepared(db, 'SELECT epoch, cls, tag, token FROM record_keys WHERE record_id = ?');
    this.#addKey = prepared(db, 'INSERT OR REPLACE INTO record_keys (record_id, epoch, cls, tag, token) VALUES (?, ?, ?, ?, ?)');
    this.#removeKey = prepared(db, 'DELETE FROM record_keys WHERE record_id = ? AND epoch = ? AND tag = ?');
    this.#keyCount = prepared(db, 'SELECT COUNT(*) AS n FROM record_keys WHERE epoch = ?');
    this.#epochs = prepared(db, 'SELECT epoch, secret, state FROM epochs ORDER BY epoch');
    this.#addEpoch = prepared(db, 'INSERT INTO epochs (epoch, secret, state, created_at) VALUES (?, ?, ?, ?)');
    this.#setEpochState = prepared(db, 'UPDATE epochs SET state = ? WHERE epoch = ?');
    this.#retireActive = prepared(db, "UPDATE epochs SET state = 'retired' WHERE state = 'active' AND epoch <> ?");
    this.#wipeRetiredSecrets = prepared(db, "UPDATE epochs SET secret = X'' WHERE state = 'retired'");
    this.#dropRetiredKeys = prepared(db, "DELETE FROM record_keys WHERE epoch IN (SELECT epoch FROM epochs WHERE state = 'retired')");
    this.#outboxFirst = prepared(db, 'SELECT seq, epoch, adds, removes, final, root, entries FROM outbox ORDER BY seq LIMIT 1');
    this.#outboxCount = prepared(db, 'SELECT COUNT(*) AS n FROM outbox');
    this.#outboxAdd = prepared(db, 'INSERT INTO outbox (epoch, adds, removes, final, root, entries) VALUES (?, ?, ?, ?, ?, ?)');
    this.#bucketTo = prepared(db, 'SELECT tag, token FROM record_keys WHERE epoch = ? AND tag >= ? AND tag < ?');
    this.#bucketOpen = prepared(db, 'SELECT tag, token FROM record_keys WHERE epoch = ? AND tag >= ?');
    this.#blockGet = prepared(db, 'SELECT hashes FROM index_blocks WHERE epoch = ? AND block = ?');
    this.#blockPut = prepared(
      db,
      'INSERT INTO index_blocks (epoch, block, hashes) VALUES (?, ?, ?) ON CONFLICT(epoch, block) DO UPDATE SET hashes = excluded.hashes',
    );
    this.#dropRetiredBlocks = prepared(db, "DELETE FROM index_blocks WHERE epoch IN (SELECT epoch FROM epochs WHERE state = 'retired')");
    this.#outboxDelete = prepared(db, 'DELETE FROM outbox WHERE seq = ?');
  }

  get(id: string): StoredRecord | undefined {
    const r = this.#get.get(id);
    return r ? toRecord(r) : undefined;
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }

  *iterate(): IterableIterator<StoredRecord> {
    for (const r of this.#all.iterate()) yield toRecord(r);
  }

  upsert(r: StoredRecord, now: number): void {
    this.#upsert.run(r.id, r.kind, r.dataset, r.handling, r.body, r.digest, now);
  }

  delete(id: string): void {
    this.#delete.run(id);
  }

  keysOf(recordId: string): RecordKeyRow[] {
    return this.#keysOf.all(recordId).map((k) => ({ epoch: k.epoch, cls: k.cls as MatchClass, tag: blob(k.tag), token: blob(k.token) }));
  }

  addKey(recordId: string, k: RecordKeyRow): void {
    this.#addKey.run(recordId, k.epoch, k.cls, k.tag, k.token);
  }

  removeKey(recordId: string, epoch: number, tag: Uint8Array): void {
    this.#removeKey.run(recordId, epoch, tag);
  }

  keyCount(epoch: number): number {
    return this.#keyCount.get(epoch)?.n ?? 0;
  }

  bucketEntries(epoch: number, bucket: number): Array<[Uint8Array, Uint8Array]> {
    const lo = Uint8Array.of(bucket >> 8, bucket & 0xff);
    const rows = bucket === 0xffff ? this.#bucketOpen.all(epoch, lo) : this.#bucketTo.all(epoch, lo, Uint8Array.of((bucket + 1) >> 8, (bucket + 1) & 0xff));
    return rows.map((r) => [blob(r.tag), blob(r.token)]);
  }

  indexBlocks(epoch: number): BlockStore {
    return {
      get: (block) => {
        const r = this.#blockGet.get(epoch, block);
        return r ? blob(r.hashes) : undefined;
      },
      put: (block, hashes) => void this.#blockPut.run(epoch, block, hashes),
    };
  }

  epochs(): EpochRow[] {
    return this.#epochs.all().map((e) => ({ epoch: e.epoch, secret: blob(e.secret), state: e.state }));
  }

  activeEpoch(): EpochRow {
    const a = this.epochs().find((e) => e.state === 'active');
    if (!a) throw new VeilError('bad_config', 'node has no active OPRF epoch');
    return a;
  }

  liveEpochs(): EpochRow[] {
    return this.epochs().filter((e) => e.state !== 'retired');
  }

  addEpoch(epoch: number, secret: Uint8Array, state: EpochState, now: number): void {
    this.#addEpoch.run(epoch, secret, state, now);
  }

  activateEpoch(epoch: number): void {
    this.#db.transaction(() => {
      this.#setEpochState.run('active', epoch);
      this.#retireActive.run(epoch);
      this.#wipeRetiredSecrets.run();
      this.#dropRetiredKeys.run();
      this.#dropRetiredBlocks.run();
    })();
  }

  outboxFirst(): OutboxRow | undefined {
    const r = this.#outboxFirst.get();
    return r
      ? {
          seq: r.seq,
          epoch: r.epoch,
          adds: blob(r.adds),
          removes: blob(r.removes),
          final: r.final === 1,
          root: r.root ? blob(r.root) : new Uint8Array(32),
          entries: r.entries,
        }
      : undefined;
  }

  outboxCount(): number {
    return this.#outboxCount.get()?.n ?? 0;
  }

  outboxAdd(chunk: OutboxChunk): void {
    this.#outboxAdd.run(chunk.epoch, chunk.adds, chunk.removes, chunk.final ? 1 : 0, chunk.root, chunk.entries);
  }

  outboxDelete(seq: number): void {
    this.#outboxDelete.run(seq);
  }
}
