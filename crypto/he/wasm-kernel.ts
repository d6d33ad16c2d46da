/**
 * WebAssembly SIMD multiply-accumulate kernel (the same operation as `kernel.ts`'s JS kernel, ~10× faster).
 *
 * The module is emitted byte by byte by the small generator below (no toolchain): one exported function
 *
 *   mac(pOff, gOff, oOff, npts, h, q, r32)
 *
 * over an imported shared memory. For each of `npts` NTT points t it computes, exactly,
 *   out0[t] = sum_k P0[t][k] * G[t][k] mod q,  out1[t] = sum_k P1[t][k] * G[t][k] mod q
 * where the probe is stored per point as [c0 diagonals (h u32)][c1 diagonals (h u32)] at pOff + 8h*t, the
 * gallery as h u32 at gOff + 4h*t, out0 at oOff + 4t and out1 at oOff + 4*npts + 4t (u32).
 *
 * Exactness: residues are < q < 2^30, so each product (i64x2.extmul_low/high_i32x4_u) is < 2^60 and a lane
 * of 16 products is < 2^64. The k loop runs in chunks of 64 diagonals (16 products per lane); after each
 * chunk the lanes are split into high and low 32-bit halves added to separate accumulators (< 2^37 for
 * h ≤ 1024). One final reduction per output: ((H mod q) * (2^32 mod q) + L) mod q, all < 2^61.
 * Requires h % 64 == 0 (h = 128 and 256 in the pinned sets).
 *
 * Memory: one shared `WebAssembly.Memory` per server holds the prepared probe (written by both threads while
 * rotating) and one scratch area per thread (a gallery chunk copied in and its outputs). The gallery itself
 * stays in ordinary SharedArrayBuffers (≤ 4 GiB per wasm memory would not hold 10^6 templates).
 */
import type { Derived } from './params.ts';

// ---- tiny wasm emitter --------------------------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}
function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const I32 = 0x7f;
const I64 = 0x7e;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (l: number) => [0x0c, l],
  brIf: (l: number) => [0x0d, l],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Store: (off = 0) => [0x36, 2, ...uleb(off)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32Ne: [0x47],
  i32LtU: [0x49],
  i32Wrap: [0xa7],
  i64ExtendU: [0xad],
  i64Add: [0x7c],
  i64Mul: [0x7e],
  i64RemU: [0x82],
  simd: (o: number, ...imm: number[]) => [0xfd, ...uleb(o), ...imm],
};
const v = {
  load: (off = 0) => op.simd(0x00, 4, ...uleb(off)),
  zero: () => op.simd(0x0c, ...new Array<number>(16).fill(0)),
  const: (bytes: number[]) => op.simd(0x0c, ...bytes),
  and: () => op.simd(0x4e),
  i64x2Extract: (lane: number) => op.simd(0x1d, lane),
  i64x2ShrU: () => op.simd(0xcd),
  i64x2Add: () => op.simd(0xce),
  extmulLowU: () => op.simd(0xde),
  extmulHighU: () => op.simd(0xdf),
};

/** Vectors of 4 diagonals per inner-loop iteration (64 / (4 * UNROLL) iterations per chunk). */
const UNROLL = 4;

