/**
 * How the SDK reaches the analyst's own node: a `Transport` moves request bytes to a path and returns
 * the status and response bytes, nothing more. The default speaks HTTP through `fetch` (msgpack bodies);
 * tests inject an in-process one. `readResponse` is the one place a response becomes either a
 * schema-checked value or a `VeilError` carrying the registry code from the node's error body
 * (`internal` when the body is not one of ours).
 */
import type { z } from 'zod';
import { decode, decodeWith, ErrorBody, LIMITS, validate, VeilError, type ErrorCode } from '#protocol';

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
    post: async (path, body) =>
      read(await fetchFn(nodeUrl + path, { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body })),
  };
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
