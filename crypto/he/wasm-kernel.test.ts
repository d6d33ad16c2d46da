import { describe, expect, it } from 'vitest';
import { ResidueArenas } from './gallery-arena.ts';
import { macBlocks, newPreparedProbe, putDiagonal } from './kernel.ts';
import { derive, type HeParamId } from './params.ts';
import { probeView, putDiagonalU32, WasmMac, wasmKernelAvailable } from './wasm-kernel.ts';

/** Deterministic residues, with runs of q - 1 (the largest products) to exercise the lane bounds. */
function residues(seed: number, q: number, out: Uint32Array, extreme: (i: number) => boolean): Uint32Array {
  let x = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
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
    it(`equals the JS kernel word for word, reading blocks where the arena stores them (${id})`, () => {
      const d = derive(id);
      const L = d.q.length;
      const pp = newPreparedProbe(d);
      const arenas = new ResidueArenas(d);
      arenas.reserve(2);
      const mem = arenas.memories[0]!;
      const pv = probeView(d, mem);
      for (let k = 0; k < d.h; k++) {
        const w = new Uint32Array(2 * L * d.n);
        for (let c = 0; c < 2; c++) {
          for (let pi = 0; pi < L; pi++) {
            residues(k * 7 + c * 3 + pi, d.q[pi]!, w.subarray((c * L + pi) * d.n, (c * L + pi + 1) * d.n), (i) => k < 70 && i % 3 === 0);
          }
        }
        putDiagonal(d, pp, k, w);
        putDiagonalU32(d, pv, k, w);
      }
      // Block 0: all q - 1 where the probe is extreme too (worst case); block 1: random.
      const gs = [0, 1].map((b) => arenas.residues(b).map((r, pi) => residues(100 + b * 10 + pi, d.q[pi]!, r, () => b === 0)));
      const js = gs.map(() => new Uint32Array(2 * L * d.n));
      const wa = gs.map(() => new Uint32Array(2 * L * d.n));
      macBlocks(d, pp, gs, js);
      new WasmMac(d, mem, 0).macBlocks(
        [0, 1].map((b) => arenas.where(b).offset),
        wa,
      );
      for (let b = 0; b < gs.length; b++) expect(Buffer.compare(Buffer.from(wa[b]!.buffer), Buffer.from(js[b]!.buffer))).toBe(0);
    });
  }
});
