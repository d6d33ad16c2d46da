/**
 * A server's shared working memory for the query threads: the key switcher's tables and session-key
 * slots (keyswitch.ts), one scratch area per thread, the rotated probes of the rotation tree (one region
 * per thread) and a small in/out area per thread for the key switches of masking.
 *
 * The main thread creates it (tables written once) and loads session keys into slots; the worker attaches
 * to the same memory. Queries on a server run one at a time, so a slot is never rewritten while in use.
 */

import { KeySwitcher, KeySwitchLayout } from './keyswitch.ts';
import type { Derived } from './params.ts';
import type { WasmMemory } from './wasm-kernel.ts';

interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Session-key slots kept expanded in the workspace (4.5 MiB each at 512-d). */
export const KEY_SLOTS = 4;
export const THREADS = 2;

export class WorkspaceLayout {
  readonly ks: KeySwitchLayout;
  /** Bytes of one ciphertext's words (2 polys x primes x N u32). */
  readonly ctBytes: number;
  readonly tree: number;
  readonly treeCts: number;
  readonly io: number;
  readonly bytes: number;

  constructor(readonly d: Derived) {
    this.ks = new KeySwitchLayout(d, 0, KEY_SLOTS, THREADS);
    this.ctBytes = 2 * d.q.length * d.n * 4;
    this.tree = this.ks.end;
    this.treeCts = d.h / 2;
    this.io = this.tree + THREADS * this.treeCts * this.ctBytes;
    this.bytes = this.io + THREADS * 2 * this.ctBytes;
  }

  /** Offset of tree ciphertext `i` (0 ≤ i < h/2) of a thread. */
  treeCt(thread: number, i: number): number {
    return this.tree + (thread * this.treeCts + i) * this.ctBytes;
  }

  /** Offset of the in/out ciphertext area of a thread. */
  ioCt(thread: number): number {
    return this.io + thread * 2 * this.ctBytes;
  }
}

/** Key-switching operations for masking and permutation (`rotation` composes power-of-two steps). */
export interface Rotations {
  conjugate(words: Uint32Array): void;
  rotate(words: Uint32Array, step: number): void;
}

/** One thread's view of a workspace. */
export class Workspace {
  readonly layout: WorkspaceLayout;
  readonly ks: KeySwitcher;
  readonly u32: Uint32Array;

  private constructor(
    readonly d: Derived,
    readonly memory: WasmMemory,
    readonly thread: number,
  ) {
    this.layout = new WorkspaceLayout(d);
    this.ks = new KeySwitcher(this.layout.ks, memory, thread);
    this.u32 = new Uint32Array(memory.buffer);
  }

  /** A new workspace memory with its tables (main thread). */
  static create(d: Derived): Workspace {
    if (!WA) throw new Error('workspace: WebAssembly unavailable');
    const pages = Math.ceil(new WorkspaceLayout(d).bytes / 65536);
    const w = new Workspace(d, new WA.Memory({ initial: pages, maximum: pages, shared: true }), 0);
    w.ks.writeTables();
    return w;
  }

  /** Attach to a workspace created elsewhere (the worker thread). */
  static attach(d: Derived, memory: WasmMemory, thread: number): Workspace {
    return new Workspace(d, memory, thread);
  }

  /** The words of a ciphertext area (a view). */
  words(offset: number): Uint32Array {
    return this.u32.subarray(offset >>> 2, (offset + this.layout.ctBytes) >>> 2);
  }

  /** Index of the key for a power-of-two rotation step (or the conjugation with step 0). */
  keyIndex(step: number): number {
    if (step === 0) return this.d.rotationSteps.length;
    const e = this.d.rotationSteps.indexOf(step);
    if (e < 0) throw new Error('workspace: no key for this step');
    return e;
  }

  /** Masking's key switches for session-key slot `slot`, through this thread's in/out area. */
  rotations(slot: number): Rotations {
    const io = this.layout.ioCt(this.thread);
    const buf = this.words(io);
    const run = (words: Uint32Array, steps: number[]) => {
      buf.set(words);
      for (const s of steps) this.ks.apply(slot, this.keyIndex(s), io, io);
      words.set(buf);
    };
    return {
      conjugate: (words) => run(words, [0]),
      rotate: (words, step) => {
        if (!Number.isInteger(step) || step < 0 || step >= this.d.h) throw new Error('rotate: step out of range');
        const steps: number[] = [];
        for (let s = 1; s < this.d.h; s *= 2) if (step & s) steps.push(s);
        if (steps.length) run(words, steps);
      },
    };
  }
}
