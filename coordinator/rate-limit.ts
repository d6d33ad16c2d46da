/**
 * Per-country query rate limiting: a token bucket refilled at `perSecond`, holding at most two seconds'
 * worth, so a country may burst briefly but not sustain more than its rate.
 */
import type { Clock } from '#platform';

export interface RateLimiter {
  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(deps: { clock: Pick<Clock, 'now'>; perSecond: number }): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const cap = deps.perSecond * 2;
  return {
    take(key) {
      const now = deps.clock.now();
      const b = buckets.get(key) ?? { tokens: cap, at: now };
      b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * deps.perSecond);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
