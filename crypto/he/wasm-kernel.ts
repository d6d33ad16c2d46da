/**
 * WebAssembly SIMD multiply-accumulate kernel (the same operation as `kernel.ts`'s JS kernel, ~10× faster),
 * in the text syntax of wasm-asm.ts:
 *
 *   mac(pOff, gOff, oOff, npts, h, q, r32)
 *
 * For each of `npts` NTT points t it computes, exactly,
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
 * Memory: the gallery's arenas (gallery-arena.ts) — each holds a copy of the prepared probe, one output
 * scratch area per thread, and the gallery blocks, which the kernel reads where they are stored.
 */
import type { Derived } from './params.ts';
import { assembleModule, type FuncDef } from './wasm-asm.ts';

/** lane sums += a * g (low or high pair of lanes). */
const ACC = (acc: string, src: string, off: number, ext: 'low' | 'high') => `
  local.get ${acc}
  local.get ${src}
  v128.load offset=${off}
  local.get $g
  i64x2.extmul_${ext}_i32x4_u
  i64x2.add
  local.set ${acc}`;

/** hi += (a >> 32) + (b >> 32); lo += (a & mask) + (b & mask). */
const FOLD = (hi: string, lo: string, a: string, b: string) => `
  local.get ${hi}
  local.get ${a}
  i32.const 32
  i64x2.shr_u
  i64x2.add
  local.get ${b}
  i32.const 32
  i64x2.shr_u
  i64x2.add
  local.set ${hi}
  local.get ${lo}
  local.get ${a}
  local.get $mask
  v128.and
  i64x2.add
  local.get ${b}
  local.get $mask
  v128.and
  i64x2.add
  local.set ${lo}`;

/** ((H mod q) * r32 + L) mod q from the lane sums, as i32 on the stack. */
const REDUCE = (hi: string, lo: string) => `
  local.get ${hi}
  i64x2.extract_lane 0
  local.get ${hi}
  i64x2.extract_lane 1
  i64.add
  local.get $q64
  i64.rem_u
  local.get $r64
  i64.mul
  local.get ${lo}
  i64x2.extract_lane 0
  i64.add
  local.get ${lo}
  i64x2.extract_lane 1
  i64.add
  local.get $q64
  i64.rem_u
  i32.wrap_i64`;

const ZERO = (...ls: string[]) => ls.map((l) => `v128.const i32x4 0 0 0 0\nlocal.set ${l}`).join('\n');

/** Vectors of 4 diagonals per inner-loop iteration (64 / (4 * UNROLL) iterations per chunk). */
const UNROLL = 4;

const mac: FuncDef = {
  name: 'mac',
  params: [
    ['pOff', 'i32'],
    ['gOff', 'i32'],
    ['oOff', 'i32'],
    ['npts', 'i32'],
    ['h', 'i32'],
    ['q', 'i32'],
    ['r32', 'i32'],
  ],
  locals: [
    ['t', 'i32'],
    ['k', 'i32'],
    ['pp', 'i32'],
    ['gp', 'i32'],
    ['end', 'i32'],
    ['h4', 'i32'],
    ['pp1', 'i32'],
    ['a0', 'v128'],
    ['b0', 'v128'],
    ['a1', 'v128'],
    ['b1', 'v128'],
    ['hi0', 'v128'],
    ['lo0', 'v128'],
    ['hi1', 'v128'],
    ['lo1', 'v128'],
    ['g', 'v128'],
    ['mask', 'v128'],
    ['q64', 'i64'],
    ['r64', 'i64'],
  ],
  body: `
  local.get $q
  i64.extend_i32_u
  local.set $q64
  local.get $r32
  i64.extend_i32_u
  local.set $r64
  v128.const i32x4 -1 0 -1 0
  local.set $mask
  local.get $h
  i32.const 2
  i32.shl
  local.set $h4
  i32.const 0
  local.set $t
  block $pd
    loop $point
      local.get $t
      local.get $npts
      i32.ge_u
      br_if $pd
      ;; pp = pOff + t * 8h, gp = gOff + t * 4h
      local.get $pOff
      local.get $t
      local.get $h4
      i32.mul
      i32.const 1
      i32.shl
      i32.add
      local.set $pp
      local.get $gOff
      local.get $t
      local.get $h4
      i32.mul
      i32.add
      local.set $gp
      ${ZERO('$hi0', '$lo0', '$hi1', '$lo1')}
      i32.const 0
      local.set $k
      loop $chunk
        ${ZERO('$a0', '$b0', '$a1', '$b1')}
        local.get $k
        i32.const 64
        i32.add
        local.set $end
        local.get $pp
        local.get $h4
        i32.add
        local.set $pp1
        loop $inner
          ${Array.from({ length: UNROLL }, (_, u) => u * 16)
            .map(
              (off) => `
          local.get $gp
          v128.load offset=${off}
          local.set $g
          ${ACC('$a0', '$pp', off, 'low')}
          ${ACC('$b0', '$pp', off, 'high')}
          ${ACC('$a1', '$pp1', off, 'low')}
          ${ACC('$b1', '$pp1', off, 'high')}`,
            )
            .join('\n')}
          local.get $gp
          i32.const ${16 * UNROLL}
          i32.add
          local.set $gp
          local.get $pp
          i32.const ${16 * UNROLL}
          i32.add
          local.set $pp
          local.get $pp1
          i32.const ${16 * UNROLL}
          i32.add
          local.set $pp1
          local.get $k
          i32.const ${4 * UNROLL}
          i32.add
          local.tee $k
          local.get $end
          i32.ne
          br_if $inner
        end
        ${FOLD('$hi0', '$lo0', '$a0', '$b0')}
        ${FOLD('$hi1', '$lo1', '$a1', '$b1')}
        local.get $k
        local.get $h
        i32.lt_u
        br_if $chunk
      end
      ;; out0[t], out1[t]
      local.get $oOff
      local.get $t
      i32.const 2
      i32.shl
      i32.add
      ${REDUCE('$hi0', '$lo0')}
      i32.store
      local.get $oOff
      local.get $npts
      local.get $t
      i32.add
      i32.const 2
      i32.shl
      i32.add
      ${REDUCE('$hi1', '$lo1')}
      i32.store
      local.get $t
      i32.const 1
      i32.add
      local.set $t
      br $point
    end
  end`,
};

