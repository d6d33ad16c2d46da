/**
 * Biometric accuracy on the run's own data, encrypted against plaintext: for the first `probes`
 * biometric queries of the workload, every template of every gallery the query targeted is scored twice
 * — by the plaintext inner product, and by the node-side HE kernel on the encrypted probe (the same
 * `HeServer` code a node runs, on the same gallery, decrypted unmasked with the analyst's session key;
 * `unmaskedForTesting`, which no node ever sends to a peer). From the two score lists: DET curves (FMR
 * against FNMR as the threshold moves), the largest difference between an encrypted and a plaintext
 * score, and how many decisions at the protocol's threshold τ differ.
 *
 * This re-encodes each scored gallery once (the nodes' own encodings are private to their biometric
 * service): it is measurement work, not protocol work, and is not charged to any party.
 */

import { dot, GalleryEncoding, HeClient, HeServer } from '#crypto';
import { BIO_PARAMS } from '#protocol';
import type { Population } from '../population.ts';
import type { SimRng } from '../rng.ts';
import { seeded, seededSync } from '../seeded-seal.ts';
import type { PlannedQuery } from '../workload.ts';
import type { World } from '../world.ts';
import { round } from './stats.ts';

export interface DetResult {
  probes: number;
  genuinePairs: number;
  impostorPairs: number;
  tau: number;
  /** [threshold, FMR, FNMR] */
  plaintext: Array<[number, number, number]>;
  encrypted: Array<[number, number, number]>;
  maxAbsError: number;
  decisionsDifferingAtTau: number;
}

const THRESHOLDS = Array.from({ length: 121 }, (_, i) => round(-0.2 + i * 0.01, 2));

function curve(genuine: readonly number[], impostor: readonly number[]): Array<[number, number, number]> {
  return THRESHOLDS.map((t) => {
    const fm = impostor.filter((s) => s >= t).length;
    const fnm = genuine.filter((s) => s < t).length;
    return [t, round(impostor.length ? fm / impostor.length : 0, 6), round(genuine.length ? fnm / genuine.length : 0, 6)];
  });
}

export async function detCurves(world: World, pop: Population, queries: readonly PlannedQuery[], probes: number, rng: SimRng): Promise<DetResult | undefined> {
  const bio = queries.filter((q) => q.kind === 'biometric' && q.targets && q.targets.length > 0).slice(0, probes);
  if (bio.length === 0) return undefined;
  const params = BIO_PARAMS.face;
  const tau = 0.4;
  const galleries = new Map<string, { enc: GalleryEncoding; vectors: Float32Array[]; owners: number[] }>();
  const gallery = (country: string) => {
    let g = galleries.get(country);
    if (g) return g;
    const ci = pop.countries.findIndex((h) => h.code === country);
    const h = pop.countries[ci];
    const enc = GalleryEncoding.create(params);
    const vectors: Float32Array[] = [];
    const owners: number[] = [];
    const store = world.node(country).store;
    for (let slot = 0; slot < store.gallery.count('face') + 64; slot++) {
      const at = store.gallery.at('face', slot);
      if (!at) continue;
      const k = Number(at.recordId.slice(at.recordId.lastIndexOf('-') + 1));
      enc.set(vectors.length, at.vector);
      vectors.push(at.vector);
      owners.push(h?.subject[k] ?? -1);
    }
    enc.flush();
    g = { enc, vectors, owners };
    galleries.set(country, g);
    return g;
  };
  const server = await HeServer.create(params, { workers: 1 });
  const r = rng.child('det');
  const client = await seeded(r.child('client'), () => HeClient.create(params));
  const keys = seededSync(r.child('keys'), () => client.sessionKeys());
  const plain = { genuine: [] as number[], impostor: [] as number[] };
  const encrypted = { genuine: [] as number[], impostor: [] as number[] };
  let maxErr = 0;
  let flips = 0;
  try {
    for (const q of bio) {
      const probe = pop.face(q.face ?? -1, 1000 + q.n);
      const ct = seededSync(r, () => client.encryptProbe(probe));
      for (const country of q.targets ?? []) {
        const g = gallery(country);
        if (g.vectors.length === 0) continue;
        const res = await server.scoreMasked({ sessionKeys: keys, probe: ct, gallery: g.enc, unmaskedForTesting: true });
        const scores = client.debugDecryptScores(res.result);
        for (const [i, v] of g.vectors.entries()) {
          const p = dot(probe, v);
          const e = scores[i] as number;
          const mated = g.owners[i] === q.face;
          (mated ? plain.genuine : plain.impostor).push(p);
          (mated ? encrypted.genuine : encrypted.impostor).push(e);
          maxErr = Math.max(maxErr, Math.abs(e - p));
          if (p >= tau !== e >= tau) flips++;
        }
      }
    }
  } finally {
    client.dispose();
    server.dispose();
  }
  return {
    probes: bio.length,
    genuinePairs: plain.genuine.length,
    impostorPairs: plain.impostor.length,
    tau,
    plaintext: curve(plain.genuine, plain.impostor),
    encrypted: curve(encrypted.genuine, encrypted.impostor),
    maxAbsError: Number(maxErr.toExponential(2)),
    decisionsDifferingAtTau: flips,
  };
}
