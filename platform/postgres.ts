/**
 * The only module that imports the PostgreSQL driver (`pg`).
 *
 * A pool of connections to one database, numbered migrations applied once whoever starts first (two
 * coordinators starting together serialise on an advisory lock), transactions as one call
 * (`tx(fn)`: BEGIN … COMMIT, ROLLBACK on any throw) and dedicated sessions for what must live on one
 * connection (the coordinator's lease, `coordinator/lease.ts`).
 *
 * Types: `bigint` and `numeric` come back as JavaScript numbers (a value beyond 2^53 is an `internal`
 * error, never a silent rounding), `bytea` as Buffers. Errors: a driver error never leaves this module
 * with its own message (it may quote data); it becomes `unavailable` when the server cannot be reached
 * and `internal` otherwise, with the driver's error as `cause` for local logs. A statement that raises
 * one of our own `VeilError`s inside `tx` passes through unchanged.
 *
 * Credentials: the connection URL names host, port, database and user; the password comes from the
 * standard PostgreSQL sources (`PGPASSWORD`, `~/.pgpass`) or the URL, so it need not sit in a config file.
 */
import pg from 'pg';
import { VeilError } from '#protocol';
import type { Migration } from './sqlite.ts';

/** What runs statements: the pool, a transaction or a session. */
export interface PgQueryable {
  /** All rows. */
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** The first row, if any. */
  one<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** The number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface PgTxOptions {
  /** Default 'read committed' (PostgreSQL's own default). */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
}

/** One connection held until released (advisory session locks live and die with it). */
export interface PgSession extends PgQueryable {
  /** Resolves when the connection ends or fails, with why. */
  readonly ended: Promise<Error | undefined>;
  release(): Promise<void>;
}

export interface PgDatabase extends PgQueryable {
  tx<T>(fn: (q: PgQueryable) => Promise<T>, opts?: PgTxOptions): Promise<T>;
  session(): Promise<PgSession>;
  close(): Promise<void>;
}

export interface OpenPostgresOptions {
  /** Connections in the pool (default 8). */
  max?: number;
  /** Shown in `pg_stat_activity` (default `veil`). */
  applicationName?: string;
  /** Connection attempt timeout (default 5 s). */
  connectTimeoutMs?: number;
  /** Called with errors of idle connections (the pool replaces them). */
  onIdleError?: (err: Error) => void;
}

const INT8 = 20;
const NUMERIC = 1700;
const MIGRATION_LOCK = 0x7665696c; // 'veil'

function toNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new VeilError('internal', 'a database integer is beyond 2^53');
  return n;
}

const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8 || oid === NUMERIC) return toNumber;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/** A driver error as a VeilError that carries no text from the server. */
export function pgError(e: unknown, what: string): VeilError {
  if (e instanceof VeilError) return e;
  const code = (e as { code?: unknown })?.code;
  const unreachable = (typeof code === 'string' && UNREACHABLE.has(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(String(e));
  return new VeilError(
    unreachable ? 'unavailable' : 'internal',
    `${what}: ${unreachable ? 'the database is unreachable' : `database error ${typeof code === 'string' ? code : ''}`.trim()}`,
    {
      cause: e,
    },
  );
}

function queryable(c: pg.Pool | pg.PoolClient, what: string): PgQueryable {
  const exec = async (sql: string, params: readonly unknown[] = []) => {
    try {
      return await c.query(sql, params as unknown[]);
    } catch (e) {
      throw pgError(e, what);
    }
  };
  return {
    query: async <R>(sql: string, params?: readonly unknown[]) => (await exec(sql, params)).rows as R[],
    one: async <R>(sql: string, params?: readonly unknown[]) => (await exec(sql, params)).rows[0] as R | undefined,
    run: async (sql, params) => (await exec(sql, params)).rowCount ?? 0,
  };
}

export async function openPostgres(url: string, migrations: readonly Migration[], opts: OpenPostgresOptions = {}): Promise<PgDatabase> {
  const config: pg.PoolConfig = {
    connectionString: url,
    max: opts.max ?? 8,
    application_name: opts.applicationName ?? 'veil',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    keepAlive: true,
    types,
  };
  const pool = new pg.Pool(config);
  pool.on('error', (err) => opts.onIdleError?.(err));
  const db: PgDatabase = {
    ...queryable(pool, 'postgres'),
    async tx(fn, o = {}) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw pgError(e, 'postgres');
      }
      const q = queryable(client, 'postgres');
      let broken = false;
      try {
        await q.run(`BEGIN ISOLATION LEVEL ${(o.isolation ?? 'read committed').toUpperCase()}${o.readOnly ? ' READ ONLY' : ''}`);
        const out = await fn(q);
        await q.run('COMMIT');
        return out;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone: drop it from the pool
        }
        throw pgError(e, 'postgres');
      } finally {
        client.release(broken);
      }
    },
    async session() {
      // A client of its own, outside the pool: the pool may close idle clients, a session must not end
      // unless it fails.
      const client = new pg.Client({ ...config, application_name: `${config.application_name}-session` });
      let settle: (e: Error | undefined) => void = () => undefined;
      const ended = new Promise<Error | undefined>((r) => (settle = r));
      client.on('error', (e) => settle(e));
      client.on('end', () => settle(undefined));
      try {
        await client.connect();
      } catch (e) {
        throw pgError(e, 'postgres session');
      }
      return {
        ...queryable(client as unknown as pg.PoolClient, 'postgres session'),
        ended,
        release: async () => {
          await client.end().catch(() => undefined);
        },
      };
    },
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
  try {
    await migrate(db, migrations);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/** Apply numbered migrations, each in its own transaction, under an advisory lock. */
async function migrate(db: PgDatabase, migrations: readonly Migration[]): Promise<void> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  if (sorted.some((m, i) => m.version !== i + 1)) throw new VeilError('internal', 'migrations must be numbered 1..n');
  await db.tx(async (q) => {
    await q.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await q.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const row = await q.one<{ v: number }>('SELECT COALESCE(MAX(version), 0)::bigint AS v FROM schema_migrations');
    const current = row?.v ?? 0;
    if (current > sorted.length) throw new VeilError('bad_config', `database schema v${current} is newer than this program (v${sorted.length})`);
    for (const m of sorted) {
      if (m.version <= current) continue;
      await q.run(m.sql);
      await q.run('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
    }
  });
}
