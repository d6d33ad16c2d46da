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
import { initCrypto, randomBytes, toHex } from '#crypto';
import {
  type AuditLog,
  type Clock,
  clientTlsOptions,
  createLogger,
  type DirLock,
  envelopeFromText,
  envelopeToText,
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
import { bundleCoordinator, loginHeader, VeilError } from '#protocol';
import { MemberDirectory } from '#sdk';
import { nodeAudit } from './admin-ops.ts';
import { BioService } from './bio.ts';
import { loadNodeBundle, loadNodeCertificate, loadNodeKeys, type NodeConfig, nodePaths, nodeSettings } from './config.ts';
import { startConsole } from './console/index.ts';
import { startControl } from './control.ts';
import { descriptorAnnouncer } from './descriptor.ts';
import { DisclosureDesk } from './disclosure/desk.ts';
import { DisclosureOutbox } from './disclosure/outgoing.ts';
import { linkDispatcher } from './dispatcher.ts';
import { createGatewayApp } from './gateway.ts';
import { CoordinatorLink } from './link.ts';
import { Mail } from './mail.ts';
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
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartNodeOptions {
  /** The optional config file and the environment to read settings from (`node/config.ts` NODE_SETTINGS). */
  settings?: SettingSources;
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
  const coordinatorUrl = opts.coordinatorUrl ?? cfg.coordinatorUrl;
  if (!coordinatorUrl) {
    throw new VeilError('bad_config', 'no coordinator URL', {
      hint: 'pass --coordinator wss://HOST:PORT/v1/ws, or set coordinatorUrl in node.json (or VEIL_COORDINATOR_URL)',
    });
  }
  const paths = nodePaths(dir);
  const bundle = loadNodeBundle(dir);
  const { certificate, cert } = loadNodeCertificate(dir, clock.now());
  const coordinator = bundleCoordinator(bundle, clock.now());
  const tls = !cfg.insecureDevTransport;
  if (!tls) log.warn(PLAIN_TRANSPORT_WARNING);
  if (tls && !coordinatorUrl.startsWith('wss://'))
    throw new VeilError('bad_config', `coordinator URL ${coordinatorUrl} is not wss://`, { hint: 'use the wss:// URL `veil coordinator start` prints' });

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
    url: coordinatorUrl,
    country,
    login: (binding) => loginHeader(keys.signing, certificate, { country, coordinator: coordinator.name, binding, ts: clock.now(), nonce: randomBytes(16) }),
    ...(tls ? { tls: clientTlsOptions({ caPem: bundle.caPem, expectCertificate: coordinator.x509 }) } : {}),
    log,
    clock,
    dir,
    ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
  });
  const responder = new Responder({ country, store, keys, policy, members, audit, log, clock });
  const bio = new BioService({ country, store, keys, policy, members, audit, log, clock, workers: opts.bioWorkers ?? 2 });
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
  link.attach(linkDispatcher({ link, members, saveRevocations, responder, bio, publisher, mail, announce, log }));

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
  });
  const tlsOptions = tls ? serverTlsOptions({ key: keys.tls, certificate: cert.x509 }) : undefined;
  const server: Server = tlsOptions ? createHttpsServer(tlsOptions, getRequestListener(app.fetch)) : createHttpServer(getRequestListener(app.fetch));
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
  });
  opened.push(() => consoleHandle.close());
  const control = await startControl(
    dir,
    async () => ({
      pid: process.pid,
      url,
      consoleUrl: consoleHandle.url,
      coordinator: { url: coordinatorUrl, ...link.state },
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
    await bio.close();
    link.close();
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await consoleHandle.close();
    await control?.close();
    audit.checkpoint();
    store.close();
    lock.release();
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
    close,
    [Symbol.asyncDispose]: close,
  };
}
