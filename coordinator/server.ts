/**
 * The coordinator process: `startCoordinator` wires the real collaborators — the SQLite store in the
 * coordinator's directory, its signed audit log, the system clock, the pinned trust bundle and its
 * certificate, an HTTPS server (TLS 1.3 with the certificate the organisation issued) for `/v1/health`
 * and authenticated WebSocket upgrades on `/v1/ws` — around `createCoordinator` (coordinator.ts), and
 * writes `run.json`. Plain HTTP only with `insecureDevTransport`, which warns at every start. The
 * process holds the directory's lock while it runs (a second one is refused, naming the first's pid)
 * and releases what it opened if start-up fails half way.
 *
 * On PostgreSQL (`postgresUrl`) several instances may share the database: each starts as a standby —
 * listening, answering health checks, refusing node logins with `unavailable` — until it holds the lease
 * (`lease.ts`); then it accepts nodes. An instance that loses the lease stops serving at once
 * (`leaseLost` resolves; `veil coordinator start` then exits, for its supervisor to restart it).
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { getRequestListener } from '@hono/node-server';
import { initCrypto } from '#crypto';
import {
  createHttpMetrics,
  createLogger,
  type DirLock,
  Drain,
  holdWhileResponding,
  type Logger,
  listen,
  lockDir,
  MetricsRegistry,
  metricsTokenFromEnv,
  PLAIN_TRANSPORT_WARNING,
  periodicCheckpoints,
  type SettingSources,
  serverTlsOptions,
  shutdownGraceMs,
  systemClock,
  writeRunFile,
} from '#platform';
import { LIMITS, VeilError } from '#protocol';
import {
  type CoordinatorConfig,
  coordinatorPaths,
  coordinatorSettings,
  loadCoordinatorBundle,
  loadCoordinatorCertificate,
  loadCoordinatorKeys,
} from './config.ts';
import { createCoordinator } from './coordinator.ts';
import { COORDINATOR_ROUTES, createHttpApp } from './http.ts';
import { type Lease, waitForLease } from './lease.ts';
import { createCoordinatorMetrics, registerCoordinatorGauges } from './metrics.ts';
import { openCoordinatorStore } from './store/open-store.ts';
import type { CoordinatorStore } from './store/repositories.ts';
import { SqliteCoordinatorStore } from './store/sqlite-store.ts';
import { attachWebSockets } from './transport.ts';
import { createTrust } from './trust.ts';

export interface CoordinatorHandle {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly store: CoordinatorStore;
  /** The same store when it is the embedded SQLite file (tests and tools read it directly). */
  readonly sqlite: SqliteCoordinatorStore | undefined;
  /** Whether this instance accepts nodes (always, on SQLite; while it holds the lease, on PostgreSQL). */
  readonly leading: boolean;
  /** Resolves when a replicated instance lost its lease and stopped serving (never on SQLite). */
  readonly leaseLost: Promise<void>;
  /** Countries with a live, authenticated connection. */
  connected(): string[];
  /**
   * Graceful stop (SIGTERM): refuse new logins and queries, wait up to `graceMs` (default: the
   * configured `shutdownGraceMs`, or `VEIL_SHUTDOWN_GRACE_MS`) for queries in flight, then close.
   * Resolves true when everything in flight finished, false when the deadline cut it.
   */
  shutdown(graceMs?: number): Promise<boolean>;
  /** Immediate stop: queries in flight are dropped. */
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
  const storeOpened = await openCoordinatorStore(dir, config, { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() }, clock });
  const { store } = storeOpened;
  opened.push(() => store.close());
  const trust = createTrust({ bundle, name: config.name, meta: store.meta, clock });
  await trust.refresh();
  const grace = shutdownGraceMs(config.shutdownGraceMs);
  const metricsToken = metricsTokenFromEnv();
  const registry = new MetricsRegistry();
  const drain = new Drain({ clock });
  const coordinator = createCoordinator({ config, store, audit: store.audit, clock, log, trust, metrics: createCoordinatorMetrics(registry), drain });
  registerCoordinatorGauges(registry, {
    connected: () => coordinator.connected(),
    admitted: async () => (await store.members.listActive()).map((m) => m.country),
    pendingQueries: () => coordinator.pendingQueries,
    pendingMail: async () => (await store.mailboxes.counts()).pending,
    inFlight: () => drain.inFlight,
  });
  opened.push(() => coordinator.close());
  const waiter = storeOpened.postgres ? waitForLease(storeOpened.postgres.db, { holder: config.name, clock, log }) : undefined;
  opened.push(() => waiter?.cancel());
  let lease: Lease | undefined;
  let leading = !waiter;
  // A standby refuses logins before looking at them: nodes move on to the next instance.
  const acceptor: typeof coordinator = {
    ...coordinator,
    authenticate: (header, binding) => {
      if (!leading) throw new VeilError('unavailable', 'standby coordinator');
      return coordinator.authenticate(header, binding);
    },
  };

  const tls = !config.insecureDevTransport;
  if (!tls) log.warn(PLAIN_TRANSPORT_WARNING);
  const app = createHttpApp({
    health: () => coordinator.health(),
    ops: {
      service: 'coordinator',
      registry,
      http: createHttpMetrics(registry, COORDINATOR_ROUTES),
      drain,
      log,
      metricsToken,
      ready: async () => {
        const storeOk = await store.members.listActive().then(
          () => true,
          () => false,
        );
        return { ready: storeOk, checks: { store: storeOk } };
      },
    },
  });
  const listener = getRequestListener(app.fetch);
  const limits = { headersTimeout: 10_000, requestTimeout: 10_000, maxHeaderSize: 8192 };
  const server: Server = tls
    ? createHttpsServer({ ...serverTlsOptions({ key: keys.tls, certificate: cert.x509 }), ...limits, handshakeTimeout: 10_000 }, listener)
    : createHttpServer(limits, listener);
  holdWhileResponding(server, drain);
  const sockets = attachWebSockets(server, acceptor, {
    path: '/v1/ws',
    maxPayload: LIMITS.maxFrameBytes,
    tls,
    maxPendingPerAddress: config.maxPendingPerAddress,
    maxUnreadBytes: config.maxUnreadBytes,
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
  const stopCheckpoints = storeOpened.auditLog ? periodicCheckpoints(storeOpened.auditLog) : () => undefined;
  log.info('coordinator listening', { port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      waiter?.cancel();
      leading = false;
      stopCheckpoints();
      await coordinator.close();
      sockets.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      if (!waiter || lease) await store.audit.checkpoint().catch((e: unknown) => log.error('final audit checkpoint failed', e));
      await lease?.release();
      await store.close();
      lock.release();
    })();
    return closing;
  };
  const shutdown = async (graceMs = grace): Promise<boolean> => {
    if (!drain.draining) {
      drain.start();
      log.info('coordinator draining', { count: drain.inFlight, ms: graceMs });
    }
    const drained = await drain.idle(graceMs);
    if (!drained) log.warn('shutdown deadline reached: closing with work in flight', { count: drain.inFlight, ms: graceMs });
    await close();
    log.info('coordinator stopped');
    return drained;
  };
  let signalLost: () => void = () => undefined;
  const leaseLost = new Promise<void>((r) => (signalLost = r));
  waiter?.acquired.then(
    async (l) => {
      lease = l;
      leading = true;
      log.info('coordinator leads', { seq: l.term, peer: config.name });
      await store.audit.append([{ kind: 'coordinator.leading', peer: config.name, count: l.term }]).catch((e: unknown) => log.error('audit failed', e));
      await l.lost;
      if (closing) return;
      // Fenced: no node may stay connected to an instance that no longer leads.
      leading = false;
      sockets.close();
      await close();
      signalLost();
    },
    () => undefined, // cancelled by close()
  );
  return {
    url,
    wsUrl,
    port,
    store,
    sqlite: store instanceof SqliteCoordinatorStore ? store : undefined,
    get leading() {
      return leading;
    },
    leaseLost,
    connected: () => coordinator.connected(),
    shutdown,
    close,
    [Symbol.asyncDispose]: close,
  };
}
