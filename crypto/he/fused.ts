/**
 * The fast path of encrypted scoring (`mode: 'fused'`), on our own kernels and split between the main
 * thread and the worker thread (score-worker.ts):
 *  1. rotations P_k = rot(P_0, k), k < h, by our key switching (keyswitch.ts) along the power-of-two tree
 *     (one key switch each); the main thread computes k < h/2, the worker k ≥ h/2 starting from
 *     rot(P_0, h/2). Each P_k is scattered into the kernel's probe layout in the gallery's first arena
 *     (or the JS kernel's prepared probe) and the probe copied into the other arenas;
 *  2. per live block, sum_k P_k * G_k (wasm-kernel.ts, reading each block where its arena stores it); the
 *     worker takes the second half of the blocks;
 *  3. masking per pair of blocks (mask.ts), the pairs split between the threads, key switches again ours.
 * Every step is exact, so the result equals the SEAL baseline word for word (he.test.ts).
 */

import type { Rng } from '../bytes.ts';
import type { GalleryEncoding } from './gallery.ts';
import { macBlocks, type PreparedProbe, putDiagonal } from './kernel.ts';
import { maskPairResidues, maskRandomBytes } from './mask.ts';
import type { Derived, HeParamId } from './params.ts';
import { probeView, putDiagonalsU32, WasmMac } from './wasm-kernel.ts';
import { ctWords } from './wire.ts';
import type { WorkerLink } from './worker-link.ts';
import type { Workspace } from './workspace.ts';

export interface FusedInput {
  readonly paramId: HeParamId;
  readonly d: Derived;
  readonly ws: Workspace;
  /** Session-key slot in the workspace. */
  readonly slot: number;
  readonly p0: Uint32Array;
  readonly gallery: GalleryEncoding;
  /** Blocks scored (covering the result positions). */
  readonly nb: number;
  readonly kernel: 'wasm' | 'js';
  readonly worker: WorkerLink | undefined;
}

/** Rotated probes scattered into the kernel's layout together (16 diagonals = one cache line per point). */
export const PUT_GROUP = 16;

function sharedU32(n: number, shared: boolean): Uint32Array {
  return new Uint32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
}

/** Steps 1 and 2: per block b < nb, sum_k P_k * G_k (P_0 itself for a block with no template). */
export async function fusedMac(f: FusedInput): Promise<{ outs: Uint32Array[]; rotationsDone: number }> {
  const { d, ws, worker, gallery } = f;
  const live: number[] = [];
  for (let b = 0; b < f.nb; b++) if (gallery.blocks[b]!.count > 0) live.push(b);
  if (live.length === 0) return { outs: Array.from({ length: f.nb }, () => f.p0), rotationsDone: performance.now() };
  const arenas = gallery.arenas.memories;
  const L = ws.layout;
  // 1. rotations
  const probeU32 = f.kernel === 'wasm' ? probeView(d, arenas[0]!) : undefined;
  const pp: PreparedProbe | undefined = f.kernel === 'js' ? d.q.map(() => new Float64Array(new SharedArrayBuffer(d.n * d.h * 32))) : undefined;
  const put = (k0: number, ws: Uint32Array[]) => {
    if (probeU32) putDiagonalsU32(d, probeU32, k0, ws);
    else for (const [j, w] of ws.entries()) putDiagonal(d, pp!, k0 + j, w);
  };
  const split = worker ? d.h / 2 : d.h;
  ws.words(L.treeCt(0, 0)).set(f.p0);
  const pending = worker?.request({ t: 'rot', paramId: f.paramId, ws: ws.memory, slot: f.slot, from: split, to: d.h, arena: pp ? undefined : arenas[0], pp });
  pending?.catch(() => undefined); // awaited below; never unhandled if this thread fails first
  for (let k = 1; k < split; k++) {
    const low = k & -k;
    ws.ks.apply(f.slot, ws.keyIndex(low), L.treeCt(0, k - low), L.treeCt(0, k));
    if ((k + 1) % PUT_GROUP === 0 || k === split - 1) {
      const k0 = k - (k % PUT_GROUP);
      put(
        k0,
        Array.from({ length: k - k0 + 1 }, (_, j) => ws.words(L.treeCt(0, k0 + j))),
      );
    }
  }
  await pending;
  if (probeU32) for (const a of arenas.slice(1)) probeView(d, a).set(probeU32);
  const rotationsDone = performance.now();
  // 2. multiply-accumulate; the worker takes the second half of the live blocks.
  const liveOuts = live.map(() => sharedU32(ctWords(d), worker !== undefined));
  const half = worker ? Math.floor(live.length / 2) : live.length;
  const where = live.map((b) => gallery.arenas.where(b));
  const wp =
    worker && half < live.length
      ? worker.request({ t: 'mac', paramId: f.paramId, arenas, blocks: where.slice(half), outs: liveOuts.slice(half), pp })
      : undefined;
  wp?.catch(() => undefined);
  macShare(d, arenas, where.slice(0, half), liveOuts.slice(0, half), pp, 0);
  await wp;
  const byBlock = new Map(live.map((b, i) => [b, liveOuts[i]!]));
  return { outs: Array.from({ length: f.nb }, (_, b) => byBlock.get(b) ?? f.p0), rotationsDone };
}

