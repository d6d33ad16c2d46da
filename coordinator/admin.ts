/**
 * Offline administration of the coordinator's registry: admitting a node by its public keys.
 * Runs against the database file, so it works whether or not the coordinator is running (WAL lets both
 * open it); a running coordinator reads the registry on every login.
 */
import { initCrypto, fromBase64url } from '#crypto';
import { readJsonFile } from '#platform';
import { z } from 'zod';
import { SqliteCoordinatorStore } from './store/sqlite-store.ts';
import { coordinatorPaths, loadCoordinatorKey } from './config.ts';
import { VeilError } from '#protocol';

/** The public part of a node, written by `veil node init` as `descriptor.json`. */
export const AdmissionFile = z.strictObject({
  country: z.string().regex(/^[A-Z]{2}$/),
  signPub: z.string().min(40).max(50),
  boxPub: z.string().min(40).max(50),
});

export async function admitMember(dir: string, file: string): Promise<{ country: string }> {
  await initCrypto();
  const a = readJsonFile(file, AdmissionFile, 'node admission file');
  const signPub = fromBase64url(a.signPub);
  const boxPub = fromBase64url(a.boxPub);
  if (signPub.length !== 32 || boxPub.length !== 32) throw new VeilError('bad_key', 'public keys must be 32 bytes');
  const key = loadCoordinatorKey(dir);
  const store = new SqliteCoordinatorStore(coordinatorPaths(dir).db, { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() } });
  try {
    await store.members.admit({ country: a.country, signPub, boxPub }, { kind: 'member.admitted', country: a.country });
  } finally {
    await store.close();
  }
  return { country: a.country };
}

export async function listMembers(dir: string): Promise<Array<{ country: string; admittedAt: string; hasDescriptor: boolean }>> {
  const store = new SqliteCoordinatorStore(coordinatorPaths(dir).db);
  try {
    return (await store.members.listActive()).map((m) => ({ country: m.country, admittedAt: new Date(m.admittedAt).toISOString(), hasDescriptor: m.descriptor !== null }));
  } finally {
    await store.close();
  }
}
