/**
 * The coordinator, composed from its concerns by one factory. `createCoordinator` takes every
 * collaborator — store, audit sink, clock, logger, configuration, scheduling and randomness — in one
 * deps object and returns a socket acceptor: the transport (`transport.ts`) hands it each member
 * connection, and unit tests hand it fake sockets.
 *
 *   connection.ts   decode → authenticate → dispatch, per connection, in order
 *   trust.ts        pinned root, logins, revocation lists       membership.ts logins become sessions, departures
 *   sessions.ts     live sessions and keys
 *   directory.ts    admitted members, descriptors, broadcasts   fanout.ts     query routing and deadlines
 *   eval-batcher.ts one eval frame per node per turn            result-cache.ts  results for retransmissions
 *   lookup.ts       PSI index lookups                           publish.ts    PSI index publication
 *   mailboxes.ts    store-and-forward mail                      heartbeat.ts  ping/terminate
 *   audit-batch.ts  hot-path audit, one transaction per turn    rate-limit.ts per-country buckets (queries, lookup keys)
 */

import type { Clock, Drain, Logger } from '#platform';
import { errorCodeOf, type LoginIdentity, ReplayGuard, VeilError } from '#protocol';
import { createAuditBatch } from './audit-batch.ts';
import type { CoordinatorConfig } from './config.ts';
import { acceptConnection } from './connection.ts';
import { createDirectory } from './directory.ts';
import { createDispatch, type Dispatch } from './dispatch.ts';
import { createEvalBatcher } from './eval-batcher.ts';
import { createFanout } from './fanout.ts';
import { sendFrame } from './frames.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { Health } from './http.ts';
import { createLookups } from './lookup.ts';
import { createMailboxes } from './mailboxes.ts';
import { createMembership } from './membership.ts';
import { type CoordinatorMetrics, noCoordinatorMetrics, timedFrame } from './metrics.ts';
import { createPublications } from './publish.ts';
import { createCountryLimits, type LimitedKind, type RateSpec } from './rate-limit.ts';
import { ResultCache } from './result-cache.ts';
import { SessionRegistry } from './sessions.ts';
import type { AuditSink, CoordinatorStore } from './store/repositories.ts';
import type { ConnectionHandler, MemberSocket, SocketAcceptor } from './transport.ts';
import { type CoordinatorTrust, REVOCATION_POLL_MS } from './trust.ts';

/** How often expired results and replay nonces are forgotten. */
export const SWEEP_INTERVAL_MS = 10_000;

export interface CoordinatorDeps {
  config: CoordinatorConfig;
  store: CoordinatorStore;
  /** The audit log (normally the store's own, so audited writes commit with their entries). */
  audit: AuditSink;
  clock: Clock;
  log: Logger;
  /** The pinned organisation root and the revocation list: who may log in. */
  trust: CoordinatorTrust;
  /** Runs `fn` after the current event-loop turn's I/O (default `setImmediate`): batching boundary. */
  nextTurn?: (fn: () => void) => void;
  metrics?: CoordinatorMetrics;
  /** The process's drain (graceful shutdown): pending queries hold it; while draining, logins and new queries are refused. */
  drain?: Pick<Drain, 'hold' | 'draining'>;
}

