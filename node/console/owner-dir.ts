/**
 * Owner account operations on a node directory, for the CLI (`veil node owner add|list|disable`).
 * They work whether or not the node is running: a running console sees new and disabled accounts on
 * the next request (SQLite WAL, one file).
 */
import { initCrypto } from '#crypto';
import { nodeAudit } from '../admin-ops.ts';
import { loadNodeKeys, nodePaths } from '../config.ts';
import { NodeStore } from '../store/sqlite-store.ts';
import { addOwner, disableOwner, listOwners, type OwnerInfo } from './owners.ts';

export async function addOwnerInDir(dir: string, name: string, password: string): Promise<{ id: string }> {
  await initCrypto();
  const keys = loadNodeKeys(dir);
  const store = new NodeStore(nodePaths(dir).db);
  try {
    return addOwner(store, nodeAudit(store, keys), name, password);
  } finally {
    store.close();
  }
}

export function listOwnersInDir(dir: string): OwnerInfo[] {
  const store = new NodeStore(nodePaths(dir).db);
  try {
    return listOwners(store);
  } finally {
    store.close();
  }
}

export async function disableOwnerInDir(dir: string, id: string): Promise<void> {
  await initCrypto();
  const keys = loadNodeKeys(dir);
  const store = new NodeStore(nodePaths(dir).db);
  try {
    disableOwner(store, nodeAudit(store, keys), id);
  } finally {
    store.close();
  }
}
