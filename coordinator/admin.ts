/**
 * Offline administration of the coordinator's registry: admitting a node by its public keys.
 * Runs against the database file, so it works whether or not the coordinator is running (WAL lets both
 * open it); a running coordinator reads the registry on every login.
 */
import { initCrypto, fromBase64url } from '#crypto';
import { AuditLog, readJsonFile } from '#platform';
import { z } from 'zod';
import { CoordinatorStore } from './store/legacy-sqlite-store.ts';
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
  const store = new CoordinatorStore(coordinatorPaths(dir).db);
  try {
    const key = loadCoordinatorKey(dir);
    const audit = new AuditLog(store.db, { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() } });
    store.db.transaction(() => {
      store.admit(a.country, signPub, boxPub);
      audit.append({ kind: 'member.admitted', country: a.country });
    })();
  } finally {
    store.close();
  }
  return { country: a.country };
}

export function listMembers(dir: string): Array<{ country: string; admittedAt: string; hasDescriptor: boolean }> {
  const store = new CoordinatorStore(coordinatorPaths(dir).db);
  try {
    return store.members().map((m) => ({ country: m.country, admittedAt: new Date(m.admittedAt).toISOString(), hasDescriptor: m.descriptor !== null }));
  } finally {
    store.close();
  }
}
