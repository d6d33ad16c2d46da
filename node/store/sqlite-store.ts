/**
 * A node's SQLite store: its records, its OPRF key per epoch, the tags and hit tokens derived from each
 * record per epoch, the outbox of index chunks not yet acknowledged by the coordinator, analyst
 * accounts, per-requester daily budgets and the audit log.
 *
 * Writes that belong together are one transaction: an import writes records, tags and outbox chunks
 * atomically, so a crash never leaves the published index out of step with the records.
 */
import { openDatabase, AUDIT_SQL, type Db, type Migration, type Statement } from '#platform';
import { VeilError } from '#crypto';
import type { MatchClass } from '#protocol';

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE records (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        dataset TEXT NOT NULL,
        handling TEXT NOT NULL,
        body TEXT NOT NULL,
        digest BLOB NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE epochs (
        epoch INTEGER PRIMARY KEY,
        secret BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'retired')),
        created_at INTEGER NOT NULL
      );
      CREATE TABLE record_keys (
        record_id TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        cls TEXT NOT NULL,
        tag BLOB NOT NULL,
        token BLOB NOT NULL,
        PRIMARY KEY (record_id, epoch, tag)
      ) WITHOUT ROWID;
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        epoch INTEGER NOT NULL,
        adds BLOB NOT NULL,
        removes BLOB NOT NULL,
        final INTEGER NOT NULL
      );
      CREATE TABLE analysts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        sign_pub BLOB NOT NULL,
        box_pub BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE budget (
        requester TEXT NOT NULL,
        day TEXT NOT NULL,
        used INTEGER NOT NULL,
        PRIMARY KEY (requester, day)
      );
    `,
  },
  { version: 2, sql: AUDIT_SQL },
];

export interface StoredRecord {
  id: string;
  kind: string;
  dataset: string;
  handling: string;
  body: string;
  digest: Uint8Array;
}

export interface RecordKeyRow {
  epoch: number;
  cls: MatchClass;
  tag: Uint8Array;
  token: Uint8Array;
}

export interface EpochRow {
  epoch: number;
  secret: Uint8Array;
  state: 'pending' | 'active' | 'retired';
}

export interface OutboxRow {
  seq: number;
  epoch: number;
  adds: Uint8Array;
  removes: Uint8Array;
  final: boolean;
}

export interface AnalystRow {
  id: string;
  name: string;
  signPub: Uint8Array;
  boxPub: Uint8Array;
  revoked: boolean;
}

export class NodeStore {
  readonly db: Db;
  readonly #q: Record<string, Statement>;

  constructor(path: string) {
    this.db = openDatabase(path, MIGRATIONS);
    const p = (sql: string) => this.db.prepare(sql);
    this.#q = {
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      record: p('SELECT id, kind, dataset, handling, body, digest FROM records WHERE id = ?'),
      recordCount: p('SELECT COUNT(*) AS n FROM records'),
      allRecords: p('SELECT id, kind, dataset, handling, body, digest FROM records ORDER BY id'),
      upsertRecord: p(
        `INSERT INTO records (id, kind, dataset, handling, body, digest, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, dataset = excluded.dataset, handling = excluded.handling,
           body = excluded.body, digest = excluded.digest, updated_at = excluded.updated_at`,
      ),
      deleteRecord: p('DELETE FROM records WHERE id = ?'),
      keysOf: p('SELECT epoch, cls, tag, token FROM record_keys WHERE record_id = ?'),
      addKey: p('INSERT OR REPLACE INTO record_keys (record_id, epoch, cls, tag, token) VALUES (?, ?, ?, ?, ?)'),
      removeKey: p('DELETE FROM record_keys WHERE record_id = ? AND epoch = ? AND tag = ?'),
      keysOfEpoch: p('SELECT tag, token FROM record_keys WHERE epoch = ?'),
      keyCount: p('SELECT COUNT(*) AS n FROM record_keys WHERE epoch = ?'),
      epochs: p('SELECT epoch, secret, state FROM epochs ORDER BY epoch'),
      addEpoch: p('INSERT INTO epochs (epoch, secret, state, created_at) VALUES (?, ?, ?, ?)'),
      setEpochState: p('UPDATE epochs SET state = ? WHERE epoch = ?'),
      retireActive: p("UPDATE epochs SET state = 'retired' WHERE state = 'active' AND epoch <> ?"),
      dropRetiredKeys: p("DELETE FROM record_keys WHERE epoch IN (SELECT epoch FROM epochs WHERE state = 'retired')"),
      outboxFirst: p('SELECT seq, epoch, adds, removes, final FROM outbox ORDER BY seq LIMIT 1'),
      outboxCount: p('SELECT COUNT(*) AS n FROM outbox'),
      outboxAdd: p('INSERT INTO outbox (epoch, adds, removes, final) VALUES (?, ?, ?, ?)'),
      outboxDelete: p('DELETE FROM outbox WHERE seq = ?'),
      analyst: p('SELECT id, name, sign_pub, box_pub, revoked FROM analysts WHERE id = ?'),
      analysts: p('SELECT id, name, sign_pub, box_pub, revoked FROM analysts ORDER BY name'),
      addAnalyst: p('INSERT INTO analysts (id, name, sign_pub, box_pub, created_at) VALUES (?, ?, ?, ?, ?)'),
      budgetUsed: p('SELECT used FROM budget WHERE requester = ? AND day = ?'),
      budgetAdd: p(
        `INSERT INTO budget (requester, day, used) VALUES (?, ?, ?)
         ON CONFLICT(requester, day) DO UPDATE SET used = used + excluded.used`,
      ),
    };
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    return (this.#q.getMeta!.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#q.setMeta!.run(key, value);
  }

  record(id: string): StoredRecord | undefined {
    const r = this.#q.record!.get(id) as StoredRecord | undefined;
    return r ? { ...r, digest: new Uint8Array(r.digest) } : undefined;
  }

  recordCount(): number {
    return (this.#q.recordCount!.get() as { n: number }).n;
  }

  *iterateRecords(): IterableIterator<StoredRecord> {
    for (const r of this.#q.allRecords!.iterate() as IterableIterator<StoredRecord>) yield r;
  }

  upsertRecord(r: StoredRecord, now = Date.now()): void {
    this.#q.upsertRecord!.run(r.id, r.kind, r.dataset, r.handling, r.body, r.digest, now);
  }

  deleteRecord(id: string): void {
    this.#q.deleteRecord!.run(id);
  }

  keysOf(recordId: string): RecordKeyRow[] {
    return this.#q.keysOf!.all(recordId) as RecordKeyRow[];
  }

  addKey(recordId: string, k: RecordKeyRow): void {
    this.#q.addKey!.run(recordId, k.epoch, k.cls, k.tag, k.token);
  }

  removeKey(recordId: string, epoch: number, tag: Uint8Array): void {
    this.#q.removeKey!.run(recordId, epoch, tag);
  }

  *iterateEpochKeys(epoch: number): IterableIterator<{ tag: Uint8Array; token: Uint8Array }> {
    for (const r of this.#q.keysOfEpoch!.iterate(epoch) as IterableIterator<{ tag: Uint8Array; token: Uint8Array }>) yield r;
  }

  keyCount(epoch: number): number {
    return (this.#q.keyCount!.get(epoch) as { n: number }).n;
  }

  epochs(): EpochRow[] {
    return (this.#q.epochs!.all() as EpochRow[]).map((e) => ({ ...e, secret: new Uint8Array(e.secret) }));
  }

  activeEpoch(): EpochRow {
    const a = this.epochs().find((e) => e.state === 'active');
    if (!a) throw new VeilError('bad_config', 'node has no active OPRF epoch');
    return a;
  }

  /** Epochs whose tags are maintained on import: the active one and a pending rotation, if any. */
  liveEpochs(): EpochRow[] {
    return this.epochs().filter((e) => e.state !== 'retired');
  }

  addEpoch(epoch: number, secret: Uint8Array, state: EpochRow['state'], now = Date.now()): void {
    this.#q.addEpoch!.run(epoch, secret, state, now);
  }

  /** Make a pending epoch current: the previous one retires and its tags are dropped. */
  activateEpoch(epoch: number): void {
    this.tx(() => {
      this.#q.setEpochState!.run('active', epoch);
      this.#q.retireActive!.run(epoch);
      this.#q.dropRetiredKeys!.run();
    });
  }

  outboxFirst(): OutboxRow | undefined {
    const r = this.#q.outboxFirst!.get() as (Omit<OutboxRow, 'final'> & { final: number }) | undefined;
    return r ? { ...r, final: r.final === 1 } : undefined;
  }

  outboxCount(): number {
    return (this.#q.outboxCount!.get() as { n: number }).n;
  }

  outboxAdd(epoch: number, adds: Uint8Array, removes: Uint8Array, final: boolean): void {
    this.#q.outboxAdd!.run(epoch, adds, removes, final ? 1 : 0);
  }

  outboxDelete(seq: number): void {
    this.#q.outboxDelete!.run(seq);
  }

  analyst(id: string): AnalystRow | undefined {
    const r = this.#q.analyst!.get(id) as Record<string, unknown> | undefined;
    return r ? toAnalyst(r) : undefined;
  }

  analysts(): AnalystRow[] {
    return (this.#q.analysts!.all() as Record<string, unknown>[]).map(toAnalyst);
  }

  addAnalyst(id: string, name: string, signPub: Uint8Array, boxPub: Uint8Array, now = Date.now()): void {
    this.#q.addAnalyst!.run(id, name, signPub, boxPub, now);
  }

  budgetUsed(requester: string, day: string): number {
    return (this.#q.budgetUsed!.get(requester, day) as { used: number } | undefined)?.used ?? 0;
  }

  budgetAdd(requester: string, day: string, n: number): void {
    this.#q.budgetAdd!.run(requester, day, n);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toAnalyst(r: Record<string, unknown>): AnalystRow {
  return {
    id: r.id as string,
    name: r.name as string,
    signPub: new Uint8Array(r.sign_pub as Uint8Array),
    boxPub: new Uint8Array(r.box_pub as Uint8Array),
    revoked: r.revoked === 1,
  };
}
