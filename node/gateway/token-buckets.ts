/**
 * Token buckets keyed by principal, in memory: each bucket refills continuously at its rate up to its
 * burst, and a request takes one token. The rate and burst are passed on every call, so a reloaded
 * policy applies at once (a lowered burst clamps the tokens held). A bucket that has refilled to its
 * burst is the same as no bucket, so the map is pruned of those when it grows: its size is bounded by
 * the principals that were active within about one burst's refill time.
 */
import type { RateLimit } from '../policy.ts';

interface Bucket {
  tokens: number;
  at: number;
}

/** Keys tracked before full buckets are pruned. */
const PRUNE_AT = 10_000;

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();

  /** Tokens `key` holds at `now` under `limit` (refilled, not taken). */
  available(key: string, limit: RateLimit, now: number): number {
    const b = this.#buckets.get(key);
    if (!b) return limit.burst;
    return Math.min(limit.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * limit.perSecond);
  }

  /** Take one token from `key` (the caller has checked `available`). */
  take(key: string, limit: RateLimit, now: number): void {
    const tokens = this.available(key, limit, now) - 1;
    this.#buckets.delete(key);
    this.#buckets.set(key, { tokens, at: now });
    if (this.#buckets.size > PRUNE_AT) this.#prune(limit, now);
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Forget buckets that are full again (least recently used first, as the map keeps insertion order). */
  #prune(limit: RateLimit, now: number): void {
    for (const [k, b] of this.#buckets) {
      if (b.tokens + (Math.max(0, now - b.at) / 1000) * limit.perSecond >= limit.burst) this.#buckets.delete(k);
    }
  }
}
