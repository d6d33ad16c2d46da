/**
 * A node's SQLite store: its records, its OPRF key per epoch, the tags and hit tokens derived from each
 * record per epoch, the outbox of index chunks not yet acknowledged by the coordinator, analyst
 * accounts, per-requester daily budgets and the audit log.
 *
 * Writes that belong together are one transaction: an import writes records, tags and outbox chunks
 * atomically, so a crash never leaves the published index out of step with the records.
 */
import { openDatabase, AUDIT_SQL, type Db, type Migration, type Statement } from '#platform';
import type { MatchClass } from '#protocol';
import { VeilError } from '#protocol';

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
  {
    version: 3,
    sql: `
      -- Store-and-forward mail through the coordinator (disclosure requests and decisions).
      CREATE TABLE mail_outbox (
        mid TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        env BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE mail_inbox (
        mid TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        received_at INTEGER NOT NULL
      );
      -- Disclosure requests received from other countries, for this node's data owners.
      CREATE TABLE disclosures_in (
        id TEXT PRIMARY KEY,
        requester TEXT NOT NULL,
        analyst TEXT NOT NULL,
        purpose TEXT NOT NULL,
        case_ref TEXT NOT NULL,
        legal_basis TEXT NOT NULL,
        fields TEXT NOT NULL,
        justification TEXT NOT NULL,
        record_id TEXT NOT NULL,
        cls TEXT NOT NULL,
        claim_kind TEXT NOT NULL,
        score REAL,
        analyst_box_pub BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
        received_at INTEGER NOT NULL,
        deadline INTEGER NOT NULL,
        decided_at INTEGER,
        decided_by TEXT,
        released_fields TEXT,
        reason TEXT
      );
      CREATE INDEX disclosures_in_status ON disclosures_in (status, deadline);
      -- Disclosure requests this node's analysts sent, and the decisions that came back.
      CREATE TABLE disclosures_out (
        id TEXT PRIMARY KEY,
        analyst TEXT NOT NULL,
        owner TEXT NOT NULL,
        fields TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        decision BLOB
      );
      CREATE INDEX disclosures_out_analyst ON disclosures_out (analyst, created_at);
      -- Data owners (approval console accounts) and their sessions.
      CREATE TABLE owners (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        pw_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE owner_sessions (
        token_hash BLOB PRIMARY KEY,
        owner TEXT NOT NULL,
        csrf TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    sql: `
      -- Biometric galleries: one row per position per modality. A freed position keeps its row with
      -- record_id and vector NULL until reused. seq orders changes so a running node can apply what an
      -- import (another process) changed.
      CREATE TABLE gallery (
        modality TEXT NOT NULL,
        position INTEGER NOT NULL,
        record_id TEXT,
        vector BLOB,
        seq INTEGER NOT NULL,
        PRIMARY KEY (modality, position)
      );
      CREATE UNIQUE INDEX gallery_record ON gallery (modality, record_id) WHERE record_id IS NOT NULL;
      CREATE INDEX gallery_seq ON gallery (seq);
      -- Biometric queries this node answered: a disclosure claim must name one of them.
      CREATE TABLE bio_queries (
        id TEXT NOT NULL,
        requester TEXT NOT NULL,
        modality TEXT NOT NULL,
        positions INTEGER NOT NULL,
        answered_at INTEGER NOT NULL,
        PRIMARY KEY (requester, id)
      );
    `,
  },
];

export interface GalleryRow {
  modality: string;
  position: number;
  recordId: string | null;
  vector: Float32Array | null;
  seq: number;
}

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

  // ---------------------------------------------------------------- biometric gallery

  #nextGallerySeq(): number {
    const n = Number(this.getMeta('gallery_seq') ?? '0') + 1;
    this.setMeta('gallery_seq', String(n));
    return n;
  }

  /** Put (or replace) a record's template; returns its position. Must run inside a transaction. */
  gallerySet(modality: string, recordId: string, vector: Float32Array): number {
    const seq = this.#nextGallerySeq();
    const blob = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const own = this.db.prepare('SELECT position FROM gallery WHERE modality = ? AND record_id = ?').get(modality, recordId) as { position: number } | undefined;
    const free = own ?? (this.db.prepare('SELECT position FROM gallery WHERE modality = ? AND record_id IS NULL ORDER BY position LIMIT 1').get(modality) as { position: number } | undefined);
    const position = free?.position ?? ((this.db.prepare('SELECT COALESCE(MAX(position), -1) AS m FROM gallery WHERE modality = ?').get(modality) as { m: number }).m + 1);
    this.db
      .prepare(
        `INSERT INTO gallery (modality, position, record_id, vector, seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(modality, position) DO UPDATE SET record_id = excluded.record_id, vector = excluded.vector, seq = excluded.seq`,
      )
      .run(modality, position, recordId, blob, seq);
    return position;
  }

  /** Withdraw a record's template, if any. Must run inside a transaction. */
  galleryRemove(modality: string, recordId: string): boolean {
    const own = this.db.prepare('SELECT position FROM gallery WHERE modality = ? AND record_id = ?').get(modality, recordId) as { position: number } | undefined;
    if (!own) return false;
    this.db.prepare('UPDATE gallery SET record_id = NULL, vector = NULL, seq = ? WHERE modality = ? AND position = ?').run(this.#nextGallerySeq(), modality, own.position);
    return true;
  }

  *galleryChanges(afterSeq: number, modality?: string): IterableIterator<GalleryRow> {
    const q = modality
      ? this.db.prepare('SELECT modality, position, record_id, vector, seq FROM gallery WHERE seq > ? AND modality = ? ORDER BY seq').iterate(afterSeq, modality)
      : this.db.prepare('SELECT modality, position, record_id, vector, seq FROM gallery WHERE seq > ? ORDER BY seq').iterate(afterSeq);
    for (const r of q as IterableIterator<{ modality: string; position: number; record_id: string | null; vector: Buffer | null; seq: number }>) {
      yield {
        modality: r.modality,
        position: r.position,
        recordId: r.record_id,
        vector: r.vector ? new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)) : null,
        seq: r.seq,
      };
    }
  }

  galleryAt(modality: string, position: number): { recordId: string; vector: Float32Array } | undefined {
    const r = this.db.prepare('SELECT record_id, vector FROM gallery WHERE modality = ? AND position = ? AND record_id IS NOT NULL').get(modality, position) as
      | { record_id: string; vector: Buffer }
      | undefined;
    return r ? { recordId: r.record_id, vector: new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)) } : undefined;
  }

  galleryCount(modality: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM gallery WHERE modality = ? AND record_id IS NOT NULL').get(modality) as { n: number }).n;
  }

  // ---------------------------------------------------------------- mail

  mailQueue(mid: string, recipient: string, env: Uint8Array, now = Date.now()): void {
    this.db.prepare('INSERT OR IGNORE INTO mail_outbox (mid, recipient, env, created_at) VALUES (?, ?, ?, ?)').run(mid, recipient, env, now);
  }

  mailOutbox(limit = 256): Array<{ mid: string; recipient: string; env: Uint8Array }> {
    return this.db.prepare('SELECT mid, recipient, env FROM mail_outbox ORDER BY created_at, mid LIMIT ?').all(limit) as Array<{ mid: string; recipient: string; env: Uint8Array }>;
  }

  mailSent(mid: string): void {
    this.db.prepare('DELETE FROM mail_outbox WHERE mid = ?').run(mid);
  }

  mailOutboxCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM mail_outbox').get() as { n: number }).n;
  }

  /** Record a received mail item; false if it was already processed (exactly-once processing). */
  mailReceived(mid: string, sender: string, now = Date.now()): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO mail_inbox (mid, sender, received_at) VALUES (?, ?, ?)').run(mid, sender, now).changes === 1;
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
