import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoError } from '../errors.ts';
import { initCrypto } from '../sodium.ts';
import type { HeClient } from './client.ts';
import { code, heFixture, seeded } from './he.test-fixture.ts';
import { derive } from './params.ts';
import { PERMUTATION_MAX_SWITCHES, permutationOffsetCount, permutationPlan, permutePosition, unpermutePosition } from './permute.ts';
import { HeServer } from './server.ts';
import { makeProbe } from './synthetic.ts';

const ID = 'face-512-v1';
const DIMS = 512;
const SEED = 5;
const SEED_A = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const SEED_B = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 2);
const SEED_C = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3);

beforeAll(async () => {
  await initCrypto();
});

describe('position permutation (pure)', () => {
  it('unpermute . permute = identity, a bijection into the padded space, padding refused', () => {
    for (const positions of [1, 2049, 8196]) {
      for (const seed of [SEED_A, SEED_B]) {
        const opts = { seed, positions, paramId: ID } as const;
        const plan = permutationPlan(derive(ID), positions, opts);
        const seen = new Set<number>();
        for (let p = 0; p < positions; p++) {
          const q = permutePosition(p, opts);
          expect(q).toBeGreaterThanOrEqual(0);
          expect(q).toBeLessThan(plan.space);
          expect(unpermutePosition(q, opts)).toBe(p);
          seen.add(q);
        }
        expect(seen.size).toBe(positions);
        // Every other position of the space is padding: refused.
        let refused = 0;
        for (let q = 0; q < plan.space; q++) if (!seen.has(q)) refused += code(() => unpermutePosition(q, opts)) === 'bad_request' ? 1 : 0;
        expect(refused).toBe(plan.space - positions);
        expect(code(() => unpermutePosition(plan.space, opts))).toBe('bad_request');
        expect(code(() => unpermutePosition(-1, opts))).toBe('bad_request');
        expect(code(() => permutePosition(positions, opts))).toBe('bad_request');
      }
    }
  });

  it('depends on the seed only; offsets use at most the allowed key switches', () => {
    const positions = 20_000;
    const base = { positions, paramId: ID } as const;
    const a = Array.from({ length: positions }, (_, p) => permutePosition(p, { ...base, seed: SEED_A }));
    const again = Array.from({ length: positions }, (_, p) => permutePosition(p, { ...base, seed: SEED_A.slice() }));
    const b = Array.from({ length: positions }, (_, p) => permutePosition(p, { ...base, seed: SEED_B }));
    const k = Array.from({ length: positions }, (_, p) => permutePosition(p, { ...base, seed: SEED_A.map((x, i) => (i === 31 ? x ^ 1 : x)) }));
    const same = (x: number[], y: number[]) => x.filter((v, i) => v === y[i]).length;
    expect(again).toEqual(a);
    expect(same(a, b)).toBeLessThan(positions / 4);
    expect(same(a, k)).toBeLessThan(positions / 4);
    const plan = permutationPlan(derive(ID), positions, { seed: SEED_A });
    for (const o of plan.offsets) {
      expect(o).toBeLessThan(derive(ID).h);
      expect(o.toString(2).replace(/0/g, '').length).toBeLessThanOrEqual(PERMUTATION_MAX_SWITCHES);
    }
    expect(permutationOffsetCount(ID)).toBe(1 + 8 + 28 + 56);
    expect(code(() => permutePosition(0, { ...base, seed: new Uint8Array(16) }))).toBe('bad_key');
  });
});

describe('encrypted 1:N matching with permuted positions (face-512-v1)', () => {
  let client: HeClient;
  let server: HeServer;
  let keys: Uint8Array;
  // Blocks 0..4 (5 blocks: 3 result ciphertexts, one with an absent half); identity 0 also far away.
  const extra: Array<[number, number]> = [
    [2048 + 5, 0],
    [4096 + 2047, 1],
    [6144 + 100, 0],
    [8192 + 3, 2],
  ];
  const fx = heFixture({ seed: SEED, identities: 40, extra });
  const { gallery, plainHits } = fx;

  beforeAll(async () => {
    ({ client, server, keys } = await fx.setup());
  });

  afterAll(() => fx.dispose());

  it('decisions equal plaintext decisions after unpermuting; different queries, different positions', async () => {
    const positions = gallery.size;
    expect(positions).toBe(8196);
    const byQuery = new Map<string, number[]>();
    for (const [pi, identity] of [0, 1, 2, 17, 39, 500].entries()) {
      const p = makeProbe({ seed: SEED, identity, dims: DIMS });
      const probe = client.encryptProbe(p);
      const want = plainHits(p);
      for (const [queryId, seed] of [
        ['query-A', SEED_A],
        ['query-B', SEED_B],
      ] as const) {
        const permutation = { seed };
        const r = await server.scoreMasked({ sessionKeys: keys, probe, gallery, rng: seeded(pi), permutation });
        expect(r.positions).toBe(positions);
        const seen = client.decryptMasked(r.result);
        for (const q of seen) expect(q).toBeLessThan(3 * 4096);
        const back = seen.map((q) => unpermutePosition(q, { ...permutation, positions, paramId: ID })).sort((a, b) => a - b);
        expect(back).toEqual(want);
        for (const x of back) expect(x).toBeLessThan(positions);
        expect([...seen].sort((a, b) => a - b)).toEqual(want.map((x) => permutePosition(x, { ...permutation, positions, paramId: ID })).sort((a, b) => a - b));
        if (identity === 0) byQuery.set(queryId, seen);
      }
    }
    // Identity 0 hits in blocks 0, 1 and 3 (positions 0-2, 2053, 6244, among others): each of its templates
    // is seen at a different position in queries A and B.
    const a = byQuery.get('query-A')!;
    const b = byQuery.get('query-B')!;
    const opts = (seed: Uint8Array) => ({ seed, positions, paramId: ID }) as const;
    for (const x of [0, 1, 2, 2048 + 5, 6144 + 100]) {
      const qa = permutePosition(x, opts(SEED_A));
      const qb = permutePosition(x, opts(SEED_B));
      expect(a).toContain(qa);
      expect(b).toContain(qb);
      expect(qa).not.toBe(qb);
    }
  });

  it('fast paths stay word-for-word the SEAL baseline with the permutation (and with a worker thread)', async () => {
    const p = makeProbe({ seed: SEED, identity: 0, dims: DIMS });
    const probe = client.encryptProbe(p);
    const permutation = { seed: SEED_C };
    const run = async (s: HeServer, extra: Partial<Parameters<HeServer['scoreMasked']>[0]>) =>
      (await s.scoreMasked({ sessionKeys: keys, probe, gallery, rng: seeded(9), permutation, ...extra })).result;
    const base = await run(server, { mode: 'seal' });
    expect(Buffer.compare(await run(server, {}), base)).toBe(0);
    const two = await HeServer.create(ID, { workers: 2 });
    try {
      expect(Buffer.compare(await run(two, {}), base)).toBe(0);
    } finally {
      two.dispose();
    }
    const opts = { ...permutation, positions: gallery.size, paramId: ID } as const;
    expect(
      client
        .decryptMasked(base)
        .map((q) => unpermutePosition(q, opts))
        .sort((x, y) => x - y),
    ).toEqual(plainHits(p));
    await expect(server.scoreMasked({ sessionKeys: keys, probe, gallery, permutation, unmaskedForTesting: true })).rejects.toThrow(CryptoError);
  });
});
