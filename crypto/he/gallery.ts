/**
 * The node-side gallery encoding: templates pre-encoded as NTT-form CKKS plaintext residues, kept in
 * ordinary (Shared)ArrayBuffers outside SEAL's WASM heap, so 10^6 templates fit (≈ 4 GiB of residues at
 * 512-d, plus the float32 templates kept for re-encoding).
 *
 * Positions are stable slots: position = block * 2048 + slot. `set`/`remove` mark the block dirty and
 * `flush()` re-encodes dirty blocks (the server flushes before scoring). Templates are L2-normalized here
 * (idempotent for callers that already normalize); zero, NaN/Inf or wrong-dimension vectors are refused.
 *
 * Residue layout per block and prime: [point i in 0..N)[diagonal k in 0..h), u32 — the order the fused
 * kernel streams (one contiguous run of h values per NTT point).
 */
import { CryptoError } from '../errors.ts';
import { type Derived, derive, HE_PARAM_CODES, HE_PARAMS, type HeParamId, isHeParamId } from './params.ts';
import { ckksCodec, nttTables, toResidues } from './ring.ts';

export interface GalleryBlock {
  /** Float32 templates, blockSize x dims (zero rows for empty slots). */
  readonly templates: Float32Array;
  readonly occupied: Uint8Array;
  /** One Uint32Array(N*h) per data prime, in [i][k] order. */
  residues: Uint32Array[] | undefined;
  dirty: boolean;
  count: number;
}

function shared(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

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
  /** One past the highest position ever set (the number of result positions). */
  private hw = 0;

  private constructor(paramId: HeParamId) {
    this.paramId = paramId;
    this.d = derive(paramId);
  }

  static create(paramId: HeParamId): GalleryEncoding {
    if (!isHeParamId(paramId)) throw new CryptoError('bad_request', 'unknown HE parameter id');
    return new GalleryEncoding(paramId);
  }

  get dims(): number {
    return this.d.p.dims;
  }
  /** Number of positions the results cover (highest position set + 1). */
  get size(): number {
    return this.hw;
  }
  /** Number of occupied positions. */
  get count(): number {
    let c = 0;
    for (const b of this.blocks) c += b.count;
    return c;
  }

  private block(bi: number): GalleryBlock {
    while (this.blocks.length <= bi) {
      this.blocks.push({
        templates: new Float32Array(this.d.blockSize * this.dims),
        occupied: new Uint8Array(this.d.blockSize),
        residues: undefined,
        dirty: true,
        count: 0,
      });
    }
    return this.blocks[bi]!;
  }

  private checkPos(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || position >= 2 ** 31) throw new CryptoError('bad_request', 'gallery: bad position');
  }

  /** Put a template at a position (insert or update). */
  set(position: number, template: ArrayLike<number>): void {
    this.checkPos(position);
    const t = normalizeTemplate(template, this.dims);
    const bs = this.d.blockSize;
    const b = this.block(Math.floor(position / bs));
    const slot = position % bs;
    b.templates.set(t, slot * this.dims);
    if (!b.occupied[slot]) {
      b.occupied[slot] = 1;
      b.count++;
    }
    b.dirty = true;
    if (position >= this.hw) this.hw = position + 1;
  }

  /** Append at the next free position after the highest one; returns it. */
  append(template: ArrayLike<number>): number {
    const pos = this.hw;
    this.set(pos, template);
    return pos;
  }

  /** Clear a position (its score becomes 0, never a hit for tau > 0). */
  remove(position: number): void {
    this.checkPos(position);
    const bs = this.d.blockSize;
    const bi = Math.floor(position / bs);
    const b = this.blocks[bi];
    if (!b) return;
    const slot = position % bs;
    if (!b.occupied[slot]) return;
    b.occupied[slot] = 0;
    b.count--;
    b.templates.fill(0, slot * this.dims, (slot + 1) * this.dims);
    b.dirty = true;
  }

  has(position: number): boolean {
    const bs = this.d.blockSize;
    return this.blocks[Math.floor(position / bs)]?.occupied[position % bs] === 1;
  }

  /** The normalized template at a position (a copy), or undefined. */
  get(position: number): Float32Array | undefined {
    if (!this.has(position)) return undefined;
    const bs = this.d.blockSize;
    const b = this.blocks[Math.floor(position / bs)]!;
    const s = position % bs;
    return b.templates.slice(s * this.dims, (s + 1) * this.dims);
  }

  get dirtyBlocks(): number {
    return this.blocks.filter((b) => b.dirty).length;
  }

  /** Re-encode dirty blocks. Calls `onProgress(done, total)` after each block. */
  flush(onProgress?: (done: number, total: number) => void): void {
    const dirty = this.blocks.filter((b) => b.dirty);
    let done = 0;
    for (const b of dirty) {
      encodeBlock(this.d, b);
      b.dirty = false;
      onProgress?.(++done, dirty.length);
    }
  }

  /** Bytes of residues + templates held (outside SEAL's heap). */
  memoryBytes(): number {
    let s = 0;
    for (const b of this.blocks) {
      s += b.templates.byteLength + b.occupied.byteLength;
      for (const r of b.residues ?? []) s += r.byteLength;
    }
    return s;
  }

  /**
   * Persist: header, then per block the occupancy and float32 templates. Residues are not stored: they
   * are a deterministic function of the templates, rebuilt by `flush()` (with progress) after loading.
   */
  serialize(): Uint8Array {
    const bs = this.d.blockSize;
    const per = bs + bs * this.dims * 4;
    const out = new Uint8Array(16 + this.blocks.length * per);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, MAGIC, false);
    dv.setUint8(4, HE_PARAM_CODES[this.paramId]);
    dv.setUint32(8, this.blocks.length, true);
    dv.setUint32(12, this.hw, true);
    let off = 16;
    for (const b of this.blocks) {
      out.set(b.occupied, off);
      off += bs;
      out.set(new Uint8Array(b.templates.buffer, b.templates.byteOffset, b.templates.byteLength), off);
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
    const g = new GalleryEncoding(id);
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
      new Uint8Array(b.templates.buffer).set(bytes.subarray(off, off + bs * dims * 4));
      off += bs * dims * 4;
      let c = 0;
      for (let s = 0; s < bs; s++) if (b.occupied[s]) c++;
      b.count = c;
      b.dirty = true;
    }
    g.hw = hw;
    return g;
  }
}

