/**
 * The coordinator process: member registry, websocket hub, query fan-out with per-node micro-batching and
 * per-query deadlines, PSI index lookups and publication, metadata-only audit (DESIGN.md §1, §2, §9).
 *
 * Nodes dial out to `/v1/ws`, answer a signed challenge and keep the connection. A query arriving from a
 * gateway node is verified against the registry, rate-limited per country, and queued to every target;
 * queued queries for one node leave in one frame per event-loop turn, so under load many queries share a
 * frame. Every result lists every target with a status — answered, unavailable, timeout or error — so a
 * country that is down is never silently dropped. The coordinator never decodes or stores what a node
 * evaluated; it routes signed envelopes it cannot forge.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { assertSignature, randomBytes, initCrypto, equalBytes } from '#crypto';
import { LIMITS, challengeBytes, PROTOCOL_VERSION, checkVersion, decodeWith, decode, encode, encodeWithEncodedArray, verifyEnvelope, NodeFrame, ForwardedAnyQuery, ForwardedLookup, PublishChunk, NodeDescriptor, ReplayGuard, assertNever, type Answer, type CoordinatorFrame, Envelope, type LookupResult, VeilError, asVeilError, keyId } from '#protocol';
import { AuditLog, createLogger, writeRunFile, boundPort, periodicCheckpoints, type Logger, type AuditEntry } from '#platform';
import { CoordinatorStore } from './store/legacy-sqlite-store.ts';
import { coordinatorPaths, loadCoordinatorConfig, loadCoordinatorKey, type CoordinatorConfig } from './config.ts';

export interface CoordinatorHandle {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly store: CoordinatorStore;
  /** Countries with a live, authenticated connection. */
  connected(): string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Session {
  readonly country: string;
  readonly ws: WebSocket;
  /** Query envelopes for this node, each already msgpack-encoded (once for all targets). */
  queue: Uint8Array[];
  alive: boolean;
  /** Mail sent on this connection and not yet acknowledged. */
  mailInFlight: Set<string>;
}

interface Pending {
  readonly from: string;
  readonly id: string;
  readonly targets: readonly string[];
  readonly targetSet: ReadonlySet<string>;
  readonly answers: Map<string, Answer>;
  readonly timer: NodeJS.Timeout;
  readonly started: number;
}

/** The coordinator checks only who signed mail and that it is one of the mail kinds; the rest is sealed. */
const MailPayloadHeader = z.looseObject({ t: z.enum(['fwd-disclosure', 'disclosure-decision']) });

interface Bucket {
  tokens: number;
  at: number;
}

