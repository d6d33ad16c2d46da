/**
 * Worker thread for HeServer: computes a share of the probe rotations and of the per-block
 * multiply-accumulate, writing into SharedArrayBuffers owned by the main thread. Holds its own SEAL
 * instance, context and a small cache of loaded session keys (deleted on eviction and on 'close').
 */
import { parentPort } from 'node:worker_threads';
import { heContext } from './context.ts';
import { macBlocks, putDiagonal } from './kernel.ts';
import type { HeParamId } from './params.ts';
import { readResidues } from './seal-format.ts';
import type { CipherText, GaloisKeys } from './seal.ts';
import { ctWords } from './wire.ts';

export type WorkerRequest =
  | { t: 'rot'; paramId: HeParamId; sessionId: string; keys: Uint8Array | undefined; probe: Uint8Array; from: number; to: number; pp: Float64Array[] }
  | { t: 'mac'; paramId: HeParamId; pp: Float64Array[]; gs: Uint32Array[][]; outs: Uint32Array[] }
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
    macBlocks(d, m.pp, m.gs, m.outs);
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
  const bag: CipherText[] = [];
  try {
    const p0 = c.seal.CipherText();
    bag.push(p0);
    p0.loadArray(c.ctx, m.probe);
    const words = new Uint32Array(ctWords(d));
    const put = (k: number, ct: CipherText) => {
      const b = ct.saveArray(c.seal.ComprModeType.none);
      readResidues(b, b.length - words.length * 8, words.length, words);
      putDiagonal(d, m.pp, k, words);
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

parentPort?.on('message', (m: WorkerRequest) => {
  handle(m).then(
    (r) => parentPort?.postMessage({ ok: true, r }),
    (e: unknown) => parentPort?.postMessage({ ok: false, error: String(e) }),
  );
});
