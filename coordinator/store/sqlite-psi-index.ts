/**
 * The PSI index on SQLite: (tag, token) entries per (country, epoch) as published by the nodes in
 * sequenced chunks, and the publication progress of each epoch.
 */
import type { AuditEntry, Db } from '#platform';
import { LIMITS, type LookupResult } from '#protocol';
import type { IndexChunk, IndexLookupItem, LookupMode, PsiIndexRepository } from './repositories.ts';
import type { SqliteAuditWriter } from './sqlite-audit.ts';
import { prefixUpperBound } from './prefix.ts';

interface EntryRow {
  tag: Uint8Array;
  token: Uint8Array;
}

export function sqlitePsiIndex(db: Db, deps: { audit: SqliteAuditWriter }): PsiIndexRepository {
  const exact = db.prepare<[string, number, Uint8Array], EntryRow>('SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag = ?');
  const rangeTo = db.prepare<[string, number, Uint8Array, Uint8Array, number], EntryRow>(
    'SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag >= ? AND tag < ? LIMIT ?',
  );
  const rangeOpen = db.prepare<[string, number, Uint8Array, number], EntryRow>(
    'SELECT tag, token FROM psi_index WHERE country = ? AND epoch = ? AND tag >= ? LIMIT ?',
  );
  const add = db.prepare<[string, number, Uint8Array, Uint8Array]>('INSERT OR IGNORE INTO psi_index (country, epoch, tag, token) VALUES (?, ?, ?, ?)');
  const remove = db.prepare<[string, number, Uint8Array, Uint8Array]>('DELETE FROM psi_index WHERE country = ? AND epoch = ? AND tag = ? AND token = ?');
  const selectState = db.prepare<[string, number], { lastSeq: number; complete: number }>(
    'SELECT last_seq AS lastSeq, complete FROM publish_state WHERE country = ? AND epoch = ?',
  );
  const upsertState = db.prepare<[string, number, number, number]>(
    `INSERT INTO publish_state (country, epoch, last_seq, complete) VALUES (?, ?, ?, ?)
     ON CONFLICT(country, epoch) DO UPDATE SET last_seq = excluded.last_seq, complete = MAX(complete, excluded.complete)`,
  );
  const completeEpochs = db.prepare<[string], { epoch: number }>('SELECT epoch FROM publish_state WHERE country = ? AND complete = 1 ORDER BY epoch DESC');
  const dropEntriesBelow = db.prepare<[string, number]>('DELETE FROM psi_index WHERE country = ? AND epoch < ?');
  const dropStateBelow = db.prepare<[string, number]>('DELETE FROM publish_state WHERE country = ? AND epoch < ?');
  const count = db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM psi_index WHERE country = ? AND epoch = ?');

  const applyTx = db.transaction((c: IndexChunk, audit: AuditEntry): 'applied' | 'duplicate' => {
    const last = selectState.get(c.country, c.epoch)?.lastSeq ?? 0;
    if (c.seq <= last) return 'duplicate';
    for (const [tag, token] of c.removes) remove.run(c.country, c.epoch, tag, token);
    for (const [tag, token] of c.adds) add.run(c.country, c.epoch, tag, token);
    upsertState.run(c.country, c.epoch, c.seq, c.final ? 1 : 0);
    if (c.final) {
      // Keep this epoch and the previous complete one; drop anything older.
      const complete = completeEpochs.all(c.country).map((r) => r.epoch);
      const keepFrom = complete[1] ?? complete[0] ?? c.epoch;
      dropEntriesBelow.run(c.country, keepFrom);
      dropStateBelow.run(c.country, keepFrom);
    }
    deps.audit.append(audit);
    return 'applied';
  });

  const toEntries = (rows: EntryRow[]): Array<[Uint8Array, Uint8Array]> => rows.map((r) => [r.tag, r.token]);

  // One read transaction per lookup: every key sees the same snapshot of the index.
  const lookupTx = db.transaction((mode: LookupMode, items: readonly IndexLookupItem[], bucketLimit: number): LookupResult[] => {
    const results: LookupResult[] = [];
    for (const item of items) {
      const entries: Array<[Uint8Array, Uint8Array]> = [];
      let truncated = false;
      for (const k of item.keys) {
        if (mode === 'exact') {
          entries.push(...toEntries(exact.all(item.country, item.epoch, k)));
          continue;
        }
        const hi = prefixUpperBound(k);
        const rows = hi ? rangeTo.all(item.country, item.epoch, k, hi, bucketLimit + 1) : rangeOpen.all(item.country, item.epoch, k, bucketLimit + 1);
        if (rows.length > bucketLimit) truncated = true;
        entries.push(...toEntries(rows.slice(0, bucketLimit)));
      }
      results.push({ country: item.country, epoch: item.epoch, entries, truncated });
    }
    return results;
  });

  return {
    applyChunk: async (chunk, audit) => applyTx(chunk, audit),
    lookup: async (mode, items, bucketLimit = LIMITS.maxBucketEntries) => lookupTx(mode, items, bucketLimit),
    publishState: async (country, epoch) => {
      const r = selectState.get(country, epoch);
      return r ? { lastSeq: r.lastSeq, complete: r.complete === 1 } : undefined;
    },
    size: async (country, epoch) => count.get(country, epoch)?.n ?? 0,
  };
}