export async function startCoordinator(
  dir: string,
  opts: { port?: number; host?: string; logger?: Logger; config?: Partial<CoordinatorConfig> } = {},
): Promise<CoordinatorHandle> {
  await initCrypto();
  const cfg: CoordinatorConfig = { ...loadCoordinatorConfig(dir), ...opts.config };
  const key = loadCoordinatorKey(dir);
  const log = opts.logger ?? createLogger('coordinator');
  const paths = coordinatorPaths(dir);
  const store = new CoordinatorStore(paths.db);
  const audit = new AuditLog(store.db, { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() } });
  const hub = new Hub(cfg, store, audit, log);

  const app = new Hono();
  app.get('/v1/health', (c) => c.json({ ok: true, name: cfg.name, members: store.members().length, connected: hub.connected().length }));
  const server: Server = createServer(getRequestListener(app.fetch));
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith('/v1/ws')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws));
  });
  const host = opts.host ?? cfg.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? cfg.port, host, () => resolve());
  });
  const port = boundPort(server);
  const url = `http://${host}:${port}`;
  const wsUrl = `ws://${host}:${port}/v1/ws`;
  writeRunFile(paths.run, { url, wsUrl, port });
  audit.append({ kind: 'coordinator.started' });
  const stopCheckpoints = periodicCheckpoints(audit);
  log.info('coordinator listening', { port });

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stopCheckpoints();
    hub.close();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections?.();
    audit.checkpoint();
    store.close();
  };
  return {
    url,
    wsUrl,
    port,
    store,
    connected: () => hub.connected(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

class Hub {
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new Map<string, Pending>();
  /** Recently completed results by `from:id`, resent to a gateway that retransmits the same query. */
  readonly #recent = new Map<string, { frame: Uint8Array; at: number }>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #replay = new ReplayGuard();
  readonly #sweeper: NodeJS.Timeout;
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;
  /** Audit entries of the hot path, written in one transaction per event-loop turn. */
  #auditQueue: AuditEntry[] = [];

  constructor(
    readonly cfg: CoordinatorConfig,
    readonly store: CoordinatorStore,
    readonly audit: AuditLog,
    readonly log: Logger,
  ) {
    this.#sweeper = setInterval(() => this.#sweep(), 10_000).unref();
    this.#heartbeat = setInterval(() => this.#ping(), cfg.heartbeatMs).unref();
  }

  connected(): string[] {
    return [...this.#sessions.keys()].sort();
  }

  /** Queue a hot-path audit entry; the batch commits at the end of this event-loop turn. */
  #audit(e: AuditEntry): void {
    if (this.#auditQueue.push(e) === 1) setImmediate(() => this.flushAudit());
  }

  flushAudit(): void {
    const q = this.#auditQueue;
    if (q.length === 0) return;
    this.#auditQueue = [];
    this.store.db.transaction(() => {
      for (const e of q) this.audit.append(e);
    })();
  }

  close(): void {
    this.flushAudit();
    this.#closed = true;
    clearInterval(this.#sweeper);
    clearInterval(this.#heartbeat);
    clearTimeout(this.#membersBroadcast);
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
  }

  accept(ws: WebSocket): void {
    const nonce = randomBytes(32);
    let session: Session | undefined;
    const authTimer = setTimeout(() => ws.close(4401, 'auth timeout'), 10_000);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (this.#closed) return;
      try {
        if (!isBinary) throw new VeilError('bad_msgpack', 'text frame');
        const frame = decodeWith(rawBytes(data), NodeFrame, LIMITS.maxFrameBytes);
        if (!session) {
          if (frame.t !== 'auth') throw new VeilError('unauthenticated', 'expected auth');
          session = this.#authenticate(ws, nonce, frame.v, frame.country, frame.sig);
          clearTimeout(authTimer);
          return;
        }
        this.#onFrame(session, frame);
      } catch (err) {
        const e = asVeilError(err);
        const who = session ? { country: session.country } : {};
        this.log.warn('frame rejected', { code: e.code, ...who });
        if (e.code === 'internal') this.log.error('frame failed', err, who);
        // Name the request the error is about when there is one, so the gateway fails it at once.
        const ref = session ? refOf(data) : undefined;
        sendFrame(ws, { t: 'error', code: e.code, ...(ref ? { ref } : {}) });
        if (!session) ws.close(4401, e.code);
      }
    });
    ws.on('pong', () => {
      if (session) session.alive = true;
    });
    ws.on('close', () => {
      clearTimeout(authTimer);
      if (session && this.#sessions.get(session.country) === session) {
        this.#sessions.delete(session.country);
        if (this.#closed) return; // shutting down: the store is closing
        this.audit.append({ kind: 'member.disconnected', country: session.country });
        this.log.info('node disconnected', { country: session.country });
      }
    });
    sendFrame(ws, { t: 'challenge', v: PROTOCOL_VERSION, nonce, coordinator: this.cfg.name });
  }

  #authenticate(ws: WebSocket, nonce: Uint8Array, v: number, country: string, sig: Uint8Array): Session {
    checkVersion(v);
    const m = this.store.member(country);
    if (!m || m.status !== 'active') throw new VeilError('unknown_member', country);
    assertSignature(m.signPub, challengeBytes(nonce, this.cfg.name, country), sig);
    const old = this.#sessions.get(country);
    if (old) old.ws.close(4409, 'replaced by a newer connection');
    const s: Session = { country, ws, queue: [], alive: true, mailInFlight: new Set() };
    this.#sessions.set(country, s);
    this.audit.append({ kind: 'member.connected', country });
    this.log.info('node connected', { country });
    sendFrame(ws, { t: 'welcome', members: this.#memberEnvelopes() });
    setImmediate(() => this.#deliverMail(s));
    return s;
  }

  /**
   * Store-and-forward (DESIGN.md §4 step 2): a node's signed message is verified, stored durably in the
   * recipient's mailbox, and only then acknowledged to the sender; a retransmission with the same `mid`
   * is acknowledged again without a second copy. The coordinator cannot read the sealed parts.
   */
  #onMailSend(s: Session, mid: string, to: string, env: Envelope): void {
    verifyEnvelope(env, this.#resolveNodeKey(s.country), MailPayloadHeader);
    if (!this.store.member(to)) throw new VeilError('unknown_member', 'mail recipient');
    const r = this.store.db.transaction(() => {
      const res = this.store.mailStore(mid, to, s.country, encode(env));
      if (res === 'stored') this.audit.append({ kind: 'mailbox.stored', requestId: mid, country: to, peer: s.country });
      return res;
    })();
    sendFrame(s.ws, { t: 'mail-stored', mid });
    const target = this.#sessions.get(to);
    if (r === 'stored' && target) this.#deliverMail(target);
  }

  #onMailAck(s: Session, mids: string[]): void {
    this.store.db.transaction(() => {
      for (const mid of mids) {
        s.mailInFlight.delete(mid);
        if (this.store.mailDelivered(s.country, mid)) this.audit.append({ kind: 'mailbox.delivered', requestId: mid, country: s.country });
      }
    })();
    this.#deliverMail(s);
  }

  #deliverMail(s: Session): void {
    if (this.#closed || this.#sessions.get(s.country) !== s) return;
    const items = this.store
      .mailPending(s.country)
      .filter((m) => !s.mailInFlight.has(m.mid))
      .map((m) => ({ mid: m.mid, from: m.sender, env: decodeWith(m.body, Envelope, LIMITS.maxFrameBytes) }));
    if (items.length === 0) return;
    for (const i of items) s.mailInFlight.add(i.mid);
    sendFrame(s.ws, { t: 'mail', items });
  }

  #memberEnvelopes(): Envelope[] {
    const out: Envelope[] = [];
    for (const m of this.store.members()) {
      if (!m.descriptor) continue;
      out.push(decodeWith(m.descriptor, Envelope, LIMITS.maxPayloadBytes));
    }
    return out;
  }

  #resolveNodeKey(expected: string) {
    return (kid: string): Uint8Array => {
      if (kid !== keyId.node(expected)) throw new VeilError('forbidden', 'envelope not signed by the sending node');
      const m = this.store.member(expected);
      if (!m) throw new VeilError('unknown_member');
      return m.signPub;
    };
  }

  #onFrame(s: Session, frame: NodeFrame): void {
    switch (frame.t) {
      case 'auth':
        throw new VeilError('bad_request', 'already authenticated');
      case 'descriptor':
        return this.#onDescriptor(s, frame.env);
      case 'query':
        return this.#onQuery(s, frame.env);
      case 'eval-results':
        return this.#onEvalResults(s, frame.results);
      case 'lookup':
        return this.#onLookup(s, frame.env);
      case 'publish':
        return this.#onPublish(s, frame.env);
      case 'mail-send':
        return this.#onMailSend(s, frame.mid, frame.to, frame.env);
      case 'mail-ack':
        return this.#onMailAck(s, frame.mids);
      default:
        return assertNever(frame);
    }
  }

  #onDescriptor(s: Session, env: Envelope): void {
    const d = verifyEnvelope(env, this.#resolveNodeKey(s.country), NodeDescriptor);
    const m = this.store.member(s.country)!;
    if (d.country !== s.country || !equalBytes(d.signPub, m.signPub) || !equalBytes(d.boxPub, m.boxPub)) {
      throw new VeilError('forbidden', 'descriptor keys differ from the admitted ones');
    }
    this.store.setDescriptor(s.country, encode(env));
    // Coalesce: when many members (re)connect at once, one directory broadcast covers them all.
    if (!this.#membersBroadcast) {
      this.#membersBroadcast = setTimeout(() => {
        this.#membersBroadcast = undefined;
        if (this.#closed) return;
        const frame = encode({ t: 'members', members: this.#memberEnvelopes() } satisfies CoordinatorFrame);
        for (const other of this.#sessions.values()) if (other.ws.readyState === other.ws.OPEN) other.ws.send(frame);
      }, 50);
    }
  }

  #membersBroadcast: NodeJS.Timeout | undefined;

  #members: { at: number; list: string[] } | undefined;

  /** Admitted countries, re-read at most once a second (admission is a separate process). */
  #memberCountries(): string[] {
    const now = Date.now();
    if (!this.#members || now - this.#members.at > 1000) this.#members = { at: now, list: this.store.members().map((m) => m.country) };
    return this.#members.list;
  }

  #takeToken(country: string): boolean {
    const now = Date.now();
    const cap = this.cfg.ratePerCountry * 2;
    const b = this.#buckets.get(country) ?? { tokens: cap, at: now };
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * this.cfg.ratePerCountry);
    b.at = now;
    this.#buckets.set(country, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  #onQuery(s: Session, env: Envelope): void {
    const q = verifyEnvelope(env, this.#resolveNodeKey(s.country), ForwardedAnyQuery);
    if (q.from !== s.country) throw new VeilError('forbidden', 'query from another country');
    const bio = q.t === 'fwd-bio-query';
    const key = `${q.from}:${q.id}`;
    if (this.#pending.has(key)) return; // retransmission: the result will follow
    const recent = this.#recent.get(key);
    if (recent) {
      s.ws.send(recent.frame);
      return;
    }
    this.#replay.check(env.kid, q.ts, q.nonce);
    if (!this.#takeToken(s.country)) {
      sendFrame(s.ws, { t: 'error', code: 'rate_limited', ref: q.id });
      return;
    }
    const members = this.#memberCountries();
    const wanted = q.targets ?? members.filter((c) => c !== q.from);
    const targets = [...new Set(wanted)].filter((c) => c !== q.from);
    const answers = new Map<string, Answer>();
    for (const c of targets) {
      if (!members.includes(c)) answers.set(c, { country: c, status: 'error', code: 'unknown_member' });
    }
    const pending: Pending = {
      from: q.from,
      id: q.id,
      targets,
      targetSet: new Set(targets),
      answers,
      started: performance.now(),
      timer: setTimeout(() => this.#finish(key, true), bio ? this.cfg.bioDeadlineMs : this.cfg.queryDeadlineMs),
    };
    this.#pending.set(key, pending);
    this.#audit(
      bio
        ? { kind: 'bio.query.received', queryId: q.id, country: q.from, cls: q.modality, bytes: q.probe.length + (q.sessionKeys?.length ?? 0), purpose: q.purpose }
        : { kind: 'query.received', queryId: q.id, country: q.from, count: q.items.length, purpose: q.purpose },
    );
    const encodedEnv = encode(env);
    for (const c of targets) {
      if (answers.has(c)) continue;
      const t = this.#sessions.get(c);
      if (!t) {
        answers.set(c, { country: c, status: 'unavailable', code: 'unavailable' });
        continue;
      }
      this.#enqueue(t, encodedEnv);
    }
    if (answers.size === targets.length) this.#finish(key, false);
  }

  readonly #dirty = new Set<Session>();
  #flushScheduled = false;
  /** Identity of each encoded query envelope, so identical per-target batches share one frame. */
  readonly #envIds = new WeakMap<Uint8Array, number>();
  #nextEnvId = 0;

  #enqueue(t: Session, env: Uint8Array): void {
    if (!this.#envIds.has(env)) this.#envIds.set(env, this.#nextEnvId++);
    t.queue.push(env);
    if (t.queue.length >= LIMITS.maxBatchQueries) {
      this.#flush(t, new Map());
      this.#dirty.delete(t);
      return;
    }
    this.#dirty.add(t);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flushAll());
    }
  }

  /**
   * One flush round per event-loop turn: every node gets one frame with the queries queued for it.
   * Most nodes are asked the same queries, so a frame is built once per distinct batch and the same
   * bytes are written to every socket that needs them.
   */
  #flushAll(): void {
    this.#flushScheduled = false;
    const frames = new Map<string, Uint8Array>();
    for (const t of this.#dirty) this.#flush(t, frames);
    this.#dirty.clear();
  }

  #flush(t: Session, frames: Map<string, Uint8Array>): void {
    while (t.queue.length > 0) {
      const batch = t.queue.splice(0, LIMITS.maxBatchQueries);
      const key = batch.map((e) => this.#envIds.get(e)).join(',');
      let frame = frames.get(key);
      if (!frame) {
        frame = encodeWithEncodedArray({ t: 'eval' }, 'batch', batch);
        frames.set(key, frame);
      }
      if (t.ws.readyState === t.ws.OPEN) t.ws.send(frame);
    }
  }

  #onEvalResults(s: Session, results: Array<{ to: string; id: string; env: Uint8Array }>): void {
    for (const r of results) {
      const key = `${r.to}:${r.id}`;
      const p = this.#pending.get(key);
      // Late answers after the deadline, or answers for queries this node was not asked, are dropped.
      // The answer is attributed to the authenticated connection it came on; its signature is the SDK's check.
      if (!p || !p.targetSet.has(s.country) || p.answers.has(s.country)) continue;
      p.answers.set(s.country, { country: s.country, status: 'answered', env: r.env });
      if (p.answers.size === p.targets.length) this.#finish(key, false);
    }
  }

  #finish(key: string, timedOut: boolean): void {
    const p = this.#pending.get(key);
    if (!p) return;
    this.#pending.delete(key);
    clearTimeout(p.timer);
    const answers: Answer[] = p.targets.map((c) => p.answers.get(c) ?? { country: c, status: 'timeout', code: 'timeout' });
    const frame = encode({ t: 'query-result', id: p.id, answers } satisfies CoordinatorFrame);
    this.#recent.set(key, { frame, at: Date.now() });
    const ms = performance.now() - p.started;
    this.#audit({
      kind: 'query.answered',
      queryId: p.id,
      country: p.from,
      count: answers.filter((a) => a.status === 'answered').length,
      status: timedOut ? 'deadline' : 'complete',
      ms: Math.round(ms),
    });
    this.#sessions.get(p.from)?.ws.send(frame);
  }

  #onLookup(s: Session, env: Envelope): void {
    const q = verifyEnvelope(env, this.#resolveNodeKey(s.country), ForwardedLookup);
    if (q.from !== s.country) throw new VeilError('forbidden', 'lookup from another country');
    this.#replay.check(env.kid, q.ts, q.nonce);
    const results: LookupResult[] = [];
    let keys = 0;
    for (const item of q.items) {
      keys += item.keys.length;
      if (keys > LIMITS.maxLookupItems) throw new VeilError('too_large', 'lookup keys');
      const entries: Array<[Uint8Array, Uint8Array]> = [];
      let truncated = false;
      for (const k of item.keys) {
        if (q.mode === 'exact') {
          if (k.length !== LIMITS.tagBytes) throw new VeilError('bad_length', 'exact lookup needs full tags');
          entries.push(...this.store.lookupExact(item.country, item.epoch, k));
        } else {
          if (k.length > 4) throw new VeilError('bad_length', 'bucket prefix longer than 4 bytes');
          const b = this.store.lookupBucket(item.country, item.epoch, k);
          entries.push(...b.entries);
          truncated ||= b.truncated;
        }
      }
      results.push({ country: item.country, epoch: item.epoch, entries, truncated });
    }
    // Metadata only: in bucket mode the coordinator does not learn whether anything matched.
    this.#audit({ kind: 'index.lookup', queryId: q.id, country: s.country, count: keys, status: q.mode });
    sendFrame(s.ws, { t: 'lookup-result', id: q.id, results });
  }

  #onPublish(s: Session, env: Envelope): void {
    const c = verifyEnvelope(env, this.#resolveNodeKey(s.country), PublishChunk);
    if (c.country !== s.country) throw new VeilError('forbidden', 'publish for another country');
    const r = this.store.applyChunk(c.country, c.epoch, c.seq, c.adds, c.removes, c.final);
    if (r === 'applied') {
      this.audit.append({ kind: c.final ? 'publish.epoch' : 'publish.chunk', country: c.country, epoch: c.epoch, count: c.adds.length + c.removes.length });
    }
    sendFrame(s.ws, { t: 'publish-ack', epoch: c.epoch, seq: c.seq });
  }

  #ping(): void {
    for (const s of this.#sessions.values()) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  #sweep(): void {
    const cutoff = Date.now() - 60_000;
    for (const [k, v] of this.#recent) if (v.at < cutoff) this.#recent.delete(k);
    this.#replay.sweep();
  }
}

const RefPeek = z.looseObject({ id: z.string().regex(/^[0-9a-f]{32}$/) });

/** Best effort: the request id inside a rejected query or lookup frame (its envelope's payload). */
function refOf(data: RawData): string | undefined {
  try {
    const f = decode(rawBytes(data), LIMITS.maxFrameBytes) as { t?: unknown; env?: { payload?: unknown } };
    if ((f.t !== 'query' && f.t !== 'lookup') || !(f.env?.payload instanceof Uint8Array)) return undefined;
    const p = RefPeek.safeParse(decode(f.env.payload, LIMITS.maxPayloadBytes));
    return p.success ? p.data.id : undefined;
  } catch {
    return undefined;
  }
}

function sendFrame(ws: WebSocket, frame: CoordinatorFrame): void {
  if (ws.readyState === ws.OPEN) ws.send(encode(frame));
}

function rawBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

