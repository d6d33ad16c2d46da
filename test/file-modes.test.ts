/**
 * File modes of a party's directory (issue 10, 4): whatever the umask, a node's and the coordinator's
 * directory is 0700 and every file in it that holds a key or records — the SQLite database with its
 * -wal and -shm files, the key files, analysts' credentials — is 0600. Runs the real set-up commands'
 * functions under umask 000, where anything created with default modes would be world-readable.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCoordinatorDir, SqliteCoordinatorStore } from '#coordinator';
import { initCrypto } from '#crypto';
import { addAnalyst, importFile, initNode, NodeStore, nodePaths } from '#node';
import { createLocalPki } from '#simulations';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('file modes of party directories', () => {
  const root = mkdtempSync(join(tmpdir(), 'veil-modes-'));
  let umask: number;
  beforeAll(async () => {
    await initCrypto();
    umask = process.umask(0o000);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('a node directory is 0700; its database (with -wal and -shm), keys and credentials are 0600', async () => {
    const dir = join(root, 'node-FR');
    const pki = createLocalPki(join(root, 'pki'));
    await initNode(dir, { port: 0, adminPort: 0, country: 'FR', coordinatorUrl: 'wss://127.0.0.1:1/v1/ws', bundle: pki.bundlePath });
    pki.certifyNode(dir);
    const records = join(root, 'records.ndjson');
    writeFileSync(
      records,
      `${JSON.stringify({ id: 'fr-1', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Martin', given: 'Paul', dob: '1970-01-01' } })}\n`,
    );
    await importFile(dir, records, { workers: 1 });
    const { path } = await addAnalyst(dir, 'Alice Martin', { nodeUrl: 'http://127.0.0.1:1' });
    const p = nodePaths(dir);
    // The database is open (as in a running node), so its -wal and -shm files exist.
    const store = new NodeStore(p.db);
    try {
      store.meta.set('probe', '1');
      expect(mode(dir)).toBe(0o700);
      for (const f of [p.db, `${p.db}-wal`, `${p.db}-shm`, p.keys, path]) {
        expect(existsSync(f), f).toBe(true);
        expect(mode(f), f).toBe(0o600);
      }
      expect(mode(p.analysts)).toBe(0o700);
    } finally {
      store.close();
    }
  });

  it('a coordinator directory is 0700; its database (with -wal and -shm) and key are 0600', async () => {
    const dir = join(root, 'coord');
    initCoordinatorDir(dir, { bundle: createLocalPki(join(root, 'pki2')).bundlePath });
    const store = new SqliteCoordinatorStore(join(dir, 'coordinator.db'));
    try {
      await store.meta.set('probe', '1');
      expect(mode(dir)).toBe(0o700);
      for (const f of ['coordinator.db', 'coordinator.db-wal', 'coordinator.db-shm', 'keys.json']) expect(mode(join(dir, f)), f).toBe(0o600);
    } finally {
      await store.close();
    }
  });
});
