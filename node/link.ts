/**
 * The node's outbound websocket to the coordinator: login signed inside the upgrade request and bound to
 * the TLS session (protocol/login.ts),
 * heartbeats (the coordinator pings; silence for three intervals means a dead link), reconnection with
 * capped exponential backoff and jitter — every failed attempt logged with its reason, the fix and the
 * delay before the next — and request/response correlation for queries and lookups.
 *
 * Failover (docs/high-availability.md): the link knows every coordinator instance's URL and moves to
 * the next one as soon as a connection fails or is refused (a standby answers 503); backoff grows only
 * once a whole round of URLs has failed. A query or lookup in flight when the link drops is not failed:
 * it is sent again, re-signed (`again`), on the next connection, until its own deadline — targets
 * recognise the repeat by (country, query id) and answer it once. A connection replaced by a newer one
 * of the same country (close code 4409) means a second process runs with this node's identity: that is
 * logged as an error every time it happens.
 *
 * How a connection is opened is a `Dialer` (`link-dialer.ts`): a WebSocket over TLS by default,
 * simulated links in protocol simulations.
 *
 * The link is built first and knows nothing of the services; what arrives is handed to a `LinkHandler`
 * attached once the services exist (before `start()`). Services that only send take the narrow
 * `FrameSender` port, the gateway its own `GatewayLink`.
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
  type NodeFrame,
  VeilError,
} from '#protocol';
import { type DialedConnection, type Dialer, webSocketDialer } from './link-dialer.ts';

export type { DialEvents, DialedConnection, Dialer } from './link-dialer.ts';

import type { CoordinatorLinkDeps, FrameSender, LinkHandler } from './link-ports.ts';
import { reasonFor } from './link-reasons.ts';

export type { CoordinatorLinkDeps, FrameSender, LinkHandler } from './link-ports.ts';

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
  timer: TimerHandle;
  /** The frame to send on a new connection (re-signed), if the request may be sent again. */
  again: (() => NodeFrame) | undefined;
}

/** Close code of a connection replaced by a newer login of the same country (coordinator/membership.ts). */
const REPLACED = 4409;

export class CoordinatorLink implements FrameSender {
  readonly urls: readonly string[];
  readonly country: string;
  readonly heartbeatMs: number;
  readonly #login: (binding: Uint8Array, peerCertificate: Uint8Array | undefined) => string;
  readonly #dir: string;
  readonly #tls: ConnectionOptions | undefined;
  readonly #log: Logger;
  readonly #clock: Clock;
  #handler: LinkHandler | undefined;
  #conn: DialedConnection | undefined;
  readonly #dial: Dialer;
  readonly #random: () => number;
  #ready = false;
  #closed = false;
  #attempt = 0;
  /** Index of the URL in use, and how many URLs have failed in a row. */
  #at = 0;
  #failedInRound = 0;
  #silence: TimerHandle | undefined;
  #reconnect: TimerHandle | undefined;
  readonly #queries = new Map<string, Waiter<Answer[]>>();
  readonly #lookups = new Map<string, Waiter<LookupResult[]>>();
  readonly #presence = new Map<string, Waiter<string[]>>();
  readonly #readyWaiters: Array<() => void> = [];

