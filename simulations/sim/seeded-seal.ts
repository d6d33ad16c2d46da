/**
 * Reproducible HE sessions for the simulated analysts. SEAL (node-seal, WebAssembly) draws the
 * randomness of its keys and encryptions from Node's `crypto.randomFillSync` and offers no way to
 * seed it, so a run would differ in the last bits of every encrypted score. Here, and only around the
 * analyst's own HE calls in a simulation, that function is replaced by the run's seeded stream and put
 * back right after. Production code never goes through this file.
 */
import { createRequire } from 'node:module';
import { HeClient } from '#crypto';
import { BIO_PARAMS, type BioModality } from '#protocol';
import type { BioSession, BioSessionFactory } from '#sdk';
import type { SimRng } from './rng.ts';

type RandomFill = <T extends NodeJS.ArrayBufferView>(buf: T) => T;
const nodeCrypto = createRequire(import.meta.url)('node:crypto') as { randomFillSync: RandomFill };

/** Run `fn` (and what it awaits) with SEAL's randomness drawn from `rng`. */
export async function seeded<T>(rng: SimRng, fn: () => T | Promise<T>): Promise<T> {
  const original = nodeCrypto.randomFillSync;
  nodeCrypto.randomFillSync = <B extends NodeJS.ArrayBufferView>(buf: B): B => {
    new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).set(rng.bytes(buf.byteLength));
    return buf;
  };
  try {
    return await fn();
  } finally {
    nodeCrypto.randomFillSync = original;
  }
}

/** Run the synchronous `fn` with SEAL's randomness drawn from `rng`. */
export function seededSync<T>(rng: SimRng, fn: () => T): T {
  const original = nodeCrypto.randomFillSync;
  nodeCrypto.randomFillSync = <B extends NodeJS.ArrayBufferView>(buf: B): B => {
    new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).set(rng.bytes(buf.byteLength));
    return buf;
  };
  try {
    return fn();
  } finally {
    nodeCrypto.randomFillSync = original;
  }
}

/** Load SEAL's contexts once, before any seeded session: their set-up draws randomness too. */
export async function warmUpSeal(modalities: readonly BioModality[]): Promise<void> {
  for (const m of modalities) (await HeClient.create(BIO_PARAMS[m])).dispose();
}

/** HE sessions whose keys and encryptions draw from `rng`. */
export function seededSessions(rng: SimRng): BioSessionFactory {
  let n = 0;
  return async (modality) => {
    const r = rng.child(`session:${n++}`);
    const he = await seeded(r.child('create'), () => HeClient.create(BIO_PARAMS[modality]));
    const session: BioSession = {
      get sessionId() {
        return seededSync(r.child('keys'), () => he.sessionId);
      },
      sessionKeys: () => seededSync(r.child('keys'), () => he.sessionKeys()),
      encryptProbe: (probe) => seededSync(r, () => he.encryptProbe(probe)),
      decryptMasked: (result) => he.decryptMasked(result),
      dispose: () => he.dispose(),
    };
    return session;
  };
}