/** The kernel module's bytes. */
export function kernelWasmBytes(): Uint8Array {
  return assembleModule([mac]);
}

// ---- runtime ------------------------------------------------------------------------------------------

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
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

/** Points per call: the probe chunk (TILE_W * h * 8 bytes) stays in cache while every block's chunk streams past. */
export const TILE_W = 64;
/** Scratch areas (threads). */
export const SLOTS = 2;

/** Layout of an arena's header: the prepared probe, then one output scratch area per thread. */
export function kernelLayout(d: Derived): { probeBytes: number; outBytes: number; scratchBytes: number } {
  const probeBytes = d.q.length * d.n * d.h * 8;
  const outBytes = TILE_W * 8;
  return { probeBytes, outBytes, scratchBytes: SLOTS * outBytes };
}

/**
 * Probe diagonals in the kernel's layout, inside an arena: per prime, per point i,
 * [c0 of diagonals 0..h)[c1 of diagonals 0..h) as u32.
 */
export function probeView(d: Derived, mem: WasmMemory): Uint32Array {
  return new Uint32Array(mem.buffer, 0, d.q.length * d.n * d.h * 2);
}

/** Store the residues of rotated probe P_k (SEAL ct layout: [poly][prime][i]) into the kernel's probe area. */
export function putDiagonalU32(d: Derived, probe: Uint32Array, k: number, words: Uint32Array): void {
  putDiagonalsU32(d, probe, k, [words]);
}

/**
 * Store rotated probes P_k0, P_k0+1, … (consecutive diagonals, SEAL ct layout) into the probe area: one
 * pass per point writes their values side by side (a cache line per point for 16 diagonals).
 */
export function putDiagonalsU32(d: Derived, probe: Uint32Array, k0: number, words: readonly Uint32Array[]): void {
  const { n, h } = d;
  const L = d.q.length;
  const h2 = 2 * h;
  const g = words.length;
  for (let pi = 0; pi < L; pi++) {
    const c0 = pi * n;
    const c1 = (L + pi) * n;
    let o = pi * n * h2 + k0;
    for (let i = 0; i < n; i++, o += h2) {
      for (let j = 0; j < g; j++) {
        const w = words[j]!;
        probe[o + j] = w[c0 + i]!;
        probe[o + h + j] = w[c1 + i]!;
      }
    }
  }
}

/** A thread's handle on the kernel over one arena: an instance over the arena's memory and its scratch slot. */
export class WasmMac {
  private readonly mac: MacFn;
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
    const { probeBytes, outBytes } = kernelLayout(d);
    this.oOff = probeBytes + slot * outBytes;
    this.r32 = d.q.map((q) => Number(2n ** 32n % BigInt(q)));
  }

  /**
   * outs[b] (SEAL ct layout, 2 * L * N words) = sum_k P_k * G_k for each block b of this arena (blocks[b]:
   * byte offset of its residues, per prime N x h u32 in [i][k] order), with the probe already in the arena.
   * The probe chunk of TILE_W points is reused across all blocks.
   */
  macBlocks(blocks: readonly number[], outs: readonly Uint32Array[]): void {
    const d = this.d;
    const { n, h } = d;
    const L = d.q.length;
    const u32 = new Uint32Array(this.memory.buffer);
    const oW = this.oOff >>> 2;
    const primeBytes = n * h * 4;
    for (let pi = 0; pi < L; pi++) {
      const q = d.q[pi]!;
      const r32 = this.r32[pi]!;
      for (let i0 = 0; i0 < n; i0 += TILE_W) {
        const np = Math.min(TILE_W, n - i0);
        const pOff = (pi * n + i0) * h * 8;
        for (let b = 0; b < blocks.length; b++) {
          this.mac(pOff, blocks[b]! + pi * primeBytes + i0 * h * 4, this.oOff, np, h, q, r32);
          const out = outs[b]!;
          out.set(u32.subarray(oW, oW + np), pi * n + i0);
          out.set(u32.subarray(oW + np, oW + 2 * np), (L + pi) * n + i0);
        }
      }
    }
  }
}
