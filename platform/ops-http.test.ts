/**
 * The operators' endpoints and the request middleware on a bare hono app: health, readiness, draining,
 * metrics behind a bearer token, request ids in responses and log lines, and metric labels that take
 * only allowed values.
 */
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { VeilError } from '#protocol';
import { parseExposition } from '../test/helpers/prometheus.ts';
import { ManualClock } from './clock.ts';
import { Drain, shutdownGraceMs } from './drain.ts';
import { createLogger } from './log.ts';
import { MetricsRegistry, OTHER_LABEL } from './metrics.ts';
import { createHttpMetrics, ERROR_HEADER, metricsTokenFromEnv, mountOpsRoutes, opsMiddleware, type Readiness } from './ops-http.ts';

const TOKEN = 'a'.repeat(40);

function setup(opts: { token?: string; ready?: Readiness } = {}) {
  const lines: string[] = [];
  const log = createLogger('test', { level: 'debug', format: 'json', stream: { write: (l) => void lines.push(l) } });
  const registry = new MetricsRegistry({ processMetrics: true });
  const drain = new Drain({ clock: new ManualClock(0) });
  const app = new Hono();
  const deps = {
    service: 'gateway' as const,
    registry,
    http: createHttpMetrics(registry, ['/v1/things/:id', '/v1/slow']),
    drain,
    log,
    metricsToken: opts.token,
    ready: () => opts.ready ?? { ready: true, checks: { store: true } },
  };
  app.use(...opsMiddleware(deps));
  mountOpsRoutes(app, deps);
  let unblock: () => void = () => undefined;
  app.get('/v1/things/:id', (c) => {
    log.info('handling a thing', { count: 1 });
    return c.json({ ok: true });
  });
  app.get('/v1/slow', async (c) => {
    await new Promise<void>((r) => {
      unblock = r;
    });
    return c.json({ ok: true });
  });
  app.get('/v1/unlisted', () => {
    throw new VeilError('forbidden');
  });
  app.onError((e, c) => {
    const err = e instanceof VeilError ? e : new VeilError('internal');
    c.header(ERROR_HEADER, err.code);
    return c.json({ error: err.toWire() }, err.code === 'unavailable' ? 503 : err.code === 'forbidden' ? 403 : 500);
  });
  const scrape = async () => {
    const r = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    return parseExposition(await r.text());
  };
  return { app, drain, lines, scrape, unblock: () => unblock() };
}

describe('operators endpoints', () => {
  beforeAll(initCrypto);

  it('answers liveness and readiness with named checks', async () => {
    const { app } = setup();
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const r = await app.request('/readyz');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready', checks: { store: true } });
    const down = setup({ ready: { ready: false, checks: { coordinator: false } } });
    const d = await down.app.request('/readyz');
    expect(d.status).toBe(503);
    expect(await d.json()).toEqual({ status: 'not-ready', checks: { coordinator: false } });
  });

  it('serves metrics only with the configured bearer token', async () => {
    expect((await setup().app.request('/metrics')).status).toBe(404);
    const { app } = setup({ token: TOKEN });
    expect((await app.request('/metrics')).status).toBe(401);
    const wrong = await app.request('/metrics', { headers: { authorization: `Bearer ${'b'.repeat(40)}` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    const ok = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    const m = parseExposition(await ok.text());
    expect(m.types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(m.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
  });

  it('counts requests by route pattern, status and code; anything else is `other`', async () => {
    const s = setup({ token: TOKEN });
    const secretPath = '/v1/things/Hans-Mueller-1970';
    expect((await s.app.request(secretPath)).status).toBe(200);
    expect((await s.app.request('/v1/unlisted')).status).toBe(403);
    expect((await s.app.request('/no/such/Anna-Schmidt')).status).toBe(404);
    const m = await s.scrape();
    expect(m.sum('veil_http_requests_total', { route: '/v1/things/:id', status: '200', code: 'none' })).toBe(1);
    expect(m.sum('veil_http_requests_total', { route: OTHER_LABEL, status: '403', code: 'forbidden' })).toBe(1);
    expect(m.sum('veil_http_request_duration_seconds_count', { route: '/v1/things/:id', method: 'GET' })).toBe(1);
    const text = m.samples.map((x) => JSON.stringify(x.labels)).join('\n');
    expect(text).not.toMatch(/Hans|Mueller|Anna|Schmidt/);
  });

  it('gives each request an id, echoed and carried by every log line of the request', async () => {
    const s = setup();
    const r = await s.app.request('/v1/things/1', { headers: { 'x-request-id': 'trace-0001-abcd' } });
    expect(r.headers.get('x-request-id')).toBe('trace-0001-abcd');
    const lines = s.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'handling a thing')).toMatchObject({ requestId: 'trace-0001-abcd', level: 'info', name: 'test' });
    expect(lines.find((l) => l.msg === 'http request')).toMatchObject({ requestId: 'trace-0001-abcd', route: '/v1/things/:id', status: 200 });
    // An id that is not a safe token (here: a name) is replaced, never logged.
    const named = await s.app.request('/v1/things/1', { headers: { 'x-request-id': 'Maria Garcia 1980' } });
    expect(named.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(s.lines.join('\n')).not.toContain('Garcia');
  });

  it('drains: waits for requests in flight, refuses new ones and reports draining', async () => {
    const s = setup();
    const slow = s.app.request('/v1/slow');
    await new Promise((r) => setTimeout(r, 10));
    expect(s.drain.inFlight).toBe(1);
    s.drain.start();
    const idle = s.drain.idle(60_000);
    const refused = await s.app.request('/v1/things/1');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    expect((await s.app.request('/readyz')).status).toBe(503);
    expect((await s.app.request('/healthz')).status).toBe(200);
    s.unblock();
    expect((await slow).status).toBe(200);
    expect(await idle).toBe(true);
  });
});

describe('drain deadline and configuration', () => {
  it('gives up at the deadline when work is still held', async () => {
    const clock = new ManualClock(0);
    const drain = new Drain({ clock });
    drain.hold();
    const idle = drain.idle(500);
    clock.advance(499);
    clock.advance(1);
    expect(await idle).toBe(false);
  });

  it('takes the grace period from the environment when set, and refuses nonsense', () => {
    expect(shutdownGraceMs(15_000, {})).toBe(15_000);
    expect(shutdownGraceMs(15_000, { VEIL_SHUTDOWN_GRACE_MS: '250' })).toBe(250);
    expect(() => shutdownGraceMs(15_000, { VEIL_SHUTDOWN_GRACE_MS: 'soon' })).toThrow(/VEIL_SHUTDOWN_GRACE_MS/);
  });

  it('accepts only a long printable metrics token', () => {
    expect(metricsTokenFromEnv({})).toBeUndefined();
    expect(metricsTokenFromEnv({ VEIL_METRICS_TOKEN: TOKEN })).toBe(TOKEN);
    expect(() => metricsTokenFromEnv({ VEIL_METRICS_TOKEN: 'short' })).toThrow(/32 to 256/);
    expect(() => metricsTokenFromEnv({ VEIL_METRICS_TOKEN_FILE: '/nonexistent/token' })).toThrow(/VEIL_METRICS_TOKEN_FILE/);
  });
});
