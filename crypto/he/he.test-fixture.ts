/**
 * Shared fixture of the HE tests (not exported from crypto/he): a face-512 client/server pair and a
 * gallery of synthetic identities, plus extra captures placed at chosen positions to exercise several
 * blocks, and the plaintext decisions to compare encrypted ones with.
 */

import { CryptoError } from '../errors.ts';
import { HeClient } from './client.ts';
import { GalleryEncoding } from './gallery.ts';
import { HE_PARAMS } from './params.ts';
import { HeServer } from './server.ts';
import { dot, makeGallery } from './synthetic.ts';

const ID = 'face-512-v1';

export function heFixture(o: { seed: number; identities: number; extra: Array<[position: number, templateIndex: number]> }) {
  const g = makeGallery({ seed: o.seed, identities: o.identities, capturesPerIdentity: 3, dims: HE_PARAMS[ID].dims });
  const gallery = GalleryEncoding.create(ID);
  const tplAt = new Map<number, Float32Array>();
  let pair: { client: HeClient; server: HeServer } | undefined;
  return {
    g,
    gallery,
    tplAt,
    async setup(): Promise<{ client: HeClient; server: HeServer; keys: Uint8Array }> {
      const client = await HeClient.create(ID);
      const server = await HeServer.create(ID);
      pair = { client, server };
      g.templates.forEach((t, i) => {
        gallery.set(i, t);
        tplAt.set(i, t);
      });
      for (const [pos, tIdx] of o.extra) {
        gallery.set(pos, g.templates[tIdx]!);
        tplAt.set(pos, g.templates[tIdx]!);
      }
      gallery.flush();
      return { client, server, keys: client.sessionKeys() };
    },
    dispose(): void {
      pair?.client.dispose();
      pair?.server.dispose();
    },
    /** Positions whose plaintext score crosses the threshold. */
    plainHits(p: Float32Array): number[] {
      return [...tplAt.entries()]
        .filter(([, t]) => dot(p, t) >= HE_PARAMS[ID].threshold)
        .map(([pos]) => pos)
        .sort((a, b) => a - b);
    },
  };
}

/** A deterministic byte source for tests (LCG): feeds `rng` parameters reproducibly. */
export function seeded(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
}

/** The CryptoError code `f` throws, `non-veil: …` for another error, or `no error`. */
export function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof CryptoError ? e.code : `non-veil: ${String(e)}`;
  }
  return 'no error';
}
