/**
 * Pass 2 of `veil node import`: read the file again and apply the winning operation of each record id,
 * in batches through a pipeline — while the tag workers evaluate the match keys of the next batches,
 * this thread parses, derives match keys and writes the batch whose tags are back. Everything is
 * written inside the caller's one transaction; the index changes accumulate in one `IndexDelta`, which
 * the caller flushes once at the end (each bucket of the commitment tree is then rehashed once).
 */
import { sha256 } from '#crypto';
import { BIO_MODALITIES, type BioModality, type MatchClass, matchKeysForRecord, VeilError, type VeilRecord } from '#protocol';
import { canonicalJson } from '../canonical.ts';
import type { NodeKeys } from '../config.ts';
import { type IndexDelta, syncRecordKeys, tagHex } from '../index-maintenance.ts';
import type { NodeStore } from '../store/sqlite-store.ts';
import type { TagBuilder } from '../tags.ts';
import { type ImportFormat, readImportFile } from './parse.ts';
import { decodeTemplates, opId } from './validate.ts';

/** Records per batch: enough match keys (≈ 7,600) to keep every worker busy, few enough to stay small. */
const BATCH = 1000;
/** Batches whose tags are being computed while this thread works on the next one. */
const AHEAD = 2;

export interface ApplyCounts {
  upserted: number;
  unchanged: number;
  deleted: number;
  deleteMissing: number;
  templates: number;
}

/** A record to write (`upsert`, with its stored body and digest) or to withdraw (no `upsert`). */
interface Change {
  id: string;
  /** Whether the database holds the record now (only then can it have tags or templates to remove). */
  existed: boolean;
  upsert?: { record: VeilRecord; body: string; digest: Uint8Array; templates?: Map<BioModality, Float32Array> };
  keys: Array<{ cls: MatchClass; input: Uint8Array }>;
}

interface Batch {
  changes: Change[];
  /** Per live epoch, the tags of every change's keys, in order. */
  tags: Promise<Map<number, Uint8Array[]>>;
}

export interface ApplyDeps {
  store: NodeStore;
  keys: NodeKeys;
  country: string;
  builder: TagBuilder;
  delta: IndexDelta;
  epochs: readonly number[];
}

export async function applyFile(
  d: ApplyDeps,
  file: string,
  lastLine: ReadonlyMap<string, number>,
  opts: { format?: ImportFormat; onProgress?: (records: number, keys: number) => void } = {},
): Promise<ApplyCounts> {
  const counts: ApplyCounts = { upserted: 0, unchanged: 0, deleted: 0, deleteMissing: 0, templates: 0 };
  const encoder = new TextEncoder();
  const queue: Batch[] = [];
  let current: Change[] = [];
  let records = 0;
  let keys = 0;

  const launch = (): void => {
    const changes = current;
    current = [];
    const inputs = changes.flatMap((c) => c.keys.map((k) => k.input));
    const tags = Promise.all(d.epochs.map(async (e) => [e, await d.builder.tags(e, inputs)] as const)).then((l) => new Map(l));
    tags.catch(() => {}); // awaited in order below; this only keeps an early failure from going unhandled
    queue.push({ changes, tags });
  };
  const writeOldest = async (): Promise<void> => {
    const b = queue.shift();
    if (!b) return;
    const tags = await b.tags;
    writeBatch(d, b.changes, tags, counts);
    records += b.changes.length;
    keys += b.changes.reduce((n, c) => n + c.keys.length, 0);
    opts.onProgress?.(records, keys);
  };

  for await (const item of readImportFile(file, opts.format ? { format: opts.format } : {})) {
    const op = item.op;
    if (!op || item.error !== undefined || lastLine.get(opId(op)) !== item.line) continue;
    if (op.op === 'delete') {
      if (d.store.records.get(op.id)) current.push({ id: op.id, existed: true, keys: [] });
      else {
        counts.deleteMissing++;
        if (++records % BATCH === 0) opts.onProgress?.(records, keys);
      }
    } else {
      // Templates live in the gallery table, not in the record body (which is what disclosure reads).
      const { biometrics: _bio, ...withoutBio } = op.record;
      const digest = sha256(encoder.encode(canonicalJson(op.record)));
      const existing = d.store.records.get(op.record.id);
      if (existing && Buffer.compare(existing.digest, digest) === 0) {
        counts.unchanged++;
        if (++records % BATCH === 0) opts.onProgress?.(records, keys);
      } else {
        const templates = decodeTemplates(op)?.templates;
        current.push({
          id: op.record.id,
          existed: existing !== undefined,
          upsert: { record: op.record, body: canonicalJson(withoutBio), digest, ...(templates ? { templates } : {}) },
          keys: matchKeysForRecord(op.record).map((k) => ({ cls: k.cls, input: k.input })),
        });
      }
    }
    if (current.length >= BATCH) {
      launch();
      if (queue.length > AHEAD) await writeOldest();
    }
  }
  if (current.length > 0) launch();
  while (queue.length > 0) await writeOldest();
  return counts;
}

function writeBatch(d: ApplyDeps, changes: readonly Change[], tagsByEpoch: ReadonlyMap<number, Uint8Array[]>, counts: ApplyCounts): void {
  const { store, delta, keys, country } = d;
  const now = Date.now();
  let offset = 0;
  for (const c of changes) {
    const current = c.existed ? store.records.keysOf(c.id) : [];
    for (const epoch of d.epochs) {
      const tags = tagsByEpoch.get(epoch) ?? [];
      const wanted = new Map<string, { tag: Uint8Array; cls: MatchClass }>();
      c.keys.forEach((k, i) => {
        const tag = tags[offset + i];
        if (tag === undefined) throw new VeilError('internal', 'fewer tags than match keys');
        wanted.set(tagHex(tag), { tag, cls: k.cls });
      });
      syncRecordKeys(store, delta, keys.token, country, c.id, epoch, current, wanted);
    }
    offset += c.keys.length;
    for (const m of BIO_MODALITIES) {
      const v = c.upsert?.templates?.get(m);
      if (v) {
        store.gallery.set(m, c.id, v);
        counts.templates++;
      } else if (c.existed) {
        store.gallery.remove(m, c.id);
      }
    }
    if (c.upsert) {
      const { record, body, digest } = c.upsert;
      store.records.upsert({ id: c.id, kind: record.kind, dataset: record.dataset, handling: record.handling, body, digest }, now);
      counts.upserted++;
    } else {
      store.records.delete(c.id);
      counts.deleted++;
    }
  }
}
