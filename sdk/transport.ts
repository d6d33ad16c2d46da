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
import { decode, decodeWith, ERROR_CODES, ErrorBody, type ErrorCode, LIMITS, VeilError, validate } from '#protocol';

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
  // A kept-alive socket the node closed as idle can fail the next request sent on it (ECONNRESET):
  // that request never reached the node, so it is sent again once, on a fresh socket. If the node did
  // read it, the same signed bytes are refused as a replay, never acted on twice.
  const send = async (method: 'GET' | 'POST', path: string, body?: Uint8Array): Promise<TransportResponse> => {
    try {
      return await sendOnce(method, path, body);
    } catch (e) {
      if (!(e instanceof StaleSocket)) throw e;
      return sendOnce(method, path, body, true).catch((again: unknown) => {
        throw again instanceof StaleSocket ? transportError(again.cause, nodeUrl) : again;
      });
    }
  };
  const sendOnce = (method: 'GET' | 'POST', path: string, body?: Uint8Array, fresh = false): Promise<TransportResponse> =>
    new Promise((resolve, reject) => {
      const headers =
        method === 'POST' ? { 'content-type': 'application/msgpack', 'content-length': String(body?.length ?? 0) } : { accept: 'application/msgpack' };
      const opts = { method, headers, timeout: 600_000, ...(fresh ? { agent: false as const } : {}) };
      const req = secure
        ? httpsRequest(new URL(path, url), {
            ...opts,
            ca: trust.caPem,
            minVersion: 'TLSv1.3',
            checkServerIdentity: (_host, cert) =>
              cert.raw && equalBytes(new Uint8Array(cert.raw), trust.nodeCertificate) ? undefined : new Error('not the certified node'),
          })
        : httpRequest(new URL(path, url), opts);
      let responded = false;
      req.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > LIMITS.maxFrameBytes) req.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: new Uint8Array(Buffer.concat(chunks)) }));
        res.on('error', (e) => reject(transportError(e, nodeUrl)));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const stale = !responded && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
        reject(stale ? new StaleSocket(e) : transportError(e, nodeUrl));
      });
      req.end(body);
    });
  return { get: (path) => send('GET', path), post: (path, body) => send('POST', path, body) };
}

/** A request failed on a reused keep-alive socket before any response: safe to send once more. */
class StaleSocket extends Error {
  override readonly cause: NodeJS.ErrnoException;
  constructor(cause: NodeJS.ErrnoException) {
    super('stale keep-alive socket');
    this.cause = cause;
  }
}

function transportError(e: NodeJS.ErrnoException, nodeUrl: string): VeilError {
  if (/certif|not the certified node/i.test(e.message) || e.code?.startsWith('ERR_SSL') || e.code?.includes('CERT')) {
    return new VeilError('untrusted_key', `the server at ${nodeUrl} is not your node: its TLS certificate is not the one your credential names`, {
      hint: 'check the node URL (the credential names the node it was issued by)',
    });
  }
  if (e.message === 'timeout') return new VeilError('timeout', `your node at ${nodeUrl} did not answer in time`);
  return new VeilError('unavailable', `cannot reach your node at ${nodeUrl} (${e.code ?? 'network error'})`, {
    hint: 'is it running? start it with `veil node start --dir <node dir>` on its host, or give its URL (--node-url)',
  });
}

/** What a refusal by the own node means, for the person who sent the request. */
const NODE_REFUSALS: Partial<Record<ErrorCode, { detail: string; hint?: string }>> = {
  unavailable: {
    detail: 'your node is running but is not connected to the coordinator',
    hint: 'it reconnects by itself; `veil status --dir <node dir>` on its host says why it is not connected',
  },
  timeout: { detail: 'the coordinator did not answer your node in time', hint: 'try again; `veil status` on the node shows the link' },
  unauthenticated: { detail: 'your node did not accept this credential', hint: 'ask its operator for a new one (`veil analyst add`)' },
  forbidden: { detail: 'your node refused this credential (revoked, or issued for another node)', hint: 'ask its operator (`veil analyst list`)' },
  rate_limited: { detail: 'your node limits how fast one analyst may send requests', hint: 'wait a little and try again' },
};

/** Decode a successful response with `schema`, or throw the node's error code as a `VeilError`. */
export function readResponse<S extends z.ZodType>(res: TransportResponse, schema: S): z.infer<S> {
  if (res.status < 200 || res.status > 299) {
    let code: ErrorCode = 'internal';
    try {
      code = validate(decode(res.bytes, LIMITS.maxFrameBytes), ErrorBody).error.code;
    } catch {
      // not one of our error bodies
    }
    const known = NODE_REFUSALS[code];
    if (known) throw new VeilError(code, known.detail, known.hint ? { hint: known.hint } : {});
    if (code === 'internal') throw new VeilError('internal', `your node failed on this request (HTTP ${res.status}); its log says more`);
    throw new VeilError(code, `your node refused the request: ${ERROR_CODES[code]}`);
  }
  return decodeWith(res.bytes, schema, LIMITS.maxFrameBytes);
}
