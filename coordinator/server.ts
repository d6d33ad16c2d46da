/**
 * The coordinator process: `startCoordinator` wires the real collaborators — the SQLite store in the
 * coordinator's directory, its signed audit log, the system clock, an HTTP server for `/v1/health` and
 * WebSocket upgrades on `/v1/ws` — around `createCoordinator` (coordinator.ts), and writes `run.json`.
 */
import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { initCrypto } from '#crypto';
import { LIMITS } from '#protocol';
import { boundPort, createLogger, periodicCheckpoints, systemClock, writeRunFile, type Logger } from '#platform';
import { SqliteCoordinatorStore } from './store/sqlite-store.ts';
import { coordinatorPaths, loadCoordinatorConfig, loadCoordinatorKey, type CoordinatorConfig } from './config.ts';
import { createCoordinator } from './coordinator.ts';
import { createHttpApp } from './http.ts';
import { attachWebSockets } from './transport.ts';

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
  opts: { port?: number; host?: string; logger?: Logger; config?: Partial<CoordinatorConfig> } = {},
): Promise<CoordinatorHandle> {
  await initCrypto();
  const config: CoordinatorConfig = { ...loadCoordinatorConfig(dir), ...opts.config };
  const key = loadCoordinatorKey(dir);
  const log = opts.logger ?? createLogger('coordinator');
  const paths = coordinatorPaths(dir);
  const clock = systemClock();
  const store = new SqliteCoordinatorStore(paths.db, { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() }, clock });
  const coordinator = createCoordinator({ config, store, audit: store.audit, clock, log });

  const app = createHttpApp({ health: () => coordinator.health() });
  const server: Server = createServer(getRequestListener(app.fetch));
  const sockets = attachWebSockets(server, coordinator, { path: '/v1/ws', maxPayload: LIMITS.maxFrameBytes });
  const host = opts.host ?? config.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? config.port, host, () => resolve());
  });
  const port = boundPort(server);
  const url = `http://${host}:${port}`;
  const wsUrl = `ws://${host}:${port}/v1/ws`;
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