export interface Coordinator extends SocketAcceptor {
  accept(socket: MemberSocket, who: LoginIdentity): ConnectionHandler;
  /** Apply a newer revocation list from the store now (it is also polled); true when one applied. */
  refreshRevocations(): Promise<boolean>;
  /** Countries with a live, authenticated connection. */
  connected(): string[];
  health(): Promise<Health>;
  /** Queries waiting for their targets. */
  readonly pendingQueries: number;
  /** Stops timers, drops pending queries and writes queued audit entries; does not close the store. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The buckets' rates and bursts from the configuration (`rate-limit.ts`). */
function rateSpecs(c: CoordinatorConfig): Record<LimitedKind, RateSpec> {
  return {
    query: { perSecond: c.ratePerCountry, burst: 2 * c.ratePerCountry },
    lookup: { perSecond: c.lookupKeysPerCountry, burst: 2 * c.lookupKeysPerCountry },
    eval: { perSecond: c.evalsPerPair, burst: 2 * c.evalsPerPair },
    bio: { perSecond: c.bioPerPair, burst: 10 * c.bioPerPair },
  };
}

export function createCoordinator(deps: CoordinatorDeps): Coordinator {
  const { config, store, clock, log } = deps;
  const metrics = deps.metrics ?? noCoordinatorMetrics;
  const nextTurn = deps.nextTurn ?? ((fn: () => void) => void setImmediate(fn));
  let closed = false;
  const isClosed = () => closed;

  const sessions = new SessionRegistry();
  const replay = new ReplayGuard({ clock: () => clock.now() });
  const results = new ResultCache({ clock });
  const audit = createAuditBatch({ audit: deps.audit, nextTurn, log });
  const directory = createDirectory({ members: store.members, sessions, clock, log, revocations: () => deps.trust.revocations.envelope });
  const mailboxes = createMailboxes({ members: store.members, mailboxes: store.mailboxes, sessions, audit, log, isClosed });
  const limits = createCountryLimits({ clock, audit, rates: rateSpecs(config) });
  const fanout = createFanout({
    config,
    sessions,
    directory,
    replay,
    limits,
    results,
    batcher: createEvalBatcher({ nextTurn }),
    audit,
    clock,
    metrics,
    ...(deps.drain ? { drain: deps.drain } : {}),
  });
  const routed = createDispatch({
    directory,
    fanout,
    lookups: createLookups({ index: store.index, replay, audit, limits }),
    publications: createPublications({ index: store.index }),
    mailboxes,
    presence: (s, id) => sendFrame(s.socket, { t: 'presence', id, online: sessions.connected() }),
  });
  const dispatch: Dispatch = (s, frame) => timedFrame(metrics, frame.t, () => routed(s, frame), errorCodeOf);
  const membership = createMembership({
    members: store.members,
    sessions,
    trust: deps.trust,
    audit: deps.audit,
    log,
    entries: () => directory.entries(),
    onLogin: (s) => {
      directory.invalidate();
      nextTurn(() => void mailboxes.deliver(s).catch((err: unknown) => log.error('mail delivery failed', err, { country: s.country })));
    },
    isClosed,
  });
  const heartbeat = startHeartbeat({ sessions, clock, intervalMs: config.heartbeatMs });
  const sweeper = clock.setInterval(() => {
    results.sweep();
    replay.sweep();
    deps.trust.sweep();
  }, SWEEP_INTERVAL_MS);
  const refreshRevocations = async (): Promise<boolean> => {
    if (!(await deps.trust.refresh())) return false;
    const r = deps.trust.revocations;
    await deps.audit.append([{ kind: 'trust.revocations', count: r.seq }]);
    const ended = await membership.enforceRevocations();
    directory.invalidate();
    log.info('revocation list applied', { seq: r.seq, count: ended.length });
    directory.scheduleBroadcast();
    return true;
  };
  const revocationPoll = clock.setInterval(() => {
    if (!closed) refreshRevocations().catch((err: unknown) => log.error('revocation list refresh failed', err));
  }, REVOCATION_POLL_MS);
  const connection = { membership, dispatch, clock, log, isClosed };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      heartbeat.stop();
      clock.clear(sweeper);
      clock.clear(revocationPoll);
      directory.close();
      fanout.close();
      await audit.flush();
    })();
    return closing;
  };

  return {
    authenticate: (header, binding) => {
      try {
        if (deps.drain?.draining) throw new VeilError('unavailable', 'coordinator shutting down');
        const who = deps.trust.authenticate(header, binding);
        metrics.login('ok');
        return who;
      } catch (e) {
        metrics.login(errorCodeOf(e));
        throw e;
      }
    },
    accept: (socket, who) => acceptConnection(socket, who, connection),
    refreshRevocations,
    connected: () => sessions.connected(),
    get pendingQueries() {
      return fanout.pending;
    },
    health: async () => ({ name: config.name, members: (await store.members.listActive()).length, connected: sessions.connected().length }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
