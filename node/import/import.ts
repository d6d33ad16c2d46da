/**
 * `veil node import`: NDJSON or CSV records into the node's database, and the matching index changes
 * into the publication outbox.
 *
 * Two passes over the file. The first validates every line and collects errors (line number and
 * reason, never the value); unless `skipInvalid`, one invalid line means nothing from the file is
 * written. The second (`apply.ts`) reads the file again and, in batches, computes the tags of every
 * changed record on all cores while this thread writes the batches whose tags are back — records, tags
 * and, at the end, the outbox chunks all in ONE transaction, so a crash leaves either the whole file
 * applied or none of it. Re-importing is idempotent by record id (the last operation on an id wins): an
 * unchanged record (same canonical body) is skipped; a changed one publishes only the difference of its
 * tags; `op: delete` withdraws a record and its tags.
 *
 * The transaction holds the database's write lock for the whole second pass: a node running meanwhile
 * answers queries (WAL readers are not blocked) but waits to write until the import commits.
 */
import { statSync } from 'node:fs';
import { initCrypto } from '#crypto';
import { VeilError } from '#protocol';
import { nodeAudit } from '../admin-ops.ts';
import { loadNodeConfig, loadNodeKeys, nodePaths } from '../config.ts';
import { IndexDelta } from '../index-maintenance.ts';
import { pooledRandom } from '../random-pool.ts';
import { NodeStore } from '../store/sqlite-store.ts';
import { TagBuilder } from '../tags.ts';
import { applyFile } from './apply.ts';
import { countLines } from './parse.ts';
import { validateFile } from './validate.ts';

export interface ImportProgress {
  /**
   * `validate`: lines read of the file's lines; `index`: records applied (tags computed and written) of
   * the records to apply, with `keys`, the match keys evaluated so far; `write`: outbox chunks written.
   */
  phase: 'validate' | 'index' | 'write';
  done: number;
  total: number;
  keys?: number;
}

export interface ImportReport {
  file: string;
  lines: number;
  valid: number;
  invalid: number;
  errors: Array<{ line: number; reason: string }>;
  written: boolean;
  upserted: number;
  unchanged: number;
  deleted: number;
  deleteMissing: number;
  tagsAdded: number;
  tagsRemoved: number;
  chunks: number;
  /** Biometric templates written (and how many of them were rescaled to unit length). */
  templates: number;
  templatesNormalized: number;
  ms: number;
}

export async function importFile(
  dir: string,
  file: string,
  opts: { skipInvalid?: boolean; format?: 'ndjson' | 'csv'; onProgress?: (p: ImportProgress) => void; workers?: number } = {},
): Promise<ImportReport> {
  const started = performance.now();
  await initCrypto();
  const cfg = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
  const format = opts.format ? { format: opts.format } : {};
  const stamp = () => {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  };
  const before = stamp();

  // Pass 1: validate everything; the last operation on an id wins. The tag workers of a large file
  // start meanwhile (a small one evaluates inline and never starts them): they load while this thread
  // validates, and are ready before the write lock is taken, so a running node never waits for them.
  const total = await countLines(file);
  const store = new NodeStore(nodePaths(dir).db);
  const live = store.records.liveEpochs();
  const builder = new TagBuilder(live, opts.workers ?? cfg.workers);
  const warming = total >= 100 ? builder.start() : Promise.resolve();
  warming.catch(() => {}); // awaited before pass 2; this only keeps an early failure from going unhandled
  const report: ImportReport = {
    file,
    lines: 0,
    valid: 0,
    invalid: 0,
    errors: [],
    written: false,
    upserted: 0,
    unchanged: 0,
    deleted: 0,
    deleteMissing: 0,
    tagsAdded: 0,
    tagsRemoved: 0,
    chunks: 0,
    templates: 0,
    templatesNormalized: 0,
    ms: 0,
  };
  try {
    const v = await validateFile(file, { ...format, onLine: (line) => line % 1000 === 0 && opts.onProgress?.({ phase: 'validate', done: line, total }) });
    opts.onProgress?.({ phase: 'validate', done: total, total });
    Object.assign(report, { lines: v.lines, valid: v.valid, invalid: v.invalid, errors: v.errors, templatesNormalized: v.templatesNormalized });
    if (report.invalid > 0 && !opts.skipInvalid) {
      report.ms = performance.now() - started;
      return report;
    }

    // Pass 2, in one transaction: records and tags batch by batch, then the outbox chunks.
    const delta = new IndexDelta({ rng: pooledRandom() });
    const toApply = v.lastLine.size;
    await warming;
    store.db.exec('BEGIN IMMEDIATE');
    try {
      const counts = await applyFile({ store, keys, country: cfg.country, builder, delta, epochs: live.map((e) => e.epoch) }, file, v.lastLine, {
        ...format,
        onProgress: (done, k) => opts.onProgress?.({ phase: 'index', done, total: toApply, keys: k }),
      });
      if (stamp() !== before) throw new VeilError('conflict', 'the import file changed while it was being imported: nothing was written; import it again');
      Object.assign(report, counts);
      const size = delta.size;
      report.tagsAdded = size.added;
      report.tagsRemoved = size.removed;
      opts.onProgress?.({ phase: 'write', done: 0, total: 1 });
      report.chunks = delta.flush(store);
      nodeAudit(store, keys).append({ kind: 'records.imported', count: report.upserted + report.deleted, status: report.invalid > 0 ? 'partial' : 'complete' });
      store.db.exec('COMMIT');
    } catch (e) {
      if (store.db.inTransaction) store.db.exec('ROLLBACK');
      throw e;
    }
    opts.onProgress?.({ phase: 'write', done: 1, total: 1 });
    report.written = true;
  } finally {
    await builder.close();
    store.close();
  }
  report.ms = performance.now() - started;
  return report;
}
