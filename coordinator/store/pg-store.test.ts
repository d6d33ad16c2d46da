/**
 * Runs the shared coordinator store suite against PostgreSQL: a real server started here on a free
 * port in a temporary directory (`startThrowawayPostgres`), one fresh database per case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, SigningKey } from '#crypto';
import { startThrowawayPostgres, type ThrowawayPostgres } from '#platform';
import { PostgresCoordinatorStore } from './pg-store.ts';
import { describeCoordinatorStore } from './store-suite.ts';

let server: ThrowawayPostgres;
let n = 0;
beforeAll(async () => {
  server = await startThrowawayPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const fresh = async () => server.createDatabase(`coord_${process.pid}_${++n}`);

describeCoordinatorStore('PostgreSQL', async (clock) => {
  await initCrypto();
  const key = SigningKey.generate();
  const store = await PostgresCoordinatorStore.open(await fresh(), { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() }, clock });
  return {
    store,
    auditKinds: async () =>
      (await store.db.query<{ kind: string }>("SELECT kind FROM audit_log WHERE kind <> 'audit.checkpoint' ORDER BY seq")).map((r) => r.kind),
  };
});

describe('PostgreSQL coordinator store specifics', () => {
  it('opened without a signer, serves reads and unaudited writes and refuses audited ones', async () => {
    const store = await PostgresCoordinatorStore.open(await fresh());
    try {
      await store.members.admit({ country: 'FR', signPub: new Uint8Array(32), cert: new Uint8Array(8) });
      expect((await store.members.listActive()).map((m) => m.country)).toEqual(['FR']);
      await expect(
        store.mailboxes.store({ mid: 'm-1', recipient: 'FR', sender: 'DE', body: new Uint8Array(1) }, { kind: 'mailbox.stored' }),
      ).rejects.toMatchObject({ code: 'internal' });
      expect(await store.mailboxes.counts()).toEqual({ pending: 0, delivered: 0 });
    } finally {
      await store.close();
    }
  });

  it('two stores on one database (two coordinator instances) chain one audit log without forks', async () => {
    await initCrypto();
    const url = await fresh();
    const key = SigningKey.generate();
    const signer = { sign: (m: Uint8Array) => key.sign(m), publicKey: key.publicKey() };
    const a = await PostgresCoordinatorStore.open(url, { signer });
    const b = await PostgresCoordinatorStore.open(url, { signer });
    try {
      const mail = (i: number) => ({ mid: `m-${i}`, recipient: 'DE', sender: 'FR', body: Uint8Array.of(i) });
      const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).mailboxes.store(mail(i % 30), { kind: 'mailbox.stored', requestId: `m-${i % 30}` }));
      const outcomes = await Promise.all(writes);
      expect(outcomes.filter((o) => o === 'stored')).toHaveLength(30);
      const rows = await a.db.query<{ seq: number; prev_hash: Buffer; hash: Buffer; kind: string }>(
        'SELECT seq, prev_hash, hash, kind FROM audit_log ORDER BY seq',
      );
      expect(rows.filter((r) => r.kind === 'mailbox.stored')).toHaveLength(30);
      rows.forEach((r, i) => {
        expect(r.seq).toBe(i + 1);
        if (i > 0) expect(r.prev_hash.equals(rows[i - 1]?.hash as Buffer)).toBe(true);
      });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses to rewrite the audit log', async () => {
    await initCrypto();
    const key = SigningKey.generate();
    const store = await PostgresCoordinatorStore.open(await fresh(), { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() } });
    try {
      await store.audit.append([{ kind: 'coordinator.started' }]);
      await expect(store.db.run("UPDATE audit_log SET kind = 'x'")).rejects.toMatchObject({ code: 'internal' });
      await expect(store.db.run('DELETE FROM audit_log')).rejects.toMatchObject({ code: 'internal' });
      expect(await store.db.query('SELECT seq FROM audit_log')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
