import { describe, expect, it } from 'vitest';
import { heContext } from './context.ts';
import { ckksCodec, mulmod, nttTables, roundSelfConjugate, toResidues } from './ring.ts';
import { parsePlaintext, readResidues } from './seal-format.ts';

describe('ring arithmetic matches SEAL', () => {
  it('mulmod is exact for 30-bit primes', () => {
    const q = 1073668097;
    for (let t = 0; t < 2000; t++) {
      const a = Math.floor(Math.random() * q);
      const b = Math.floor(Math.random() * q);
      expect(mulmod(a, b, q, 1 / q)).toBe(Number((BigInt(a) * BigInt(b)) % BigInt(q)));
    }
  });

  it('our CKKS encoding + NTT equals SEAL CKKSEncoder output residue for residue', async () => {
    const c = await heContext('face-512-v1');
    const n = c.d.n;
    const v = new Float64Array(c.d.slots);
    for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 0.37) * 0.3;
    const pt = c.encoder.encode(v, 2 ** 22)!;
    const b = pt.saveArray(c.seal.ComprModeType.none);
    pt.delete();
    const info = parsePlaintext(b, c.d.p.primes.slice(0, -1), n);
    const sealRes = new Uint32Array(2 * n);
    readResidues(b, info.data.offset, 2 * n, sealRes);
    const f = new Float64Array(n);
    ckksCodec(n).encodeFloat(v, undefined, 2 ** 22, f);
    for (let pi = 0; pi < 2; pi++) {
      const r = new Uint32Array(n);
      toResidues(f, c.d.q[pi]!, r);
      const before = r.slice();
      nttTables(c.d.q[pi]!, n).forward(r);
      expect(r).toEqual(sealRes.subarray(pi * n, (pi + 1) * n));
      nttTables(c.d.q[pi]!, n).inverse(r);
      expect(r).toEqual(before);
    }
  });

  it('self-conjugate rounding gives exactly real slots', () => {
    const codec = ckksCodec(4096);
    const z = new Float64Array(2048).map((_, i) => 100 + i);
    const f = new Float64Array(4096);
    codec.encodeFloat(z, undefined, 1, f);
    roundSelfConjugate(f);
    const re = new Float64Array(2048);
    const im = new Float64Array(2048);
    codec.decode(f, 1, re, im);
    for (let j = 0; j < 2048; j++) expect(Math.abs(im[j]!)).toBeLessThan(1e-9);
  });
});