/** One thread's share of the multiply-accumulate (wasm kernel per arena, or the JS kernel with `pp`). */
export function macShare(
  d: Derived,
  arenas: readonly { readonly buffer: ArrayBuffer }[],
  blocks: readonly { arena: number; offset: number }[],
  outs: readonly Uint32Array[],
  pp: PreparedProbe | undefined,
  slot: number,
): void {
  if (pp) {
    const per = d.n * d.h;
    const gs = blocks.map(({ arena, offset }) => d.q.map((_, pi) => new Uint32Array(arenas[arena]!.buffer, offset + pi * per * 4, per)));
    macBlocks(d, pp, gs, outs);
    return;
  }
  for (let a = 0; a < arenas.length; a++) {
    const idx = blocks.flatMap((b, i) => (b.arena === a ? [i] : []));
    if (idx.length === 0) continue;
    new WasmMac(d, arenas[a]!, slot).macBlocks(
      idx.map((i) => blocks[i]!.offset),
      idx.map((i) => outs[i]!),
    );
  }
}

/**
 * Step 3: mask each pair (o1 = outs[src(2t)], o2 = outs[src(2t+1)]) with randomness drawn up front in the
 * baseline's order, then rotate by the permutation's offset; pairs split between the threads.
 */
export async function fusedMask(
  f: FusedInput,
  pairs: { o1: Uint32Array; o2: Uint32Array | undefined }[],
  rots: number[] | undefined,
  tau: number,
  rng: Rng,
): Promise<Uint32Array[]> {
  const { d, worker, ws } = f;
  const per = maskRandomBytes(d);
  const npairs = pairs.length;
  const shared = worker !== undefined;
  const rnd = new Uint8Array(shared ? new SharedArrayBuffer(npairs * per) : new ArrayBuffer(npairs * per));
  for (let t = 0; t < npairs; t++) {
    rnd.set(rng(d.slots * 4), t * per);
    rnd.set(rng(d.slots * 4), t * per + d.slots * 4);
    rnd.set(rng(2 * d.slots * 4), t * per + 2 * d.slots * 4);
  }
  const masked = pairs.map(() => sharedU32(ctWords(d), shared));
  const mine = worker ? Math.ceil(npairs / 2) : npairs;
  const wm =
    worker && mine < npairs
      ? worker.request({
          t: 'mask',
          paramId: f.paramId,
          ws: ws.memory,
          slot: f.slot,
          tau,
          pairs: pairs.slice(mine),
          rots: rots?.slice(mine),
          rnd: rnd.subarray(mine * per),
          outs: masked.slice(mine),
        })
      : undefined;
  wm?.catch(() => undefined);
  const rot = ws.rotations(f.slot);
  for (let t = 0; t < mine; t++) {
    maskPairResidues(d, rot, pairs[t]!.o1, pairs[t]!.o2, tau, rnd.subarray(t * per, (t + 1) * per), masked[t]!, rots?.[t] ?? 0);
  }
  await wm;
  return masked;
}
