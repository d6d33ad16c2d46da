/**
 * How the SDK reaches the analyst's own node: a `Transport` moves request bytes to a path and returns
 * the status and response bytes, nothing more. The default speaks HTTP through `fetch` (msgpack bodies);
 * tests inject an in-process one. `readResponse` is the one place a response becomes either a
 * schema-checked value or a `VeilError` carrying the registry code from the node's error body
 * (`internal` when the body is not one of ours).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { z } from 'zod';
import { equalBytes } from '#crypto';
import { decode, decodeWith, ErrorBody, type ErrorCode, LIMITS, VeilError, validate } from '#protocol';

export interface TransportResponse {
  /** HTTP status (2xx = success). */
  readonly status: number;
  readonly bytes: Uint8Array;
}

export interface Transport {
  get(path: string): Promise<TransportResponse>;
  post(path: string, body: Uint8Array): Promise<TransportResponse>;
}

/** HTTP to `nodeUrl` (no trailing slash) with `fetch`, msgpack bodies. Network failures propagate as thrown by `fetch`. */
export function httpTransport(nodeUrl: string, fetchFn: typeof fetch = fetch): Transport {
  const read = async (res: Response): Promise<TransportResponse> => ({ status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) });
  return {
    get: async (path) => read(await fetchFn(nodeUrl + path, { headers: { accept: 'application/msgpack' } })),
    post: async (path, body) => read(await fetchFn(nodeUrl + path, { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body })),
  };
}

export interface NodeTrust {
  /** The organisation's CA from the pinned trust bundle. */
  caPem: string;
  /** The node's TLS certificate (DER) as its member certificate names it: nothing else is accepted. */
  nodeCertificate: Uint8Array;
}

/**
 * HTTPS to the own node, trusting only the organisation's CA and exactly the node's certified TLS
 * certificate (an `http:` URL is the development transport: no TLS). Network failures are
 * `unavailable`; a certificate that is not the node's is `untrusted_key`.
 */
export function nodeTransport(nodeUrl: string, trust: NodeTrust): Transport {
  const url = new URL(nodeUrl);
  const secure = url.protocol === 'https:';
  const send = (method: 'GET' | 'POST', path: string, body?: Uint8Array): Promise<TransportResponse> =>
    new Promise((resolve, reject) => {
      const headers =
        method === 'POST' ? { 'content-type': 'application/msgpack', 'content-length': String(body?.length ?? 0) } : { accept: 'application/msgpack' };
      const opts = { method, headers, timeout: 600_000 };
      const req = secure
        ? httpsRequest(new URL(path, url), {
            ...opts,
            ca: trust.caPem,
            minVersion: 'TLSv1.3',
            checkServerIdentity: (_host, cert) =>
              cert.raw && equalBytes(new Uint8Array(cert.raw), trust.nodeCertificate) ? undefined : new Error('not the certified node'),
          })
        : httpRequest(new URL(path, url), opts);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > LIMITS.maxFrameBytes) req.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: new Uint8Array(Buffer.concat(chunks)) }));
        res.on('error', (e) => reject(transportError(e)));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => reject(transportError(e)));
      req.end(body);
    });
  return { get: (path) => send('GET', path), post: (path, body) => send('POST', path, body) };
}

function transportError(e: NodeJS.ErrnoException): VeilError {
  if (/certif|not the certified node/i.test(e.message) || e.code?.startsWith('ERR_SSL') || e.code?.includes('CERT')) {
    return new VeilError('untrusted_key', 'the node did not present its certified TLS certificate');
  }
  if (e.message === 'timeout') return new VeilError('timeout', 'the node did not answer');
  return new VeilError('unavailable', `the node is unreachable (${e.code ?? 'network error'})`);
}

/** Decode a successful response with `schema`, or throw the node's error code as a `VeilError`. */
export function readResponse<S extends z.ZodType>(res: TransportResponse, schema: S): z.infer<S> {
  if (res.status < 200 || res.status > 299) {
    let code: ErrorCode = 'internal';
    try {
      code = validate(decode(res.bytes, LIMITS.maxFrameBytes), ErrorBody).error.code;
    } catch {
      // not one of our error bodies
    }
    throw new VeilError(code, `node answered HTTP ${res.status}`);
  }
  return decodeWith(res.bytes, schema, LIMITS.maxFrameBytes);
}
