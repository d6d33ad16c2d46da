/**
 * The coordinator's store as its configuration says: the embedded SQLite file in its directory, or the
 * PostgreSQL database of a replicated deployment (`postgresUrl`, docs/high-availability.md).
 */
import type { AuditLog, AuditSigner, Clock } from '#platform';
import { type CoordinatorConfig, coordinatorPaths } from '../config.ts';
import { PostgresCoordinatorStore } from './pg-store.ts';
import type { CoordinatorStore } from './repositories.ts';
import { SqliteCoordinatorStore } from './sqlite-store.ts';

export interface OpenedStore {
  readonly store: CoordinatorStore;
  /** The SQLite audit log (for periodic checkpoints), absent on PostgreSQL. */
  readonly auditLog: AuditLog | undefined;
  /** The PostgreSQL store, for the lease of a replicated deployment. */
  readonly postgres: PostgresCoordinatorStore | undefined;
}

export async function openCoordinatorStore(
  dir: string,
  config: Pick<CoordinatorConfig, 'postgresUrl'>,
  opts: { signer?: AuditSigner; clock?: Pick<Clock, 'now'> } = {},
): Promise<OpenedStore> {
  const o = { ...(opts.signer ? { signer: opts.signer } : {}), ...(opts.clock ? { clock: opts.clock } : {}) };
  const url = process.env.VEIL_COORDINATOR_POSTGRES_URL ?? config.postgresUrl;
  if (url) {
    const store = await PostgresCoordinatorStore.open(url, o);
    return { store, auditLog: undefined, postgres: store };
  }
  const store = new SqliteCoordinatorStore(coordinatorPaths(dir).db, o);
  return { store, auditLog: store.auditLog, postgres: undefined };
}
