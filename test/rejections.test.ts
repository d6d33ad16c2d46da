/**
 * Every rejection at the network's boundaries yields a typed error and no process falls over:
 * identity / non-canonical points, a wrong DLEQ proof from a node answering with another key, bad
 * signatures, unknown members, replays, oversized batches, malformed msgpack, unknown versions and an
 * over-budget requester. Real coordinator and nodes on loopback (in this process), real crypto.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { initCrypto, SigningKey, BoxKeyPair, OprfKey, randomBytes, toHex, toBase64url, blind } from '#crypto';
import { encode, decode, signEnvelope, PROTOCOL_VERSION, matchKeysForQuery, type QueryRequest, type ErrorCode, keyId } from '#protocol';
import { admitMember } from '#coordinator';
import { importFile } from '#node';
import type { Credential, VeilClient } from '#sdk';
import { startInproc, CTX, type Inproc } from './helpers/inproc.ts';
import { RawNode } from './helpers/raw-node.ts';

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
}

const person = { id: 'de-1', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' } };

describe('rejections', () => {
  let net: Inproc;
  let client: VeilClient;
  let cred: Credential;
  let rogueSigning: SigningKey;
  let rogueBox: BoxKeyPair;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([
      { country: 'FR' },
      { country: 'DE', records: [person], policy: { v: 1, answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }], budgets: { dailyEvaluations: 1000, perRequester: { FR: 1000, IT: 4 } } } },
      { country: 'IT' },
    ]);
    client = await net.client('FR');
    cred = client.credential;
    // A member admitted with real keys whose connection the test drives by hand.
    rogueSigning = SigningKey.generate();
    rogueBox = BoxKeyPair.generate();
    const f = join(net.root, 'rogue.json');
    writeFileSync(f, JSON.stringify({ country: 'RO', signPub: toBase64url(rogueSigning.publicKey()), boxPub: toBase64url(rogueBox.publicKey()) }));
    await admitMember(net.coordinatorDir, f);
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
    const res = await fetch(fr().url + path, { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const b = decode(bytes, 1 << 20) as { error?: { code: ErrorCode } };
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
    const rogue = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogueSigning);
    await rogue.next('welcome');
    const published = OprfKey.generate('voprf');
    rogue.descriptor(rogueBox.publicKey(), published);
    rogue.answerWith(OprfKey.generate('voprf'));
    await waitFor(async () => (await client.members(true)).some((m) => m.country === 'RO'));
    const r = await client.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['RO', 'DE'] });
    expect(r.results.find((x) => x.country === 'RO')).toMatchObject({ status: 'error', code: 'bad_proof' });
    expect(r.results.find((x) => x.country === 'DE')).toMatchObject({ status: 'hit' });
    rogue.close();
  });

  it('rejects bad signatures from analysts and at websocket login', async () => {
    const env = signEnvelope(cred.signing, keyId.analyst(cred.analystId), queryPayload());
    env.sig[0]! ^= 1;
    expect(await post(encode(env))).toMatchObject({ status: 401, code: 'bad_signature' });
    const stranger = SigningKey.generate();
    expect(await post(signed(queryPayload(), stranger))).toMatchObject({ status: 401, code: 'bad_signature' });
    expect(await post(signed(queryPayload(), stranger, 'analyst:nobody-000000'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    const impostor = await RawNode.connect(net.coordinator.wsUrl, 'DE', stranger);
    expect(await impostor.next('error')).toMatchObject({ code: 'bad_signature' });
  });

  it('rejects unknown members at login and reports unknown targets', async () => {
    const zz = await RawNode.connect(net.coordinator.wsUrl, 'ZZ', SigningKey.generate());
    expect(await zz.next('error')).toMatchObject({ code: 'unknown_member' });
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

    const rogue = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogueSigning);
    await rogue.next('welcome');
    rogue.sendRaw(new Uint8Array([0x92, 0xc1]));
    expect(await rogue.next('error')).toMatchObject({ code: 'bad_msgpack' });
    rogue.sendRaw(encode({ t: 'eval-results', results: 'nope' }));
    expect(await rogue.next('error')).toMatchObject({ code: 'bad_schema' });
    rogue.close();
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
    writeFileSync(f, [JSON.stringify(person), '{"id":"a b","kind":"person"}', '{', JSON.stringify({ ...person, id: 'de-2', person: { family: 'Secretname', dob: '1999-02-31' } })].join('\n'));
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

