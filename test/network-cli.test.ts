/**
 * End to end through the real CLI: a coordinator and three country nodes as separate processes on
 * loopback (random ports, real SQLite files, real crypto), queried through the SDK and `veil query`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { type QueryResult, VeilClient } from '#sdk';
import { getJson, type LocalNetwork, runVeil, startLocalNetwork, syntheticRecords, waitFor } from '#simulations';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-7', legalBasis: 'art-3', handling: 'restricted' } as const;
const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;

const passport = {
  id: 'de-doc-1',
  kind: 'document',
  dataset: 'sltd',
  handling: 'restricted',
  documents: [{ type: 'passport', country: 'DEU', number: 'C01X00T47', status: 'stolen' }],
};
const dePerson = {
  id: 'de-p-1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Müller', given: 'Hans', dob: '1970-02-03', nationality: 'DEU' },
};
const uaPerson = {
  id: 'ua-p-1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Иванов', given: 'Владимир', dob: '21.05.1979' },
};
const uaCar = { id: 'ua-v-1', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'WVWZZZ1KZ6W000123' } };

const status = (r: QueryResult, c: string) => r.results.find((x) => x.country === c)?.status;

describe('network through the CLI', () => {
  let net: LocalNetwork;
  let cred: string;
  let client: VeilClient;

  beforeAll(async () => {
    await initCrypto();
    net = await startLocalNetwork([
      { country: 'FR', records: nd(syntheticRecords({ seed: 11, country: 'FR', country3: 'FRA', persons: 50, vehicles: 10 })) },
      { country: 'DE', records: nd([...syntheticRecords({ seed: 12, country: 'DE', country3: 'DEU', persons: 50, vehicles: 10 }), passport, dePerson]) },
      {
        country: 'UA',
        records: nd([uaPerson, uaCar]),
        policy: { v: 1, answer: [{ requesters: ['*'], purposes: ['wanted-person'], classes: ['*'] }], budgets: { dailyEvaluations: 1000, perRequester: {} } },
      },
    ]);
    await net.settled();
    cred = await net.addAnalyst('FR', 'Claire Test');
    client = await VeilClient.connect(cred);
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('finds an exact document hit and reports every other country', async () => {
    const r = await client.query({ doc: { type: 'passport', country: 'DEU', number: 'C01-X00-T47' } }, CTX);
    expect(status(r, 'DE')).toBe('hit');
    expect(r.results.find((x) => x.country === 'DE')!.hits).toEqual([expect.objectContaining({ cls: 'doc' })]);
    expect(status(r, 'UA')).toBe('no-hit');
    expect(r.results.map((x) => x.country).sort()).toEqual(['DE', 'UA']);
  });

  it('matches a name across scripts, in exact and bucket mode', async () => {
    for (const mode of ['exact', 'bucket'] as const) {
      const r = await client.query({ name: 'Vladimir IVANOV', dob: '1979-05-21' }, CTX, { mode });
      expect(status(r, 'UA')).toBe('hit');
      expect(r.results.find((x) => x.country === 'UA')!.hits.map((h) => h.cls)).toContain('name_dob');
      expect(status(r, 'DE')).toBe('no-hit');
    }
  });

  it('reports a refusal by policy and respects targets', async () => {
    const r = await client.query({ vin: 'WVWZZZ1KZ6W000123' }, { ...CTX, purpose: 'stolen-property' });
    expect(r.results.find((x) => x.country === 'UA')).toMatchObject({ status: 'refused', code: 'refused_by_policy' });
    const only = await client.query({ vin: 'WVWZZZ1KZ6W000123' }, CTX, { targets: ['UA'] });
    expect(only.results.map((x) => x.country)).toEqual(['UA']);
    expect(status(only, 'UA')).toBe('hit');
  });

  it('answers through `veil query --json` the same way', async () => {
    const r = await runVeil([
      'query',
      '--cred',
      cred,
      '--case',
      'T-1',
      '--legal-basis',
      'art-3',
      '--purpose',
      'wanted-person',
      '--name',
      'Hans Müller',
      '--dob',
      '03.02.1970',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as QueryResult;
    expect(status(out, 'DE')).toBe('hit');
    expect(status(out, 'UA')).toBe('no-hit');
    const text = await runVeil(['query', '--cred', cred, '--case', 'T-1', '--legal-basis', 'art-3', '--doc', 'passport:DEU:C01X00T47']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/DE {2}HIT: document number \(exact\)\n {6}--hit DE:[A-Za-z0-9_-]+ {2}document number\n/);
    expect(text.stdout).toMatch(/^1 of 2 countries asked holds a match; 1 country did not answer \(UA: refused\)/m);
    const usage = await runVeil(['query', '--cred', cred, '--case', 'T-1', '--legal-basis', 'art-3']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('error [bad_request]');
  });

  it('rejects an import file with invalid lines and writes nothing from it', async () => {
    const f = join(net.root, 'bad.ndjson');
    writeFileSync(
      f,
      `${nd([{ ...dePerson, id: 'de-new-1', person: { family: 'Schulz', given: 'Erika', dob: '1980-01-01' } }])}{"id":"x","kind":"person"}\nnot json\n`,
    );
    const r = await runVeil(['node', 'import', '--dir', net.nodeDir('DE'), f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 2: /);
    expect(r.stdout).toMatch(/line 3: /);
    const st = JSON.parse((await runVeil(['node', 'status', '--dir', net.nodeDir('DE'), '--json'])).stdout) as { records: number };
    expect(st.records).toBe(62); // 50 persons + 10 vehicles + passport + person: unchanged
    const skip = await runVeil(['node', 'import', '--dir', net.nodeDir('DE'), f, '--skip-invalid', '--json']);
    expect(skip.code).toBe(0);
    expect(JSON.parse(skip.stdout)).toMatchObject({ upserted: 1, invalid: 2, written: true });
  });

  it('re-imports idempotently, then publishes updates, deletions and a key rotation', async () => {
    const f = join(net.root, 'de-again.ndjson');
    writeFileSync(f, nd([passport, dePerson]));
    const again = JSON.parse((await runVeil(['node', 'import', '--dir', net.nodeDir('DE'), f, '--json'])).stdout);
    expect(again).toMatchObject({ unchanged: 2, upserted: 0, tagsAdded: 0, tagsRemoved: 0 });

    // Rotation: a new epoch, fully re-published; the node switches once the coordinator acknowledges.
    expect((await runVeil(['node', 'rotate-key', '--dir', net.nodeDir('DE')])).code).toBe(0);
    await waitFor('DE epoch 2 active', async () => {
      const st = JSON.parse((await runVeil(['node', 'status', '--dir', net.nodeDir('DE'), '--json'])).stdout) as {
        epochs: Array<{ epoch: number; state: string }>;
      };
      return st.epochs.some((e) => e.epoch === 2 && e.state === 'active');
    });
    await net.settled();
    await client.members(true);
    const r = await client.query({ doc: { type: 'passport', country: 'DEU', number: 'C01X00T47' } }, CTX);
    expect(r.results.find((x) => x.country === 'DE')).toMatchObject({ status: 'hit', epoch: 2 });

    // Deletion withdraws the tags.
    const del = join(net.root, 'de-del.ndjson');
    writeFileSync(del, nd([{ op: 'delete', id: 'de-doc-1' }]));
    expect((await runVeil(['node', 'import', '--dir', net.nodeDir('DE'), del])).code).toBe(0);
    await net.settled();
    const gone = await client.query({ doc: { type: 'passport', country: 'DEU', number: 'C01X00T47' } }, CTX);
    expect(status(gone, 'DE')).toBe('no-hit');

    // An update that changes a match key moves the hit.
    const upd = join(net.root, 'de-upd.ndjson');
    writeFileSync(upd, nd([{ ...dePerson, person: { ...dePerson.person, dob: '1971-02-03' } }]));
    expect((await runVeil(['node', 'import', '--dir', net.nodeDir('DE'), upd])).code).toBe(0);
    await net.settled();
    expect(status(await client.query({ name: 'Hans Müller', dob: '1970-02-03' }, CTX, { targets: ['DE'] }), 'DE')).not.toBe('hit');
    expect(status(await client.query({ name: 'Hans Müller', dob: '1971-02-03' }, CTX, { targets: ['DE'] }), 'DE')).toBe('hit');
  });

  it('reports a stopped node as unavailable, never as a no-hit, and every process stays up', async () => {
    const ua = net.nodes.get('UA')!;
    await ua.daemon.stop();
    await waitFor('coordinator notices UA left', async () => {
      const h = (await getJson(`${net.coordinator.info.url}/v1/health`, readFileSync(join(net.orgDir, 'ca.pem'), 'utf8'))) as { connected: number };
      return h.connected === 2;
    });
    const r = await client.query({ name: 'Vladimir Ivanov', dob: '1979-05-21' }, CTX);
    expect(r.results.find((x) => x.country === 'UA')).toMatchObject({ status: 'unavailable' });
    expect(net.coordinator.proc.exitCode).toBeNull();
    for (const c of ['FR', 'DE']) expect(net.nodes.get(c)!.daemon.proc.exitCode).toBeNull();
  });
});
