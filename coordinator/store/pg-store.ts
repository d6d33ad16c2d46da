/**
 * The coordinator's store on PostgreSQL: the repositories of `repositories.ts` over one connection pool,
 * for a coordinator that must survive the loss of its machine. Several coordinator instances can open
 * the same database (one leads at a time, `lease.ts`); every audited write is one transaction with its
 * audit entry, and writes that must not interleave — the audit chain, one country's index chunks, one
 * sender's quota — take transaction-scoped advisory locks, so they stay correct even if two instances
 * write at once.
 *
 * Open with an audit `signer` to write; without one the store serves reads and unaudited writes
 * (`veil coordinator members`, `revocations`), and an audited write fails.
 */
import { type AuditSigner, type Clock, type OpenPostgresOptions, openPostgres, type PgDatabase } from '#platform';
import type { PgAuditWriter } from './pg-audit.ts';
import { pgAudit } from './pg-audit.ts';
import { pgMailboxes } from './pg-mailboxes.ts';
import { pgMembers } from './pg-members.ts';
import { pgPsiIndex } from './pg-psi-index.ts';
import { PG_COORDINATOR_MIGRATIONS } from './pg-schema.ts';
import type { AuditSink, CoordinatorStore, MailboxRepository, MembersRepository, MetaRepository, PsiIndexRepository } from './repositories.ts';

export interface PostgresCoordinatorStoreOptions {
  signer?: AuditSigner;
  /** Timestamps of rows and audit entries (default: the system clock). */
  clock?: Pick<Clock, 'now'>;
  pool?: OpenPostgresOptions;
}

export class PostgresCoordinatorStore implements CoordinatorStore {
  readonly db: PgDatabase;
  readonly members: MembersRepository;
  readonly index: PsiIndexRepository;
  readonly mailboxes: MailboxRepository;
  readonly meta: MetaRepository;
  readonly audit: AuditSink;
  #closed = false;

  private constructor(db: PgDatabase, opts: PostgresCoordinatorStoreOptions) {
    this.db = db;
    const clock = opts.clock;
    const now = clock ? () => clock.now() : Date.now;
    const audit = pgAudit(db, { signer: opts.signer, now });
    const writer: PgAuditWriter = audit.writer;
    this.audit = audit.sink;
    this.members = pgMembers(db, { audit: writer, now });
    this.index = pgPsiIndex(db, { audit: writer });
    this.mailboxes = pgMailboxes(db, { audit: writer, now });
    this.meta = {
      get: async (key) => (await db.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]))?.value,
      set: async (key, value) => {
        await db.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
      },
    };
  }

  /** Connect and bring the schema up to date (`url`: `postgres://user@host:port/database`). */
  static async open(url: string, opts: PostgresCoordinatorStoreOptions = {}): Promise<PostgresCoordinatorStore> {
    return new PostgresCoordinatorStore(await openPostgres(url, PG_COORDINATOR_MIGRATIONS, { applicationName: 'veil-coordinator', ...opts.pool }), opts);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
