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
