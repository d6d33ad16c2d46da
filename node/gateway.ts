/**
 * The analyst API of a node: analysts reach the network only through their own country's node. Every
 * request is an envelope signed by the analyst's key; the node authenticates it, rejects replays,
 * audits metadata, re-signs what leaves the country with its own key and forwards it to the
 * coordinator. Blinding happens in the SDK, so the gateway sees only blinded elements and tags.
 *
 * Idempotency follows the one rule (`IdempotentRequests` in platform): a query, biometric query or
 * lookup is known by (analyst, request id) and the digest of its content without ts and nonce, so a
 * retry in a fresh envelope joins the request in flight or receives the recent result, and the same id
 * with other content is `conflict`. An exact replay (same nonce) is refused before that. Disclosure
 * requests are durable and keep their store-level check (see `DisclosureOutbox.submit`).
 *
 * Limits (`gateway/limiter.ts`, configured in `policy.gateway`): after authentication and before the
 * replay and idempotency caches, a query, biometric query or lookup takes a token from its analyst's
 * bucket and from the node's, and counts against the analyst's cap on requests in flight; a refusal is
 * `rate_limited` and leaves no state behind. The answers kept for retries are bounded in number and in
 * bytes, biometric answers (up to megabytes each) apart from identifier answers so they cannot push
 * those out; identifier and biometric queries still share one id space per analyst.
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import { decodePoint, randomBytes, sha256 } from '#crypto';
import {
  type AuditLog,
  type Clock,
  createAuditGroupCommit,
  errorResponse,
  IdempotentRequests,
  type Logger,
  mountApiDocs,
  mountOpsRoutes,
  msgpackResponse,
  type OpsDeps,
  opsMiddleware,
  readBody,
  secondsSince,
} from '#platform';
import {
  type Answer,
  decodeWith,
  Envelope,
  type ErrorCode,
  encode,
  errorCodeOf,
  type ForwardedBioQuery,
  type ForwardedLookup,
  type ForwardedQuery,
  keyId,
  keyIdName,
  LIMITS,
  type LookupResult,
  ReplayGuard,
  signEnvelope,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import type { MemberDirectory } from '#sdk';
import type { NodeKeys } from './config.ts';
import type { DisclosureOutbox } from './disclosure/outgoing.ts';
import { GATEWAY_API, type GatewayHealth, gatewayOpenApi } from './gateway/api.ts';
import { GatewayLimiter, type LimitedKind } from './gateway/limiter.ts';
import { type GatewayMetrics, noGatewayMetrics } from './metrics.ts';
import type { PolicySource } from './policy.ts';
import type { NodeRepositories } from './store/repositories.ts';

/** What the gateway needs of the coordinator link: its state, and forwarding with an answer awaited. */
export interface GatewayLink {
  readonly ready: boolean;
  /** `again` signs the same request afresh, for the link to send once more after a coordinator failover. */
  query(id: string, env: Envelope, timeoutMs: number, again?: () => Envelope): Promise<Answer[]>;
  lookup(id: string, env: Envelope, timeoutMs: number, again?: () => Envelope): Promise<LookupResult[]>;
}

export interface GatewayDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  link: GatewayLink;
  members: Pick<MemberDirectory, 'entries' | 'revocations'>;
  audit: AuditLog;
  log: Logger;
  outbox: Pick<DisclosureOutbox, 'submit' | 'list'>;
  clock: Clock;
  /** The policy in force: its `gateway` section holds the limits on this node's analysts. */
  policy: Pick<PolicySource, 'current'>;
  /** How long to wait for the coordinator's aggregated answer. */
  queryTimeoutMs: number;
  bioTimeoutMs: number;
  /** Bounds on the answers kept for retries (default `DEFAULT_RETENTION`). */
  retention?: GatewayRetention;
  metrics?: GatewayMetrics;
  /** Request ids, drain, `/healthz`, `/readyz`, `/metrics` (absent in unit tests that do not need them). */
  ops?: OpsDeps;
}

/** How many answers, and how many bytes of them, are kept for retries. */
export interface GatewayRetention {
  /** Identifier query answers, and lookup results (each their own store). */
  maxEntries: number;
  maxBytes: number;
  /** Biometric query answers: encrypted scores, up to megabytes per target. */
  bioMaxEntries: number;
  bioMaxBytes: number;
}

export const DEFAULT_RETENTION: GatewayRetention = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, bioMaxEntries: 256, bioMaxBytes: 256 * 1024 * 1024 };

/** How long a completed request's answer is returned to a retry. */
const RETAIN_MS = 120_000;
/** Bookkeeping counted per kept answer or entry, beside its bytes. */
const ENTRY_OVERHEAD = 64;

