/**
 * What an unauthenticated peer can cost the coordinator (issue 10, attack 4), on a real network.
 *
 * Nodes log in inside the WebSocket upgrade request, so no frame is ever read from a peer that has not
 * logged in. What remains before authentication is the TCP accept, the TLS handshake and the upgrade
 * request: connections that have not logged in are counted per address from the accept (the rest are
 * dropped before any TLS work), the request head is capped at 8 KiB, and a peer without a valid login
 * never gets a WebSocket. The flood here comes from 127.0.0.1, the address the honest nodes use too, so
 * the test also shows that logged-in members are not counted against it and keep being served.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import type { VeilClient } from '#sdk';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';

const MAX_PENDING = 4;
const anna = {
  id: 'de-anna',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Lindqvist', given: 'Anna', dob: '1979-03-14' },
};
const ANNA = { name: 'Anna Lindqvist', dob: '1979-03-14' };

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves true when the peer closes the socket within `ms`, false if it is still open then. */
function closedWithin(s: Socket, ms: number): Promise<boolean> {
  if (s.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    s.once('error', () => undefined);
  });
}

/** A TLS client that trusts anything (an attacker checks nothing) and sends `request` once connected. */
function rawTls(port: number, request: string): Promise<{ reply: string; sock: TLSSocket }> {
  return new Promise((resolve) => {
    let reply = '';
    const sock = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => sock.write(request));
    sock.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
    });
    sock.on('error', () => undefined);
    sock.on('close', () => resolve({ reply, sock }));
  });
}

describe('before authentication', () => {
  let net: Inproc;
  let analyst: VeilClient;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records: [anna] }], { maxPendingPerAddress: MAX_PENDING });
    analyst = await net.client('FR');
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('drops connections from one address past its pending cap at accept; logged-in members are not counted and keep being served', async () => {
    const port = net.coordinator.port;
    const held = [];
    for (let i = 0; i < MAX_PENDING; i++) held.push(await openTcp(port));
    const extra = await openTcp(port);
    expect(await closedWithin(extra, 2000)).toBe(true);
    for (const s of held) expect(await closedWithin(s, 50)).toBe(false);

    // While the address's pending slots are full, the members that logged in earlier answer as before.
    const r = await analyst.query(ANNA, CTX, { targets: ['DE'] });
    expect(r.results[0]?.status).toBe('hit');

    // Closing the held connections frees the slots.
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await openTcp(port);
    expect(await closedWithin(again, 300)).toBe(false);
    again.destroy();
  });

  it('refuses an upgrade request with an oversized head, and one without a login, without giving a WebSocket', async () => {
    const port = net.coordinator.port;
    const big = `GET /v1/ws HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nx-pad: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
    const oversized = await rawTls(port, big);
    expect(oversized.reply).not.toContain('101');
    expect(oversized.reply).toMatch(/^HTTP\/1\.1 431/);

    const noLogin = big.replace(/x-pad: a+\r\n/, '');
    const refused = await rawTls(port, noLogin);
    expect(refused.reply).toMatch(/^HTTP\/1\.1 401/);
    expect(refused.reply).toContain('x-veil-error: unauthenticated');
    expect(refused.reply).not.toContain('101');

    const r = await analyst.query(ANNA, CTX, { targets: ['DE'] });
    expect(r.results[0]?.status).toBe('hit');
  });
});
