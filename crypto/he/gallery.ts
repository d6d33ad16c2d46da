/**
 * The node-side gallery encoding: templates pre-encoded as NTT-form CKKS plaintext residues, kept in
 * shared WebAssembly memories outside SEAL's heap (gallery-arena.ts), where the kernel reads them.
 *
 * Positions are stable slots: position = block * 2048 + slot. Changing a position marks its block dirty
 * and `flush()` re-encodes dirty blocks (the server flushes before scoring). Two ways to hold templates:
 * - in memory (default): `set` / `append` / `remove` / `get` keep float32 copies per block;
 * - from a source (`{ source }`, the node): only occupancy is kept here (`mark`); a dirty block's templates
 *   are read from the source when it is encoded, so the float32 copies (2 KiB per face template) are not
 *   held twice.
 * Encoded blocks can be exported and restored (`blockBytes` / `restoreBlock`) for persistence; a
 * restored block must have been verified by the caller, who knows where the bytes came from.
 *
 * Residue layout per block and prime: [point i in 0..N)[diagonal k in 0..h), u32 — the order the fused
 * kernel streams (one contiguous run of h values per NTT point).
 */
import { CryptoError } from '../errors.ts';
import { ResidueArenas } from './gallery-arena.ts';
import { encodeBlockResidues } from './gallery-encode.ts';
import { type Derived, derive, HE_PARAM_CODES, HE_PARAMS, type HeParamId, isHeParamId } from './params.ts';

export interface GalleryBlock {
  readonly occupied: Uint8Array;
  count: number;
  /** Needs (re-)encoding before it is scored. */
  dirty: boolean;
  /** Float32 templates, blockSize x dims (memory mode only). */
  templates: Float32Array | undefined;
}

/** Templates of one block, read where the node keeps them: blockSize x dims float32 (zero rows where empty). */
export type BlockSource = (block: number) => { templates: Float32Array; occupied: Uint8Array };

