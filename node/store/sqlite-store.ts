/**
 * A node's store: one SQLite file holding its records, their tags per OPRF epoch and the publication
 * outbox, analyst accounts, per-requester daily budgets, the biometric gallery and its encoding, mail, disclosures,
 * data-owner accounts and sessions — each behind its repository (`repositories.ts`) — and the platform
 * audit log (`AuditLog` over `db`), so audit entries commit with the changes they describe.
 *
 * The store is embedded and single-country, and deliberately synchronous (better-sqlite3): a service
 * reads, decides and writes in one `tx` without awaiting, so a crash never leaves, say, the published
 * index out of step with the records, or a decision without the mail that carries it. Offline CLI
 * operations open the same file while the node runs (WAL); a running node picks their effects up.
 */
import { type Db, type FsyncFn, openDatabase, type WalSync, walSync } from '#platform';
import { SqliteAnalysts } from './analysts.ts';
import { SqliteBudgets } from './budgets.ts';
import { SqliteDisclosures } from './disclosures.ts';
import { SqliteGallery } from './gallery.ts';
import { SqliteGalleryBlocks } from './gallery-blocks.ts';
import { SqliteMail } from './mail.ts';
import { SqliteMeta } from './meta.ts';
import { SqliteOwners } from './owners.ts';
import { SqliteRecords } from './records.ts';
import type { NodeRepositories } from './repositories.ts';
import { NODE_MIGRATIONS } from './schema.ts';

export class NodeStore implements NodeRepositories, Disposable {
  /** The database file, for the audit log (and for tests that inspect tables). */
  readonly db: Db;
  readonly records: SqliteRecords;
  readonly analysts: SqliteAnalysts;
  readonly budgets: SqliteBudgets;
  readonly meta: SqliteMeta;
  readonly gallery: SqliteGallery;
  readonly galleryBlocks: SqliteGalleryBlocks;
  readonly mail: SqliteMail;
  readonly disclosures: SqliteDisclosures;
  readonly owners: SqliteOwners;
  readonly #wal: WalSync;

  /** `fsync`: how deferred commits reach the disk (default: `fs.fsync` on the thread pool, platform/wal-sync.ts). */
  constructor(path: string, opts: { fsync?: FsyncFn } = {}) {
    const db = openDatabase(path, NODE_MIGRATIONS);
    this.db = db;
    this.records = new SqliteRecords(db);
    this.analysts = new SqliteAnalysts(db);
    this.budgets = new SqliteBudgets(db);
    this.meta = new SqliteMeta(db);
    this.gallery = new SqliteGallery({ db, meta: this.meta });
    this.galleryBlocks = new SqliteGalleryBlocks({ db, meta: this.meta });
    this.mail = new SqliteMail(db);
    this.disclosures = new SqliteDisclosures(db);
    this.owners = new SqliteOwners(db);
    this.#wal = walSync(db, opts.fsync ? { fsync: opts.fsync } : {});
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  txDeferred<T>(fn: () => T): T {
    return this.#wal.tx(fn);
  }

  synced(): Promise<void> {
    return this.#wal.synced();
  }

  close(): void {
    this.#wal.close();
    if (this.db.open) this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
