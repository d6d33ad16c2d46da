/**
 * Runs the shared coordinator store suite against SQLite, plus what is specific to the SQLite store
 * (no signer, in-memory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initCrypto, SigningKey } from '#crypto';
import { SqliteCoordinatorStore } from './sqlite-store.ts';
import { describeCoordinatorStore } from './store-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'veil-coord-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeCoordinatorStore('SQLite', async (clock) => {
  await initCrypto();
  const key = SigningKey.generate();
  const store = new SqliteCoordinatorStore(join(dir, `c-${++n}.db`), { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() }, clock });
  return {
    store,
    auditKinds: async () => (store.auditLog?.list({ limit: 1000 }) ?? []).map((r) => r.entry.kind).filter((k) => k !== 'audit.checkpoint'),
  };
});

describe('SQLite coordinator store specifics', () => {
  it('opened without a signer, serves reads and unaudited writes and refuses audited ones', async () => {
    await initCrypto();
    const path = join(dir, 'nosigner.db');
    const store = new SqliteCoordinatorStore(path);
    try {
      await store.members.admit({ country: 'FR', signPub: new Uint8Array(32), cert: new Uint8Array(8) });
      expect((await store.members.listActive()).map((m) => m.country)).toEqual(['FR']);
      await expect(
        store.mailboxes.store({ mid: 'm-1', recipient: 'FR', sender: 'DE', body: new Uint8Array(1) }, { kind: 'mailbox.stored' }),
      ).rejects.toMatchObject({
        code: 'internal',
      });
      expect(await store.mailboxes.counts()).toEqual({ pending: 0, delivered: 0 });
      expect(store.auditLog).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('works in memory and closes twice', async () => {
    const store = new SqliteCoordinatorStore(':memory:');
    await store.meta.set('a', 'b');
    expect(await store.meta.get('a')).toBe('b');
    await store.close();
    await store.close();
  });
});
