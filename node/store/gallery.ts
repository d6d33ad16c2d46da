/**
 * SQLite repository of the biometric galleries: one row per position per modality, a freed position
 * keeping its row (record and vector NULL) until it is reused, every change numbered by a counter in
 * `meta` so a running node can apply what an import (another process) changed. It also remembers the
 * biometric queries answered from the gallery, which a later disclosure claim must name, with the random
 * nonce of each answer's position permutation; a query id is answered once per requester.
 */

import type { Db } from '#platform';
import { VeilError } from '#protocol';
import type { AnsweredBioQuery, GalleryRepository, GalleryRow, MetaRepository } from './repositories.ts';
import { blob, type CountRow, type Prepared, prepared } from './statement.ts';

const SEQ_KEY = 'gallery_seq';

interface GallerySql {
  modality: string;
  position: number;
  record_id: string | null;
  vector: Uint8Array | null;
  seq: number;
}

interface AnsweredSql {
  id: string;
  requester: string;
  modality: string;
  positions: number;
  answered_at: number;
  analyst: string | null;
  perm_nonce: Uint8Array | null;
}

/** A copy of the stored bytes as float32s (the blob need not be aligned for a view). */
function toVector(b: Uint8Array): Float32Array {
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export class SqliteGallery implements GalleryRepository {
  readonly #meta: MetaRepository;
  readonly #positionOf: Prepared<[string, string], { position: number }>;
  readonly #firstFree: Prepared<[string], { position: number }>;
  readonly #maxPosition: Prepared<[string], { m: number }>;
  readonly #put: Prepared<[string, number, string, Uint8Array, number]>;
  readonly #free: Prepared<[number, string, number]>;
  readonly #changes: Prepared<[number], GallerySql>;
  readonly #changesOf: Prepared<[number, string], GallerySql>;
  readonly #at: Prepared<[string, number], { record_id: string; vector: Uint8Array }>;
  readonly #count: Prepared<[string], CountRow>;
  readonly #positions: Prepared<[number], { modality: string; position: number; present: number; seq: number }>;
  readonly #range: Prepared<[string, number, number], { position: number; vector: Uint8Array }>;
  readonly #answer: Prepared<[string, string, string, number, number, string | null, Uint8Array | null]>;
  readonly #answered: Prepared<[string, string], AnsweredSql>;

  constructor(deps: { db: Db; meta: MetaRepository }) {
    const { db } = deps;
    this.#meta = deps.meta;
    this.#positionOf = prepared(db, 'SELECT position FROM gallery WHERE modality = ? AND record_id = ?');
    this.#firstFree = prepared(db, 'SELECT position FROM gallery WHERE modality = ? AND record_id IS NULL ORDER BY position LIMIT 1');
    this.#maxPosition = prepared(db, 'SELECT COALESCE(MAX(position), -1) AS m FROM gallery WHERE modality = ?');
    this.#put = prepared(
      db,
      `INSERT INTO gallery (modality, position, record_id, vector, seq) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(modality, position) DO UPDATE SET record_id = excluded.record_id, vector = excluded.vector, seq = excluded.seq`,
    );
    this.#free = prepared(db, 'UPDATE gallery SET record_id = NULL, vector = NULL, seq = ? WHERE modality = ? AND position = ?');
    this.#changes = prepared(db, 'SELECT modality, position, record_id, vector, seq FROM gallery WHERE seq > ? ORDER BY seq');
    this.#changesOf = prepared(db, 'SELECT modality, position, record_id, vector, seq FROM gallery WHERE seq > ? AND modality = ? ORDER BY seq');
    this.#at = prepared(db, 'SELECT record_id, vector FROM gallery WHERE modality = ? AND position = ? AND record_id IS NOT NULL');
    this.#count = prepared(db, 'SELECT COUNT(*) AS n FROM gallery WHERE modality = ? AND record_id IS NOT NULL');
    this.#positions = prepared(db, 'SELECT modality, position, record_id IS NOT NULL AS present, seq FROM gallery WHERE seq > ? ORDER BY seq');
    this.#range = prepared(
      db,
      'SELECT position, vector FROM gallery WHERE modality = ? AND position >= ? AND position < ? AND record_id IS NOT NULL ORDER BY position',
    );
    this.#answer = prepared(
      db,
      'INSERT OR IGNORE INTO bio_queries (id, requester, modality, positions, answered_at, analyst, perm_nonce) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#answered = prepared(
      db,
      'SELECT id, requester, modality, positions, answered_at, analyst, perm_nonce FROM bio_queries WHERE requester = ? AND id = ?',
    );
  }

  #nextSeq(): number {
    const n = Number(this.#meta.get(SEQ_KEY) ?? '0') + 1;
    this.#meta.set(SEQ_KEY, String(n));
    return n;
  }

  set(modality: string, recordId: string, vector: Float32Array): number {
    const seq = this.#nextSeq();
    const blob = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const free = this.#positionOf.get(modality, recordId) ?? this.#firstFree.get(modality);
    const position = free?.position ?? (this.#maxPosition.get(modality)?.m ?? -1) + 1;
    this.#put.run(modality, position, recordId, blob, seq);
    return position;
  }

  remove(modality: string, recordId: string): boolean {
    const own = this.#positionOf.get(modality, recordId);
    if (!own) return false;
    this.#free.run(this.#nextSeq(), modality, own.position);
    return true;
  }

  *changes(afterSeq: number, modality?: string): IterableIterator<GalleryRow> {
    const rows = modality === undefined ? this.#changes.iterate(afterSeq) : this.#changesOf.iterate(afterSeq, modality);
    for (const r of rows) {
      yield { modality: r.modality, position: r.position, recordId: r.record_id, vector: r.vector ? toVector(r.vector) : null, seq: r.seq };
    }
  }

  *changedPositions(afterSeq: number): IterableIterator<{ modality: string; position: number; present: boolean; seq: number }> {
    for (const r of this.#positions.iterate(afterSeq)) yield { modality: r.modality, position: r.position, present: r.present === 1, seq: r.seq };
  }

  *range(modality: string, from: number, to: number): IterableIterator<{ position: number; vector: Float32Array }> {
    for (const r of this.#range.iterate(modality, from, to)) yield { position: r.position, vector: toVector(r.vector) };
  }

  at(modality: string, position: number): { recordId: string; vector: Float32Array } | undefined {
    const r = this.#at.get(modality, position);
    return r ? { recordId: r.record_id, vector: toVector(r.vector) } : undefined;
  }

  count(modality: string): number {
    return this.#count.get(modality)?.n ?? 0;
  }

  recordAnswered(q: AnsweredBioQuery): void {
    const nonce = q.permutationNonce ? Buffer.from(q.permutationNonce) : null;
    if (this.#answer.run(q.id, q.requester, q.modality, q.positions, q.answeredAt, q.analyst, nonce).changes === 0) {
      throw new VeilError('conflict', 'biometric query id already answered for this requester');
    }
  }

  answered(requester: string, id: string): AnsweredBioQuery | undefined {
    const r = this.#answered.get(requester, id);
    if (!r) return undefined;
    return {
      id: r.id,
      requester: r.requester,
      modality: r.modality,
      positions: r.positions,
      answeredAt: r.answered_at,
      analyst: r.analyst,
      permutationNonce: r.perm_nonce ? blob(r.perm_nonce) : null,
    };
  }
}