const answersBytes = (answers: readonly Answer[]): number => answers.reduce((n, a) => n + ENTRY_OVERHEAD + (a.env?.length ?? 0), 0);
const resultsBytes = (results: readonly LookupResult[]): number =>
  results.reduce(
    (n, r) =>
      n +
      ENTRY_OVERHEAD +
      r.commitment.payload.length +
      r.buckets.reduce((m, b) => m + 16 * 32 + b.entries.reduce((k, [tag, token]) => k + ENTRY_OVERHEAD + tag.length + token.length, 0), 0),
    0,
  );

/** The content of a request for the idempotency rule: everything but the per-send ts and nonce. */
export function requestDigest(msg: { ts: number; nonce: Uint8Array }): Uint8Array {
  const { ts: _ts, nonce: _nonce, ...content } = msg;
  return sha256(encode(content));
}

export function createGatewayApp(d: GatewayDeps): Hono {
  const app = new Hono();
  if (d.ops) {
    app.use(...opsMiddleware(d.ops));
    mountOpsRoutes(app, d.ops);
  }
  mountApiDocs(app, gatewayOpenApi());
  const metrics = d.metrics ?? noGatewayMetrics;
  const replay = new ReplayGuard({ clock: () => d.clock.now() });
  // One transaction per event-loop turn for the entries of forwarded queries (one sync to disk per
  // burst, not per query); each query is forwarded once its entry is committed.
  const forwarded = createAuditGroupCommit(d.audit);
  const limiter = new GatewayLimiter({ policy: d.policy, audit: d.audit, log: d.log, clock: d.clock, onRefused: metrics.rateLimited });
  const r = d.retention ?? DEFAULT_RETENTION;
  const kept = { clock: d.clock, retainMs: RETAIN_MS };
  const queries = new IdempotentRequests<Answer[]>({ ...kept, maxEntries: r.maxEntries, maxBytes: r.maxBytes, sizeOf: answersBytes });
  const bioQueries = new IdempotentRequests<Answer[]>({ ...kept, maxEntries: r.bioMaxEntries, maxBytes: r.bioMaxBytes, sizeOf: answersBytes });
  const lookups = new IdempotentRequests<LookupResult[]>({ ...kept, maxEntries: r.maxEntries, maxBytes: r.maxBytes, sizeOf: resultsBytes });
  const nodeKid = keyId.node(d.country);
  /** The same forwarded request with a fresh timestamp and nonce: what the link sends after a failover. */
  const resign =
    <F extends { ts: number; nonce: Uint8Array }>(fwd: F) =>
    () =>
      signEnvelope(d.keys.signing, nodeKid, { ...fwd, ts: d.clock.now(), nonce: randomBytes(16) });

  /**
   * Identifier and biometric queries share one id space per analyst: an id in flight or kept in the
   * other kind's store is a conflict (its content is necessarily other).
   */
  const claimQueryId = (other: IdempotentRequests<Answer[]>, analyst: string, id: string): void => {
    if (other.inFlight(analyst, id) || other.recent(analyst, id) !== undefined) throw new VeilError('conflict', 'request id reused with other content');
  };

  /** Run a limited request: admitted by the limiter (or refused), released once it is answered. */
  const limited = async <T>(kind: LimitedKind, analyst: string, fn: () => Promise<T>): Promise<T> => {
    const release = limiter.admit(kind, analyst);
    try {
      return await fn();
    } finally {
      release();
    }
  };

  /** Wait for the coordinator's answer to a forwarded request, timed and counted by outcome. */
  const upstream = async <T>(kind: LimitedKind, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    let outcome: 'ok' | ErrorCode = 'ok';
    try {
      return await fn();
    } catch (e) {
      outcome = errorCodeOf(e);
      throw e;
    } finally {
      metrics.forwarded(kind, outcome, secondsSince(t0));
    }
  };

  /** Verify a request envelope against the analyst's registered key; the analyst is the principal. */
  const verified = async <S extends z.ZodType>(
    req: Request,
    schema: S,
    maxBytes: number = LIMITS.maxRequestBytes,
  ): Promise<{ env: Envelope; msg: z.infer<S>; analyst: string }> => {
    const env = decodeWith(await readBody(req, maxBytes), Envelope, maxBytes);
    let analyst: string | undefined;
    const msg = verifyEnvelope(
      env,
      (kid) => {
        const id = keyIdName(kid, 'analyst');
        if (id === undefined) throw new VeilError('unauthenticated', 'not an analyst key');
        const a = d.store.analysts.get(id);
        if (!a || a.revoked) throw new VeilError('unauthenticated', 'unknown or revoked analyst');
        analyst = a.id;
        return a.signPub;
      },
      schema,
    );
    if (analyst === undefined) throw new VeilError('unauthenticated');
    return { env, msg, analyst };
  };

  app.onError((err) => {
    if (errorCodeOf(err) === 'internal') d.log.error('gateway request failed', err);
    return errorResponse(err);
  });

  app.get(GATEWAY_API.health.path, (c) =>
    c.json({
      ok: true,
      country: d.country,
      coordinator: d.link.ready ? 'connected' : 'disconnected',
      unpublishedChunks: d.store.records.outboxCount(),
      unsentMail: d.store.mail.outboxCount(),
    } satisfies GatewayHealth),
  );

  app.get(GATEWAY_API.members.path, () => msgpackResponse({ members: d.members.entries(), revocations: d.members.revocations.envelope ?? null }));

  app.post(GATEWAY_API.query.path, async (c) => {
    const { env, msg: q, analyst } = await verified(c.req.raw, GATEWAY_API.query.body.payload);
    const answers = await limited('query', analyst, async () => {
      replay.check(env.kid, q.ts, q.nonce);
      // Reject bad group elements here, before they cost anything abroad.
      for (const it of q.items) decodePoint(it.blinded, 'blinded element');
      claimQueryId(bioQueries, analyst, q.id);
      return queries.run(analyst, q.id, requestDigest(q), async () => {
        const fwd: ForwardedQuery = {
          t: 'fwd-query',
          id: q.id,
          ts: d.clock.now(),
          nonce: randomBytes(16),
          from: d.country,
          analyst,
          purpose: q.purpose,
          caseRef: q.caseRef,
          legalBasis: q.legalBasis,
          handling: q.handling,
          targets: q.targets,
          items: q.items,
        };
        await forwarded.append({ kind: 'query.forwarded', queryId: q.id, analyst, count: q.items.length, purpose: q.purpose, legalBasis: q.legalBasis });
        return upstream('query', () => d.link.query(q.id, signEnvelope(d.keys.signing, nodeKid, fwd), d.queryTimeoutMs, resign(fwd)));
      });
    });
    return msgpackResponse({ id: q.id, answers });
  });

  app.post(GATEWAY_API.lookup.path, async (c) => {
    const { env, msg: q, analyst } = await verified(c.req.raw, GATEWAY_API.lookup.body.payload);
    const results = await limited('lookup', analyst, async () => {
      replay.check(env.kid, q.ts, q.nonce);
      return lookups.run(analyst, q.id, requestDigest(q), async () => {
        const fwd: ForwardedLookup = { t: 'fwd-lookup', id: q.id, ts: d.clock.now(), nonce: randomBytes(16), from: d.country, mode: q.mode, items: q.items };
        return upstream('lookup', () => d.link.lookup(q.id, signEnvelope(d.keys.signing, nodeKid, fwd), d.queryTimeoutMs, resign(fwd)));
      });
    });
    return msgpackResponse({ id: q.id, results });
  });

  /** An encrypted biometric search: forwarded like an identifier query, with a longer deadline. */
  app.post(GATEWAY_API.bioQuery.path, async (c) => {
    const { env, msg: q, analyst } = await verified(c.req.raw, GATEWAY_API.bioQuery.body.payload, LIMITS.maxFrameBytes);
    const answers = await limited('bio-query', analyst, async () => {
      replay.check(env.kid, q.ts, q.nonce);
      claimQueryId(queries, analyst, q.id);
      return bioQueries.run(analyst, q.id, requestDigest(q), async () => {
        const { t: _t, ts: _ts, nonce: _n, ...rest } = q;
        const fwd: ForwardedBioQuery = { ...rest, t: 'fwd-bio-query', ts: d.clock.now(), nonce: randomBytes(16), from: d.country, analyst };
        await forwarded.append({
          kind: 'query.forwarded',
          queryId: q.id,
          analyst,
          cls: q.modality,
          purpose: q.purpose,
          legalBasis: q.legalBasis,
          bytes: q.probe.length,
        });
        return upstream('bio-query', () => d.link.query(q.id, signEnvelope(d.keys.signing, nodeKid, fwd), d.bioTimeoutMs, resign(fwd)));
      });
    });
    return msgpackResponse({ id: q.id, answers });
  });

  /** A disclosure request: stored and queued for the owner's mailbox before the analyst gets 202. */
  app.post(GATEWAY_API.disclose.path, async (c) => {
    const { env, msg: req, analyst } = await verified(c.req.raw, GATEWAY_API.disclose.body.payload);
    replay.check(env.kid, req.ts, req.nonce);
    const r = d.outbox.submit(analyst, req);
    return msgpackResponse(r, 202);
  });

  /** The analyst's own disclosure requests, with the owners' signed (and sealed) decisions. */
  app.post(GATEWAY_API.listDisclosures.path, async (c) => {
    const { env, msg: req, analyst } = await verified(c.req.raw, GATEWAY_API.listDisclosures.body.payload);
    replay.check(env.kid, req.ts, req.nonce);
    const items = d.outbox.list(analyst).map((r) => ({
      id: r.id,
      to: r.to,
      status: r.status,
      createdAt: r.createdAt,
      fields: r.fields,
      ...(r.decision ? { decision: decodeWith(r.decision, Envelope, LIMITS.maxFrameBytes) } : {}),
    }));
    return msgpackResponse({ items });
  });

  return app;
}
