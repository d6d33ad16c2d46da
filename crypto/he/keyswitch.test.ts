import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeClient } from './client.ts';
import { heContext } from './context.ts';
import { derive, type HeParamId } from './params.ts';
import { nttTables } from './ring.ts';
import type { GaloisKeys } from './seal.ts';
import { wordsOf } from './seal-io.ts';
import { makeProbe } from './synthetic.ts';
import { Workspace } from './workspace.ts';

/** Deterministic residues below q, with the extremes 0 and q - 1 at the start. */
function residues(seed: number, q: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = i === 0 ? q - 1 : i === 1 ? 0 : Math.floor((x / 2 ** 32) * q);
  }
  return out;
}

describe('wasm NTT kernels equal ring.ts (SEAL order) word for word', () => {
  const d = derive('face-512-v1');
  const ws = Workspace.create(d);
  const k = (ws.ks as unknown as { k: Record<string, (...a: (number | bigint)[]) => void> }).k;
  const area = ws.layout.ioCt(0);
  it('forward and inverse, both data primes', () => {
    for (const [pi, q] of d.q.entries()) {
      const t = nttTables(q, d.n);
      const a = residues(pi + 1, q, d.n);
      const want = a.slice();
      t.forward(want);
      ws.u32.set(a, area >>> 2);
      k.ntt30!(area, d.n, ws.layout.ks.fwd[pi]!, q);
      expect(Buffer.compare(Buffer.from(ws.u32.slice(area >>> 2, (area >>> 2) + d.n).buffer), Buffer.from(want.buffer))).toBe(0);
      k.intt30!(area, d.n, ws.layout.ks.inv[pi]!, q, t.nInv, Number((BigInt(t.nInv) << 32n) / BigInt(q)));
      expect(Buffer.compare(Buffer.from(ws.u32.slice(area >>> 2, (area >>> 2) + d.n).buffer), Buffer.from(a.buffer))).toBe(0);
    }
  });
});

for (const id of ['face-512-v1', 'fingerprint-256-v1'] as HeParamId[]) {
  describe(`key switching equals SEAL's rotate_vector / complex_conjugate word for word (${id})`, () => {
    let client: HeClient;
    let gk: GaloisKeys;
    let ws: Workspace;
    beforeAll(async () => {
      const c = await heContext(id);
      client = await HeClient.create(id);
      gk = c.seal.GaloisKeys();
      gk.loadArray(c.ctx, client.sessionKeys());
      ws = Workspace.create(c.d);
      ws.ks.loadKeys(1, gk.saveArray(c.seal.ComprModeType.none));
    });
    afterAll(() => {
      gk.delete();
      client.dispose();
    });

    it('every pinned Galois element, from a fresh probe and from a rotated one', async () => {
      const c = await heContext(id);
      const d = c.d;
      const ct = c.seal.CipherText();
      ct.loadArray(c.ctx, client.encryptProbe(makeProbe({ seed: 3, identity: 1, dims: d.p.dims })));
      const io = ws.layout.ioCt(0);
      try {
        for (const step of [...d.rotationSteps, 0]) {
          const r = step === 0 ? c.evaluator.complexConjugate(ct, gk)! : c.evaluator.rotateVector(ct, step, gk)!;
          const want = wordsOf(c, r);
          // and a second switch on SEAL's output (inputs that are not fresh encryptions)
          const r2 = c.evaluator.rotateVector(r, 1, gk)!;
          const want2 = wordsOf(c, r2);
          r.delete();
          r2.delete();
          const buf = ws.words(io);
          buf.set(wordsOf(c, ct));
          ws.ks.apply(1, ws.keyIndex(step), io, io);
          expect(Buffer.compare(Buffer.from(buf.slice().buffer), Buffer.from(want.buffer))).toBe(0);
          ws.ks.apply(1, ws.keyIndex(1), io, io);
          expect(Buffer.compare(Buffer.from(buf.slice().buffer), Buffer.from(want2.buffer))).toBe(0);
        }
      } finally {
        ct.delete();
      }
    });

    it('composed rotations (permutation offsets) through a second workspace attached to the same memory', async () => {
      const c = await heContext(id);
      const d = c.d;
      const other = Workspace.attach(d, ws.memory, 1);
      const ct = c.seal.CipherText();
      ct.loadArray(c.ctx, client.encryptProbe(makeProbe({ seed: 4, identity: 2, dims: d.p.dims })));
      try {
        const words = wordsOf(c, ct);
        let ref = c.seal.CipherText();
        ref.loadArray(c.ctx, ct.saveArray(c.seal.ComprModeType.none));
        for (const s of [1, 4, d.h / 2]) {
          const r = c.evaluator.rotateVector(ref, s, gk)!;
          ref.delete();
          ref = r;
        }
        const want = wordsOf(c, ref);
        ref.delete();
        other.rotations(1).rotate(words, 1 + 4 + d.h / 2);
        expect(Buffer.compare(Buffer.from(words.buffer), Buffer.from(want.buffer))).toBe(0);
      } finally {
        ct.delete();
      }
    });
  });
}
