/**
 * The trust model's attacks, each tried against a real network on loopback (real TLS, real websockets,
 * real SQLite files, real crypto): relays between a node and the coordinator (a byte relay, relays
 * terminating TLS with a certificate from outside the organisation and with another member's
 * organisation certificate, a relayed login), a downgrade to plain transport, expired certificates, a
 * revoked member and a revoked analyst. The coordinator's own lies (a swapped descriptor, a hidden hit,
 * an invented hit) are in `trust-hostile-coordinator.test.ts`.
 */
import { writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadRevocations } from '#coordinator';
import { certificatePem, initCrypto, TlsKey } from '#crypto';
import { initNode, loadNodeCertificate, loadNodeKeys, type NodeHandle, revokeAnalyst, startNode } from '#node';
import { errorCodeOf, LOGIN_HEADER, MemberCertificate, readUnverified } from '#protocol';
import { type CapturedLog, capturingLogger } from './helpers/capture-log.ts';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';
import { RawNode } from './helpers/raw-node.ts';
import { byteRelay, selfSigned, tlsTrap } from './helpers/relays.ts';
import { until } from './helpers/until.ts';

const person = { id: 'de-1', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' } };

describe('trust attacks: relays, downgrade, expiry and revocation on a real network', () => {
  let net: Inproc;
  let caPem: string;
  const extra: NodeHandle[] = [];
  const servers: Array<{ close(cb?: () => void): unknown }> = [];

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records: [person] }, { country: 'PL' }]);
    caPem = net.pki.bundle().caPem;
  });

  afterAll(async () => {
    for (const n of extra) await n.close();
    for (const s of servers) s.close();
    await net?.stop();
  });

  /** A newly certified node `country` whose coordinator URL is `url`, logging to a capture. */
  async function nodeVia(country: string, url: string): Promise<{ node: NodeHandle; log: CapturedLog }> {
    const dir = net.dir(country);
    await initNode(dir, { port: 0, adminPort: 0, country, coordinatorUrl: url, bundle: net.pki.bundlePath });
    net.pki.certifyNode(dir);
    const log = capturingLogger();
    const node = await startNode(dir, { logger: log.logger });
    extra.push(node);
    return { node, log };
  }

  it('a relay terminating TLS with a certificate outside the organisation gets no login: the node refuses it and says why', async () => {
    const key = TlsKey.generate();
    const trap = await tlsTrap(key, selfSigned(key));
    servers.push(trap.server);
    const { log } = await nodeVia('AT', trap.url);
    await until('the node names the untrusted certificate', () => log.warned('untrusted_key') || undefined);
    expect(trap.requests).toBe(0);
  });

  it('a relay presenting another member’s organisation certificate is refused by the exact pin on the coordinator’s certificate', async () => {
    const mallory = net.pki.member('MT');
    const x509 = readUnverified(mallory.certificate, MemberCertificate).x509;
    const trap = await tlsTrap(mallory.tls, x509);
    servers.push(trap.server);
    const { log } = await nodeVia('BE', trap.url);
    await until('the node names the untrusted certificate', () => log.warned('untrusted_key') || undefined);
    expect(trap.requests).toBe(0);
  });

  it('a login relayed from another TLS session is refused by the coordinator (channel binding)', async () => {
    // A victim that trusts the organisation's CA but does not pin the coordinator's certificate logs in
    // to Mallory, a member holding a genuine organisation certificate; Mallory replays the login header
    // over its own TLS session to the coordinator.
    const mallory = net.pki.member('MT');
    const relay = createHttpsServer({
      key: mallory.tls.pkcs8Pem(),
      cert: certificatePem(readUnverified(mallory.certificate, MemberCertificate).x509),
      minVersion: 'TLSv1.3',
    });
    servers.push(relay);
    const replayed = new Promise<{ status: number; code: string | undefined }>((resolve, reject) => {
      relay.on('upgrade', (req, victimSocket: Socket) => {
        const header = req.headers[LOGIN_HEADER];
        const ws = new WebSocket(net.coordinator.wsUrl, { ca: caPem, headers: typeof header === 'string' ? { [LOGIN_HEADER]: header } : {} });
        ws.on('open', () => {
          reject(new Error('the coordinator accepted a relayed login'));
          ws.terminate();
          victimSocket.destroy();
        });
        ws.on('unexpected-response', (_r, res) => {
          const code = res.headers['x-veil-error'];
          resolve({ status: res.statusCode ?? 0, code: typeof code === 'string' ? code : undefined });
          ws.terminate();
          victimSocket.end('HTTP/1.1 401 Unauthorized\r\nx-veil-error: unauthenticated\r\ncontent-length: 0\r\n\r\n');
        });
        ws.on('error', () => undefined);
      });
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const fr = loadNodeCertificate(net.dir('FR'));
    const victim = await RawNode.connect(
      `wss://127.0.0.1:${(relay.address() as { port: number }).port}/v1/ws`,
      'FR',
      { signing: loadNodeKeys(net.dir('FR')).signing, certificate: fr.certificate },
      { caPem },
    );
    expect(victim.refused?.status).toBe(401);
    expect(await replayed).toEqual({ status: 401, code: 'unauthenticated' });
  });

  it('a byte relay carries only ciphertext: no login, no certificate, no frame readable on the path', async () => {
    const relay = await byteRelay(net.coordinator.port);
    servers.push(relay.server);
    const { node } = await nodeVia('CZ', relay.url);
    await node.link.whenReady();
    await node.published();
    const path = Buffer.concat(relay.seen);
    expect(path.length).toBeGreaterThan(1000);
    expect(path.includes(Buffer.from(LOGIN_HEADER))).toBe(false);
    expect(path.includes(Buffer.from(loadNodeCertificate(net.dir('CZ')).certificate.sig))).toBe(false);
    // The country as any frame would carry it in the clear: a msgpack string or a JSON one. (The two
    // bytes 'CZ' alone turn up by chance in a few kilobytes of ciphertext: about one run in twenty.)
    expect(path.includes(Buffer.from([0xa2, 0x43, 0x5a]))).toBe(false);
    expect(path.includes(Buffer.from('"CZ"'))).toBe(false);
  });

  it('a downgrade to plain transport is refused: no ws:// URL without the development flag, and a plain server gets only a TLS hello', async () => {
    const dir = net.dir('DK');
    await initNode(dir, { port: 0, adminPort: 0, country: 'DK', coordinatorUrl: net.coordinator.wsUrl.replace('wss://', 'ws://'), bundle: net.pki.bundlePath });
    net.pki.certifyNode(dir);
    const refused = await startNode(dir, { logger: capturingLogger().logger }).then(
      (n) => {
        extra.push(n);
        return 'started';
      },
      (e: unknown) => errorCodeOf(e),
    );
    expect(refused).toBe('bad_config');

    const got: Buffer[] = [];
    const plain = createTcpServer((s) => {
      s.on('data', (b: Buffer) => {
        got.push(b);
        s.end('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n');
      });
      s.on('error', () => undefined);
    });
    servers.push(plain);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
    const { log } = await nodeVia('EE', `wss://127.0.0.1:${(plain.address() as { port: number }).port}/v1/ws`);
    await until('the node tried and gave up', () => (got.length > 0 && log.warnings.length > 0) || undefined);
    const bytes = Buffer.concat(got);
    expect(bytes[0]).toBe(0x16); // a TLS handshake record: the node never spoke plain HTTP
    expect(bytes.includes(Buffer.from(LOGIN_HEADER))).toBe(false);
  });

  it('an expired certificate is refused at login by the coordinator, and a node will not start on one', async () => {
    const day = 86_400_000;
    const old = net.pki.member('LV', { now: Date.now() - 3 * day, days: 1 });
    const raw = await RawNode.connect(net.coordinator.wsUrl, 'LV', old, { caPem });
    expect(raw.refused).toEqual({ status: 401, code: 'certificate_expired' });

    const dir = net.dir('LT');
    await initNode(dir, { port: 0, adminPort: 0, country: 'LT', coordinatorUrl: net.coordinator.wsUrl, bundle: net.pki.bundlePath });
    net.pki.certifyNode(dir, { now: Date.now() - 3 * day, days: 1 });
    const started = await startNode(dir, { logger: capturingLogger().logger }).then(
      (n) => {
        extra.push(n);
        return 'started';
      },
      (e: unknown) => errorCodeOf(e),
    );
    expect(started).toBe('certificate_expired');
  });

  it('a revoked member is cut off within the distribution interval: disconnected, refused at login, and dropped by every node', async () => {
    expect(net.coordinator.connected()).toContain('PL');
    const file = join(net.root, 'crl-pl.json');
    writeFileSync(file, JSON.stringify(net.pki.authority().setStatus('node', 'PL', 'revoked')));
    const t0 = Date.now();
    await loadRevocations(net.coordinatorDir, file);
    const de = net.nodes.get('DE')!;
    // docs/trust.md: one poll (1 s) plus delivery — 2 s; 1 s of slack for a loaded machine.
    await until('PL cut off', () => (!net.coordinator.connected().includes('PL') && de.members.get('PL') === undefined) || undefined);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(de.members.revocations.status('node', 'PL')).toBe('revoked');
    expect(net.nodes.get('FR')!.members.revocations.status('node', 'PL')).toBe('revoked');
    const pl = loadNodeCertificate(net.dir('PL'));
    const again = await RawNode.connect(net.coordinator.wsUrl, 'PL', { signing: loadNodeKeys(net.dir('PL')).signing, certificate: pl.certificate }, { caPem });
    expect(again.refused).toEqual({ status: 401, code: 'revoked' });
    const client = await net.client('DE');
    const r = await client.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['PL'] });
    expect(r.results).toEqual([expect.objectContaining({ country: 'PL', status: 'error', code: 'unknown_member' })]);
  });

  it('a revoked analyst is refused by its node’s gateway at once; the node’s other analysts keep working', async () => {
    const mallory = await net.client('FR', 'Revoked Analyst');
    const colleague = await net.client('FR', 'Colleague');
    const hit = await mallory.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['DE'] });
    expect(hit.results[0]?.status).toBe('hit');
    expect(await revokeAnalyst(net.dir('FR'), mallory.credential.analystId)).toBe(true);
    await expect(mallory.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['DE'] })).rejects.toMatchObject({ code: 'unauthenticated' });
    const ok = await colleague.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['DE'] });
    expect(ok.results[0]?.status).toBe('hit');
  });
});
