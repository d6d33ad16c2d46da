/**
 * The coordinator's SQLite store: member registry, the PSI index published by nodes, publication
 * progress and the audit log. It holds no identifier, embedding, score or record in the clear: tags are
 * pseudorandom OPRF outputs and tokens are ciphertexts only their owning node can open.
 */
import { openDatabase, AUDIT_SQL, type Db, type Migration, type Statement } from '#platform';
import { LIMITS, VeilError } from '#protocol';

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE members (
        country TEXT PRIMARY KEY,
        sign_pub BLOB NOT NULL,
        box_pub BLOB NOT NULL,
        admitted_at INTEGER NOT NULL,
        descriptor BLOB,
        status TEXT NOT NULL DEFAULT 'active'
      );
      CREATE TABLE psi_index (
        country TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        tag BLOB NOT NULL,
        token BLOB NOT NULL,
        PRIMARY KEY (country, epoch, tag, token)
      ) WITHOUT ROWID;
      CREATE TABLE publish_state (
        country TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (country, epoch)
      );
    `,
  },
  { version: 2, sql: AUDIT_SQL },
  {
    version: 3,
    sql: `
      -- Per-node mailboxes: sealed, signed messages held until the recipient acknowledges them. The
      -- body is deleted on delivery; the row (metadata only) stays for accounting.
      CREATE TABLE mailbox (
        mid TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        sender TEXT NOT NULL,
        body BLOB,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX mailbox_pending ON mailbox (recipient, delivered_at, created_at);
    `,
  },
];

export interface MemberRow {
  country: string;
  signPub: Uint8Array;
  boxPub: Uint8Array;
  admittedAt: number;
  descriptor: Uint8Array | null;
  status: 'active' | 'suspended';
}

export class CoordinatorStore {
  readonly db: Db;
  readonly #q: Record<string, Statement>;

  constructor(path: string) {
    this.db = openDatabase(path, MIGRATIONS);
    const p = (sql: string) => this.db.prepare(sql);
    this.#q = {
      member: p('SELECT * FROM members WHERE country = ?'),
      members: p("SELECT * FROM members WHERE status = 'active' ORDER BY country"),
      admit: p(
        `INSERT INTO members (country, sign_pub, box_pub, admitted_at, status) VALUES (?, ?, ?, ?, 'active')
         ON CONFLICT(country) DO UPDATE SET sign_pub = excluded.sign_pub, box_pub = excluded.box_pub, status = 'active'`,
      ),
      setDescriptor: p('UPDATE members SET descriptor = ? WHERE country = ?'),
      exact: p('SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag = ?'),
      rangeTo: p('SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag >= ? AND tag < ? LIMIT ?'),
      rangeOpen: p('SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag >= ? LIMIT ?'),
      add: p('INSERT OR IGNORE INTO psi_index (country, epoch, tag, token) VALUES (?, ?, ?, ?)'),
      remove: p('DELETE FROM psi_index WHERE country = ? AND epoch = ? AND tag = ? AND token = ?'),
      pubState: p('SELECT last_seq AS lastSeq, complete FROM publish_state WHERE country = ? AND epoch = ?'),
      setPubState: p(
        `INSERT INTO publish_state (country, epoch, last_seq, complete) VALUES (?, ?, ?, ?)
         ON CONFLICT(country, epoch) DO UPDATE SET last_seq = excluded.last_seq, complete = MAX(complete, excluded.complete)`,
      ),
      completeEpochs: p('SELECT epoch FROM publish_state WHERE country = ? AND complete = 1 ORDER BY epoch DESC'),
      dropEpochsBelow: p('DELETE FROM psi_index WHERE country = ? AND epoch < ?'),
      dropStateBelow: p('DELETE FROM publish_state WHERE country = ? AND epoch < ?'),
      indexCount: p('SELECT COUNT(*) AS n FROM psi_index WHERE country = ? AND epoch = ?'),
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  getMeta(key: string): string | undefined {
    return (this.#q.getMeta!.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#q.setMeta!.run(key, value);
  }

  member(country: string): MemberRow | undefined {
    const r = this.#q.member!.get(country) as Record<string, unknown> | undefined;
    return r ? toMember(r) : undefined;
  }

  members(): MemberRow[] {
    return (this.#q.members!.all() as Record<string, unknown>[]).map(toMember);
  }

  admit(country: string, signPub: Uint8Array, boxPub: Uint8Array, now = Date.now()): void {
    this.#q.admit!.run(country, signPub, boxPub, now);
  }

  setDescriptor(country: string, envelopeBytes: Uint8Array): void {
    this.#q.setDescriptor!.run(envelopeBytes, country);
  }

  /** Exact lookup: every (tag, token) stored under this tag. */
  lookupExact(country: string, epoch: number, tag: Uint8Array): Array<[Uint8Array, Uint8Array]> {
    return (this.#q.exact!.all(country, epoch, tag) as { tag: Uint8Array; token: Uint8Array }[]).map((r) => [r.tag, r.token]);
  }

  /** Bucket lookup: every entry whose tag starts with `prefix`, capped. */
  lookupBucket(country: string, epoch: number, prefix: Uint8Array, limit: number = LIMITS.maxBucketEntries): { entries: Array<[Uint8Array, Uint8Array]>; truncated: boolean } {
    const hi = prefixUpperBound(prefix);
    const rows = (hi ? this.#q.rangeTo!.all(country, epoch, prefix, hi, limit + 1) : this.#q.rangeOpen!.all(country, epoch, prefix, limit + 1)) as {
      tag: Uint8Array;
      token: Uint8Array;
    }[];
    const truncated = rows.length > limit;
    return { entries: rows.slice(0, limit).map((r) => [r.tag, r.token]), truncated };
  }

  publishState(country: string, epoch: number): { lastSeq: number; complete: boolean } | undefined {
    const r = this.#q.pubState!.get(country, epoch) as { lastSeq: number; complete: number } | undefined;
    return r ? { lastSeq: r.lastSeq, complete: r.complete === 1 } : undefined;
  }

  /**
   * Apply one publish chunk atomically. Chunks must arrive in sequence per (country, epoch); a chunk at
   * or below the last applied sequence is a retransmission and is acknowledged without effect.
   * Returns 'applied' | 'duplicate'.
   */
  applyChunk(
    country: string,
    epoch: number,
    seq: number,
    adds: ReadonlyArray<readonly [Uint8Array, Uint8Array]>,
    removes: ReadonlyArray<readonly [Uint8Array, Uint8Array]>,
    final: boolean,
  ): 'applied' | 'duplicate' {
    return this.db.transaction(() => {
      const st = this.publishState(country, epoch);
      const last = st?.lastSeq ?? 0;
      if (seq <= last) return 'duplicate' as const;
      for (const [tag, token] of removes) this.#q.remove!.run(country, epoch, tag, token);
      for (const [tag, token] of adds) this.#q.add!.run(country, epoch, tag, token);
      this.#q.setPubState!.run(country, epoch, seq, final ? 1 : 0);
      if (final) {
        // Keep this epoch and the previous complete one (queries evaluated just before a rotation
        // still find their entries); drop anything older.
        const complete = (this.#q.completeEpochs!.all(country) as { epoch: number }[]).map((r) => r.epoch);
        const keepFrom = complete[1] ?? complete[0] ?? epoch;
        this.#q.dropEpochsBelow!.run(country, keepFrom);
        this.#q.dropStateBelow!.run(country, keepFrom);
      }
      return 'applied' as const;
    })();
  }

  /** Store a mail item once; a repeated `mid` is a retransmission. */
  mailStore(mid: string, recipient: string, sender: string, body: Uint8Array, now = Date.now()): 'stored' | 'duplicate' {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO mailbox (mid, recipient, sender, body, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(mid, recipient, sender, body, now);
    return r.changes === 1 ? 'stored' : 'duplicate';
  }

  mailPending(recipient: string, limit = 256): Array<{ mid: string; sender: string; body: Uint8Array }> {
    return this.db
      .prepare('SELECT mid, sender, body FROM mailbox WHERE recipient = ? AND delivered_at IS NULL ORDER BY created_at, mid LIMIT ?')
      .all(recipient, limit) as Array<{ mid: string; sender: string; body: Uint8Array }>;
  }

  /** Mark delivered and drop the ciphertext; returns how many were newly delivered. */
  mailDelivered(recipient: string, mid: string, now = Date.now()): boolean {
    return (
      this.db.prepare('UPDATE mailbox SET delivered_at = ?, body = NULL WHERE mid = ? AND recipient = ? AND delivered_at IS NULL').run(now, mid, recipient)
        .changes === 1
    );
  }

  mailCounts(): { pending: number; delivered: number } {
    const r = this.db
      .prepare('SELECT SUM(delivered_at IS NULL) AS pending, SUM(delivered_at IS NOT NULL) AS delivered FROM mailbox')
      .get() as { pending: number | null; delivered: number | null };
    return { pending: r.pending ?? 0, delivered: r.delivered ?? 0 };
  }

  indexSize(country: string, epoch: number): number {
    return (this.#q.indexCount!.get(country, epoch) as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toMember(r: Record<string, unknown>): MemberRow {
  return {
    country: r.country as string,
    signPub: new Uint8Array(r.sign_pub as Uint8Array),
    boxPub: new Uint8Array(r.box_pub as Uint8Array),
    admittedAt: r.admitted_at as number,
    descriptor: r.descriptor ? new Uint8Array(r.descriptor as Uint8Array) : null,
    status: r.status === 'suspended' ? 'suspended' : 'active',
  };
}

/** The smallest byte string greater than every string with this prefix, or null if there is none. */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | null {
  const hi = Uint8Array.from(prefix);
  for (let i = hi.length - 1; i >= 0; i--) {
    if (hi[i]! < 0xff) {
      hi[i]! += 1;
      return hi.subarray(0, i + 1);
    }
  }
  if (prefix.length === 0) throw new VeilError('bad_request', 'empty prefix');
  return null;
}