  constructor(deps: CoordinatorLinkDeps) {
    if (deps.urls.length === 0) throw new VeilError('bad_config', 'no coordinator URL');
    this.urls = deps.urls;
    this.country = deps.country;
    this.heartbeatMs = deps.heartbeatMs ?? 15_000;
    this.#login = deps.login;
    this.#dir = deps.dir ?? '<node dir>';
    this.#tls = deps.tls;
    this.#dial = deps.dial ?? webSocketDialer(deps.tls);
    this.#random = deps.random ?? Math.random;
    this.#log = deps.log;
    this.#clock = deps.clock;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** The URL of the coordinator instance in use (or being tried). */
  get url(): string {
    return this.urls[this.#at] as string;
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

  /** `again` re-signs the query (fresh timestamp and nonce) to send it once more after a failover. */
  query(id: string, env: Envelope, timeoutMs: number, again?: () => Envelope): Promise<Answer[]> {
    return this.#request(this.#queries, id, { t: 'query', env }, timeoutMs, again && (() => ({ t: 'query', env: again() })));
  }

  lookup(id: string, env: Envelope, timeoutMs: number, again?: () => Envelope): Promise<LookupResult[]> {
    return this.#request(this.#lookups, id, { t: 'lookup', env }, timeoutMs, again && (() => ({ t: 'lookup', env: again() })));
  }

  /** The countries connected to the coordinator now. */
  presence(id: string, timeoutMs: number): Promise<string[]> {
    return this.#request(this.#presence, id, { t: 'presence', id }, timeoutMs);
  }

  #request<T>(map: Map<string, Waiter<T>>, id: string, frame: NodeFrame, timeoutMs: number, again?: () => NodeFrame): Promise<T> {
    if (map.has(id)) return Promise.reject(new VeilError('conflict', 'request id in flight'));
    return new Promise<T>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        map.delete(id);
        reject(new VeilError('timeout', 'coordinator did not answer'));
      }, timeoutMs);
      map.set(id, { resolve, reject, timer, again });
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
    conn = this.#dial(this.url, this.#login, {
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
      problem: (code) => this.#problem(code),
      closed: (code) => {
        const wasReady = this.#ready;
        this.#ready = false;
        this.#clock.clear(this.#silence);
        if (this.#conn !== conn || this.#closed) return;
        if (code === REPLACED) {
          this.#log.error(
            'another process logged in with this node’s identity and replaced this connection: is a second copy of this node (a restored backup?) running?',
            new VeilError('conflict', 'connection replaced'),
            { country: this.country },
          );
        } else if (wasReady) {
          // 4403: the organisation suspended or revoked this member.
          this.#log.warn(code === 4403 ? `coordinator link ended: ${reasonFor('revoked', this.country, this.#dir)}` : 'coordinator link lost', {
            code: String(code),
          });
        }
        // Requests in flight that can be sent again wait for the next connection; the others fail now.
        this.#failAll('coordinator link lost', true);
        // Next instance at once; back off only once every instance has failed in a row.
        if (wasReady) this.#failedInRound = 0;
        this.#failedInRound++;
        const tried = this.url;
        this.#at = (this.#at + 1) % this.urls.length;
        let delay = 50 + this.#random() * 100;
        if (this.#failedInRound >= this.urls.length) {
          this.#failedInRound = 0;
          delay = Math.min(10_000, 250 * 2 ** this.#attempt) * (0.5 + this.#random() / 2);
          this.#attempt = Math.min(this.#attempt + 1, 10);
        }
        this.#attempts++;
        const reason = this.#lastProblem;
        this.#lastProblem = undefined;
        if (reason !== undefined) {
          this.#lastReason = reasonFor(reason, this.country, this.#dir);
          this.#log.warn(`coordinator link down: ${this.#lastReason}; retrying`, {
            // The registered error code (a TLS failure is the coordinator's key not being the pinned one).
            code: reason === 'untrusted_tls' ? 'untrusted_key' : reason,
            attempt: this.#attempts,
            ms: Math.round(delay),
            url: tried,
          });
        }
        this.#reconnect = this.#clock.setTimeout(() => this.#connect(), delay);
      },
    });
    this.#conn = conn;
  }

  /** Fail the requests in flight (with `keepResendable`, all but those that can be sent again). */
  #failAll(why: string, keepResendable = false): void {
    for (const m of [this.#queries, this.#lookups, this.#presence] as Map<string, Waiter<unknown>>[]) {
      for (const [id, w] of m) {
        if (keepResendable && w.again) continue;
        this.#clock.clear(w.timer);
        w.reject(new VeilError('unavailable', why));
        m.delete(id);
      }
    }
  }

  /** Send the requests that survived a lost connection again, re-signed, on this one. */
  #resend(): void {
    for (const m of [this.#queries, this.#lookups] as Map<string, Waiter<unknown>>[]) {
      for (const [id, w] of m) {
        if (!w.again) continue;
        try {
          this.send(w.again());
        } catch (e) {
          this.#clock.clear(w.timer);
          m.delete(id);
          w.reject(e);
        }
      }
    }
  }

  /** Why the current attempt failed (logged when it closes, with the delay before the next). */
  #lastProblem: string | undefined;
  /** Failed attempts since the link was last up. */
  #attempts = 0;

  #problem(code: string): void {
    this.#lastProblem ??= code;
  }

  /** The link's state for `veil status`: up, or down with why and how many attempts so far. */
  get state(): { connected: boolean; attempts: number; reason?: string } {
    return this.#ready
      ? { connected: true, attempts: 0 }
      : { connected: false, attempts: this.#attempts, ...(this.#lastReason ? { reason: this.#lastReason } : {}) };
  }

  #lastReason: string | undefined;

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
        this.#attempts = 0;
        this.#lastProblem = undefined;
        this.#lastReason = undefined;
        this.#log.info('coordinator link up', { country: this.country, url: this.url });
        handler.onMembers(f.members, f.revocations);
        handler.onConnected();
        this.#resend();
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
      case 'presence': {
        const w = this.#presence.get(f.id);
        if (!w) return;
        this.#presence.delete(f.id);
        this.#clock.clear(w.timer);
        w.resolve(f.online);
        return;
      }
      case 'error': {
        if (f.ref) {
          for (const m of [this.#queries, this.#lookups, this.#presence] as Map<string, Waiter<unknown>>[]) {
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
