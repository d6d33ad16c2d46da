/**
 * Small networking helpers shared by the node and the coordinator: msgpack HTTP bodies with size caps,
 * error bodies carrying only a registry code, and listening on loopback with a port chosen by the OS.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asVeilError, encode, LIMITS, VeilError } from '#protocol';
import { httpStatus } from './http-status.ts';

export const MSGPACK = 'application/msgpack';

export function msgpackResponse(value: unknown, status = 200): Response {
  return new Response(encode(value), { status, headers: { 'content-type': MSGPACK } });
}

/** An error as the peer sees it: the registry code and message, also named in the `x-veil-error` header. */
export function errorResponse(err: unknown): Response {
  const e = asVeilError(err);
  return new Response(encode({ error: e.toWire() }), { status: httpStatus(e.code), headers: { 'content-type': MSGPACK, 'x-veil-error': e.code } });
}

/** Read a request body as bytes, refusing it as soon as it passes the cap. */
export async function readBody(req: Request, maxBytes: number = LIMITS.maxFrameBytes): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new VeilError('too_large', 'body');
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new VeilError('too_large', 'body');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** What a listener is, for its errors: "the analyst API", and the setting that moves it. */
export interface ListenerName {
  readonly what: string;
  readonly fix: string;
}

/**
 * Listen on `host:port` (0 = a free port chosen by the OS) and return the port bound. A port in use,
 * a privileged port or an address this machine does not have is a `bad_config` naming the listener
 * and the setting that changes it.
 */
export async function listen(server: Server, port: number, host: string, name: ListenerName): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(listenError(e, `${host}:${port}`, name));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return boundPort(server);
}

function listenError(e: NodeJS.ErrnoException, where: string, name: ListenerName): Error {
  const why =
    e.code === 'EADDRINUSE'
      ? 'the port is in use by another program'
      : e.code === 'EACCES'
        ? 'not permitted (ports below 1024 need privileges)'
        : e.code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address'
          : undefined;
  if (why === undefined) return e;
  return new VeilError('bad_config', `${name.what} cannot listen on ${where}: ${why}`, { hint: name.fix, cause: e });
}

/**
 * A port that is free on `host` now, for `init` to write into a configuration so the service keeps it
 * across restarts. Chosen at random below Linux's ephemeral range (32768+), where the OS would
 * otherwise hand the same port to outgoing connections.
 */
export async function pickFreePort(host: string, rng: () => number = Math.random): Promise<number> {
  const { createServer } = await import('node:net');
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(rng() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, host, () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new VeilError('bad_config', `no free port found on ${host}`, { hint: 'give one with --port' });
}
