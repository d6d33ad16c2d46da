/**
 * The one idempotency rule of Veil, for every request that carries an id:
 *
 *   A request is known by (authenticated principal, request id) — the principal is the party whose
 *   signature was verified: an analyst account at its gateway, a member country at the coordinator, the
 *   requesting country at an owning node. Repeating a known request with the same content returns the
 *   first outcome, or joins it while it is in flight. Reusing the id with different content is refused
 *   with `conflict`. Ids of different principals never meet.
 *
 * "Content" is a digest of what the request asks for, computed by the caller without the per-send
 * fields (timestamp, nonce, signature), so a retry in a fresh envelope is recognised. Durable requests
 * (disclosures, mail) apply the same rule in their stores; this class serves the in-memory ones
 * (queries, lookups, results), keeping completed outcomes for a retention window, at most `maxEntries`
 * and, when the caller can size an outcome, at most `maxBytes` of them.
 */
import { equalBytes } from '#crypto';
import { VeilError } from '#protocol';
import type { Clock } from './clock.ts';

interface Done<T> {
  digest: Uint8Array | undefined;
  value: T;
  at: number;
  bytes: number;
}

interface InFlight<T> {
  digest: Uint8Array | undefined;
  promise: Promise<T>;
}

export interface IdempotencyOptions<T = unknown> {
  clock: Clock;
  /** How long a completed outcome is returned to repeats. */
  retainMs: number;
  /** Upper bound on remembered outcomes; the oldest are forgotten first. */
  maxEntries: number;
  /** Upper bound on the summed `sizeOf` of remembered outcomes; the oldest are forgotten first. */
  maxBytes?: number;
  sizeOf?: (value: T) => number;
}

function equalBytesOrBothAbsent(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : equalBytes(a, b);
}

export function idempotencyKey(principal: string, id: string): string {
  return `${principal}\u0000${id}`;
}

export class IdempotentRequests<T> {
  readonly #inflight = new Map<string, InFlight<T>>();
  readonly #done = new Map<string, Done<T>>();
  #bytes = 0;

  constructor(readonly opts: IdempotencyOptions<T>) {}

  /**
   * Run `fn` once for (principal, id); repeats with the same digest share its outcome, a different
   * digest is `conflict`. A failed run is forgotten, so a retry runs again.
   */
  run(principal: string, id: string, digest: Uint8Array | undefined, fn: () => Promise<T>): Promise<T> {
    const key = idempotencyKey(principal, id);
    const done = this.#done.get(key);
    if (done && this.opts.clock.now() - done.at <= this.opts.retainMs) {
      if (!equalBytesOrBothAbsent(done.digest, digest)) return Promise.reject(new VeilError('conflict', 'request id reused with other content'));
      return Promise.resolve(done.value);
    }
    const f = this.#inflight.get(key);
    if (f) {
      if (!equalBytesOrBothAbsent(f.digest, digest)) return Promise.reject(new VeilError('conflict', 'request id reused with other content'));
      return f.promise;
    }
    const promise = fn().then(
      (value) => {
        this.#inflight.delete(key);
        this.#remember(key, { digest, value, at: this.opts.clock.now(), bytes: this.opts.sizeOf?.(value) ?? 0 });
        return value;
      },
      (e: unknown) => {
        this.#inflight.delete(key);
        throw e;
      },
    );
    this.#inflight.set(key, { digest, promise });
    return promise;
  }

  /** The completed outcome for (principal, id), if still retained. */
  recent(principal: string, id: string): T | undefined {
    const d = this.#done.get(idempotencyKey(principal, id));
    return d && this.opts.clock.now() - d.at <= this.opts.retainMs ? d.value : undefined;
  }

  inFlight(principal: string, id: string): boolean {
    return this.#inflight.has(idempotencyKey(principal, id));
  }

  get size(): number {
    return this.#done.size + this.#inflight.size;
  }

  /** Forget outcomes past the retention window. */
  sweep(): void {
    const cutoff = this.opts.clock.now() - this.opts.retainMs;
    for (const [k, v] of this.#done) {
      if (v.at >= cutoff) break; // insertion order is completion order
      this.#forget(k, v);
    }
  }

  #remember(key: string, d: Done<T>): void {
    const old = this.#done.get(key);
    if (old) this.#forget(key, old);
    this.#done.set(key, d);
    this.#bytes += d.bytes;
    const maxBytes = this.opts.maxBytes ?? Number.POSITIVE_INFINITY;
    // Outcomes past the window go as new ones come (oldest first, stopping at the first one kept: a few
    // steps per call). Swept only at the caps, a steady load kept every outcome until the caps were full
    // (for the gateway, tens of MiB held for nothing).
    this.sweep();
    for (const [k, v] of this.#done) {
      if (this.#done.size <= this.opts.maxEntries && this.#bytes <= maxBytes) break;
      this.#forget(k, v);
    }
  }

  #forget(key: string, d: Done<T>): void {
    this.#done.delete(key);
    this.#bytes -= d.bytes;
  }
}
