/**
 * The SDK's edge to its own node without sockets: error bodies become registry codes, the fetch
 * transport sends what the gateway expects, and connection options are checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { encode, MembersResponse } from '#protocol';
import { VeilClient } from './client.ts';
import { analystCredential, errorResponse, FakeGateway, seeded } from './fake-gateway.test-fixture.ts';
import { httpTransport, readResponse } from './transport.ts';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const PERSON = { name: 'Hans Müller', dob: '1970-01-31' };

async function network() {
  const rng = seeded(2);
  const cred = analystCredential('FR', rng);
  const gw = new FakeGateway(cred, rng);
  for (const c of ['FR', 'DE']) gw.add(c);
  const client = await VeilClient.connect(cred, { transport: gw });
  return { gw, cred, client, rng };
}

describe('transport', () => {
  beforeAll(initCrypto);

  it('maps a node error body to its registry code, anything else to internal', () => {
    expect(() => readResponse(errorResponse(403, 'forbidden'), MembersResponse)).toThrow(expect.objectContaining({ name: 'VeilError', code: 'forbidden' }));
    expect(() => readResponse(errorResponse(503, 'unavailable'), MembersResponse)).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(() => readResponse({ status: 502, bytes: new TextEncoder().encode('<html>bad gateway</html>') }, MembersResponse)).toThrow(
      expect.objectContaining({ code: 'internal' }),
    );
    // An error body naming a code outside the registry is not one of ours either.
    expect(() => readResponse({ status: 400, bytes: encode({ error: { code: 'teapot', message: 'x' } }) }, MembersResponse)).toThrow(
      expect.objectContaining({ code: 'internal' }),
    );
    // A success whose body does not decode, or does not match the schema, is rejected as such.
    expect(() => readResponse({ status: 200, bytes: Uint8Array.of(0x81) }, MembersResponse)).toThrow(expect.objectContaining({ code: 'bad_msgpack' }));
    expect(() => readResponse({ status: 200, bytes: encode({ members: 'no' }) }, MembersResponse)).toThrow(expect.objectContaining({ code: 'bad_schema' }));
    expect(readResponse({ status: 200, bytes: encode({ members: [], revocations: null }) }, MembersResponse)).toEqual({ members: [], revocations: null });
  });

  it('every flow rejects with the code the node answered', async () => {
    const { gw, client } = await network();
    gw.failNext = errorResponse(503, 'unavailable');
    await expect(client.members(true)).rejects.toMatchObject({ code: 'unavailable' });
    gw.failNext = errorResponse(429, 'rate_limited');
    await expect(client.query(PERSON, CTX)).rejects.toMatchObject({ code: 'rate_limited' });
    gw.failNext = errorResponse(504, 'timeout');
    await expect(client.disclosures()).rejects.toMatchObject({ code: 'timeout' });
    gw.failNext = errorResponse(403, 'forbidden');
    await expect(client.requestDisclosure({ country: 'DE', token: 'AAAA' }, PERSON, CTX, { fields: ['name'], justification: 'j' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    // A transport failure (e.g. connection refused) propagates as the transport threw it.
    const refused = new TypeError('fetch failed');
    gw.failNext = refused;
    await expect(client.members(true)).rejects.toBe(refused);
  });

  it('requests are signed with the analyst’s key: a node rejects another key or an unknown analyst', async () => {
    const { gw, cred, rng, client } = await network();
    await expect(client.query(PERSON, CTX)).resolves.toBeDefined();
    const impostor = await VeilClient.connect({ ...analystCredential('FR', rng), analystId: cred.analystId }, { transport: gw });
    await expect(impostor.query(PERSON, CTX)).rejects.toMatchObject({ code: 'bad_signature' });
    const stranger = await VeilClient.connect(analystCredential('FR', rng, 'someone-else'), { transport: gw });
    await expect(stranger.disclosures()).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('the fetch transport posts msgpack to the node URL and returns status and bytes', async () => {
    const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fakeFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      calls.push({ url: String(url), init });
      return new Response(Uint8Array.of(1, 2, 3), { status: 409 });
    };
    const t = httpTransport('http://node.test:8080', fakeFetch as typeof fetch);
    expect(await t.get('/v1/members')).toEqual({ status: 409, bytes: Uint8Array.of(1, 2, 3) });
    expect(await t.post('/v1/query', Uint8Array.of(9))).toEqual({ status: 409, bytes: Uint8Array.of(1, 2, 3) });
    expect(calls[0]).toEqual({ url: 'http://node.test:8080/v1/members', init: { headers: { accept: 'application/msgpack' } } });
    expect(calls[1]).toEqual({
      url: 'http://node.test:8080/v1/query',
      init: { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body: Uint8Array.of(9) },
    });
  });

  it('connect needs a node URL unless a transport is given, and trims its trailing slash', async () => {
    const cred = analystCredential('FR', seeded(4));
    await expect(VeilClient.connect(cred)).rejects.toMatchObject({ code: 'bad_config' });
    expect((await VeilClient.connect(cred, { nodeUrl: 'http://node.test:8080/' })).nodeUrl).toBe('http://node.test:8080');
    expect((await VeilClient.connect({ ...cred, nodeUrl: 'http://fr.test' })).nodeUrl).toBe('http://fr.test');
    const injected = await VeilClient.connect(cred, { transport: new FakeGateway(cred, seeded(4)) });
    expect(injected.nodeUrl).toBe('');
    expect(injected.country).toBe('FR');
  });
});

describe('nodeTransport on a real socket', () => {
  it('sends again, on a fresh socket, a request that failed on a kept-alive socket the node had closed', async () => {
    const { createServer } = await import('node:http');
    const { nodeTransport } = await import('./transport.ts');
    // The second request on a kept-alive connection finds it reset, as when the node closed it as idle
    // just as the request left: the request never reached the node, so it must not fail the analyst.
    const perSocket = new WeakMap<object, number>();
    let served = 0;
    const server = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) {
        req.socket.resetAndDestroy();
        return;
      }
      served++;
      req.resume();
      req.on('end', () => res.end(encode({ members: [], revocations: null })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const addr = server.address();
      if (!addr || typeof addr === 'string') throw new Error('no address');
      const t = nodeTransport(`http://127.0.0.1:${addr.port}`, { caPem: '', nodeCertificate: new Uint8Array() });
      for (let i = 0; i < 3; i++) {
        const r = await t.post('/v1/members', encode({ i }));
        expect(readResponse(r, MembersResponse)).toEqual({ members: [], revocations: null });
      }
      expect(served).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
