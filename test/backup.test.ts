/**
 * `veil node backup` and `veil node restore` through the real CLI: a node is backed up while it runs and
 * answers queries, the backup is restored onto a new directory, and the restored node — started in
 * place of the original — answers the same queries with its audit chain intact. A wrong passphrase, a
 * damaged or cut-short archive and a non-empty target are refused, and leave nothing behind.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { NodeStore, nodePaths } from '#node';
import { type QueryResult, VeilClient } from '#sdk';
import { getJson, type LocalNetwork, runVeil, runVeilOk, startDaemon, startLocalNetwork, syntheticRecords, waitFor } from '#simulations';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-9', legalBasis: 'art-3', handling: 'restricted' } as const;
const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const PASS = 'correct horse battery staple';
const env = { VEIL_BACKUP_PASSPHRASE: PASS };

const passport = {
  id: 'de-doc-1',
  kind: 'document',
  dataset: 'sltd',
  handling: 'restricted',
  documents: [{ type: 'passport', country: 'DEU', number: 'C01X00T47', status: 'stolen' }],
};
const person = {
  id: 'de-p-1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Müller', given: 'Hans', dob: '1970-02-03', nationality: 'DEU' },
};

/** What an analyst learns about DE from a result: status and the classes of its hits. */
const seenOf = (r: QueryResult) => r.results.filter((x) => x.country === 'DE').map((x) => ({ status: x.status, hits: x.hits.map((h) => h.cls).sort() }));

describe('node backup and restore', () => {
  let net: LocalNetwork;
  let client: VeilClient;
  let backup: string;
  const queries = [
    { doc: { type: 'passport', country: 'DEU', number: 'C01X00T47' } },
    { name: 'Hans Müller', dob: '1970-02-03' },
    { name: 'Nobody Atall', dob: '1999-01-01' },
  ];
  let before: Array<ReturnType<typeof seenOf>>;

  beforeAll(async () => {
    await initCrypto();
    net = await startLocalNetwork([
      { country: 'FR' },
      { country: 'DE', records: nd([...syntheticRecords({ seed: 21, country: 'DE', country3: 'DEU', persons: 30, vehicles: 5 }), passport, person]) },
    ]);
    await net.settled();
    client = await VeilClient.connect(await net.addAnalyst('FR', 'Claire Backup'));
    before = [];
    for (const q of queries) before.push(seenOf(await client.query(q, CTX)));
    backup = join(net.root, 'de.veilbak');
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('backs up the running node while it answers queries', async () => {
    expect(before[0]).toEqual([{ status: 'hit', hits: ['doc'] }]);
    expect(before[2]).toEqual([{ status: 'no-hit', hits: [] }]);
    // Queries keep the node writing (audit, budgets) while the backup reads its snapshot.
    const [out] = await Promise.all([
      runVeilOk(['node', 'backup', '--dir', net.nodeDir('DE'), backup, '--json'], { env }),
      ...queries.map((q) => client.query(q, CTX)),
    ]);
    expect(JSON.parse(out)).toMatchObject({ country: 'DE', file: backup });
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    // The archive is encrypted: neither the record nor the keys appear in it.
    const bytes = readFileSync(backup);
    expect(bytes.includes(Buffer.from('C01X00T47'))).toBe(false);
    expect(bytes.includes(Buffer.from('Müller'))).toBe(false);
    expect(bytes.includes(Buffer.from('"signing"'))).toBe(false);
    // No snapshot is left in the node directory, and a second backup never overwrites the first.
    expect(readdirSync(net.nodeDir('DE')).filter((f) => f.startsWith('.backup-'))).toEqual([]);
    const again = await runVeil(['node', 'backup', '--dir', net.nodeDir('DE'), backup], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error [conflict]');
  });

  it('refuses a wrong passphrase, a damaged or cut-short archive and a non-empty target, leaving nothing behind', async () => {
    const target = join(net.root, 'never');
    const wrong = await runVeil(['node', 'restore', '--dir', target, backup], { env: { VEIL_BACKUP_PASSPHRASE: 'not the passphrase at all' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('error [decrypt_failed]');
    const bytes = readFileSync(backup);
    const damaged = Buffer.from(bytes);
    const mid = Math.floor(bytes.length / 2);
    damaged[mid] = (damaged[mid] ?? 0) ^ 0x01;
    writeFileSync(join(net.root, 'damaged.veilbak'), damaged);
    const d = await runVeil(['node', 'restore', '--dir', target, join(net.root, 'damaged.veilbak')], { env });
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('error [decrypt_failed]');
    writeFileSync(join(net.root, 'short.veilbak'), bytes.subarray(0, bytes.length - 100));
    const s = await runVeil(['node', 'restore', '--dir', target, join(net.root, 'short.veilbak')], { env });
    expect(s.code).toBe(1);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(net.root).filter((f) => f.includes('.restore-'))).toEqual([]);
    const busy = await runVeil(['node', 'restore', '--dir', net.nodeDir('FR'), backup], { env });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('error [conflict]');
  });

  it('restores onto a new directory: the restored node answers the same queries, audit chain intact', async () => {
    const de = net.nodes.get('DE');
    if (!de) throw new Error('no DE node');
    await de.daemon.stop();
    const dir = join(net.root, 'node-DE-restored');
    const r = JSON.parse(await runVeilOk(['node', 'restore', '--dir', dir, backup, '--json'], { env })) as { country: string; auditEntries: number };
    expect(r.country).toBe('DE');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'run.json'))).toBe(false);
    const daemon = await startDaemon(['node', 'start', '--dir', dir], join(dir, 'run.json'));
    net.nodes.set('DE', { dir, daemon });
    const caPem = readFileSync(join(net.orgDir, 'ca.pem'), 'utf8');
    await waitFor(
      'the restored node connected',
      async () => ((await getJson(`${daemon.info.url}/v1/health`, caPem)) as { coordinator: string }).coordinator === 'connected',
    );
    const after: Array<ReturnType<typeof seenOf>> = [];
    for (const q of queries) after.push(seenOf(await client.query(q, CTX)));
    expect(after).toEqual(before);
    const audit = JSON.parse(await runVeilOk(['audit', 'verify', '--dir', dir, '--json'])) as { ok: boolean; entries: number };
    expect(audit.ok).toBe(true);
    expect(audit.entries).toBeGreaterThanOrEqual(r.auditEntries);
    const store = new NodeStore(nodePaths(dir).db);
    try {
      const kinds = store.db
        .prepare<[], { kind: string }>('SELECT kind FROM audit_log ORDER BY seq')
        .all()
        .map((k) => k.kind);
      const tail = kinds.slice(kinds.lastIndexOf('node.backup'));
      expect(tail.slice(0, 2)).toEqual(['node.backup', 'node.restored']);
      expect(tail).toContain('node.started');
    } finally {
      store.close();
    }
  });
});
