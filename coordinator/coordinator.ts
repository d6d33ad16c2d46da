/**
 * The coordinator, composed from its concerns by one factory. `createCoordinator` takes every
 * collaborator — store, audit sink, clock, logger, configuration, scheduling and randomness — in one
 * deps object and returns a socket acceptor: the transport (`transport.ts`) hands it each member
 * connection, and unit tests hand it fake sockets.
 *
 *   connection.ts   decode → authenticate → dispatch, per connection, in order
 *   membership.ts   challenge/response login, departures        sessions.ts   live sessions and keys
 *   directory.ts    admitted members, descriptors, broadcasts   fanout.ts     query routing and deadlines
 *   eval-batcher.ts one eval frame per node per turn            result-cache.ts  results for retransmissions
 *   lookup.ts       PSI index lookups                           publish.ts    PSI index publication
 *   mailboxes.ts    store-and-forward mail                      heartbeat.ts  ping/terminate
 *   audit-batch.ts  hot-path audit, one transaction per turn    rate-limit.ts per-country token buckets
 */
import { randomBytes as cryptoRandomBytes } from '#crypto';
import { ReplayGuard } from '#protocol';
import type { Clock, Logger } from '#platform';
import type { CoordinatorConfig } from './config.ts';
import type { AuditSink, CoordinatorStore } from './store/repositories.ts';
import type { ConnectionHandler, MemberSocket, SocketAcceptor } from './transport.ts';
import type { Health } from './http.ts';
import { SessionRegistry } from './sessions.ts';
import { createAuditBatch } from './audit-batch.ts';
import { createDirectory } from './directory.ts';
import { createMailboxes } from './mailboxes.ts';
import { createEvalBatcher } from './eval-batcher.ts';
import { createRateLimiter } from './rate-limit.ts';
import { ResultCache } from './result-cache.ts';
import { createFanout } from './fanout.ts';
import { createLookups } from './lookup.ts';
import { createPublications } from './publish.ts';
import { createMembership } from './membership.ts';
import { createDispatch } from './dispatch.ts';
import { acceptConnection } from './connection.ts';
import { startHeartbeat } from './heartbeat.ts';

/** How often expired results and replay nonces are forgotten. */
export const SWEEP_INTERVAL_MS = 10_000;

export interface CoordinatorDeps {
  config: CoordinatorConfig;
  store: CoordinatorStore;
  /** The audit log (normally the store's own, so audited writes commit with their entries). */
  audit: AuditSink;
  clock: Clock;
  log: Logger;
  /** Runs `fn` after the current event-loop turn's I/O (default `setImmediate`): batching boundary. */
  nextTurn?: (fn: () => void) => void;
  randomBytes?: (n: number) => Uint8Array;
}

export interface Coordinator extends SocketAcceptor {
  accept(socket: MemberSocket): ConnectionHandler;
  /** Countries with a live, authenticated connection. */
  connected(): string[];
  health(): Promise<Health>;
  /** Stops timers, drops pending queries and writes queued audit entries; does not close the store. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function createCoordinator(deps: CoordinatorDeps): Coordinator {
  const { config, store, clock, log } = deps;
  const nextTurn = deps.nextTurn ?? ((fn: () => void) => void setImmediate(fn));
  let closed = false;
  const isClosed = () => closed;

  const sessions = new SessionRegistry();
  const replay = new ReplayGuard({ clock: () => clock.now() });
  const results = new ResultCache({ clock });
  const audit = createAuditBatch({ audit: deps.audit, nextTurn, log });
  const directory = createDirectory({ members: store.members, sessions, clock, log });
  const mailboxes = createMailboxes({ members: store.members, mailboxes: store.mailboxes, sessions, audit, log, isClosed });
  const fanout = createFanout({
    config,
    sessions,
    directory,
    replay,
    limiter: createRateLimiter({ clock, perSecond: config.ratePerCountry }),
    results,
    batcher: createEvalBatcher({ nextTurn }),
    audit,
    clock,
  });
  const dispatch = createDispatch({
    directory,
    fanout,
    lookups: createLookups({ index: store.index, replay, audit }),
    publications: createPublications({ index: store.index }),
    mailboxes,
  });
  const membership = createMembership({
    name: config.name,
    members: store.members,
    sessions,
    audit: deps.audit,
    log,
    envelopes: () => directory.envelopes(),
    onLogin: (s) => nextTurn(() => void mailboxes.deliver(s).catch((err: unknown) => log.error('mail delivery failed', err, { country: s.country }))),
    isClosed,
  });
  const heartbeat = startHeartbeat({ sessions, clock, intervalMs: config.heartbeatMs });
  const sweeper = clock.setInterval(() => {
    results.sweep();
    replay.sweep();
  }, SWEEP_INTERVAL_MS);
  const connection = { membership, dispatch, clock, log, randomBytes: deps.randomBytes ?? cryptoRandomBytes, isClosed };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      heartbeat.stop();
      clock.clear(sweeper);
      directory.close();
      fanout.close();
      await audit.flush();
    })();
    return closing;
  };

  return {
    accept: (socket) => acceptConnection(socket, connection),
    connected: () => sessions.connected(),
    health: async () => ({ name: config.name, members: (await store.members.listActive()).length, connected: sessions.connected().length }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
