/**
 * The node's outbound connection to the coordinator: login signed inside the upgrade request and bound
 * to the TLS session (protocol/login.ts),
 * heartbeats (the coordinator pings; silence for three intervals means a dead link), reconnection with
 * capped exponential backoff and jitter, and request/response correlation for queries and lookups.
 *
 * The link is built first and knows nothing of the services; what arrives is handed to a `LinkHandler`
 * attached once the services exist (before `start()`). Services that only send take the narrow
 * `FrameSender` port, the gateway its own `GatewayLink`.
 *
 * How a connection is opened is a `Dialer` (`link-dialer.ts`): a WebSocket over TLS by default,
 * simulated links in protocol simulations. Everything above the bytes — login header, heartbeats,
 * backoff, correlation — is here, the same for both.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Clock, Logger, TimerHandle } from '#platform';
import {
  type Answer,
  assertNever,
  CoordinatorFrame,
  decodeWith,
  type Envelope,
  encode,
  errorCodeOf,
  LIMITS,
  type LookupResult,
  type MailItem,
  type MemberEntry,
  type NodeFrame,
  VeilError,
} from '#protocol';
import { type DialedConnection, type Dialer, webSocketDialer } from './link-dialer.ts';

export type { DialEvents, DialedConnection, Dialer } from './link-dialer.ts';

/** What the node does with what the coordinator sends. */
export interface LinkHandler {
  onConnected(): void;
  onMembers(members: MemberEntry[], revocations: Envelope | null): void;
  onEval(batch: Envelope[]): void;
  onPublishAck(epoch: number, seq: number): void;
  onMail(items: MailItem[]): void;
  onMailStored(mid: string): void;
}

/** Sending frames to the coordinator when connected: what the publisher, mail and the dispatcher need. */
export interface FrameSender {
  readonly ready: boolean;
  /** Send if connected; false (nothing sent) otherwise. */
  trySend(frame: NodeFrame): boolean;
}

export interface CoordinatorLinkDeps {
  /** Websocket URL of the coordinator. */
  url: string;
  country: string;
  /** The login header for a connection with this channel binding (protocol/login.ts). */
  login(binding: Uint8Array): string;
  /** TLS options trusting only the organisation's CA and the coordinator's certificate; absent only for the development transport. */
  tls?: ConnectionOptions;
  log: Logger;
  clock: Clock;
  /** The coordinator's ping interval; silence for three of them ends the connection. */
  heartbeatMs?: number;
  /** How connections are opened (default: a WebSocket to `url`, over `tls` when given). */
  dial?: Dialer;
  /** Uniform in [0, 1) for the reconnection jitter (default `Math.random`). */
  random?: () => number;
}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
  timer: TimerHandle;
}

export class CoordinatorLink implements FrameSender {
  readonly url: string;
  readonly country: string;
  readonly heartbeatMs: number;
  readonly #login: (binding: Uint8Array) => string;
  readonly #dial: Dialer;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #clock: Clock;
  #handler: LinkHandler | undefined;
  #conn: DialedConnection | undefined;
  #ready = false;
  #closed = false;
  #attempt = 0;
  #silence: TimerHandle | undefined;
  #reconnect: TimerHandle | undefined;
  readonly #queries = new Map<string, Waiter<Answer[]>>();
  readonly #lookups = new Map<string, Waiter<LookupResult[]>>();
  readonly #readyWaiters: Array<() => void> = [];

