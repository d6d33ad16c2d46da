/**
 * A prepared statement as the node's repositories hold it: prepared once when the repository is built,
 * typed by its parameters and by the row it returns, so reading a row needs no cast at the call site.
 * Repositories map these raw rows (snake_case columns, 0/1 flags, JSON text) to typed objects.
 */
import type { Db } from '#platform';

export interface Prepared<P extends unknown[], R = never> {
  run(...params: P): { changes: number };
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
}

/** Prepare `sql` on `db` once, typed by its parameters `P` and its row `R`. */
export function prepared<P extends unknown[], R = never>(db: Db, sql: string): Prepared<P, R> {
  return db.prepare<P, R>(sql);
}

/** A `COUNT(*) AS n` row. */
export interface CountRow {
  n: number;
}

/** A BLOB column as a plain `Uint8Array` (the driver returns a `Buffer` view of its own memory). */
export function blob(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
