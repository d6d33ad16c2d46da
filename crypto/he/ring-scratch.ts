/**
 * A thread's small wasm memory for ring work outside key switching (gallery encoding, masking), with the
 * kernels of wasm-ntt.ts (SEAL's NTT), wasm-fft.ts (CKKS encoding) and wasm-mask.ts (point-wise masking):
 *
 *   [NTT tables per data prime | FFT tables | twists | FFT buffer | COLS columns per prime | mask areas]
 *
 * `encode()` turns a slot vector into one rounded, reduced column per prime exactly as
 * `CkksCodec.encodeFloat` + `toResidues` do; `forward()` NTTs a column in place; `residues()` rounds,
 * reduces and NTTs given coefficients into a mask area; the mask areas hold one ciphertext each
 * (2 polys x primes x N u32) or one plaintext (primes x N u32).
 */
import type { Derived } from './params.ts';
import { nttTables, toResidues } from './ring.ts';
import { assembleModule } from './wasm-asm.ts';
import { FFT_FUNCS } from './wasm-fft.ts';
import type { WasmMemory } from './wasm-kernel.ts';
import { MASK_FUNCS } from './wasm-mask.ts';
import { NTT30_FUNCS } from './wasm-ntt.ts';

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Columns per prime. */
export const COLS = 16;

/** Mask areas: ciphertexts (2 polys) and plaintexts (1 poly), all primes. */
export const CT_AREAS = ['o1', 'o2', 'out', 'cm', 'u', 'v'] as const;
export const PT_AREAS = ['r1', 'r2', 'a', 't'] as const;
export type CtArea = (typeof CT_AREAS)[number];
export type PtArea = (typeof PT_AREAS)[number];

type Fn = (...a: number[]) => void;
interface Kernels {
  ntt30: Fn;
  fftEnc: Fn;
  twistRound: Fn;
  mulv: Fn;
  pm: Fn;
  addv: Fn;
}
let compiled: object | undefined;
const perParams = new Map<string, RingScratch>();

function bitrev(x: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) r = (r << 1) | ((x >>> i) & 1);
  return r >>> 0;
}

export class RingScratch {
  readonly k: Kernels;
  readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private readonly at: { ntt: number[]; fftTw: number; twist: number; buf: number; cols: number; ct: number; pt: number };
  /** FFT index (bit-reversed) of slot j and of its conjugate. */
  private readonly slotAt: Uint32Array;
  private readonly conjAt: Uint32Array;

