/**
 * Canaries: distinctive names, document numbers, a VIN, a date of birth and a justification are sent
 * through a real network (the CLI's processes over HTTPS and TLS websockets, logging at `trace`), as
 * records, hits, misses, disclosure requests, an approval, a refused claim, malformed analyst requests
 * and malformed member frames. None of them may appear in any process's log, the audit chains, the
 * errors sent back to an analyst or a member, or any file of the coordinator (its database included);
 * the countries that do not hold them keep none in their directories either. The owner's database
 * and the analyst's opened release must hold them: that is what shows the scan can find them.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, toHex, utf8 } from '#crypto';
import { loadNodeKeys, NodeStore, nodePaths } from '#node';
import { readCertificateFile } from '#platform';
import { encode, keyId, signEnvelope } from '#protocol';
import { type QueryResult, VeilClient } from '#sdk';
import { type LocalNetwork, runVeil, runVeilOk, startLocalNetwork, waitFor } from '#simulations';
import { fetchPinned } from './helpers/https.ts';
import { RawNode } from './helpers/raw-node.ts';

const CANARIES = [
  'Zephyrine',
  'Quaxmorvell',
  'Oddvarine',
  'Brimwhistle',
  'QX7Z93KD41',
  'KR5W07PL88',
  'WDB9634031L738215',
  '1961-03-17',
  '19610317',
  'Kestrelvane',
  'Fishwhistle',
] as const;
const NEEDLES = CANARIES.flatMap((c) => [c.toLowerCase(), toHex(utf8(c))]);
/** The canaries found in `text` (case-insensitive, also as hex of their bytes). */
const canariesIn = (text: string | Uint8Array): string[] => {
  const s = (typeof text === 'string' ? text : Buffer.from(text).toString('latin1')).toLowerCase();
  return NEEDLES.filter((n) => s.includes(n));
};

