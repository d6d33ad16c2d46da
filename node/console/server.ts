/**
 * The approval console's admin listener: separate from the analyst API (gateway), loopback by default,
 * so reaching it from elsewhere is an explicit deployment choice (a reverse proxy with TLS, then
 * `secureCookies`). Requests whose Host header is not this listener's address are refused (421),
 * which stops a DNS-rebinding page from talking to a console on loopback.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { getRequestListener } from '@hono/node-server';
import { initCrypto } from '#crypto';
import { type AuditLog, type Clock, type Drain, holdWhileResponding, type Logger, listen, type OpsDeps, silentLogger } from '#platform';
import type { DisclosureDesk } from '../disclosure/desk.ts';
import type { NodeRepositories } from '../store/repositories.ts';
import { createConsoleApp } from './app.tsx';

export interface StartConsoleOptions {
  country: string;
  store: NodeRepositories;
  desk: Pick<DisclosureDesk, 'list' | 'get' | 'approve' | 'deny'>;
  audit: AuditLog;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = a free port chosen by the OS. */
  port?: number;
  logger?: Logger;
  /** Set when the console is reached over HTTPS (through a TLS proxy): `Secure` cookies and HSTS. */
  secureCookies?: boolean;
  /** Extra Host header values to accept (e.g. the proxy's public name); the listener's own address always is. */
  allowedHosts?: readonly string[];
  /** Throttle failed logins by the proxy's X-Forwarded-For entry (set only behind a reverse proxy that sets it). */
  trustProxy?: boolean;
  clock?: Pick<Clock, 'now'>;
  /** Serve HTTPS with these (the node's certificate from the organisation); plain HTTP without. */
  tls?: { key: string; cert: string; minVersion: 'TLSv1.3' };
  /** Request ids, drain, `/healthz`, `/readyz`, `/metrics`. */
  ops?: OpsDeps;
  /** Held while a response is being written, so a graceful stop waits for it. */
  drain?: Drain;
}

export interface ConsoleHandle {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startConsole(opts: StartConsoleOptions): Promise<ConsoleHandle> {
  await initCrypto();
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? silentLogger;
  let port = 0;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const allowHost = (h: string): boolean => {
    const want = [`${hostPart}:${port}`, ...(opts.allowedHosts ?? [])];
    if (LOOPBACK.has(host)) want.push(`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`);
    if (host === '0.0.0.0' || host === '::') return true; // listening everywhere: the operator chose; the proxy sets Host
    return want.includes(h.toLowerCase());
  };
  const app = createConsoleApp({
    country: opts.country,
    store: opts.store,
    desk: opts.desk,
    audit: opts.audit,
    logger: log,
    allowHost,
    ...(opts.secureCookies !== undefined ? { secureCookies: opts.secureCookies } : {}),
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.ops ? { ops: opts.ops } : {}),
  });
  const server: Server = opts.tls ? createHttpsServer(opts.tls, getRequestListener(app.fetch)) : createServer(getRequestListener(app.fetch));
  if (opts.drain) holdWhileResponding(server, opts.drain);
  port = await listen(server, opts.port ?? 0, host, {
    what: 'the approval console',
    fix: 'choose another port: "adminPort" in node.json or a config file, or VEIL_NODE_ADMIN_PORT',
  });
  const url = `${opts.tls ? 'https' : 'http'}://${hostPart}:${port}`;
  log.info('approval console listening', { port, country: opts.country });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const done = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await done;
  };
  return { url, port, close, [Symbol.asyncDispose]: close };
}
