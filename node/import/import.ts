/**
 * `veil node import`: NDJSON or CSV records into the node's database, and the matching index changes
 * into the publication outbox.
 *
 * Two passes. The first validates every line and collects errors (line number and reason, never the
 * value); unless `skipInvalid`, one invalid line means nothing from the file is written. The second
 * computes tags for every changed record on all cores and writes records, tags and outbox chunks in ONE
 * transaction, so a crash leaves either the whole file applied or none of it. Re-importing is idempotent
 * by record id: an unchanged record (same canonical body) is skipped; a changed one publishes only the
 * difference of its tags; `op: delete` withdraws a record and its tags.
 */
import { initCrypto, sha256 } from '#crypto';
import {
  BIO_MODALITIES,
  type BioModality,
  decodeTemplate,
  describeInvalid,
  type ImportOp,
  type MatchClass,
  matchKeysForRecord,
  VeilError,
  type VeilRecord,
} from '#protocol';
import { nodeAudit } from '../admin-ops.ts';
import { canonicalJson } from '../canonical.ts';
import { loadNodeConfig, loadNodeKeys, nodePaths } from '../config.ts';
import { IndexDelta, syncRecordKeys, tagHex } from '../index-maintenance.ts';
import { NodeStore } from '../store/sqlite-store.ts';
import { TagBuilder } from '../tags.ts';
import { countLines, readImportFile } from './parse.ts';

export interface ImportProgress {
  phase: 'validate' | 'index' | 'write';
  done: number;
  total: number;
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

const MAX_REPORTED_ERRORS = 1000;

export async function importFile(
  dir: string,
  file: string,
  opts: { skipInvalid?: boolean; format?: 'ndjson' | 'csv'; onProgress?: (p: ImportProgress) => void; workers?: number } = {},
): Promise<ImportReport> {
  const started = performance.now();
  await initCrypto();
  const cfg = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
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

  // Pass 1: validate everything; the last operation on an id wins.
  const total = await countLines(file);
  const ops = new Map<string, ImportOp>();
  const templates = new Map<string, Map<BioModality, Float32Array>>();
  for await (const item of readImportFile(file, opts.format ? { format: opts.format } : {})) {
    report.lines = Math.max(report.lines, item.line);
    let error = item.error;
    let bio: Map<BioModality, Float32Array> | undefined;
    if (error === undefined && item.op?.op === 'upsert' && item.op.record.biometrics) {
      try {
        bio = new Map();
        for (const m of BIO_MODALITIES) {
          const v = item.op.record.biometrics[m];
          if (v === undefined) continue;
          const t = decodeTemplate(v, m);
          if (t.normalized) report.templatesNormalized++;
          bio.set(m, t.vector);
        }
      } catch (e) {
        error = `biometrics: ${describeInvalid(e, 'invalid template')}`;
      }
    }
    if (error !== undefined || !item.op) {
      report.invalid++;
      if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line: item.line, reason: error ?? 'invalid' });
    } else {
      report.valid++;
      ops.set(opId(item.op), item.op);
      if (bio) templates.set(opId(item.op), bio);
      else templates.delete(opId(item.op));
    }
    if (item.line % 1000 === 0) opts.onProgress?.({ phase: 'validate', done: item.line, total });
  }
  opts.onProgress?.({ phase: 'validate', done: total, total });
  if (report.invalid > 0 && !opts.skipInvalid) {
    report.ms = performance.now() - started;
    return report;
  }

  const store = new NodeStore(nodePaths(dir).db);
  const builder = new TagBuilder(store.records.liveEpochs(), opts.workers ?? cfg.workers);
  try {
    // Pass 2a: which records changed, and their match keys.
    /** A record to write (`upsert`, with its stored body and digest) or to withdraw (no `upsert`). */
    interface Change {
      id: string;
      upsert?: { record: VeilRecord; body: string; digest: Uint8Array };
      keys: Array<{ cls: MatchClass; input: Uint8Array }>;
    }
    const changes: Change[] = [];
    for (const op of ops.values()) {
      if (op.op === 'delete') {
        if (store.records.get(op.id)) changes.push({ id: op.id, keys: [] });
        else report.deleteMissing++;
        continue;
      }
      // Templates live in the gallery table, not in the record body (which is what disclosure reads).
      const { biometrics: _bio, ...withoutBio } = op.record;
      const body = canonicalJson(withoutBio);
      const digest = sha256(new TextEncoder().encode(canonicalJson(op.record)));
      const existing = store.records.get(op.record.id);
      if (existing && Buffer.compare(existing.digest, digest) === 0) {
        report.unchanged++;
        continue;
      }
      changes.push({
        id: op.record.id,
        upsert: { record: op.record, body, digest },
        keys: matchKeysForRecord(op.record).map((k) => ({ cls: k.cls, input: k.input })),
      });
    }

    // Pass 2b: tags on all cores, per live epoch.
    const epochs = store.records.liveEpochs();
    const flat = changes.flatMap((c) => c.keys.map((k) => k.input));
    const tagsByEpoch = new Map<number, Uint8Array[]>();
    let indexed = 0;
    const indexTotal = flat.length * epochs.length;
    for (const e of epochs) {
      const base = indexed;
      tagsByEpoch.set(e.epoch, await builder.tags(e.epoch, flat, (done) => opts.onProgress?.({ phase: 'index', done: base + done, total: indexTotal })));
      indexed += flat.length;
    }

    // Pass 2c: one transaction for records, tags and outbox chunks.
    const audit = nodeAudit(store, keys);
    const delta = new IndexDelta();
    store.tx(() => {
      let offset = 0;
      let n = 0;
      for (const c of changes) {
        const current = store.records.keysOf(c.id);
        for (const e of epochs) {
          const tags = tagsByEpoch.get(e.epoch) ?? [];
          const wanted = new Map<string, { tag: Uint8Array; cls: MatchClass }>();
          c.keys.forEach((k, i) => {
            const tag = tags[offset + i];
            if (tag === undefined) throw new VeilError('internal', 'fewer tags than match keys');
            wanted.set(tagHex(tag), { tag, cls: k.cls });
          });
          syncRecordKeys(store, delta, keys.token, cfg.country, c.id, e.epoch, current, wanted);
        }
        offset += c.keys.length;
        for (const m of BIO_MODALITIES) {
          const v = c.upsert ? templates.get(c.id)?.get(m) : undefined;
          if (v) {
            store.gallery.set(m, c.id, v);
            report.templates++;
          } else {
            store.gallery.remove(m, c.id);
          }
        }
        if (c.upsert) {
          const { record, body, digest } = c.upsert;
          store.records.upsert({ id: c.id, kind: record.kind, dataset: record.dataset, handling: record.handling, body, digest }, Date.now());
          report.upserted++;
        } else {
          store.records.delete(c.id);
          report.deleted++;
        }
        if (++n % 5000 === 0) opts.onProgress?.({ phase: 'write', done: n, total: changes.length });
      }
      const size = delta.size;
      report.tagsAdded = size.added;
      report.tagsRemoved = size.removed;
      report.chunks = delta.flush(store);
      audit.append({ kind: 'records.imported', count: report.upserted + report.deleted, status: report.invalid > 0 ? 'partial' : 'complete' });
    });
    opts.onProgress?.({ phase: 'write', done: changes.length, total: changes.length });
    report.written = true;
  } finally {
    await builder.close();
    store.close();
  }
  report.ms = performance.now() - started;
  return report;
}

function opId(op: ImportOp): string {
  return op.op === 'delete' ? op.id : op.record.id;
}
