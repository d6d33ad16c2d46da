/**
 * `veil node start`: the country node process. It dials out to the coordinator (no inbound port needed
 * from abroad), answers evaluation batches, publishes its index from the outbox, and serves the analyst
 * API to its own analysts on a local listener and the approval console to its data owners on another.
 *
 * Services are composed here in dependency order, each from one deps object: the store and audit log,
 * the coordinator link (which knows nothing of the services), the services, and last the dispatcher
 * that hands the link's frames to them — attached before the link starts.
 *
 * The process holds the directory's lock while it runs (a second one is refused, naming the first's
 * pid), serves its status on the directory's control socket (`veil status`), and releases everything it
 * opened if start-up fails half way.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { equalBytes, initCrypto, randomBytes, toHex } from '#crypto';
import {
  type AuditLog,
  type Clock,
  clientTlsOptions,
  createHttpMetrics,
  createLogger,
  type DirLock,
  Drain,
  envelopeFromText,
  envelopeToText,
  holdWhileResponding,
  type Logger,
  listen,
  lockDir,
  MetricsRegistry,
  metricsTokenFromEnv,
  type OpsDeps,
  PLAIN_TRANSPORT_WARNING,
  periodicCheckpoints,
  type SettingSources,
  serverTlsOptions,
  shutdownGraceMs,
  systemClock,
  writeRunFile,
} from '#platform';
import { bundleCoordinators, loginHeader, type MemberCertificate, VeilError } from '#protocol';
import { MemberDirectory } from '#sdk';
import { nodeAudit } from './admin-ops.ts';
import { BioService } from './bio.ts';
import { loadNodeBundle, loadNodeCertificate, loadNodeKeys, type NodeConfig, nodePaths, nodeSettings } from './config.ts';
import { CONSOLE_ROUTES } from './console/api.ts';
import { startConsole } from './console/index.ts';
import { startControl } from './control.ts';
import { descriptorAnnouncer } from './descriptor.ts';
import { DisclosureDesk } from './disclosure/desk.ts';
import { DisclosureOutbox } from './disclosure/outgoing.ts';
import { linkDispatcher } from './dispatcher.ts';
import { GATEWAY_ROUTES } from './gateway/api.ts';
import { createGatewayApp } from './gateway.ts';
import { CoordinatorLink } from './link.ts';
import { Mail } from './mail.ts';
import { createNodeMetrics, registerNodeGauges } from './metrics.ts';
import { PolicyFile } from './policy.ts';
import { Publisher } from './publisher.ts';
import { Responder } from './responder.ts';
import { NodeStore } from './store/sqlite-store.ts';

export interface NodeHandle {
  readonly country: string;
  readonly url: string;
  readonly port: number;
  readonly store: NodeStore;
  readonly link: CoordinatorLink;
  readonly members: MemberDirectory;
  readonly audit: AuditLog;
  readonly desk: DisclosureDesk;
  readonly bio: BioService;
  /** The data owners' approval console (admin listener). */
  readonly consoleUrl: string;
  /** Resolves when the outbox is empty (everything published and acknowledged). */
  published(timeoutMs?: number): Promise<void>;
  /**
   * Graceful stop (SIGTERM): refuse new requests, keep the coordinator link so answers in flight
   * arrive, wait up to `graceMs` (default: `shutdownGraceMs` of node.json, or `VEIL_SHUTDOWN_GRACE_MS`)
   * for requests and searches in flight, then close. True when everything in flight finished.
   */
  shutdown(graceMs?: number): Promise<boolean>;
  /** Immediate stop. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartNodeOptions {
  /** The optional config file and the environment to read settings from (`node/config.ts` NODE_SETTINGS). */
  settings?: SettingSources;
  /** One coordinator URL, or several (comma-separated) for a replicated coordinator. */
  coordinatorUrl?: string;
  port?: number;
  host?: string;
  logger?: Logger;
  queryTimeoutMs?: number;
  heartbeatMs?: number;
  adminHost?: string;
  adminPort?: number;
  /** Threads per biometric query (main + workers), at most 2. */
  bioWorkers?: number;
  /** Time and timers for every service (default: the system clock). */
  clock?: Clock;
}

const BIO_TIMEOUT_MS = 120_000;
/** Meta key of the last revocation list applied: a restart must not forget a revocation. */
const REVOCATIONS_KEY = 'revocations';

/** The coordinator URLs to try: given at start (comma-separated), else `coordinatorUrls`, else `coordinatorUrl`. */
function coordinatorUrlsOf(given: string | undefined, cfg: NodeConfig): string[] {
  const urls = given
    ? given
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u.length > 0)
    : cfg.coordinatorUrls.length > 0
      ? cfg.coordinatorUrls
      : cfg.coordinatorUrl
        ? [cfg.coordinatorUrl]
        : [];
  if (urls.length === 0) {
    throw new VeilError('bad_config', 'no coordinator URL', {
      hint: 'pass --coordinator wss://HOST:PORT/v1/ws (several comma-separated), or set coordinatorUrl or coordinatorUrls in node.json (or VEIL_COORDINATOR_URL)',
    });
  }
  return urls;
}