const PASSWORD = 'canary-test-owner-password';
const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-77', legalBasis: 'art-3', handling: 'restricted' } as const;
const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const canaryPerson = {
  id: 'de-c-1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Quaxmorvell', given: 'Zephyrine', dob: '1961-03-17', nationality: 'DEU', sex: 'F' },
  documents: [{ type: 'passport', country: 'DEU', number: 'QX7Z93KD41', status: 'valid' }],
};
const canaryCar = { id: 'de-c-2', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'WDB9634031L738215' } };
const NOBODY = { v: 1, answer: [], budgets: { dailyEvaluations: 1000, perRequester: {} } };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('canaries sent through a real network', () => {
  let net: LocalNetwork;
  let caPem: string;
  let client: VeilClient;
  /** Everything sent back to an analyst or a member that is not an opened release. */
  const toPeers: { what: string; bytes: string | Uint8Array }[] = [];
  /** Output of CLI commands that report on what they did. */
  const cliOutput: string[] = [];
  let requestId = '';

  const record = (what: string, r: QueryResult) => toPeers.push({ what, bytes: JSON.stringify(r) });

  beforeAll(async () => {
    await initCrypto();
    net = await startLocalNetwork(
      [{ country: 'FR' }, { country: 'DE', records: nd([canaryPerson, canaryCar]) }, { country: 'NL', policy: NOBODY }, { country: 'PL' }],
      { keep: true, env: { VEIL_LOG_LEVEL: 'trace', VEIL_LOG_FORMAT: 'json' } },
    );
    caPem = readFileSync(join(net.orgDir, 'ca.pem'), 'utf8');
    await net.settled();
    client = await VeilClient.connect(await net.addAnalyst('FR', 'Canary Analyst'));
  });

  afterAll(async () => {
    await client?.close();
    await net?.stop();
    if (net) rmSync(net.root, { recursive: true, force: true });
  });

  it('finds the canary records and misses the absent ones; NL refuses', async () => {
    const byName = await client.query({ name: 'Zephyrine Quaxmorvell', dob: '1961-03-17' }, CTX);
    record('query by name', byName);
    expect(byName.results.find((x) => x.country === 'DE')?.status).toBe('hit');
    expect(byName.results.find((x) => x.country === 'NL')).toMatchObject({ status: 'refused' });
    const byDoc = await client.query({ doc: { type: 'passport', country: 'DEU', number: 'QX7Z93KD41' } }, CTX, { mode: 'bucket' });
    record('query by document', byDoc);
    expect(byDoc.results.find((x) => x.country === 'DE')?.status).toBe('hit');
    const byVin = await client.query({ vin: 'WDB9634031L738215' }, CTX);
    record('query by VIN', byVin);
    expect(byVin.results.find((x) => x.country === 'DE')?.status).toBe('hit');
    const missName = await client.query({ name: 'Oddvarine Brimwhistle', dob: '1961-03-17' }, CTX);
    record('miss by name', missName);
    expect(missName.results.find((x) => x.country === 'DE')?.status).toBe('no-hit');
    const missDoc = await client.query({ doc: { type: 'passport', country: 'DEU', number: 'KR5W07PL88' } }, CTX);
    record('miss by document', missDoc);
    expect(missDoc.results.find((x) => x.country === 'DE')?.status).toBe('no-hit');
  });

  it('releases the canary record to the analyst alone, and refuses a fishing claim without quoting it', async () => {
    const subject = { name: 'Zephyrine Quaxmorvell', dob: '1961-03-17' };
    const q = await client.query(subject, CTX, { targets: ['DE'] });
    const hit = { country: 'DE', token: q.results[0]!.hits.find((h) => h.cls === 'name_dob')!.token };
    const ctx = { purpose: CTX.purpose, caseRef: CTX.caseRef, legalBasis: CTX.legalBasis };
    const req = await client.requestDisclosure(hit, subject, ctx, {
      fields: ['name', 'dob', 'documents'],
      justification: 'Kestrelvane operation: Zephyrine Quaxmorvell seen with passport QX7Z93KD41.',
    });
    requestId = req.id;
    const fishing = await client.requestDisclosure(hit, { name: 'Oddvarine Brimwhistle', dob: '1961-03-17' }, ctx, {
      fields: ['name'],
      justification: 'Fishwhistle: is Oddvarine Brimwhistle known?',
    });

    const de = net.nodeDir('DE');
    await waitFor('DE queued the request', async () => (await runVeilOk(['approvals', 'list', '--dir', de, '--json'])).includes(req.id));
    const asOwner = { env: { VEIL_OWNER_PASSWORD: PASSWORD } };
    const added = await runVeilOk(['node', 'owner', 'add', 'Canary Owner', '--dir', de], asOwner);
    const owner = /data owner (\S+) created/.exec(added)![1]!;
    const approved = await runVeil(['approvals', 'approve', req.id, '--dir', de, '--fields', 'name,documents', '--owner', owner], asOwner);
    expect(approved.code).toBe(0);
    cliOutput.push(added, approved.stdout, approved.stderr);

    await waitFor(
      'decisions delivered',
      async () => {
        const mine = await client.disclosures();
        return mine.some((d) => d.id === req.id && d.status === 'approved') && mine.some((d) => d.id === fishing.id && d.status === 'rejected');
      },
      60_000,
    );
    const mine = await client.disclosures();
    const rejected = mine.find((d) => d.id === fishing.id)!;
    expect(rejected).toMatchObject({ status: 'rejected', code: 'claim_mismatch' });
    toPeers.push({ what: 'refused disclosure', bytes: JSON.stringify(rejected) });
    // The opened release does carry the record: the canaries exist in plaintext where they should.
    const release = mine.find((d) => d.id === req.id)!;
    expect(canariesIn(JSON.stringify(release.released))).toEqual(expect.arrayContaining(['zephyrine', 'quaxmorvell', 'qx7z93kd41']));
  });

  it('answers malformed analyst requests carrying canaries without quoting them', async () => {
    const fr = net.nodes.get('FR')!.daemon.info;
    const cred = client.credential;
    const signed = encode(
      signEnvelope(cred.signing, keyId.analyst(cred.analystId), {
        t: 'query',
        id: toHex(randomBytes(16)),
        ts: Date.now(),
        nonce: randomBytes(16),
        ...CTX,
        caseRef: 'Zephyrine Quaxmorvell QX7Z93KD41 '.repeat(20),
        name: 'Zephyrine Quaxmorvell',
        targets: ['DE'],
        items: [{ cls: 'name_dob', blinded: utf8('QX7Z93KD41 Zephyrine Quaxmorvell') }],
      }),
    );
    const probes = [
      { path: '/v1/query', body: signed },
      { path: '/v1/query', body: utf8('{"name":"Zephyrine Quaxmorvell","doc":"QX7Z93KD41"}') },
      { path: '/v1/disclosures', body: encode({ claim: { name: 'Oddvarine Brimwhistle' }, justification: 'Kestrelvane' }) },
    ];
    for (const p of probes) {
      const r = await fetchPinned(`${fr.url}${p.path}`, caPem, { method: 'POST', body: p.body, headers: { 'content-type': 'application/msgpack' } });
      expect(r.status, p.path).toBeGreaterThanOrEqual(400);
      toPeers.push({ what: `gateway POST ${p.path} → ${r.status}`, bytes: r.body });
      toPeers.push({ what: `gateway POST ${p.path} headers`, bytes: JSON.stringify(r.headers) });
    }
    for (const url of [`${fr.url}/v1/disclosures/QX7Z93KD41-Zephyrine`, `${fr.consoleUrl}/requests/Quaxmorvell-Brimwhistle`]) {
      const r = await fetchPinned(url, caPem);
      toPeers.push({ what: `GET ${url} → ${r.status}`, bytes: r.body });
      toPeers.push({ what: `GET ${url} headers`, bytes: JSON.stringify(r.headers) });
    }
  });

  it('answers malformed member frames carrying canaries with bare error codes', async () => {
    // PL's own process steps aside; its keys and certificate drive a hand-made connection.
    await net.nodes.get('PL')!.daemon.stop();
    const dir = net.nodeDir('PL');
    const id = { signing: loadNodeKeys(dir).signing, certificate: readCertificateFile(nodePaths(dir).certificate) };
    const frames: Uint8Array[] = [
      utf8('{"t":"lookup","name":"Zephyrine Quaxmorvell","doc":"QX7Z93KD41"}'),
      encode({ t: 'lookup', id: 'Zephyrine-Quaxmorvell', items: ['QX7Z93KD41'] }),
      encode({ t: 'mail-send', mid: 'QX7Z93KD41', to: 'Brimwhistle', env: { note: 'Oddvarine Brimwhistle 1961-03-17' } }),
      encode({ t: 'Quaxmorvell', caseRef: 'Kestrelvane' }),
    ];
    for (const f of frames) {
      const pl = await RawNode.connect(net.coordinator.info.wsUrl!, 'PL', id, { caPem, coordinator: 'veil-coordinator' });
      expect(pl.refused).toBeUndefined();
      await pl.next('welcome');
      const before = pl.received.length;
      pl.sendRaw(f);
      await waitFor('an answer or a close', () => pl.received.length > before || pl.closed !== undefined);
      toPeers.push(...pl.received.slice(before).map((bytes) => ({ what: 'frame to PL', bytes })));
      if (pl.closed) toPeers.push({ what: 'close reason to PL', bytes: pl.closed.reason });
      expect(pl.frames.some((x) => x.t === 'error') || pl.closed !== undefined).toBe(true);
      pl.close();
    }
  });

  it('after a graceful stop, no log, audit chain, error or coordinator file holds a canary', async () => {
    expect(requestId).not.toBe('');
    const daemons = [net.coordinator, ...[...net.nodes.values()].map((n) => n.daemon)];
    await net.stop();
    const found: string[] = [];
    const check = (what: string, text: string | Uint8Array) => {
      const c = canariesIn(text);
      if (c.length > 0) found.push(`${what}: ${c.join(', ')}`);
    };

    // The processes did log, at trace level, about this very work.
    for (const d of daemons)
      expect(
        d
          .logs()
          .split('\n')
          .filter((l) => l.startsWith('{"level"')).length,
      ).toBeGreaterThan(5);
    expect(net.nodes.get('FR')!.daemon.logs()).toMatch(/"requestId"/);
    for (const d of daemons) check(`log of ${d.info.url}`, d.logs());
    for (const o of cliOutput) check('CLI output', o);
    for (const p of toPeers) check(p.what, p.bytes);

    for (const f of filesUnder(net.coordinatorDir)) check(f, readFileSync(f));
    for (const c of ['FR', 'NL', 'PL']) for (const f of filesUnder(net.nodeDir(c))) check(f, readFileSync(f));
    for (const f of filesUnder(net.root).filter((p) => /\.log$|[/\\]logs?[/\\]/i.test(p))) check(f, readFileSync(f));
    for (const c of ['FR', 'DE', 'NL', 'PL']) {
      const store = new NodeStore(nodePaths(net.nodeDir(c)).db);
      try {
        const rows = store.db.prepare('SELECT kind, data FROM audit_log').all();
        expect(rows.length).toBeGreaterThan(0);
        check(`audit chain of ${c}`, JSON.stringify(rows));
      } finally {
        store.close();
      }
    }
    expect(found).toEqual([]);

    // The owner's database holds its records, so the scan does see canaries where they are.
    expect(canariesIn(readFileSync(nodePaths(net.nodeDir('DE')).db))).toEqual(expect.arrayContaining(['quaxmorvell', 'qx7z93kd41', 'wdb9634031l738215']));
  });
});