/** The kernel module's bytes. */
export function kernelWasmBytes(): Uint8Array {
  // Params 0..6: pOff, gOff, oOff, npts, h, q, r32 (i32).
  const [pOff, gOff, oOff, npts, h, q, r32] = [0, 1, 2, 3, 4, 5, 6];
  // i32 locals 7..12: t, k, pp, gp, end, h4
  const [t, k, pp, gp, end, h4] = [7, 8, 9, 10, 11, 12];
  // v128 locals 13..22: a0, b0, a1, b1, hi0, lo0, hi1, lo1, g, mask
  const [a0, b0, a1, b1, hi0, lo0, hi1, lo1, g, mask] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  // i64 locals 23..24: q64, r64; i32 local 25: pp1 (c1 pointer)
  const [q64, r64, pp1] = [23, 24, 25];

  const accum = (acc: number, load: number[], ext: number[]) => [...op.get(acc), ...load, ...op.get(g), ...ext, ...v.i64x2Add(), ...op.set(acc)];
  const fold = (hi: number, lo: number, a: number, b: number) => [
    ...op.get(hi),
    ...op.get(a),
    ...op.i32(32),
    ...v.i64x2ShrU(),
    ...v.i64x2Add(),
    ...op.get(b),
    ...op.i32(32),
    ...v.i64x2ShrU(),
    ...v.i64x2Add(),
    ...op.set(hi),
    ...op.get(lo),
    ...op.get(a),
    ...op.get(mask),
    ...v.and(),
    ...v.i64x2Add(),
    ...op.get(b),
    ...op.get(mask),
    ...v.and(),
    ...v.i64x2Add(),
    ...op.set(lo),
  ];
  // ((H mod q) * r32 + L) mod q as i32, where H, L are lane sums.
  const reduce = (hi: number, lo: number) => [
    ...op.get(hi),
    ...v.i64x2Extract(0),
    ...op.get(hi),
    ...v.i64x2Extract(1),
    ...op.i64Add,
    ...op.get(q64),
    ...op.i64RemU,
    ...op.get(r64),
    ...op.i64Mul,
    ...op.get(lo),
    ...v.i64x2Extract(0),
    ...op.i64Add,
    ...op.get(lo),
    ...v.i64x2Extract(1),
    ...op.i64Add,
    ...op.get(q64),
    ...op.i64RemU,
    ...op.i32Wrap,
  ];
  const zero = (...ls: number[]) => ls.flatMap((l) => [...v.zero(), ...op.set(l)]);

  const body = [
    // locals: 6 i32, 10 v128, 2 i64
    4,
    6,
    I32,
    10,
    V128,
    2,
    I64,
    1,
    I32,
    ...op.get(q),
    ...op.i64ExtendU,
    ...op.set(q64),
    ...op.get(r32),
    ...op.i64ExtendU,
    ...op.set(r64),
    ...v.const([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
    ...op.set(mask),
    ...op.get(h),
    ...op.i32(2),
    ...op.i32Shl,
    ...op.set(h4),
    ...op.i32(0),
    ...op.set(t),
    ...op.block,
    ...op.loop,
    ...op.get(t),
    ...op.get(npts),
    ...op.i32GeU,
    ...op.brIf(1),
    // pp = pOff + t * 8h ; gp = gOff + t * 4h
    ...op.get(pOff),
    ...op.get(t),
    ...op.get(h4),
    ...op.i32Mul,
    ...op.i32(1),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.set(pp),
    ...op.get(gOff),
    ...op.get(t),
    ...op.get(h4),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.set(gp),
    ...zero(hi0, lo0, hi1, lo1),
    ...op.i32(0),
    ...op.set(k),
    ...op.loop, // chunks of 64 diagonals
    ...zero(a0, b0, a1, b1),
    ...op.get(k),
    ...op.i32(64),
    ...op.i32Add,
    ...op.set(end),
    ...op.get(pp),
    ...op.get(h4),
    ...op.i32Add,
    ...op.set(pp1),
    ...op.loop, // 4 diagonals per vector, UNROLL vectors per iteration; constant offsets go in the memarg
    ...Array.from({ length: UNROLL }, (_, u) => u * 16).flatMap((off) => [
      ...op.get(gp),
      ...v.load(off),
      ...op.set(g),
      ...accum(a0, [...op.get(pp), ...v.load(off)], v.extmulLowU()),
      ...accum(b0, [...op.get(pp), ...v.load(off)], v.extmulHighU()),
      ...accum(a1, [...op.get(pp1), ...v.load(off)], v.extmulLowU()),
      ...accum(b1, [...op.get(pp1), ...v.load(off)], v.extmulHighU()),
    ]),
    ...op.get(gp),
    ...op.i32(16 * UNROLL),
    ...op.i32Add,
    ...op.set(gp),
    ...op.get(pp),
    ...op.i32(16 * UNROLL),
    ...op.i32Add,
    ...op.set(pp),
    ...op.get(pp1),
    ...op.i32(16 * UNROLL),
    ...op.i32Add,
    ...op.set(pp1),
    ...op.get(k),
    ...op.i32(4 * UNROLL),
    ...op.i32Add,
    ...op.tee(k),
    ...op.get(end),
    ...op.i32Ne,
    ...op.brIf(0),
    ...op.end,
    ...fold(hi0, lo0, a0, b0),
    ...fold(hi1, lo1, a1, b1),
    ...op.get(k),
    ...op.get(h),
    ...op.i32LtU,
    ...op.brIf(0),
    ...op.end,
    // out0[t], out1[t]
    ...op.get(oOff),
    ...op.get(t),
    ...op.i32(2),
    ...op.i32Shl,
    ...op.i32Add,
    ...reduce(hi0, lo0),
    ...op.i32Store(),
    ...op.get(oOff),
    ...op.get(npts),
    ...op.get(t),
    ...op.i32Add,
    ...op.i32(2),
    ...op.i32Shl,
    ...op.i32Add,
    ...reduce(hi1, lo1),
    ...op.i32Store(),
    ...op.get(t),
    ...op.i32(1),
    ...op.i32Add,
    ...op.set(t),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]),
    // import "e"."m": memory, shared, min 1, max 65536 pages
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('mac'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

// ---- runtime ------------------------------------------------------------------------------------------

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate: (bytes: Uint8Array) => boolean;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

type MacFn = (pOff: number, gOff: number, oOff: number, npts: number, h: number, q: number, r32: number) => void;

let compiled: object | undefined | null;
function kernelModule(): object | undefined {
  if (compiled === undefined) {
    try {
      const bytes = kernelWasmBytes();
      compiled = WA?.validate(bytes) ? new WA.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/** True when this runtime has WebAssembly with SIMD128 and shared memory. */
export function wasmKernelAvailable(): boolean {
  return kernelModule() !== undefined && typeof SharedArrayBuffer === 'function';
}

/** Points per gallery chunk copied into the scratch area (chunk = TILE_W * h * 4 bytes = 64 KiB at h = 256). */
export const TILE_W = 64;
/** Scratch areas (threads). */
export const SLOTS = 2;

/** Layout of the shared kernel memory for one parameter set. */
export function kernelLayout(d: Derived): { probeBytes: number; slotBytes: number; pages: number } {
  const probeBytes = d.q.length * d.n * d.h * 8;
  const slotBytes = TILE_W * d.h * 4 + TILE_W * 8;
  const pages = Math.ceil((probeBytes + SLOTS * slotBytes) / 65536);
  return { probeBytes, slotBytes, pages };
}

/** A shared memory for the kernel (holds the prepared probe and the per-thread scratch areas). */
export function newKernelMemory(d: Derived): WasmMemory {
  if (!WA) throw new Error('WebAssembly unavailable');
  const { pages } = kernelLayout(d);
  return new WA.Memory({ initial: pages, maximum: pages, shared: true });
}

/**
 * Probe diagonals in the kernel's layout, inside the kernel memory: per prime, per point i,
 * [c0 of diagonals 0..h)[c1 of diagonals 0..h) as u32.
 */
export function probeView(d: Derived, mem: WasmMemory): Uint32Array {
  return new Uint32Array(mem.buffer, 0, d.q.length * d.n * d.h * 2);
}

/** Store the residues of rotated probe P_k (SEAL ct layout: [poly][prime][i]) into the kernel's probe area. */
export function putDiagonalU32(d: Derived, probe: Uint32Array, k: number, words: Uint32Array): void {
  const { n, h } = d;
  const L = d.q.length;
  const h2 = 2 * h;
  for (let pi = 0; pi < L; pi++) {
    const c0 = pi * n;
    const c1 = (L + pi) * n;
    let o = pi * n * h2 + k;
    for (let i = 0; i < n; i++, o += h2) {
      probe[o] = words[c0 + i]!;
      probe[o + h] = words[c1 + i]!;
    }
  }
}

/** A thread's handle on the kernel: an instance over the shared memory and its scratch slot. */
export class WasmMac {
  private readonly mac: MacFn;
  private readonly u32: Uint32Array;
  private readonly gOff: number;
  private readonly oOff: number;
  private readonly r32: number[];

  constructor(
    private readonly d: Derived,
    readonly memory: WasmMemory,
    slot: number,
  ) {
    const mod = kernelModule();
    if (!mod || !WA) throw new Error('wasm kernel unavailable');
    if (d.h % 64 !== 0) throw new Error('wasm kernel: h must be a multiple of 64');
    if (slot < 0 || slot >= SLOTS) throw new Error('wasm kernel: bad slot');
    const inst = new WA.Instance(mod, { e: { m: memory } });
    this.mac = inst.exports.mac as MacFn;
    const { probeBytes, slotBytes } = kernelLayout(d);
    this.gOff = probeBytes + slot * slotBytes;
    this.oOff = this.gOff + TILE_W * d.h * 4;
    this.u32 = new Uint32Array(memory.buffer);
    this.r32 = d.q.map((q) => Number(2n ** 32n % BigInt(q)));
  }

  /**
   * outs[b] (SEAL ct layout, 2 * L * N words) = sum_k P_k * G_k for each block b (gs[b]: residues per prime
   * in [i][k] order), with the probe already in the kernel memory. Each gallery chunk is copied into the
   * scratch area once and the probe chunk is reused across blocks.
   */
  macBlocks(gs: readonly (readonly Uint32Array[])[], outs: readonly Uint32Array[]): void {
    const d = this.d;
    const { n, h } = d;
    const L = d.q.length;
    const u32 = this.u32;
    const gW = this.gOff >>> 2;
    const oW = this.oOff >>> 2;
    for (let pi = 0; pi < L; pi++) {
      const q = d.q[pi]!;
      const r32 = this.r32[pi]!;
      for (let i0 = 0; i0 < n; i0 += TILE_W) {
        const np = Math.min(TILE_W, n - i0);
        const pOff = (pi * n + i0) * h * 8;
        for (let b = 0; b < gs.length; b++) {
          u32.set(gs[b]![pi]!.subarray(i0 * h, (i0 + np) * h), gW);
          this.mac(pOff, this.gOff, this.oOff, np, h, q, r32);
          const out = outs[b]!;
          out.set(u32.subarray(oW, oW + np), pi * n + i0);
          out.set(u32.subarray(oW + np, oW + 2 * np), (L + pi) * n + i0);
        }
      }
    }
  }
}
