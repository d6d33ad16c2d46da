/**
 * Coordinator metadata on SQLite: a small key-value table.
 */
import type { Db } from '#platform';
import type { MetaRepository } from './repositories.ts';

export function sqliteMeta(db: Db): MetaRepository {
  const select = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const upsert = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  return {
    get: async (key) => select.get(key)?.value,
    set: async (key, value) => {
      upsert.run(key, value);
    },
  };
}
