/**
 * Every rejection at the network's boundaries yields a typed error and no process falls over:
 * identity / non-canonical points, a wrong DLEQ proof from a node answering with another key, bad
 * signatures, unknown members, replays, oversized batches, malformed msgpack, unknown versions and an
 * over-budget requester. Real coordinator and nodes on loopback (in this process), real crypto.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, blind, initCrypto, OprfKey, randomBytes, SigningKey, toHex } from '#crypto';
import { importFile } from '#node';
import { decode, type ErrorCode, encode, keyId, matchKeysForQuery, PROTOCOL_VERSION, type QueryRequest, signEnvelope } from '#protocol';
import type { Credential, VeilClient } from '#sdk';
import { createLocalPki } from '#simulations';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';
import { type RawIdentity, RawNode } from './helpers/raw-node.ts';

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
}

const person = { id: 'de-1', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' } };

describe('rejections', () => {
  let net: Inproc;
  let client: VeilClient;
  let cred: Credential;
  let rogue: RawIdentity;
  let rogueBox: BoxKeyPair;
  let caPem: string;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([
      { country: 'FR' },
      {
        country: 'DE',
        records: [person],
        policy: {
          v: 1,
          answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
          budgets: { dailyEvaluations: 1000, perRequester: { FR: 1000, IT: 4 } },
        },
      },
      { country: 'IT' },
    ]);
    client = await net.client('FR');
    cred = client.credential;
    // A member certified by the organisation whose connection the test drives by hand.
    rogue = net.pki.member('RO');
    rogueBox = BoxKeyPair.generate();
    caPem = net.pki.bundle().caPem;
  });

  afterAll(async () => {
    await net?.stop();
  });

  const fr = () => net.nodes.get('FR')!;

  function queryPayload(over: Partial<QueryRequest> = {}): QueryRequest {
    const k = matchKeysForQuery({ name: 'Karl Weber', dob: '1966-06-06' });
    return {
      t: 'query',
      id: toHex(randomBytes(16)),
      ts: Date.now(),
      nonce: randomBytes(16),
      ...CTX,
      targets: ['DE'],
      items: k.map((x) => ({ cls: x.cls, blinded: blind('voprf', x.input).blindedElement })),
      ...over,
    };
  }

  async function post(body: Uint8Array, path = '/v1/query'): Promise<{ status: number; code: ErrorCode | undefined; body: unknown }> {
    const res = await new Promise<{ status: number; bytes: Uint8Array }>((resolve, reject) => {
      const req = request(
        fr().url + path,
        { method: 'POST', ca: caPem, headers: { 'content-type': 'application/msgpack', 'content-length': String(body.length) } },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, bytes: new Uint8Array(Buffer.concat(chunks)) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const b = decode(res.bytes, 1 << 20) as { error?: { code: ErrorCode } };
    return { status: res.status, code: b.error?.code, body: b };
  }

  const signed = (p: unknown, signing = cred.signing, kid = keyId.analyst(cred.analystId)) => encode(signEnvelope(signing, kid, p));

  it('a normal query works (control)', async () => {
    const r = await client.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['DE'] });
    expect(r.results).toEqual([expect.objectContaining({ country: 'DE', status: 'hit' })]);
  });

  it('rejects the identity element and non-canonical encodings at the gateway', async () => {
    const items = queryPayload().items;
    const ident = await post(signed(queryPayload({ items: [{ cls: items[0]!.cls, blinded: new Uint8Array(32) }] })));
    expect(ident).toMatchObject({ status: 400, code: 'identity_point' });
    const nonCanon = await post(signed(queryPayload({ items: [{ cls: items[0]!.cls, blinded: new Uint8Array(32).fill(0xff) }] })));
    expect(nonCanon.status).toBe(400);
    expect(['non_canonical_point', 'bad_point']).toContain(nonCanon.code);
    const short = await post(signed(queryPayload({ items: [{ cls: items[0]!.cls, blinded: new Uint8Array(31) }] })));
    expect(short).toMatchObject({ status: 400, code: 'bad_schema' });
  });

  it('reports a node that answers with another key than it published as bad_proof, not as a no-hit', async () => {
    const ro = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogue, { caPem });
    await ro.next('welcome');
    const published = OprfKey.generate('voprf');
    ro.descriptor(rogueBox.publicKey(), published);
    ro.answerWith(OprfKey.generate('voprf'));
    await waitFor(async () => (await client.members(true)).some((m) => m.country === 'RO'));
    const r = await client.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['RO', 'DE'] });
    expect(r.results.find((x) => x.country === 'RO')).toMatchObject({ status: 'error', code: 'bad_proof' });
    expect(r.results.find((x) => x.country === 'DE')).toMatchObject({ status: 'hit' });
    ro.close();
  });

  it('rejects bad signatures from analysts and at websocket login', async () => {
    const env = signEnvelope(cred.signing, keyId.analyst(cred.analystId), queryPayload());
    env.sig[0]! ^= 1;
    expect(await post(encode(env))).toMatchObject({ status: 401, code: 'bad_signature' });
    const stranger = SigningKey.generate();
    expect(await post(signed(queryPayload(), stranger))).toMatchObject({ status: 401, code: 'bad_signature' });
    expect(await post(signed(queryPayload(), stranger, 'analyst:nobody-000000'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    // DE's certificate with a key that is not DE's: the login does not verify, no websocket is opened
    const impostor = await RawNode.connect(net.coordinator.wsUrl, 'RO', { signing: stranger, certificate: rogue.certificate }, { caPem });
    expect(impostor.refused).toEqual({ status: 401, code: 'bad_signature' });
  });

  it('rejects uncertified members at login and reports unknown targets', async () => {
    const otherOrg = createLocalPki(join(net.root, 'elsewhere'));
    const zz = await RawNode.connect(net.coordinator.wsUrl, 'ZZ', otherOrg.member('ZZ'), { caPem });
    expect(zz.refused).toEqual({ status: 401, code: 'untrusted_key' });
    const none = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogue, { caPem, noLogin: true });
    expect(none.refused).toEqual({ status: 401, code: 'unauthenticated' });
    const r = await client.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['ZZ'] });
    expect(r.results).toEqual([expect.objectContaining({ country: 'ZZ', status: 'error', code: 'unknown_member' })]);
  });

  it('rejects a replayed envelope and a stale timestamp; a retry with a fresh envelope is idempotent', async () => {
    const p = queryPayload();
    const body = signed(p);
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(await post(body)).toMatchObject({ status: 409, code: 'replay' });
    const retry = await post(signed({ ...p, nonce: randomBytes(16), ts: Date.now() }));
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(await post(signed(queryPayload({ ts: Date.now() - 3_600_000 })))).toMatchObject({ status: 409, code: 'replay' });
  });

  it('rejects oversized batches and bodies', async () => {
    const one = queryPayload().items[0]!;
    expect(await post(signed(queryPayload({ items: Array.from({ length: 65 }, () => one) })))).toMatchObject({ status: 413, code: 'too_large' });
    expect(await post(new Uint8Array(9 * 1024 * 1024))).toMatchObject({ status: 413, code: 'too_large' });
  });

  it('rejects malformed msgpack, trailing bytes and unknown versions over HTTP and websocket', async () => {
    expect(await post(new Uint8Array([0xc1, 0x00, 0x01]))).toMatchObject({ status: 400 });
    expect((await post(new Uint8Array([0xdc, 0xff]))).code).toBe('bad_msgpack');
    expect(await post(new Uint8Array([...signed(queryPayload()), 0x00]))).toMatchObject({ status: 400, code: 'bad_msgpack' });
    const future = signEnvelope(cred.signing, keyId.analyst(cred.analystId), queryPayload());
    expect(await post(encode({ ...future, v: PROTOCOL_VERSION + 1 }))).toMatchObject({ status: 400, code: 'version_too_new' });
    expect(await post(encode({ ...future, v: 0 }))).toMatchObject({ status: 400, code: 'version_too_old' });

    const ro = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogue, { caPem });
    await ro.next('welcome');
    ro.sendRaw(new Uint8Array([0x92, 0xc1]));
    expect(await ro.next('error')).toMatchObject({ code: 'bad_msgpack' });
    ro.sendRaw(encode({ t: 'eval-results', results: 'nope' }));
    expect(await ro.next('error')).toMatchObject({ code: 'bad_schema' });
    ro.close();
  });

  it('refuses an over-budget requester with a typed refusal', async () => {
    const it = await net.client('IT');
    const subject = { name: 'Karl Weber', dob: '1966-06-06' };
    const n = matchKeysForQuery(subject).length; // keys per query; IT may spend 4 evaluations a day at DE
    const answers: string[] = [];
    for (let i = 0; i < Math.ceil(4 / n) + 1; i++) {
      const r = await it.query(subject, CTX, { targets: ['DE'] });
      answers.push(r.results[0]!.status + (r.results[0]!.code ? `:${r.results[0]!.code}` : ''));
    }
    expect(answers.at(-1)).toBe('refused:over_budget');
    expect(answers[0]).toBe('hit');
  });

  it('reports invalid import lines with line numbers and reasons without values', async () => {
    const f = join(net.root, 'bad.ndjson');
    writeFileSync(
      f,
      [
        JSON.stringify(person),
        '{"id":"a b","kind":"person"}',
        '{',
        JSON.stringify({ ...person, id: 'de-2', person: { family: 'Secretname', dob: '1999-02-31' } }),
      ].join('\n'),
    );
    const r = await importFile(net.dir('DE'), f, { workers: 1 });
    expect(r.written).toBe(false);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    for (const e of r.errors) expect(e.reason).not.toMatch(/Secretname|1999-02-31/);
  });

  it('every party still serves after all of the above', async () => {
    const r = await client.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['DE', 'IT'] });
    expect(r.results.map((x) => `${x.country}:${x.status}`)).toEqual(['DE:hit', 'IT:no-hit']);
    expect(net.coordinator.connected()).toEqual(expect.arrayContaining(['DE', 'FR', 'IT']));
  });
});
