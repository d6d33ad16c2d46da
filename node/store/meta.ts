/** SQLite repository of a node's small key-value facts (its country, the gallery's change counter). */
import type { Db } from '#platform';
import type { MetaRepository } from './repositories.ts';
import { type Prepared, prepared } from './statement.ts';

export class SqliteMeta implements MetaRepository {
  readonly #get: Prepared<[string], { value: string }>;
  readonly #set: Prepared<[string, string]>;

  constructor(db: Db) {
    this.#get = prepared(db, 'SELECT value FROM meta WHERE key = ?');
    this.#set = prepared(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | undefined {
    return this.#get.get(key)?.value;
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }
}
