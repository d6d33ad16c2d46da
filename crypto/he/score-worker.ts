/**
 * Worker thread for HeServer: computes a share of the probe rotations and of the per-block
 * multiply-accumulate, writing into SharedArrayBuffers owned by the main thread. Holds its own SEAL
 * instance, context and a small cache of loaded session keys (deleted on eviction and on 'close').
 */
import { parentPort } from 'node:worker_threads';
import { heContext } from './context.ts';
import { macBlocks, putDiagonal } from './kernel.ts';
import { maskPairResidues, maskRandomBytes } from './mask.ts';
import type { HeParamId } from './params.ts';
import type { CipherText, GaloisKeys } from './seal.ts';
import { readResidues } from './seal-format.ts';
import { probeView, putDiagonalU32, WasmMac, type WasmMemory } from './wasm-kernel.ts';
import { ctWords } from './wire.ts';

/** The prepared probe lives either in the wasm kernel's shared memory (`mem`) or in JS-kernel form (`pp`). */
export type WorkerRequest =
  | {
      t: 'rot';
      paramId: HeParamId;
      sessionId: string;
      keys: Uint8Array | undefined;
      probe: Uint8Array;
      from: number;
      to: number;
      pp?: Float64Array[];
      mem?: WasmMemory;
    }
  | { t: 'mac'; paramId: HeParamId; pp?: Float64Array[]; mem?: WasmMemory; gs: Uint32Array[][]; outs: Uint32Array[] }
  | {
      t: 'mask';
      paramId: HeParamId;
      sessionId: string;
      keys: Uint8Array | undefined;
      tau: number;
      pairs: { o1: Uint32Array; o2: Uint32Array | undefined }[];
      /** Per pair: slot rotation applied after masking (per-query permutation), 0 for none. */
      rots?: number[];
      rnd: Uint8Array;
      outs: Uint32Array[];
    }
  | { t: 'close' };

const keyCache = new Map<string, GaloisKeys>();

async function handle(m: WorkerRequest): Promise<unknown> {
  if (m.t === 'close') {
    for (const k of keyCache.values()) k.delete();
    keyCache.clear();
    return 'closed';
  }
  const c = await heContext(m.paramId);
  const d = c.d;
  if (m.t === 'mac') {
    if (m.mem) {
      // A shared memory arrives as a new wrapper with every message; an instance over it is cheap (the
      // module is compiled once per thread). Scratch slot 1 is the worker's, slot 0 the main thread's.
      new WasmMac(d, m.mem, 1).macBlocks(m.gs, m.outs);
    } else {
      macBlocks(d, m.pp!, m.gs, m.outs);
    }
    return 'ok';
  }
  let gk = keyCache.get(m.sessionId);
  if (!gk) {
    if (!m.keys) return 'need-keys';
    gk = c.seal.GaloisKeys();
    gk.loadArray(c.ctx, m.keys); // already checked by the main thread
    keyCache.set(m.sessionId, gk);
    while (keyCache.size > 4) {
      const [id, old] = keyCache.entries().next().value as [string, GaloisKeys];
      keyCache.delete(id);
      old.delete();
    }
  }
  if (m.t === 'mask') {
    const per = maskRandomBytes(d);
    for (const [i, p] of m.pairs.entries()) maskPairResidues(c, gk, p.o1, p.o2, m.tau, m.rnd.subarray(i * per, (i + 1) * per), m.outs[i]!, m.rots?.[i] ?? 0);
    return 'ok';
  }
  const bag: CipherText[] = [];
  try {
    const p0 = c.seal.CipherText();
    bag.push(p0);
    p0.loadArray(c.ctx, m.probe);
    const words = new Uint32Array(ctWords(d));
    const probeU32 = m.mem ? probeView(d, m.mem) : undefined;
    const put = (k: number, ct: CipherText) => {
      const b = ct.saveArray(c.seal.ComprModeType.none);
      readResidues(b, b.length - words.length * 8, words.length, words);
      if (probeU32) putDiagonalU32(d, probeU32, k, words);
      else putDiagonal(d, m.pp!, k, words);
    };
    // Diagonals [from, to): the first from P_0 by one rotation, the rest by the power-of-two tree.
    const base = c.evaluator.rotateVector(p0, m.from, gk)!;
    bag.push(base);
    put(m.from, base);
    const local: CipherText[] = [base];
    for (let k = 1; k < m.to - m.from; k++) {
      const low = k & -k;
      const r = c.evaluator.rotateVector(local[k - low]!, low, gk)!;
      bag.push(r);
      local.push(r);
      put(m.from + k, r);
    }
    return 'ok';
  } finally {
    for (const o of bag) o.delete();
  }
}

// Requests are handled one at a time, in order, and answered with their id.
let queue: Promise<unknown> = Promise.resolve();
parentPort?.on('message', (m: WorkerRequest & { id: number }) => {
  queue = queue.then(() =>
    handle(m).then(
      (r) => parentPort?.postMessage({ id: m.id, ok: true, r }),
      (e: unknown) => parentPort?.postMessage({ id: m.id, ok: false, error: String(e) }),
    ),
  );
});
