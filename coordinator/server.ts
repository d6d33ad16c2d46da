/**
 * The coordinator process: `startCoordinator` wires the real collaborators — the SQLite store in the
 * coordinator's directory, its signed audit log, the system clock, the pinned trust bundle and its
 * certificate, an HTTPS server (TLS 1.3 with the certificate the organisation issued) for `/v1/health`
 * and authenticated WebSocket upgrades on `/v1/ws` — around `createCoordinator` (coordinator.ts), and
 * writes `run.json`. Plain HTTP only with `insecureDevTransport`, which warns at every start. The
 * process holds the directory's lock while it runs (a second one is refused, naming the first's pid)
 * and releases what it opened if start-up fails half way.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { getRequestListener } from '@hono/node-server';
import { initCrypto } from '#crypto';
import {
  createLogger,
  type DirLock,
  type Logger,
  listen,
  lockDir,
  PLAIN_TRANSPORT_WARNING,
  periodicCheckpoints,
  type SettingSources,
  serverTlsOptions,
  systemClock,
  writeRunFile,
} from '#platform';
import { LIMITS } from '#protocol';
import {
  type CoordinatorConfig,
  coordinatorPaths,
  coordinatorSettings,
  loadCoordinatorBundle,
  loadCoordinatorCertificate,
  loadCoordinatorKeys,
} from './config.ts';
import { createCoordinator } from './coordinator.ts';
import { createHttpApp } from './http.ts';
import { SqliteCoordinatorStore } from './store/sqlite-store.ts';
import { attachWebSockets } from './transport.ts';
import { createTrust } from './trust.ts';

export interface CoordinatorHandle {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly store: SqliteCoordinatorStore;
  /** Countries with a live, authenticated connection. */
  connected(): string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startCoordinator(
  dir: string,
  opts: { port?: number; host?: string; logger?: Logger; config?: Partial<CoordinatorConfig>; settings?: SettingSources } = {},
): Promise<CoordinatorHandle> {
  await initCrypto();
  const config: CoordinatorConfig = { ...coordinatorSettings(dir, opts.settings), ...opts.config };
  const lock = lockDir(dir, 'coordinator');
  const opened: Array<() => unknown> = [() => lock.release()];
  try {
    return await startLocked(dir, config, opts, opened, lock);
  } catch (e) {
    for (const undo of opened.reverse()) await undo();
    throw e;
  }
}

async function startLocked(
  dir: string,
  config: CoordinatorConfig,
  opts: { port?: number; host?: string; logger?: Logger },
  opened: Array<() => unknown>,
  lock: DirLock,
): Promise<CoordinatorHandle> {
  const keys = loadCoordinatorKeys(dir);
  const key = keys.signing;
  const log = opts.logger ?? createLogger('coordinator');
  const paths = coordinatorPaths(dir);
  const clock = systemClock();
  const bundle = loadCoordinatorBundle(dir);
  const { cert } = loadCoordinatorCertificate(dir, clock.now());
  const store = new SqliteCoordinatorStore(paths.db, { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() }, clock });
  opened.push(() => store.close());
  const trust = createTrust({ bundle, name: config.name, meta: store.meta, clock });
  await trust.refresh();
  const coordinator = createCoordinator({ config, store, audit: store.audit, clock, log, trust });
  opened.push(() => coordinator.close());

  const tls = !config.insecureDevTransport;
  if (!tls) log.warn(PLAIN_TRANSPORT_WARNING);
  const app = createHttpApp({ health: () => coordinator.health() });
  const listener = getRequestListener(app.fetch);
  const limits = { headersTimeout: 10_000, requestTimeout: 10_000, maxHeaderSize: 8192 };
  const server: Server = tls
    ? createHttpsServer({ ...serverTlsOptions({ key: keys.tls, certificate: cert.x509 }), ...limits, handshakeTimeout: 10_000 }, listener)
    : createHttpServer(limits, listener);
  const sockets = attachWebSockets(server, coordinator, {
    path: '/v1/ws',
    maxPayload: LIMITS.maxFrameBytes,
    tls,
    maxPendingPerAddress: config.maxPendingPerAddress,
  });
  const host = opts.host ?? config.host;
  opened.push(() => sockets.close());
  const port = await listen(server, opts.port ?? config.port, host, {
    what: 'the coordinator',
    fix: 'choose another port: --port at start, "port" in coordinator.json or a config file, or VEIL_COORDINATOR_PORT',
  });
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  const wsUrl = `${tls ? 'wss' : 'ws'}://${host}:${port}/v1/ws`;
  writeRunFile(paths.run, { url, wsUrl, port });
  await store.audit.append([{ kind: 'coordinator.started' }]);
  const stopCheckpoints = store.auditLog ? periodicCheckpoints(store.auditLog) : () => undefined;
  log.info('coordinator listening', { port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopCheckpoints();
      await coordinator.close();
      sockets.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await store.audit.checkpoint();
      await store.close();
      lock.release();
    })();
    return closing;
  };
  return {
    url,
    wsUrl,
    port,
    store,
    connected: () => coordinator.connected(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