export async function startNode(dir: string, opts: StartNodeOptions = {}): Promise<NodeHandle> {
  await initCrypto();
  const cfg = nodeSettings(dir, opts.settings);
  const lock = lockDir(dir, 'node');
  const opened: Array<() => unknown> = [() => lock.release()];
  try {
    return await startLocked(dir, cfg, opts, opened, lock);
  } catch (e) {
    for (const undo of opened.reverse()) await undo();
    throw e;
  }
}

async function startLocked(dir: string, cfg: NodeConfig, opts: StartNodeOptions, opened: Array<() => unknown>, lock: DirLock): Promise<NodeHandle> {
  const keys = loadNodeKeys(dir);
  const country = cfg.country;
  const log = opts.logger ?? createLogger(`node-${country}`);
  const clock = opts.clock ?? systemClock();
  const coordinatorUrls = coordinatorUrlsOf(opts.coordinatorUrl, cfg);
  const paths = nodePaths(dir);
  const bundle = loadNodeBundle(dir);
  const { certificate, cert } = loadNodeCertificate(dir, clock.now());
  // Every coordinator instance the bundle certifies is pinned; a login names the one the connection reached.
  const coordinators = bundleCoordinators(bundle, clock.now());
  const tls = !cfg.insecureDevTransport;
  if (!tls) log.warn(PLAIN_TRANSPORT_WARNING);
  for (const u of coordinatorUrls) {
    if (tls && !u.startsWith('wss://'))
      throw new VeilError('bad_config', `coordinator URL ${u} is not wss://`, { hint: 'use the wss:// URL `veil coordinator start` prints' });
  }
  if (!tls && coordinators.length > 1)
    throw new VeilError('bad_config', 'several coordinator instances need TLS: the development transport cannot tell them apart');
  const coordinatorAt = (peer: Uint8Array | undefined): string => {
    if (!peer) return (coordinators[0] as MemberCertificate).name;
    const c = coordinators.find((x) => equalBytes(x.x509, peer));
    if (!c) throw new VeilError('untrusted_key', 'the coordinator presented a certificate the trust bundle does not name');
    return c.name;
  };

  const grace = shutdownGraceMs(cfg.shutdownGraceMs);
  const metricsToken = metricsTokenFromEnv();
  const registry = new MetricsRegistry();
  const metrics = createNodeMetrics(registry);
  const http = createHttpMetrics(
    registry,
    [...GATEWAY_ROUTES, ...CONSOLE_ROUTES].map((r) => r.path),
  );
  const drain = new Drain({ clock });
  const store = new NodeStore(paths.db);
  opened.push(() => store.close());
  const audit = nodeAudit(store, keys);
  const members = new MemberDirectory(bundle, () => clock.now());
  const savedRevocations = store.meta.get(REVOCATIONS_KEY);
  if (savedRevocations) members.revocations.applyStored(envelopeFromText(savedRevocations, 'stored revocation list'));
  const policy = new PolicyFile({
    path: join(dir, cfg.policyFile),
    log,
    clock,
    onReload: (ok) => audit.append({ kind: 'policy.reloaded', status: ok ? 'ok' : 'invalid' }),
  });
  const link = new CoordinatorLink({
    urls: coordinatorUrls,
    country,
    login: (binding, peer) =>
      loginHeader(keys.signing, certificate, { country, coordinator: coordinatorAt(peer), binding, ts: clock.now(), nonce: randomBytes(16) }),
    ...(tls ? { tls: clientTlsOptions({ caPem: bundle.caPem, expectCertificate: coordinators.map((c) => c.x509) }) } : {}),
    log,
    clock,
    dir,
    ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
  });
  const responder = new Responder({ country, store, keys, policy, members, audit, log, clock, metrics: metrics.inbound });
  const bio = new BioService({ country, store, keys, policy, members, audit, log, clock, workers: opts.bioWorkers ?? 2, metrics: metrics.inbound });
  const desk = new DisclosureDesk({ country, store, keys, audit, policy, clock });
  const outbox = new DisclosureOutbox({ country, store, keys, members, audit, clock });
  const mail = new Mail({ country, store, link, members, desk, outbox, audit, log, clock });
  const announce = descriptorAnnouncer({ country, keys, link, clock, activeKey: () => responder.activeKey() });
  const publisher = new Publisher({
    country,
    store,
    keys,
    link,
    audit,
    log,
    clock,
    onEpochActivated: () => {
      responder.resetKey();
      announce();
    },
  });
  const saveRevocations = (list: Parameters<typeof envelopeToText>[0]) => store.meta.set(REVOCATIONS_KEY, envelopeToText(list));
  link.attach(linkDispatcher({ link, members, saveRevocations, responder, bio, publisher, mail, announce, log, track: (p) => drain.track(p) }));
  registerNodeGauges(registry, {
    coordinatorConnected: () => link.ready,
    unpublishedChunks: () => store.records.outboxCount(),
    unsentMail: () => store.mail.outboxCount(),
    pendingApprovals: () => store.disclosures.listIncoming('pending', 100_000).length,
    bioQueued: () => bio.queued,
    inFlight: () => drain.inFlight,
    members: () => members.all().length,
  });
  const ops = (service: 'gateway' | 'console', ready: OpsDeps['ready']): OpsDeps => ({ service, registry, http, drain, log, metricsToken, ready });

  opened.push(() => bio.close());
  const loaded = await bio.load((m, done, total) => {
    if (done === total || done % 10 === 0) log.info('pre-encoding gallery', { kind: m, count: done, seq: total });
  });
  if (loaded.templates > 0) log.info('galleries loaded', { count: loaded.templates, ms: Math.round(loaded.ms) });

  const app = createGatewayApp({
    country,
    store,
    keys,
    link,
    members,
    audit,
    log,
    outbox,
    clock,
    policy,
    queryTimeoutMs: opts.queryTimeoutMs ?? 10_000,
    bioTimeoutMs: BIO_TIMEOUT_MS,
    metrics: metrics.gateway,
    ops: ops('gateway', () => ({ ready: link.ready, checks: { coordinator: link.ready } })),
  });
  const tlsOptions = tls ? serverTlsOptions({ key: keys.tls, certificate: cert.x509 }) : undefined;
  const server: Server = tlsOptions ? createHttpsServer(tlsOptions, getRequestListener(app.fetch)) : createHttpServer(getRequestListener(app.fetch));
  holdWhileResponding(server, drain);
  const host = opts.host ?? cfg.host;
  const port = await listen(server, opts.port ?? cfg.port, host, {
    what: "the node's analyst API",
    fix: 'choose another port: --port at start, "port" in node.json or a config file, or VEIL_NODE_PORT',
  });
  opened.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  const consoleHandle = await startConsole({
    country,
    store,
    desk,
    audit,
    host: opts.adminHost ?? cfg.adminHost,
    port: opts.adminPort ?? cfg.adminPort,
    logger: log,
    secureCookies: cfg.adminSecureCookies || tls,
    clock,
    ...(tlsOptions ? { tls: tlsOptions } : {}),
    ops: ops('console', () => ({ ready: true, checks: {} })),
    drain,
  });
  opened.push(() => consoleHandle.close());
  const control = await startControl(
    dir,
    async () => ({
      pid: process.pid,
      url,
      consoleUrl: consoleHandle.url,
      coordinator: { url: link.url, ...link.state },
      online: link.ready ? await link.presence(toHex(randomBytes(16)), 2000).catch(() => null) : null,
      members: members
        .all()
        .map((m) => m.country)
        .sort(),
    }),
    log,
  );
  writeRunFile(paths.run, { url, port, country, consoleUrl: consoleHandle.url });
  audit.append({ kind: 'node.started', country });
  const stopCheckpoints = periodicCheckpoints(audit);
  log.info('node listening', { port, country });
  link.start();

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stopCheckpoints();
    publisher.close();
    mail.close();
    // The link first: requests still waiting for the coordinator fail `unavailable` now, not later.
    link.close();
    const stopped = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    await drain.idle(1000); // let those refusals reach their analysts
    server.closeAllConnections();
    await stopped;
    await consoleHandle.close();
    await bio.close();
    await control?.close();
    audit.checkpoint();
    store.close();
    lock.release();
  };
  const shutdown = async (graceMs = grace): Promise<boolean> => {
    if (!drain.draining) {
      drain.start();
      log.info('node draining', { count: drain.inFlight, ms: graceMs });
    }
    const drained = await drain.idle(graceMs);
    if (!drained) log.warn('shutdown deadline reached: closing with work in flight', { count: drain.inFlight, ms: graceMs });
    await close();
    log.info('node stopped', { country });
    return drained;
  };
  return {
    country,
    url,
    port,
    store,
    link,
    members,
    audit,
    desk,
    bio,
    consoleUrl: consoleHandle.url,
    published: async (timeoutMs = 30_000) => {
      const until = clock.now() + timeoutMs;
      while (store.records.outboxCount() > 0) {
        if (clock.now() > until) throw new VeilError('timeout', 'outbox not drained');
        publisher.kick();
        await new Promise<void>((r) => clock.setTimeout(r, 50));
      }
    },
    shutdown,
    close,
    [Symbol.asyncDispose]: close,
  };
}
