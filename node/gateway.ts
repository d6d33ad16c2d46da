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
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import { randomBytes, decodePoint, sha256 } from '#crypto';
import { Envelope, LIMITS, QueryRequest, LookupRequest, DisclosureRequest, ListDisclosures, BioQueryRequest, ReplayGuard, decodeWith, encode, verifyEnvelope, signEnvelope, type Answer, type ForwardedBioQuery, type ForwardedQuery, type ForwardedLookup, type LookupResult, VeilError, errorCodeOf, keyId, keyIdName } from '#protocol';
import { IdempotentRequests, errorResponse, msgpackResponse, readBody, type AuditLog, type Clock, type Logger } from '#platform';
import type { MemberDirectory } from '#sdk';
import type { NodeRepositories } from './store/repositories.ts';
import type { NodeKeys } from './config.ts';
import type { DisclosureOutbox } from './disclosure/outgoing.ts';

/** What the gateway needs of the coordinator link: its state, and forwarding with an answer awaited. */
export interface GatewayLink {
  readonly ready: boolean;
  query(id: string, env: Envelope, timeoutMs: number): Promise<Answer[]>;
  lookup(id: string, env: Envelope, timeoutMs: number): Promise<LookupResult[]>;
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
  /** How long to wait for the coordinator's aggregated answer. */
  queryTimeoutMs: number;
  bioTimeoutMs: number;
}

/** How long a completed query's answer is returned to a retry, and how many are kept. */
const RETAIN_MS = 120_000;
const MAX_RETAINED = 10_000;

/** The content of a request for the idempotency rule: everything but the per-send ts and nonce. */
export function requestDigest(msg: { ts: number; nonce: Uint8Array }): Uint8Array {
  const { ts: _ts, nonce: _nonce, ...content } = msg;
  return sha256(encode(content));
}

export function createGatewayApp(d: GatewayDeps): Hono {
  const app = new Hono();
  const replay = new ReplayGuard({ clock: () => d.clock.now() });
  const retention = { clock: d.clock, retainMs: RETAIN_MS, maxEntries: MAX_RETAINED };
  // Identifier and biometric queries share one id space per analyst (a reused id is a conflict).
  const queries = new IdempotentRequests<Answer[]>(retention);
  const lookups = new IdempotentRequests<LookupResult[]>(retention);
  const nodeKid = keyId.node(d.country);

  /** Verify a request envelope against the analyst's registered key; the analyst is the principal. */
  const verified = async <S extends z.ZodType>(req: Request, schema: S, maxBytes: number = LIMITS.maxRequestBytes): Promise<{ env: Envelope; msg: z.infer<S>; analyst: string }> => {
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

  app.get('/v1/health', (c) =>
    c.json({ ok: true, country: d.country, coordinator: d.link.ready ? 'connected' : 'disconnected', unpublishedChunks: d.store.records.outboxCount(), unsentMail: d.store.mail.outboxCount() }),
  );

  app.get('/v1/members', () => msgpackResponse({ members: d.members.entries(), revocations: d.members.revocations.envelope ?? null }));

  app.post('/v1/query', async (c) => {
    const { env, msg: q, analyst } = await verified(c.req.raw, QueryRequest);
    replay.check(env.kid, q.ts, q.nonce);
    // Reject bad group elements here, before they cost anything abroad.
    for (const it of q.items) decodePoint(it.blinded, 'blinded element');
    const answers = await queries.run(analyst, q.id, requestDigest(q), async () => {
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
      d.audit.append({ kind: 'query.forwarded', queryId: q.id, analyst, count: q.items.length, purpose: q.purpose, legalBasis: q.legalBasis });
      return d.link.query(q.id, signEnvelope(d.keys.signing, nodeKid, fwd), d.queryTimeoutMs);
    });
    return msgpackResponse({ id: q.id, answers });
  });

  app.post('/v1/lookup', async (c) => {
    const { env, msg: q, analyst } = await verified(c.req.raw, LookupRequest);
    replay.check(env.kid, q.ts, q.nonce);
    const results = await lookups.run(analyst, q.id, requestDigest(q), async () => {
      const fwd: ForwardedLookup = { t: 'fwd-lookup', id: q.id, ts: d.clock.now(), nonce: randomBytes(16), from: d.country, mode: q.mode, items: q.items };
      return d.link.lookup(q.id, signEnvelope(d.keys.signing, nodeKid, fwd), d.queryTimeoutMs);
    });
    return msgpackResponse({ id: q.id, results });
  });

  /** An encrypted biometric search: forwarded like an identifier query, with a longer deadline. */
  app.post('/v1/bio-query', async (c) => {
    const { env, msg: q, analyst } = await verified(c.req.raw, BioQueryRequest, LIMITS.maxFrameBytes);
    replay.check(env.kid, q.ts, q.nonce);
    const answers = await queries.run(analyst, q.id, requestDigest(q), async () => {
      const { t: _t, ts: _ts, nonce: _n, ...rest } = q;
      const fwd: ForwardedBioQuery = { ...rest, t: 'fwd-bio-query', ts: d.clock.now(), nonce: randomBytes(16), from: d.country, analyst };
      d.audit.append({ kind: 'query.forwarded', queryId: q.id, analyst, cls: q.modality, purpose: q.purpose, legalBasis: q.legalBasis, bytes: q.probe.length });
      return d.link.query(q.id, signEnvelope(d.keys.signing, nodeKid, fwd), d.bioTimeoutMs);
    });
    return msgpackResponse({ id: q.id, answers });
  });

  /** A disclosure request: stored and queued for the owner's mailbox before the analyst gets 202. */
  app.post('/v1/disclosures', async (c) => {
    const { env, msg: req, analyst } = await verified(c.req.raw, DisclosureRequest);
    replay.check(env.kid, req.ts, req.nonce);
    const r = d.outbox.submit(analyst, req);
    return msgpackResponse(r, 202);
  });

  /** The analyst's own disclosure requests, with the owners' signed (and sealed) decisions. */
  app.post('/v1/disclosures/list', async (c) => {
    const { env, msg: req, analyst } = await verified(c.req.raw, ListDisclosures);
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
