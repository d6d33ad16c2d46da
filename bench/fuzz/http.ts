/**
 * The node's HTTP entries under fuzz. Gateway: request bodies the real SDK sent (recorded by a
 * transport that passes them through) with their signed payload mutated and validly re-signed with the
 * analyst's key, the envelope's structure mutated, or the bytes damaged. Console: the login form and
 * every route, with mutated paths, forms, content types and cookies, unauthenticated (owner sessions are
 * not fuzzed: the CSRF-protected pages behind a login are out of this fuzzer's reach).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import { randomBytes } from '#crypto';
import { decode, decodeWith, ErrorBody, encode, LIMITS, signEnvelope } from '#protocol';
import type { Credential, Transport } from '#sdk';
import { encodeTree, mutateBytes, mutateTree, type Rng } from './mutate.ts';
import { ANSWER_MS, answerOrHang, type Outcome, refresh, signTree } from './ws.ts';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Uint8Array;
}

const guarded = new WeakSet<object>();

/** One HTTPS request trusting the organisation's CA (any name: the fuzzer checks answers, not identities). */
export function call(
  url: string,
  opts: { caPem: string; method?: string; headers?: Record<string, string>; body?: Uint8Array | string; agent?: Agent },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
    const req = request(url, {
      method: opts.method ?? 'GET',
      headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...opts.headers },
      ca: opts.caPem,
      checkServerIdentity: () => undefined,
      agent: opts.agent ?? false,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: new Uint8Array(Buffer.concat(chunks)) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A server that closes on a refused request may leave the socket erroring after the answer. Once
    // per socket: a kept-alive socket serves many requests.
    req.on('socket', (sock) => {
      if (guarded.has(sock)) return;
      guarded.add(sock);
      sock.on('error', () => undefined);
    });
    req.end(body);
  });
}

/**
 * Kept-alive connections for the fuzzer's HTTP inputs: a TLS handshake per input would cost more than
 * the input itself (a server that closes a connection after refusing a request gets a new one).
 */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** A transport for the real SDK that records every POST body by path. */
export function recordingTransport(nodeUrl: string, caPem: string, recorded: Map<string, Uint8Array[]>): Transport {
  return {
    get: async (path) => call(nodeUrl + path, { caPem, headers: { accept: 'application/msgpack' } }),
    post: async (path, body) => {
      recorded.set(path, [...(recorded.get(path) ?? []), body]);
      return call(nodeUrl + path, { caPem, method: 'POST', headers: { 'content-type': 'application/msgpack' }, body });
    },
  };
}

function outcomeOf(r: Reply): Outcome {
  if (r.status < 300) return { code: 'ok' };
  const header = r.headers['x-veil-error'];
  if (typeof header === 'string') return { code: header };
  try {
    return { code: decodeWith(r.bytes, ErrorBody, LIMITS.maxFrameBytes).error.code };
  } catch {
    return { code: r.status >= 500 ? 'internal' : `http_${r.status}` };
  }
}

function answered(p: Promise<Reply>, ms = ANSWER_MS): Promise<Outcome> {
  return answerOrHang(
    p.then(outcomeOf, () => ({ code: 'dropped' })),
    ms,
  );
}

/** A mutated analyst request to the gateway. */
export function gatewayInput(rng: Rng, nodeUrl: string, caPem: string, recorded: Map<string, Uint8Array[]>, cred: Credential, agent?: Agent): Promise<Outcome> {
  const paths = [...recorded.keys()];
  const path = rng.pick(paths);
  const original = rng.pick(recorded.get(path) ?? []);
  let body: Uint8Array;
  const mode = rng.int(10);
  try {
    const env = decode(original, LIMITS.maxFrameBytes) as { kid: string; payload: Uint8Array };
    const payload = refresh(decode(env.payload, LIMITS.maxPayloadBytes) as Record<string, unknown>);
    if (mode < 6) body = encode(signTree(cred.signing, env.kid, mutateTree(payload, rng)));
    else if (mode < 8) body = encodeTree(mutateTree(signEnvelope(cred.signing, env.kid, payload), rng), encode);
    else body = mutateBytes(encode(signEnvelope(cred.signing, env.kid, payload)), rng);
  } catch {
    body = mutateBytes(original, rng);
  }
  const wrongPath = rng.chance(0.05) ? `${path}/${rng.pick(['x', '..', '%00', 'list'])}` : path;
  const type = rng.chance(0.05) ? rng.pick(['text/plain', 'application/json', '']) : 'application/msgpack';
  return answered(call(nodeUrl + wrongPath, { caPem, method: 'POST', headers: type ? { 'content-type': type } : {}, body, ...(agent ? { agent } : {}) }));
}

const CONSOLE_ROUTES = ['/login', '/', '/history', '/audit', '/logout', '/requests/x', '/static/console.css', '/favicon.ico'];

/** A mutated request to the approval console. */
export function consoleInput(rng: Rng, consoleUrl: string, caPem: string, agent?: Agent): Promise<Outcome> {
  const id = Buffer.from(randomBytes(16)).toString('hex');
  const routes = [...CONSOLE_ROUTES, `/requests/${id}`, `/requests/${id}/approve`, `/requests/${id}/deny`];
  let path = rng.pick(routes);
  if (rng.chance(0.2)) path += rng.pick(['?x=1', '/..', '%2e%2e', `?${'a'.repeat(5000)}`, '#', '//', '%ff']);
  const post = path === '/login' || path === '/logout' || path.endsWith('approve') || path.endsWith('deny') || rng.chance(0.1);
  const form = { account: 'owner-1', password: 'correct horse battery', _csrf: id, fields: 'name' };
  const mutated = mutateTree(form, rng);
  let body: string;
  try {
    body = rng.chance(0.2)
      ? Buffer.from(mutateBytes(Buffer.from(new URLSearchParams(form).toString()), rng)).toString('latin1')
      : new URLSearchParams(Object.entries(mutated as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)])).toString();
  } catch {
    body = 'account=%';
  }
  const headers: Record<string, string> = {
    'content-type': rng.pick(['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json', 'text/plain']),
  };
  if (rng.chance(0.3)) headers.cookie = `veil_console=${rng.pick(['', id, 'x'.repeat(4000), '%00'])}`;
  if (rng.chance(0.1)) headers['x-forwarded-for'] = rng.pick(['1.2.3.4', '::1, 10.0.0.1', 'garbage', '']);
  const method = post ? 'POST' : 'GET';
  const input = `${method} ${path.slice(0, 80)} ${JSON.stringify(headers).slice(0, 200)} ${post ? body.slice(0, 200) : ''}`;
  // A login checks a password with a deliberately slow KDF: it gets more time than a frame.
  const ms = path.startsWith('/login') ? 5 * ANSWER_MS : ANSWER_MS;
  return answered(call(consoleUrl + path, { caPem, method, headers, ...(post ? { body } : {}), ...(agent ? { agent } : {}) }), ms).then((o) => ({
    ...o,
    input,
  }));
}
