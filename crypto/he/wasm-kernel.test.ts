import { describe, expect, it } from 'vitest';
import { macBlocks, newPreparedProbe, putDiagonal } from './kernel.ts';
import { derive, type HeParamId } from './params.ts';
import { newKernelMemory, probeView, putDiagonalU32, WasmMac, wasmKernelAvailable } from './wasm-kernel.ts';

/** Deterministic residues, with runs of q - 1 (the largest products) to exercise the lane bounds. */
function residues(seed: number, q: number, len: number, extreme: (i: number) => boolean): Uint32Array {
  const out = new Uint32Array(new SharedArrayBuffer(len * 4));
  let x = seed >>> 0;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = extreme(i) ? q - 1 : Math.floor((x / 2 ** 32) * q);
  }
  return out;
}

describe('wasm SIMD multiply-accumulate kernel', () => {
  it('is available on this runtime', () => {
    expect(wasmKernelAvailable()).toBe(true);
  });

  for (const id of ['face-512-v1', 'fingerprint-256-v1'] as HeParamId[]) {
    it(`equals the JS kernel word for word (${id})`, () => {
      const d = derive(id);
      const L = d.q.length;
      const pp = newPreparedProbe(d);
      const mem = newKernelMemory(d);
      const pv = probeView(d, mem);
      for (let k = 0; k < d.h; k++) {
        const w = new Uint32Array(2 * L * d.n);
        for (let c = 0; c < 2; c++) {
          for (let pi = 0; pi < L; pi++) {
            w.set(
              residues(k * 7 + c * 3 + pi, d.q[pi]!, d.n, (i) => k < 70 && i % 3 === 0),
              (c * L + pi) * d.n,
            );
          }
        }
        putDiagonal(d, pp, k, w);
        putDiagonalU32(d, pv, k, w);
      }
      // Block 0: all q - 1 where the probe is extreme too (worst case); block 1: random.
      const gs = [0, 1].map((b) => d.q.map((q, pi) => residues(100 + b * 10 + pi, q, d.n * d.h, () => b === 0)));
      const js = gs.map(() => new Uint32Array(2 * L * d.n));
      const wa = gs.map(() => new Uint32Array(2 * L * d.n));
      macBlocks(d, pp, gs, js);
      new WasmMac(d, mem, 0).macBlocks(gs, wa);
      for (let b = 0; b < gs.length; b++) expect(Buffer.compare(Buffer.from(wa[b]!.buffer), Buffer.from(js[b]!.buffer))).toBe(0);
    });
  }
});