/**
 * Encode one block: for each diagonal k the slot vector z_k[j] = g_j[2m] - i g_j[2m+1], m = (j+k) mod h,
 * at the gallery scale, rounded, reduced per prime and NTT'd (SEAL's NTT), stored in [i][k] order.
 */
export function encodeBlock(d: Derived, b: GalleryBlock): void {
  const { n, slots, h } = d;
  const dims = d.p.dims;
  const codec = ckksCodec(n);
  const tabs = d.q.map((q) => nttTables(q, n));
  const res = b.residues ?? d.q.map(() => new Uint32Array(shared(n * h * 4)));
  const zRe = new Float64Array(slots);
  const zIm = new Float64Array(slots);
  const coeffs = new Float64Array(n);
  // KG diagonals are NTT'd into `cols` and then stored point by point, so each store fills whole cache lines
  // of the [i][k] layout (one diagonal at a time would touch a new line per point, 4096 per diagonal).
  const KG = 16;
  const cols = d.q.map(() => new Uint32Array(KG * n));
  const t = b.templates;
  for (let k0 = 0; k0 < h; k0 += KG) {
    const kg = Math.min(KG, h - k0);
    for (let kk = 0; kk < kg; kk++) {
      const k = k0 + kk;
      for (let j = 0; j < slots; j++) {
        const m = (j + k) % h;
        const base = j * dims + 2 * m;
        zRe[j] = t[base]!;
        zIm[j] = -t[base + 1]!;
      }
      codec.encodeFloat(zRe, zIm, d.galleryScale, coeffs);
      for (let pi = 0; pi < d.q.length; pi++) {
        const col = cols[pi]!.subarray(kk * n, (kk + 1) * n);
        toResidues(coeffs, d.q[pi]!, col);
        tabs[pi]!.forward(col);
      }
    }
    for (let pi = 0; pi < d.q.length; pi++) {
      const r = res[pi]!;
      const c = cols[pi]!;
      for (let i = 0; i < n; i++) {
        const o = i * h + k0;
        for (let kk = 0; kk < kg; kk++) r[o + kk] = c[kk * n + i]!;
      }
    }
  }
  b.residues = res;
}
