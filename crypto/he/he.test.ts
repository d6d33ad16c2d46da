import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoError } from '../errors.ts';
import { HeClient } from './client.ts';
import { GalleryEncoding } from './gallery.ts';
import { code, heFixture, seeded } from './he.test-fixture.ts';
import { sealHeapBytes } from './seal.ts';
import { HeServer } from './server.ts';
import { dot, makeGallery, makeProbe } from './synthetic.ts';

const ID = 'face-512-v1';
const DIMS = 512;
const SEED = 11;

async function acode(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    return `non-veil: ${String(e)}`;
  }
  return 'no error';
}

describe('encrypted 1:N matching (face-512-v1)', () => {
  let client: HeClient;
  let server: HeServer;
  let keys: Uint8Array;
  // Positions: 0..191 in block 0, plus a few captures far away to exercise blocks 1 and 2 (real and
  // imaginary halves of a masked ciphertext, and an odd last block).
  const extra: Array<[number, number]> = [
    [2048 + 5, 0],
    [2048 + 2047, 1],
    [4096 + 17, 2],
  ];
  const fx = heFixture({ seed: SEED, identities: 64, extra });
  const { g, gallery, tplAt, plainHits } = fx;

  beforeAll(async () => {
    ({ client, server, keys } = await fx.setup());
  });

  afterAll(() => fx.dispose());

  it('sizes: probe <= 1 MB, session keys <= 4 MB, session id is a hash', () => {
    const probe = client.encryptProbe(makeProbe({ seed: SEED, identity: 0, dims: DIMS }));
    expect(probe.length).toBeLessThanOrEqual(1_000_000);
    expect(keys.length).toBeLessThanOrEqual(4_000_000);
    expect(client.sessionId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('masked decisions equal plaintext decisions for every pair (fused and SEAL baseline)', async () => {
    const probes = [0, 1, 2, 40, 63, 500, 501].map((identity) => makeProbe({ seed: SEED, identity, dims: DIMS }));
    let pairs = 0;
    for (const [pi, p] of probes.entries()) {
      const probe = client.encryptProbe(p);
      const want = plainHits(p);
      const fused = client.decryptMasked((await server.scoreMasked({ sessionKeys: keys, probe, gallery, rng: seeded(pi) })).result);
      expect(fused).toEqual(want);
      if (pi < 2) {
        const base = client.decryptMasked((await server.scoreMasked({ sessionKeys: keys, probe, gallery, mode: 'seal' })).result);
        expect(base).toEqual(want);
      }
      pairs += tplAt.size;
    }
    expect(pairs).toBe(probes.length * (192 + extra.length));
  });

  it('unmasked debug scores match plaintext within 2e-3 and fused equals baseline', async () => {
    const p = makeProbe({ seed: SEED, identity: 1, dims: DIMS });
    const probe = client.encryptProbe(p);
    const fused = client.debugDecryptScores((await server.scoreMasked({ sessionKeys: keys, probe, gallery, unmaskedForTesting: true })).result);
    const base = client.debugDecryptScores((await server.scoreMasked({ sessionKeys: keys, probe, gallery, unmaskedForTesting: true, mode: 'seal' })).result);
    let maxErr = 0;
    for (const [pos, t] of tplAt) {
      maxErr = Math.max(maxErr, Math.abs(fused[pos]! - dot(p, t)));
      // Same probe ciphertext, same plaintexts: the fused kernel is exact modular arithmetic.
      expect(fused[pos]).toBeCloseTo(base[pos]!, 9);
    }
    console.log(`max score error ${maxErr.toExponential(2)}`);
    expect(maxErr).toBeLessThan(2e-3);
  });

  it('fast paths are word-for-word the SEAL baseline: wasm and JS kernels, residue masking, with a worker thread', async () => {
    const p = makeProbe({ seed: SEED, identity: 3, dims: DIMS });
    const probe = client.encryptProbe(p);
    const run = async (s: HeServer, extra: Partial<Parameters<HeServer['scoreMasked']>[0]>) =>
      (await s.scoreMasked({ sessionKeys: keys, probe, gallery, rng: seeded(77), ...extra })).result;
    const base = await run(server, { mode: 'seal' });
    expect(Buffer.compare(await run(server, { kernel: 'wasm' }), base)).toBe(0);
    expect(Buffer.compare(await run(server, { kernel: 'js' }), base)).toBe(0);
    const two = await HeServer.create(ID, { workers: 2 });
    try {
      expect(Buffer.compare(await run(two, {}), base)).toBe(0);
      expect(Buffer.compare(await run(two, { kernel: 'js' }), base)).toBe(0);
      expect(client.decryptMasked(await run(two, { rng: seeded(78) }))).toEqual(plainHits(p));
    } finally {
      two.dispose();
    }
  });

  it('masked values carry no score beyond the sign: fresh r per position and per query', async () => {
    const p = makeProbe({ seed: SEED, identity: 2, dims: DIMS });
    const probe = client.encryptProbe(p);
    const a = await server.scoreMasked({ sessionKeys: keys, probe, gallery });
    const b = await server.scoreMasked({ sessionKeys: keys, probe, gallery });
    expect(Buffer.compare(a.result, b.result)).not.toBe(0);
    expect(client.decryptMasked(a.result)).toEqual(client.decryptMasked(b.result));
  });

  it('gallery updates: remove and replace change the hits', async () => {
    const gal = GalleryEncoding.create(ID);
    for (const t of g.templates.slice(0, 30)) gal.append(t);
    const p = makeProbe({ seed: SEED, identity: 3, dims: DIMS }); // identity 3 = positions 9, 10, 11
    const probe = client.encryptProbe(p);
    const run = async () => client.decryptMasked((await server.scoreMasked({ sessionKeys: keys, probe, gallery: gal })).result);
    expect(await run()).toEqual([9, 10, 11]);
    gal.remove(10);
    gal.set(20, g.templates[9]!);
    expect(await run()).toEqual([9, 11, 20]);
    const copy = GalleryEncoding.deserialize(gal.serialize());
    expect(copy.size).toBe(gal.size);
    expect(copy.count).toBe(gal.count);
    expect(client.decryptMasked((await server.scoreMasked({ sessionKeys: keys, probe, gallery: copy })).result)).toEqual([9, 11, 20]);
  });

  it('persisted encoded blocks restore to the same decisions; a block that fails verification is re-encoded from its source', async () => {
    const bs = 2048;
    const blocks = Math.ceil(gallery.size / bs);
    const saved = Array.from({ length: blocks }, (_, bi) => ({
      occupied: Uint8Array.from({ length: bs }, (_, s) => (gallery.has(bi * bs + s) ? 1 : 0)),
      bytes: gallery.blockBytes(bi).slice(),
    }));
    let sourced = 0;
    const restored = GalleryEncoding.create(ID, {
      source: (bi) => {
        sourced++;
        const templates = new Float32Array(bs * DIMS);
        for (let s = 0; s < bs; s++) {
          const t = tplAt.get(bi * bs + s);
          if (t) templates.set(t, s * DIMS);
        }
        return { templates, occupied: saved[bi]!.occupied };
      },
    });
    const ok = saved.map((b, bi) =>
      restored.restoreBlock(bi, b.occupied, (dst) => {
        if (bi === 1) return false; // as if its MAC did not verify
        dst.set(b.bytes);
        return true;
      }),
    );
    expect(ok).toEqual([true, false, true]);
    expect(restored.dirtyBlocks).toBe(1);
    restored.restoreSize(gallery.size);
    restored.flush();
    expect(sourced).toBe(1);
    for (const identity of [0, 1, 2, 63]) {
      const p = makeProbe({ seed: SEED, identity, dims: DIMS });
      const hits = client.decryptMasked((await server.scoreMasked({ sessionKeys: keys, probe: client.encryptProbe(p), gallery: restored })).result);
      expect(hits).toEqual(plainHits(p));
    }
    // identity 0 has mates in the re-encoded block 1: the check above exercised it
    expect(plainHits(makeProbe({ seed: SEED, identity: 0, dims: DIMS }))).toContain(2048 + 5);
    expect(code(() => restored.restoreBlock(0, new Uint8Array(bs - 1), () => true))).toBe('bad_length');
    // Memory mode holds no templates for a block it restores: an unverified block is refused, not scored as zeros.
    const inMemory = GalleryEncoding.create(ID);
    expect(code(() => inMemory.restoreBlock(0, saved[0]!.occupied, () => false))).toBe('bad_request');
    expect(inMemory.size).toBe(0);
    expect(code(() => restored.restoreSize(2))).toBe('bad_request');
    expect(code(() => GalleryEncoding.create(ID).blockBytes(0))).toBe('bad_request');
  });

  it('rejects bad templates', () => {
    const gal = GalleryEncoding.create(ID);
    expect(code(() => gal.append(new Float32Array(10)))).toBe('bad_length');
    expect(code(() => gal.append(new Float32Array(DIMS)))).toBe('bad_request');
    expect(code(() => gal.append(new Float32Array(DIMS).fill(Number.NaN)))).toBe('bad_request');
  });

  describe('hostile inputs', () => {
    let probe: Uint8Array;
    beforeAll(() => {
      probe = client.encryptProbe(makeProbe({ seed: SEED, identity: 0, dims: DIMS }));
    });
    const score = (o: { sessionKeys?: Uint8Array; probe?: Uint8Array }) =>
      acode(() => server.scoreMasked({ sessionKeys: o.sessionKeys ?? keys, probe: o.probe ?? probe, gallery }));

    it('probe for another parameter set', async () => {
      const other = await HeClient.create('fingerprint-256-v1');
      try {
        expect(await score({ probe: other.encryptProbe(makeProbe({ seed: 1, identity: 0, dims: 256 })) })).toBe('bad_ciphertext');
        expect(await score({ sessionKeys: other.sessionKeys() })).toMatch(/^(bad_key|bad_length)$/);
      } finally {
        other.dispose();
      }
    });
    it('truncated, oversized, garbage and unreduced probes', async () => {
      expect(await score({ probe: probe.subarray(0, probe.length - 1) })).toBe('bad_length');
      expect(await score({ probe: new Uint8Array(0) })).toBe('bad_length');
      expect(await score({ probe: new Uint8Array(probe.length + 8) })).toBe('too_large');
      expect(await score({ probe: new Uint8Array(probe.length).fill(0xa5) })).toBe('bad_ciphertext');
      const unreduced = probe.slice();
      unreduced.fill(0xff, 200, 208);
      expect(await score({ probe: unreduced })).toBe('bad_ciphertext');
      const header = probe.slice();
      header[48] = 0; // NTT flag
      expect(await score({ probe: header })).toBe('bad_ciphertext');
    });
    it('key blobs that are not keys', async () => {
      expect(await score({ sessionKeys: probe })).toBe('bad_length');
      expect(await score({ sessionKeys: new Uint8Array(keys.length) })).toBe('bad_key');
      const flipped = keys.slice();
      flipped[60] = flipped[60]! ^ 1; // Galois index table
      expect(await score({ sessionKeys: flipped })).toBe('bad_key');
      expect(await score({ sessionKeys: new Uint8Array(keys.length + 1) })).toBe('too_large');
    });
    it('result blobs at the client', async () => {
      const res = (await server.scoreMasked({ sessionKeys: keys, probe, gallery })).result;
      expect(code(() => client.decryptMasked(res.subarray(0, res.length - 4)))).toBe('bad_length');
      expect(code(() => client.decryptMasked(new Uint8Array(3)))).toBe('bad_length');
      const bad = res.slice();
      bad[0] = 0;
      expect(code(() => client.decryptMasked(bad))).toBe('bad_ciphertext');
      const unreduced = res.slice();
      unreduced.fill(0xff, 100, 104);
      expect(code(() => client.decryptMasked(unreduced))).toBe('bad_ciphertext');
    });
    it('bad threshold', async () => {
      expect(await acode(() => server.scoreMasked({ sessionKeys: keys, probe, gallery, threshold: 1.5 }))).toBe('bad_request');
    });
  });
});

describe('SEAL heap stays flat over 40 queries (fingerprint-256-v1, small gallery)', () => {
  // One leaked ciphertext per query is ≥ 64 KiB (N = 4096, two primes), so 30 queries after warm-up
  // would grow the heap by ≥ 1.9 MiB; nothing leaking means no growth at all (0 B measured).
  it('does not grow beyond 1 MiB after warm-up', async () => {
    const id = 'fingerprint-256-v1';
    const client = await HeClient.create(id);
    const server = await HeServer.create(id);
    try {
      const g = makeGallery({ seed: 5, identities: 8, capturesPerIdentity: 2, dims: 256 });
      const gal = GalleryEncoding.create(id);
      for (const t of g.templates) gal.append(t);
      const keys = client.sessionKeys();
      const p = makeProbe({ seed: 5, identity: 1, dims: 256 });
      let warm = 0;
      for (let i = 0; i < 40; i++) {
        const probe = client.encryptProbe(p);
        const { result } = await server.scoreMasked({ sessionKeys: keys, probe, gallery: gal });
        expect(client.decryptMasked(result)).toEqual([2, 3]);
        if (i === 9) warm = sealHeapBytes();
      }
      const growth = sealHeapBytes() - warm;
      expect(growth).toBeLessThanOrEqual(2 ** 20);
    } finally {
      client.dispose();
      server.dispose();
    }
  });
});
