/**
 * `veil node start`: the country node process. It dials out to the coordinator (no inbound port needed
 * from abroad), answers evaluation batches, publishes its index from the outbox, and serves the analyst
 * API to its own analysts on a local listener.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { initCrypto } from '#crypto';
import { challengeBytes, signEnvelope, decode, LIMITS, type NodeDescriptor, type Envelope, VeilError, keyId } from '#protocol';
import { boundPort, createLogger, writeRunFile, periodicCheckpoints, type Logger, type AuditLog } from '#platform';
import { MemberDirectory } from '#sdk';
import { NodeStore } from './store/sqlite-store.ts';
import { loadNodeConfig, loadNodeKeys, nodePaths, type NodeConfig } from './config.ts';
import { CoordinatorLink } from './link.ts';
import { Responder } from './responder.ts';
import { Publisher } from './publisher.ts';
import { createGatewayApp } from './gateway.ts';
import { PolicyFile } from './policy.ts';
import { nodeAudit } from './admin-ops.ts';
import { DisclosureDesk } from './disclosure/desk.ts';
import { DisclosureOutbox } from './disclosure/outgoing.ts';
import { Mail } from './mail.ts';
import { BioService } from './bio.ts';
import { startConsole } from './console/index.ts';

function isBioQuery(env: Envelope): boolean {
  try {
    return (decode(env.payload, LIMITS.maxPayloadBytes) as { t?: unknown }).t === 'fwd-bio-query';
  } catch {
    return false;
  }
}

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
}

export async function startNode(dir: string, opts: StartNodeOptions = {}): Promise<NodeHandle> {
  await initCrypto();
  const cfg: NodeConfig = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
  const log = opts.logger ?? createLogger(`node-${cfg.country}`);
  const coordinatorUrl = opts.coordinatorUrl ?? cfg.coordinatorUrl;
  if (!coordinatorUrl) throw new VeilError('bad_config', 'no coordinator URL: set coordinatorUrl in node.json or pass --coordinator');
  const paths = nodePaths(dir);
  const store = new NodeStore(paths.db);
  const audit = nodeAudit(store, keys);
  const members = new MemberDirectory();
  const kid = keyId.node(cfg.country);
  const policy = new PolicyFile(join(dir, cfg.policyFile), log, (ok) =>
    audit.append({ kind: 'policy.reloaded', status: ok ? 'ok' : 'invalid' }),
  );

  let responder: Responder;
  let publisher: Publisher;
  const sendDescriptor = (): void => {
    const { epoch, key } = responder.activeKey();
    const d: NodeDescriptor = {
      t: 'descriptor',
      country: cfg.country,
      ts: Date.now(),
      signPub: keys.signing.publicKey(),
      boxPub: keys.box.publicKey(),
      oprf: { epoch, pub: key.publicKey() },
    };
    link.trySend({ t: 'descriptor', env: signEnvelope(keys.signing, kid, d) });
  };
  const link: CoordinatorLink = new CoordinatorLink(
    coordinatorUrl,
    cfg.country,
    {
      signChallenge: (nonce, coordinator) => keys.signing.sign(challengeBytes(nonce, coordinator, cfg.country)),
      onConnected: () => {
        sendDescriptor();
        publisher.reset();
        mail.reset();
      },
      onMembers: (envs) => members.update(envs),
      onEval: (batch) => {
        // Biometric queries take seconds: they run in the background, one at a time.
        const ids: Envelope[] = [];
        for (const env of batch) {
          if (isBioQuery(env)) {
            bio
              .handle(env)
              .then((r) => r && link.trySend({ t: 'eval-results', results: [r] }))
              .catch((e: unknown) => log.error('biometric query failed', e));
          } else ids.push(env);
        }
        if (ids.length === 0) return;
        try {
          const results = responder.handleBatch(ids);
          if (results.length > 0) link.trySend({ t: 'eval-results', results });
        } catch (e) {
          log.error('evaluation batch failed', e, { count: ids.length });
        }
      },
      onPublishAck: (epoch, seq) => publisher.onAck(epoch, seq),
      onMail: (items) => mail.onMail(items),
      onMailStored: (mid) => mail.onStored(mid),
    },
    log,
    opts.heartbeatMs,
  );
  responder = new Responder(cfg.country, store, keys, policy, members, audit, log);
  const desk = new DisclosureDesk(cfg.country, store, keys, audit, () => policy.current);
  const outbox = new DisclosureOutbox(cfg.country, store, keys, members, audit);
  const mail: Mail = new Mail(cfg.country, store, link, members, desk, outbox, audit, log);
  const bio = new BioService(cfg.country, store, keys, policy, members, audit, log, opts.bioWorkers ?? 2);
  const loaded = await bio.load((m, done, total) => {
    if (done === total || done % 10 === 0) log.info('pre-encoding gallery', { kind: m, count: done, seq: total });
  });
  if (loaded.templates > 0) log.info('galleries loaded', { count: loaded.templates, ms: Math.round(loaded.ms) });
  publisher = new Publisher(cfg.country, store, keys, link, audit, log, () => {
    responder.resetKey();
    sendDescriptor();
  });

  const app = createGatewayApp({ country: cfg.country, store, keys, link, members, audit, log, outbox, queryTimeoutMs: opts.queryTimeoutMs ?? 10_000, bioTimeoutMs: 120_000 });
  const server: Server = createServer(getRequestListener(app.fetch));
  const host = opts.host ?? cfg.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? cfg.port, host, () => resolve());
  });
  const port = boundPort(server);
  const url = `http://${host}:${port}`;
  const consoleHandle = await startConsole({ country: cfg.country, store, desk, audit, host: opts.adminHost ?? cfg.adminHost, port: opts.adminPort ?? cfg.adminPort, logger: log, secureCookies: cfg.adminSecureCookies });
  writeRunFile(paths.run, { url, port, country: cfg.country, consoleUrl: consoleHandle.url });
  audit.append({ kind: 'node.started', country: cfg.country });
  const stopCheckpoints = periodicCheckpoints(audit);
  log.info('node listening', { port, country: cfg.country });
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
    audit.checkpoint();
    store.close();
  };
  return {
    country: cfg.country,
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
      const until = Date.now() + timeoutMs;
      while (store.records.outboxCount() > 0) {
        if (Date.now() > until) throw new VeilError('timeout', 'outbox not drained');
        publisher.kick();
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
