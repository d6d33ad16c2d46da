/**
 * Offline administration of the coordinator: listing its members and handing it the organisation's
 * latest revocation list. Both run against its store — the SQLite file (WAL lets them open it while the
 * coordinator runs) or the shared PostgreSQL database of a replicated deployment — so they work whether
 * or not it is running; the running (leading) coordinator picks up a new list within a second and sends
 * it to every node.
 */
import { initCrypto } from '#crypto';
import { readRevocationFile } from '#platform';
import { loadCoordinatorBundle, loadCoordinatorConfig, loadCoordinatorKey } from './config.ts';
import { openCoordinatorStore } from './store/open-store.ts';
import { storeRevocations } from './trust.ts';

export async function loadRevocations(dir: string, file: string): Promise<{ seq: number; applied: boolean }> {
  await initCrypto();
  const list = readRevocationFile(file);
  const bundle = loadCoordinatorBundle(dir);
  const key = loadCoordinatorKey(dir);
  const { store } = await openCoordinatorStore(dir, loadCoordinatorConfig(dir), { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() } });
  try {
    return await storeRevocations(store.meta, bundle, list);
  } finally {
    await store.close();
  }
}

export async function listMembers(dir: string): Promise<Array<{ country: string; admittedAt: string; hasDescriptor: boolean; status: string }>> {
  const { store } = await openCoordinatorStore(dir, loadCoordinatorConfig(dir));
  try {
    return (await store.members.listActive()).map((m) => ({
      country: m.country,
      admittedAt: new Date(m.admittedAt).toISOString(),
      hasDescriptor: m.descriptor !== null,
      status: m.status,
    }));
  } finally {
    await store.close();
  }
}