  constructor(deps: CoordinatorLinkDeps) {
    this.url = deps.url;
    this.country = deps.country;
    this.heartbeatMs = deps.heartbeatMs ?? 15_000;
    this.#login = deps.login;
    this.#dial = deps.dial ?? webSocketDialer(deps.url, deps.tls);
    this.#random = deps.random ?? Math.random;
    this.#log = deps.log;
    this.#clock = deps.clock;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Hand what arrives to `handler` (once, before `start()`). */
  attach(handler: LinkHandler): void {
    if (this.#handler) throw new VeilError('internal', 'link handler already attached');
    this.#handler = handler;
  }

  start(): void {
    if (!this.#handler) throw new VeilError('internal', 'link started without a handler');
    this.#connect();
  }

  /** Resolves once logged in (or immediately if already). */
  whenReady(timeoutMs = 10_000): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = this.#clock.setTimeout(() => reject(new VeilError('unavailable', 'coordinator link not ready')), timeoutMs);
      this.#readyWaiters.push(() => {
        this.#clock.clear(t);
        resolve();
      });
    });
  }

  send(frame: NodeFrame): void {
    if (!this.#ready || !this.#conn) throw new VeilError('unavailable', 'coordinator not connected');
    this.#conn.send(encode(frame));
  }

  trySend(frame: NodeFrame): boolean {
    if (!this.#ready || !this.#conn?.open) return false;
    this.#conn.send(encode(frame));
    return true;
  }

  query(id: string, env: Envelope, timeoutMs: number): Promise<Answer[]> {
    return this.#request(this.#queries, id, { t: 'query', env }, timeoutMs);
  }

  lookup(id: string, env: Envelope, timeoutMs: number): Promise<LookupResult[]> {
    return this.#request(this.#lookups, id, { t: 'lookup', env }, timeoutMs);
  }

  #request<T>(map: Map<string, Waiter<T>>, id: string, frame: NodeFrame, timeoutMs: number): Promise<T> {
    if (map.has(id)) return Promise.reject(new VeilError('conflict', 'request id in flight'));
    return new Promise<T>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        map.delete(id);
        reject(new VeilError('timeout', 'coordinator did not answer'));
      }, timeoutMs);
      map.set(id, { resolve, reject, timer });
      try {
        this.send(frame);
      } catch (e) {
        this.#clock.clear(timer);
        map.delete(id);
        reject(e);
      }
    });
  }

  close(): void {
    this.#closed = true;
    this.#clock.clear(this.#silence);
    this.#clock.clear(this.#reconnect);
    this.#conn?.terminate();
    this.#failAll('node shutting down');
  }

  #connect(): void {
    if (this.#closed) return;
    let conn: DialedConnection | undefined;
    conn = this.#dial(this.#login, {
      opened: () => this.#armSilence(),
      ping: () => this.#armSilence(),
      frame: (data, isBinary) => {
        try {
          if (!isBinary) throw new VeilError('bad_msgpack', 'text frame');
          this.#onFrame(decodeWith(data, CoordinatorFrame, LIMITS.maxFrameBytes));
        } catch (e) {
          const code = errorCodeOf(e);
          this.#log.warn('coordinator frame rejected', { code });
          if (code === 'internal') this.#log.error('coordinator frame failed', e);
        }
      },
      problem: (code, event) => this.#problem(code, event),
      closed: (code) => {
        const wasReady = this.#ready;
        this.#ready = false;
        this.#clock.clear(this.#silence);
        if (this.#conn !== conn || this.#closed) return;
        if (wasReady) this.#log.warn('coordinator link lost', { code: String(code) });
        // Requests in flight will not be answered on a new connection.
        this.#failAll('coordinator link lost');
        const delay = Math.min(10_000, 250 * 2 ** this.#attempt) * (0.5 + this.#random() / 2);
        this.#attempt = Math.min(this.#attempt + 1, 10);
        this.#reconnect = this.#clock.setTimeout(() => this.#connect(), delay);
      },
    });
    this.#conn = conn;
  }

  #failAll(why: string): void {
    for (const m of [this.#queries, this.#lookups] as Map<string, Waiter<unknown>>[]) {
      for (const w of m.values()) {
        this.#clock.clear(w.timer);
        w.reject(new VeilError('unavailable', why));
      }
      m.clear();
    }
  }

  #lastProblem: string | undefined;

  /** Log why the link is down, once per distinct reason (every reconnect attempt would repeat it). */
  #problem(code: string, event: string): void {
    if (this.#lastProblem === code) return;
    this.#lastProblem = code;
    this.#log.warn(event, { code, attempt: this.#attempt });
  }

  #armSilence(): void {
    this.#clock.clear(this.#silence);
    this.#silence = this.#clock.setTimeout(() => this.#conn?.terminate(), this.heartbeatMs * 3);
  }

  #onFrame(f: CoordinatorFrame): void {
    const handler = this.#handler;
    if (!handler) throw new VeilError('internal', 'no link handler attached');
    switch (f.t) {
      case 'welcome':
        this.#ready = true;
        this.#attempt = 0;
        this.#lastProblem = undefined;
        this.#log.info('coordinator link up', { country: this.country });
        handler.onMembers(f.members, f.revocations);
        handler.onConnected();
        for (const w of this.#readyWaiters.splice(0)) w();
        return;
      case 'members':
        handler.onMembers(f.members, f.revocations);
        return;
      case 'eval':
        handler.onEval(f.batch);
        return;
      case 'query-result': {
        const w = this.#queries.get(f.id);
        if (!w) return;
        this.#queries.delete(f.id);
        this.#clock.clear(w.timer);
        w.resolve(f.answers);
        return;
      }
      case 'lookup-result': {
        const w = this.#lookups.get(f.id);
        if (!w) return;
        this.#lookups.delete(f.id);
        this.#clock.clear(w.timer);
        w.resolve(f.results);
        return;
      }
      case 'publish-ack':
        handler.onPublishAck(f.epoch, f.seq);
        return;
      case 'mail':
        handler.onMail(f.items);
        return;
      case 'mail-stored':
        handler.onMailStored(f.mid);
        return;
      case 'error': {
        if (f.ref) {
          for (const m of [this.#queries, this.#lookups] as Map<string, Waiter<unknown>>[]) {
            const w = m.get(f.ref);
            if (!w) continue;
            m.delete(f.ref);
            this.#clock.clear(w.timer);
            w.reject(new VeilError(f.code, 'from coordinator'));
          }
        }
        this.#log.warn('coordinator reported an error', { code: f.code });
        return;
      }
      default:
        assertNever(f);
    }
  }
}
