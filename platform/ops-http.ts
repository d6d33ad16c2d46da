/**
 * What every HTTP listener of a Veil process serves for its operators, and the middleware that runs
 * in front of every request:
 *
 * - `GET /healthz` — liveness: 200 while the process answers at all.
 * - `GET /readyz` — readiness: 200 when the process can do its work (named checks, e.g. the node's
 *   coordinator link), 503 otherwise and from the moment it starts draining on SIGTERM.
 * - `GET /metrics` — Prometheus text, only with `Authorization: Bearer <token>` where the token is the
 *   process's `VEIL_METRICS_TOKEN` (or the file named by `VEIL_METRICS_TOKEN_FILE`); without a
 *   configured token the endpoint does not exist (404). Metrics describe who is connected and how busy
 *   the network is: not secret like records, but not for anyone who can reach the port either.
 *
 * The middleware gives each request an id (the caller's `x-request-id` when it is a safe token, else a
 * fresh one; echoed in the response), attaches it to every log line written while the request runs,
 * counts the request in the process's drain (a draining process refuses new requests with
 * `unavailable` and `connection: close`), and records its route pattern, method, status and error code
 * in the `veil_http_*` metrics and in one access-log line.
 */
import { readFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { equalBytes, randomBytes, sha256, toHex, utf8 } from '#crypto';
import { ERROR_CODES, VeilError } from '#protocol';
import type { Drain } from './drain.ts';
import { type Logger, withLogContext } from './log.ts';
import { type CounterMetric, type HistogramMetric, type MetricsRegistry, secondsSince } from './metrics.ts';

/** The error code a response carries, for operators and metrics (never more than the code). */
export const ERROR_HEADER = 'x-veil-error';
export const REQUEST_ID_HEADER = 'x-request-id';
export const OPS_ROUTES = ['/healthz', '/readyz', '/metrics'] as const;
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
const STATUSES = ['200', '201', '202', '204', '301', '302', '303', '304', '400', '401', '403', '404', '405', '409', '413', '421', '429', '500', '503', '504'];
const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
export const SERVICES = ['gateway', 'console', 'coordinator'] as const;
export type Service = (typeof SERVICES)[number];

export interface HttpMetrics {
  requests: CounterMetric<'service' | 'route' | 'method' | 'status' | 'code'>;
  duration: HistogramMetric<'service' | 'route' | 'method'>;
}

/** The `veil_http_*` metrics of a process whose listeners serve `routes` (patterns; others count as `other`). */
export function createHttpMetrics(registry: MetricsRegistry, routes: readonly string[]): HttpMetrics {
  const route = [...new Set([...routes, ...OPS_ROUTES])];
  return {
    requests: registry.counter({
      name: 'veil_http_requests_total',
      help: 'HTTP requests answered, by listener, route pattern, method, status and error code (none when it succeeded)',
      labels: { service: SERVICES, route, method: METHODS, status: STATUSES, code: ['none', ...Object.keys(ERROR_CODES)] },
    }),
    duration: registry.histogram({
      name: 'veil_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to its response, by listener, route pattern and method',
      labels: { service: SERVICES, route, method: METHODS },
    }),
  };
}

/** Whether the process can do its work; each check is named (`coordinator`, `store`, …). */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

export interface OpsDeps {
  service: Service;
  registry: MetricsRegistry;
  http: HttpMetrics;
  drain: Drain;
  log: Logger;
  /** The bearer token `/metrics` requires; undefined = no metrics endpoint. */
  metricsToken: string | undefined;
  ready(): Readiness | Promise<Readiness>;
}

/** Read the metrics token from `VEIL_METRICS_TOKEN_FILE` (a file, e.g. a systemd credential) or `VEIL_METRICS_TOKEN`. */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.VEIL_METRICS_TOKEN_FILE;
  const raw = file ? readTokenFile(file) : env.VEIL_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32 || raw.length > 256 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new VeilError('bad_config', 'the metrics token must be 32 to 256 printable ASCII characters (e.g. `openssl rand -hex 32`)');
  }
  return raw;
}