  private constructor(readonly d: Derived) {
    if (!WA) throw new Error('ring: WebAssembly unavailable');
    const n = d.n;
    const L = d.q.length;
    if (L !== 2) throw new Error('ring: two data primes expected');
    const ntt = d.q.map((_, pi) => pi * 8 * n);
    const fftTw = L * 8 * n;
    const twist = fftTw + n * 32;
    const buf = twist + n * 16;
    const cols = buf + n * 16;
    const ct = cols + L * COLS * 4 * n;
    const pt = ct + CT_AREAS.length * 2 * L * 4 * n;
    const bytes = pt + PT_AREAS.length * L * 4 * n;
    this.at = { ntt, fftTw, twist, buf, cols, ct, pt };
    const pages = Math.ceil(bytes / 65536);
    const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
    compiled ??= new WA.Module(assembleModule([...NTT30_FUNCS, ...FFT_FUNCS, ...MASK_FUNCS]));
    this.k = new WA.Instance(compiled, { e: { m: memory } }).exports as unknown as Kernels;
    this.u32 = new Uint32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    for (const [pi, q] of d.q.entries()) {
      const t = nttTables(q, n);
      const o = ntt[pi]! >>> 2;
      for (let i = 0; i < n; i++) {
        this.u32[o + i] = t.psiRev[i]!;
        this.u32[o + n + i] = Number((BigInt(t.psiRev[i]!) << 32n) / BigInt(q));
      }
    }
    // The same tables as CkksCodec: roots exp(2 pi i k / n) (conjugated: the encoding FFT's sign is -1), twists exp(pi i k / n).
    let o = fftTw >>> 3;
    for (let len = 2; len <= n; len <<= 1) {
      const step = n / len;
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos((2 * Math.PI * (k * step)) / n);
        const wi = -Math.sin((2 * Math.PI * (k * step)) / n);
        this.f64.set([wr, wr, -wi, wi], o);
        o += 4;
      }
    }
    for (let i = 0; i < n; i++) this.f64.set([Math.cos((Math.PI * i) / n), Math.sin((Math.PI * i) / n)], (twist >>> 3) + 2 * i);
    const logn = Math.log2(n);
    this.slotAt = new Uint32Array(n / 2);
    this.conjAt = new Uint32Array(n / 2);
    let e = 1;
    for (let j = 0; j < n / 2; j++) {
      this.slotAt[j] = bitrev((e - 1) / 2, logn);
      this.conjAt[j] = bitrev((2 * n - e - 1) / 2, logn);
      e = (e * 3) % (2 * n);
    }
  }

  /** The scratch of this thread for a parameter set. */
  static for(d: Derived): RingScratch {
    let s = perParams.get(d.p.id);
    if (!s) {
      s = new RingScratch(d);
      perParams.set(d.p.id, s);
    }
    return s;
  }

  private colOffset(pi: number, c: number): number {
    return this.at.cols + (pi * COLS + c) * this.d.n * 4;
  }

  /** Columns 0..COLS of prime pi as one view ([column][point]). */
  columns(pi: number): Uint32Array {
    const o = this.colOffset(pi, 0) >>> 2;
    return this.u32.subarray(o, o + COLS * this.d.n);
  }

  /**
   * Column c of both primes := the rounded, reduced coefficients of the slot vector zRe + i zIm at `scale`
   * (what `CkksCodec.encodeFloat` then `toResidues` give). The wasm reduction is exact for coefficients
   * below 2^52 in magnitude: unit-norm templates at the gallery scale, not masking offsets (see `residues`).
   */
  encode(zRe: ArrayLike<number>, zIm: ArrayLike<number>, scale: number, c: number): void {
    const f = this.f64;
    const b = this.at.buf >>> 3;
    for (let j = 0; j < this.slotAt.length; j++) {
      const r = zRe[j]!;
      const i = zIm[j]!;
      const s = b + 2 * this.slotAt[j]!;
      f[s] = r;
      f[s + 1] = i;
      const t = b + 2 * this.conjAt[j]!;
      f[t] = r;
      f[t + 1] = -i;
    }
    const n = this.d.n;
    this.k.fftEnc(this.at.buf, n, this.at.fftTw);
    this.k.twistRound(this.at.buf, n, this.at.twist, scale / n, this.colOffset(0, c), this.colOffset(1, c), this.d.q[0]!, this.d.q[1]!);
  }

  /** Forward NTT of column c of prime pi, in place (inputs < 4q; outputs canonical). */
  forward(pi: number, c: number): void {
    this.k.ntt30(this.colOffset(pi, c), this.d.n, this.at.ntt[pi]!, this.d.q[pi]!);
  }

  /** Byte offset of a ciphertext area, optionally of one polynomial and prime within it. */
  ct(area: CtArea, poly = 0, pi = 0): number {
    const n = this.d.n;
    const L = this.d.q.length;
    return this.at.ct + CT_AREAS.indexOf(area) * 2 * L * 4 * n + (poly * L + pi) * 4 * n;
  }

  /** Byte offset of a plaintext area, optionally of one prime within it. */
  pt(area: PtArea, pi = 0): number {
    const n = this.d.n;
    return this.at.pt + (PT_AREAS.indexOf(area) * this.d.q.length + pi) * 4 * n;
  }

  /** Words of a ciphertext area (a view). */
  ctWords(area: CtArea): Uint32Array {
    const o = this.ct(area) >>> 2;
    return this.u32.subarray(o, o + 2 * this.d.q.length * this.d.n);
  }

  /** Words of a plaintext area (a view, primes x N). */
  ptWords(area: PtArea): Uint32Array {
    const o = this.pt(area) >>> 2;
    return this.u32.subarray(o, o + this.d.q.length * this.d.n);
  }

  /**
   * Plaintext area := NTT-form residues of the (real, to be rounded like Math.round) coefficients. The
   * reduction stays in JS (`toResidues`): masking offsets reach 2^59, beyond the exact range of a float64
   * quotient estimate.
   */
  residues(coeffs: Float64Array, area: PtArea): void {
    const n = this.d.n;
    for (let pi = 0; pi < 2; pi++) {
      const o = this.pt(area, pi) >>> 2;
      toResidues(coeffs, this.d.q[pi]!, this.u32.subarray(o, o + n));
      this.k.ntt30(this.pt(area, pi), n, this.at.ntt[pi]!, this.d.q[pi]!);
    }
  }
}
