/**
 * Where an encoded gallery's residues live: shared WebAssembly memories ("arenas", at most 4 GiB each),
 * so the multiply-accumulate kernel reads a block where it is stored instead of copying it into the
 * kernel's memory first, and the worker thread sees the same bytes.
 *
 * Arena layout: [prepared probe (the kernel's copy) | one scratch area per thread | blocks]. Block b is in
 * arena floor(b / perArena) at slot b mod perArena; an arena grows as blocks are allocated in it (pages
 * never touched cost no resident memory).
 */
import type { Derived } from './params.ts';
import { kernelLayout, type WasmMemory } from './wasm-kernel.ts';

interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory & { grow(pages: number): number };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Largest shared memory we ask for (4 GiB minus one page). */
const MAX_PAGES = 65535;

export type Arena = WasmMemory & { grow(pages: number): number };

export class ResidueArenas {
  /** Bytes of one block's residues: primes x N x h u32. */
  readonly blockBytes: number;
  /** Bytes before the first block in every arena (prepared probe and scratch areas). */
  readonly headerBytes: number;
  readonly perArena: number;
  readonly memories: Arena[] = [];
  private allocated = 0;

  constructor(readonly d: Derived) {
    this.blockBytes = d.q.length * d.n * d.h * 4;
    const k = kernelLayout(d);
    this.headerBytes = Math.ceil((k.probeBytes + k.scratchBytes) / PAGE) * PAGE;
    this.perArena = Math.floor((MAX_PAGES * PAGE - this.headerBytes) / this.blockBytes);
  }

  /** Blocks with storage. */
  get blocks(): number {
    return this.allocated;
  }

  /** Arena index and byte offset of block b. */
  where(b: number): { arena: number; offset: number } {
    return { arena: Math.floor(b / this.perArena), offset: this.headerBytes + (b % this.perArena) * this.blockBytes };
  }

  /** Make room for blocks [0, count). */
  reserve(count: number): void {
    if (count <= this.allocated) return;
    if (!WA) throw new Error('gallery: WebAssembly unavailable');
    const lastArena = Math.floor((count - 1) / this.perArena);
    for (let a = 0; a <= lastArena; a++) {
      const inArena = Math.min(this.perArena, count - a * this.perArena);
      const pages = Math.ceil((this.headerBytes + inArena * this.blockBytes) / PAGE);
      let m = this.memories[a];
      if (!m) {
        m = new WA.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
        this.memories.push(m);
      } else {
        const have = m.buffer.byteLength / PAGE;
        if (pages > have) m.grow(pages - have);
      }
    }
    this.allocated = count;
  }

  /** Block b's residues per prime, each N x h u32 in [point][diagonal] order (views into its arena). */
  residues(b: number): Uint32Array[] {
    if (b >= this.allocated) throw new Error('gallery: block has no storage');
    const { arena, offset } = this.where(b);
    const buf = this.memories[arena]!.buffer;
    const per = this.d.n * this.d.h;
    return this.d.q.map((_, pi) => new Uint32Array(buf, offset + pi * per * 4, per));
  }

  /** Block b's residues as bytes (all primes). */
  bytes(b: number): Uint8Array {
    if (b >= this.allocated) throw new Error('gallery: block has no storage');
    const { arena, offset } = this.where(b);
    return new Uint8Array(this.memories[arena]!.buffer, offset, this.blockBytes);
  }

  /** Resident bytes an arena may hold (its current size). */
  get reservedBytes(): number {
    let s = 0;
    for (const m of this.memories) s += m.buffer.byteLength;
    return s;
  }
}
