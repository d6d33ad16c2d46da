/**
 * The coordinator's store on SQLite (one file, WAL): the repositories of `repositories.ts` over one
 * better-sqlite3 connection, each statement prepared once. Work is synchronous inside each method —
 * a transaction never spans an `await` — and the Promise is only the interface's shape.
 *
 * Open with an audit `signer` to write (the coordinator, admissions); without one the store serves
 * reads and unaudited writes (tools, benchmarks), and an audited write fails.
 */
import { type AuditLog, type AuditSigner, type Clock, type Db, type FsyncFn, openDatabase } from '#platform';
import type { AuditSink, CoordinatorStore, MailboxRepository, MembersRepository, MetaRepository, PsiIndexRepository } from './repositories.ts';
import { sqliteAudit } from './sqlite-audit.ts';
import { sqliteMailboxes } from './sqlite-mailboxes.ts';
import { sqliteMembers } from './sqlite-members.ts';
import { sqliteMeta } from './sqlite-meta.ts';
import { sqlitePsiIndex } from './sqlite-psi-index.ts';
import { COORDINATOR_MIGRATIONS } from './sqlite-schema.ts';

export interface SqliteCoordinatorStoreOptions {
  /** Signs the audit log's checkpoints; required for audited writes. */
  signer?: AuditSigner;
  /** Timestamps of rows and audit entries (default: the system clock). */
  clock?: Pick<Clock, 'now'>;
  /** How the audit's WAL reaches the disk (default: `fs.fsync` on the thread pool; see platform/wal-sync.ts). */
  fsync?: FsyncFn;
}

/** How much of the database file lookups may read through a memory map. */
const MMAP_BYTES = 4 * 1024 ** 3;

export class SqliteCoordinatorStore implements CoordinatorStore {
  /** The connection, for tools that read the file directly (audit verification, the demo). */
  readonly db: Db;
  /** The platform audit log of this file, when opened with a signer (for periodic checkpoints). */
  readonly auditLog: AuditLog | undefined;
  readonly members: MembersRepository;
  readonly index: PsiIndexRepository;
  readonly mailboxes: MailboxRepository;
  readonly meta: MetaRepository;
  readonly audit: AuditSink;

  /** `path` may be `:memory:` (tests). */
  constructor(path: string, opts: SqliteCoordinatorStoreOptions = {}) {
    this.db = openDatabase(path, COORDINATOR_MIGRATIONS);
    // Lookups read tree blocks of 16 KiB (several overflow pages each) from every member's index: read
    // through a memory map they cost about a third of what copying them through SQLite's page cache
    // does (coordinator/store/sqlite-psi-index.ts). Reads only; writes still go through the WAL.
    this.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    const clock = opts.clock;
    const now = clock ? () => clock.now() : Date.now;
    const audit = sqliteAudit(this.db, { signer: opts.signer, now, ...(opts.fsync ? { fsync: opts.fsync } : {}) });
    this.auditLog = audit.log;
    this.audit = audit.sink;
    this.members = sqliteMembers(this.db, { audit: audit.writer, now });
    this.index = sqlitePsiIndex(this.db, { audit: audit.writer });
    this.mailboxes = sqliteMailboxes(this.db, { audit: audit.writer, now });
    this.meta = sqliteMeta(this.db);
    this.#closeAudit = () => audit.close();
  }

  readonly #closeAudit: () => void;

  async close(): Promise<void> {
    this.#closeAudit();
    if (this.db.open) this.db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