/**
 * Request id, log context, drain and metrics for every request: `app.use(...opsMiddleware(deps))`
 * first. Two handlers: the observer around everything, then the gate that refuses new work while
 * draining (thrown there, so the app's own error handler renders the refusal and the observer sees it).
 */
export function opsMiddleware(d: OpsDeps): [MiddlewareHandler, MiddlewareHandler] {
  const isOps = (path: string) => (OPS_ROUTES as readonly string[]).includes(path);
  const observe: MiddlewareHandler = async (c, next) => {
    const given = c.req.header(REQUEST_ID_HEADER);
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : toHex(randomBytes(16));
    const ops = isOps(c.req.path);
    const start = performance.now();
    const release = ops ? undefined : d.drain.hold();
    try {
      await withLogContext({ requestId }, next);
    } finally {
      release?.();
    }
    const res = c.res;
    setHeader(res, REQUEST_ID_HEADER, requestId);
    if (d.drain.draining && !ops) setHeader(res, 'connection', 'close');
    const route = routePath(c);
    const status = res.status;
    const code = res.headers.get(ERROR_HEADER) ?? 'none';
    d.http.requests.inc({ service: d.service, route, method: c.req.method, status: String(status), code });
    d.http.duration.observe({ service: d.service, route, method: c.req.method }, secondsSince(start));
    const line = { route, method: c.req.method, status, ms: Math.round(performance.now() - start), requestId, ...(code !== 'none' ? { code } : {}) };
    if (ops) d.log.debug('http request', line);
    else if (status >= 500) d.log.warn('http request', line);
    else d.log.info('http request', line);
  };
  const gate: MiddlewareHandler = async (c, next) => {
    if (!isOps(c.req.path)) d.drain.admit('request');
    await next();
  };
  return [observe, gate];
}

/** `/healthz`, `/readyz` and `/metrics` on `app`; mount before any authentication middleware. */
export function mountOpsRoutes<E extends Env>(a: Hono<E>, d: OpsDeps): void {
  a.get('/healthz', (c) => c.json({ status: 'ok' }));
  a.get('/readyz', async (c) => {
    noStore(c);
    if (d.drain.draining) return c.json({ status: 'draining', checks: {} }, 503);
    const r = await d.ready();
    return c.json({ status: r.ready ? 'ready' : 'not-ready', checks: r.checks }, r.ready ? 200 : 503);
  });
  const token = d.metricsToken;
  let want: Uint8Array | undefined;
  a.get('/metrics', async (c) => {
    noStore(c);
    if (token === undefined) return c.json({ error: { code: 'not_found', message: 'metrics are not enabled (set VEIL_METRICS_TOKEN)' } }, 404);
    const auth = c.req.header('authorization') ?? '';
    const m = /^Bearer (\S+)$/.exec(auth);
    want ??= sha256(utf8(token));
    if (!m?.[1] || !equalBytes(sha256(utf8(m[1])), want)) {
      c.header('www-authenticate', 'Bearer realm="veil-metrics"');
      c.header(ERROR_HEADER, 'unauthenticated');
      return c.json({ error: { code: 'unauthenticated', message: ERROR_CODES.unauthenticated } }, 401);
    }
    return c.body(await d.registry.text(), 200, { 'content-type': d.registry.contentType });
  });
}

/**
 * Hold `drain` from each request's arrival until its response has been written out (or its connection
 * has closed): the handler returning is not enough, the body may still be on its way to the socket.
 */
export function holdWhileResponding(server: Server, drain: Drain): void {
  server.on('request', (_req: unknown, res: ServerResponse) => {
    const release = drain.hold();
    res.once('close', release);
  });
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new VeilError('bad_config', `cannot read the metrics token file ${path} (VEIL_METRICS_TOKEN_FILE)`);
  }
}

function noStore<E extends Env>(c: Context<E>): void {
  c.header('cache-control', 'no-store');
}

function setHeader(res: Response, name: string, value: string): void {
  try {
    res.headers.set(name, value);
  } catch {
    // immutable headers (a fetched response passed through): nothing to add
  }
}