/** L2-normalize a template (copy); throws CryptoError('bad_request') for NaN/Inf/zero, 'bad_length' for dims. */
export function normalizeTemplate(t: ArrayLike<number>, dims: number): Float32Array {
  if (!t || typeof t.length !== 'number') throw new CryptoError('bad_request', 'template: expected a numeric array');
  if (t.length !== dims) throw new CryptoError('bad_length', `template: expected ${dims} dimensions, got ${t.length}`);
  let s = 0;
  for (let i = 0; i < dims; i++) {
    const v = t[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new CryptoError('bad_request', 'template: NaN or infinite value');
    s += v * v;
  }
  if (!(s > 0)) throw new CryptoError('bad_request', 'template: zero vector');
  const inv = 1 / Math.sqrt(s);
  const out = new Float32Array(dims);
  for (let i = 0; i < dims; i++) out[i] = t[i]! * inv;
  return out;
}

const MAGIC = 0x56474531; // 'VGE1'

export class GalleryEncoding {
  readonly paramId: HeParamId;
  readonly d: Derived;
  readonly blocks: GalleryBlock[] = [];
  readonly arenas: ResidueArenas;
  readonly #source: BlockSource | undefined;
  /** One past the highest position ever set (the number of result positions). */
  #hw = 0;

  private constructor(paramId: HeParamId, source: BlockSource | undefined) {
    this.paramId = paramId;
    this.d = derive(paramId);
    this.arenas = new ResidueArenas(this.d);
    this.#source = source;
  }

  static create(paramId: HeParamId, opts: { source?: BlockSource } = {}): GalleryEncoding {
    if (!isHeParamId(paramId)) throw new CryptoError('bad_request', 'unknown HE parameter id');
    return new GalleryEncoding(paramId, opts.source);
  }

  get dims(): number {
    return this.d.p.dims;
  }
  /** Number of positions the results cover (highest position set + 1). */
  get size(): number {
    return this.#hw;
  }
  /** Number of occupied positions. */
  get count(): number {
    let c = 0;
    for (const b of this.blocks) c += b.count;
    return c;
  }

  private block(bi: number): GalleryBlock {
    while (this.blocks.length <= bi) {
      this.blocks.push({ occupied: new Uint8Array(this.d.blockSize), count: 0, dirty: true, templates: undefined });
    }
    return this.blocks[bi]!;
  }

  private checkPos(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || position >= 2 ** 31) throw new CryptoError('bad_request', 'gallery: bad position');
  }

  private memoryMode(what: string): void {
    if (this.#source) throw new CryptoError('bad_request', `gallery: ${what} needs templates in memory (this gallery reads a source)`);
  }

  /** Put a template at a position (insert or update). */
  set(position: number, template: ArrayLike<number>): void {
    this.memoryMode('set');
    this.checkPos(position);
    const t = normalizeTemplate(template, this.dims);
    const bs = this.d.blockSize;
    const b = this.block(Math.floor(position / bs));
    b.templates ??= new Float32Array(bs * this.dims);
    b.templates.set(t, (position % bs) * this.dims);
    this.mark(position, true);
  }

  /** Append at the next free position after the highest one; returns it. */
  append(template: ArrayLike<number>): number {
    const pos = this.#hw;
    this.set(pos, template);
    return pos;
  }

  /** Clear a position (its score becomes 0, never a hit for tau > 0). */
  remove(position: number): void {
    this.checkPos(position);
    const b = this.blocks[Math.floor(position / this.d.blockSize)];
    const slot = position % this.d.blockSize;
    if (!b?.occupied[slot]) return;
    b.templates?.fill(0, slot * this.dims, (slot + 1) * this.dims);
    this.mark(position, false);
  }

  /**
   * Record that a position changed (source mode: its template is read from the source when its block is
   * encoded). `present` false frees it.
   */
  mark(position: number, present: boolean): void {
    this.checkPos(position);
    const bs = this.d.blockSize;
    const b = this.block(Math.floor(position / bs));
    const slot = position % bs;
    if (present && !b.occupied[slot]) {
      b.occupied[slot] = 1;
      b.count++;
    } else if (!present && b.occupied[slot]) {
      b.occupied[slot] = 0;
      b.count--;
    }
    b.dirty = true;
    if (present && position >= this.#hw) this.#hw = position + 1;
  }

  has(position: number): boolean {
    const bs = this.d.blockSize;
    return this.blocks[Math.floor(position / bs)]?.occupied[position % bs] === 1;
  }

  /** The normalized template at a position (a copy), or undefined (memory mode). */
  get(position: number): Float32Array | undefined {
    if (!this.has(position)) return undefined;
    const bs = this.d.blockSize;
    const t = this.blocks[Math.floor(position / bs)]!.templates;
    const s = position % bs;
    return t?.slice(s * this.dims, (s + 1) * this.dims);
  }

  get dirtyBlocks(): number {
    return this.blocks.filter((b) => b.dirty).length;
  }

  /** Re-encode dirty blocks. Calls `onProgress(done, total)` after each block. */
  flush(onProgress?: (done: number, total: number) => void): void {
    const dirty = this.blocks.flatMap((b, i) => (b.dirty ? [i] : []));
    this.arenas.reserve(this.blocks.length);
    let done = 0;
    for (const bi of dirty) {
      const b = this.blocks[bi]!;
      let templates = b.templates;
      if (this.#source) {
        const src = this.#source(bi);
        if (src.templates.length !== this.d.blockSize * this.dims || src.occupied.length !== this.d.blockSize) {
          throw new CryptoError('bad_length', 'gallery: block source returned the wrong size');
        }
        templates = src.templates;
        b.occupied.set(src.occupied);
        b.count = b.occupied.reduce((a, x) => a + (x ? 1 : 0), 0);
        for (let s = this.d.blockSize - 1; s >= 0; s--) {
          if (b.occupied[s]) {
            this.#hw = Math.max(this.#hw, bi * this.d.blockSize + s + 1);
            break;
          }
        }
      }
      encodeBlockResidues(this.d, templates ?? new Float32Array(this.d.blockSize * this.dims), b.occupied, this.arenas.residues(bi));
      b.dirty = false;
      onProgress?.(++done, dirty.length);
    }
  }

  /** Bytes held outside SEAL's heap: arenas as reserved, plus occupancy and any in-memory templates. */
  memoryBytes(): number {
    let s = this.arenas.reservedBytes;
    for (const b of this.blocks) s += b.occupied.byteLength + (b.templates?.byteLength ?? 0);
    return s;
  }

  /** An encoded block's residues as bytes (a view; persist it, do not change it). */
  blockBytes(bi: number): Uint8Array {
    const b = this.blocks[bi];
    if (!b || b.dirty) throw new CryptoError('bad_request', 'gallery: block not encoded');
    return this.arenas.bytes(bi);
  }

  /**
   * Restore block `bi` from persisted residues: `fill(dst)` writes the block's bytes into its storage and
   * returns true only if they are verified; otherwise the block stays dirty and flush re-encodes it from
   * the source (source mode), or, in memory mode, `bad_request` is thrown and nothing is marked.
   */
  restoreBlock(bi: number, occupied: Uint8Array, fill: (dst: Uint8Array) => boolean): boolean {
    if (occupied.length !== this.d.blockSize) throw new CryptoError('bad_length', 'gallery: bad occupancy');
    this.arenas.reserve(Math.max(this.arenas.blocks, bi + 1));
    const verified = fill(this.arenas.bytes(bi));
    // In memory mode a block that fails verification has no templates to be re-encoded from: flushing it
    // would score zeros at occupied positions. Refuse it; the caller re-adds its templates.
    if (!verified && !this.#source)
      throw new CryptoError('bad_request', 'gallery: restored block failed verification and no templates are held to re-encode it');
    const b = this.block(bi);
    b.occupied.set(occupied);
    b.count = occupied.reduce((a, x) => a + (x ? 1 : 0), 0);
    for (let s = this.d.blockSize - 1; s >= 0 && b.count > 0; s--) {
      if (occupied[s]) {
        this.#hw = Math.max(this.#hw, bi * this.d.blockSize + s + 1);
        break;
      }
    }
    b.dirty = !verified;
    return verified;
  }

  /** Set the result size (positions covered) when restoring: at least the highest occupied position + 1. */
  restoreSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < this.#hw || size > this.blocks.length * this.d.blockSize) {
      throw new CryptoError('bad_request', 'gallery: bad size');
    }
    this.#hw = size;
  }

  /**
   * Persist (memory mode): header, then per block the occupancy and float32 templates. Residues are not
   * stored: they are a deterministic function of the templates, rebuilt by `flush()` after loading.
   */
  serialize(): Uint8Array {
    this.memoryMode('serialize');
    const bs = this.d.blockSize;
    const per = bs + bs * this.dims * 4;
    const out = new Uint8Array(16 + this.blocks.length * per);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, MAGIC, false);
    dv.setUint8(4, HE_PARAM_CODES[this.paramId]);
    dv.setUint32(8, this.blocks.length, true);
    dv.setUint32(12, this.#hw, true);
    let off = 16;
    for (const b of this.blocks) {
      out.set(b.occupied, off);
      off += bs;
      if (b.templates) out.set(new Uint8Array(b.templates.buffer, b.templates.byteOffset, b.templates.byteLength), off);
      off += bs * this.dims * 4;
    }
    return out;
  }

  static deserialize(bytes: Uint8Array): GalleryEncoding {
    if (!(bytes instanceof Uint8Array) || bytes.length < 16) throw new CryptoError('bad_length', 'gallery: truncated');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(0, false) !== MAGIC) throw new CryptoError('bad_request', 'gallery: bad magic');
    const code = dv.getUint8(4);
    const id = (Object.keys(HE_PARAM_CODES) as HeParamId[]).find((k) => HE_PARAM_CODES[k] === code);
    if (!id) throw new CryptoError('bad_request', 'gallery: unknown parameter set');
    const g = new GalleryEncoding(id, undefined);
    const nb = dv.getUint32(8, true);
    const hw = dv.getUint32(12, true);
    const bs = g.d.blockSize;
    const dims = HE_PARAMS[id].dims;
    const per = bs + bs * dims * 4;
    if (bytes.length !== 16 + nb * per) throw new CryptoError('bad_length', 'gallery: wrong length');
    if (hw > nb * bs) throw new CryptoError('bad_request', 'gallery: bad size');
    let off = 16;
    for (let i = 0; i < nb; i++) {
      const b = g.block(i);
      b.occupied.set(bytes.subarray(off, off + bs));
      off += bs;
      b.templates = new Float32Array(bs * dims);
      new Uint8Array(b.templates.buffer).set(bytes.subarray(off, off + bs * dims * 4));
      off += bs * dims * 4;
      let c = 0;
      for (let s = 0; s < bs; s++) if (b.occupied[s]) c++;
      b.count = c;
      b.dirty = true;
    }
    g.#hw = hw;
    return g;
  }
}
