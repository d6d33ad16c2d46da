/**
 * SQLite repository of the node's encoded gallery (docs/biometrics.md, "Persisted encoding"): one row per
 * modality and 2,048-position block with the HE plaintext residues the node scores, the occupancy they
 * were encoded with, the parameter set, the last gallery change (seq) they reflect and their MAC; plus,
 * per modality, the gallery seq through which every block's stored encoding is complete. What the rows
 * mean and how they are verified is `node/bio-encoding.ts`; this file only stores them.
 */

import type { Db } from '#platform';
import type { MetaRepository } from './repositories.ts';
import { type Prepared, prepared } from './statement.ts';

export interface StoredGalleryBlock {
  modality: string;
  block: number;
  /** HE parameter set the residues were encoded for. */
  param: string;
  /** The last gallery change (seq) this block's encoding reflects. */
  seq: number;
  /** One byte per position of the block: 1 occupied. */
  occupied: Uint8Array;
  residues: Uint8Array;
  mac: Uint8Array;
}

export interface GalleryBlocksRepository {
  /** Store (or replace) one block's encoding. */
  put(b: StoredGalleryBlock): void;
  /** A modality's stored blocks, in block order (each row read as it is reached). */
  list(modality: string): IterableIterator<StoredGalleryBlock>;
  /** The gallery seq through which every change is reflected in the stored blocks (0: nothing stored). */
  encodedThrough(modality: string): number;
  setEncodedThrough(modality: string, seq: number): void;
  /** Forget a modality's stored encoding (rows and seq). */
  clear(modality: string): void;
}

interface BlockSql {
  modality: string;
  block: number;
  param: string;
  seq: number;
  occupied: Uint8Array;
  residues: Uint8Array;
  mac: Uint8Array;
}

const seqKey = (modality: string) => `gallery_encoded_seq:${modality}`;

/** A byte array as the driver binds a blob, without copying (shared wasm memory included). */
function asBlob(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class SqliteGalleryBlocks implements GalleryBlocksRepository {
  readonly #meta: MetaRepository;
  readonly #put: Prepared<[string, number, string, number, Buffer, Buffer, Buffer]>;
  readonly #list: Prepared<[string], BlockSql>;
  readonly #clear: Prepared<[string]>;

  constructor(deps: { db: Db; meta: MetaRepository }) {
    const { db } = deps;
    this.#meta = deps.meta;
    this.#put = prepared(
      db,
      `INSERT INTO gallery_blocks (modality, block, param, seq, occupied, residues, mac) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(modality, block) DO UPDATE SET param = excluded.param, seq = excluded.seq, occupied = excluded.occupied,
         residues = excluded.residues, mac = excluded.mac`,
    );
    this.#list = prepared(db, 'SELECT modality, block, param, seq, occupied, residues, mac FROM gallery_blocks WHERE modality = ? ORDER BY block');
    this.#clear = prepared(db, 'DELETE FROM gallery_blocks WHERE modality = ?');
  }

  put(b: StoredGalleryBlock): void {
    this.#put.run(b.modality, b.block, b.param, b.seq, asBlob(b.occupied), asBlob(b.residues), asBlob(b.mac));
  }

  *list(modality: string): IterableIterator<StoredGalleryBlock> {
    for (const r of this.#list.iterate(modality)) yield r;
  }

  encodedThrough(modality: string): number {
    const v = Number(this.#meta.get(seqKey(modality)) ?? '0');
    return Number.isSafeInteger(v) && v >= 0 ? v : 0;
  }

  setEncodedThrough(modality: string, seq: number): void {
    this.#meta.set(seqKey(modality), String(seq));
  }

  clear(modality: string): void {
    this.#clear.run(modality);
    this.#meta.set(seqKey(modality), '0');
  }
}
