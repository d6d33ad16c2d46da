/**
 * The console's throttle of failed logins, per typed account id and overall, kept in memory: it slows
 * password guessing down to a few attempts per account per window, and its global cap bounds the
 * Argon2id work (and audit entries) an attacker can cause.
 */
import type { Clock } from '#platform';

export interface ThrottleOptions {
  /** Failures allowed per account id within `windowMs` before it is locked (default 5). */
  maxFailures?: number;
  /** Window over which failures count (default 15 min). */
  windowMs?: number;
  /** First lock duration; doubles with each further failure, up to `maxLockMs` (default 1 min). */
  lockMs?: number;
  maxLockMs?: number;
  /** Failures across all accounts within `windowMs` before every login is paused (default 50). */
  globalMaxFailures?: number;
}

interface Bucket {
  failures: number[];
  lockedUntil: number;
  locks: number;
}

/**
 * In-memory throttle of failed logins, per typed account id and overall. It slows guessing down to a
 * few attempts per account per window; the global cap bounds the Argon2id work (and audit entries) an
 * attacker can cause. Memory is bounded: at most `MAX_KEYS` account keys are tracked.
 */
export class LoginThrottle {
  static readonly MAX_KEYS = 10_000;
  readonly #o: Required<ThrottleOptions>;
  readonly #buckets = new Map<string, Bucket>();
  readonly #global: Bucket = { failures: [], lockedUntil: 0, locks: 0 };

  readonly #clock: Pick<Clock, 'now'>;

  constructor(deps: { clock: Pick<Clock, 'now'> } & ThrottleOptions) {
    const opts = deps;
    this.#clock = deps.clock;
    this.#o = {
      maxFailures: opts.maxFailures ?? 5,
      windowMs: opts.windowMs ?? 15 * 60_000,
      lockMs: opts.lockMs ?? 60_000,
      maxLockMs: opts.maxLockMs ?? 15 * 60_000,
      globalMaxFailures: opts.globalMaxFailures ?? 50,
    };
  }

  /** Milliseconds until `key` may try again; 0 if it may try now. */
  retryAfter(key: string): number {
    const now = this.#clock.now();
    const b = this.#buckets.get(this.#key(key));
    return Math.max(0, (b?.lockedUntil ?? 0) - now, this.#global.lockedUntil - now);
  }

  /** Record a failure; returns true if this failure locked the account (or the console). */
  fail(key: string): boolean {
    const now = this.#clock.now();
    const k = this.#key(key);
    let b = this.#buckets.get(k);
    if (!b) {
      if (this.#buckets.size >= LoginThrottle.MAX_KEYS) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
      b = { failures: [], lockedUntil: 0, locks: 0 };
      this.#buckets.set(k, b);
    }
    const lockedAccount = this.#record(b, now, this.#o.maxFailures);
    const lockedAll = this.#record(this.#global, now, this.#o.globalMaxFailures);
    return lockedAccount || lockedAll;
  }

  succeed(key: string): void {
    this.#buckets.delete(this.#key(key));
  }

  #record(b: Bucket, now: number, max: number): boolean {
    b.failures = b.failures.filter((t) => t > now - this.#o.windowMs);
    b.failures.push(now);
    if (b.failures.length < max) return false;
    b.lockedUntil = now + Math.min(this.#o.lockMs * 2 ** b.locks, this.#o.maxLockMs);
    b.locks++;
    b.failures = [];
    return true;
  }

  #key(k: string): string {
    return k.toLowerCase().slice(0, 64);
  }
}
