/**
 * The throttle of failed data-owner logins, shared by the approval console and the CLI (`veil
 * approvals`): its state is in the node's database (owners repository), so both count against the same
 * accounts. Two scopes, each with exponential backoff and each audited (`auth.throttled`) when it locks:
 *
 * - per client address (an IPv6 client by its /64, see `client-address.ts`; the CLI is one address,
 *   `local`): `maxFailures` failures within `windowMs` lock the address for `lockMs`; after that every
 *   further failure locks it again for twice as long, up to `maxLockMs`, until a success from it or
 *   `forgetMs` without a failure. This bounds the guesses (and the Argon2id work) one address can cause
 *   to a few an hour, against any accounts.
 * - per account: it is locked when `accountMaxAddresses` different addresses have failed against it
 *   within `windowMs` (again with doubling locks). Counting addresses, not failures, means no single
 *   address — however persistent — can lock an owner out; guessing one account from many addresses
 *   locks that account only.
 *
 * There is no global lock: nothing one attacker does from a few addresses stops other owners.
 */
import type { AuditLog, Clock } from '#platform';
import type { NodeRepositories, ThrottleRow, ThrottleScope } from '../store/repositories.ts';
import { OWNER_ID_RE } from './owners.ts';

export interface ThrottleOptions {
  /** Failures from one client address within `windowMs` before it is locked (default 5). */
  maxFailures?: number;
  /** Different client addresses failing against one account within `windowMs` before it is locked (default 5). */
  accountMaxAddresses?: number;
  /** Window over which failures count (default 15 min). */
  windowMs?: number;
  /** First lock; each further one lasts twice as long, up to `maxLockMs` (default 1 min, 15 min). */
  lockMs?: number;
  maxLockMs?: number;
  /** Time without a failure after which an address's or account's lock history is forgotten (default 24 h). */
  forgetMs?: number;
}

/** One login attempt as the throttle sees it. */
export interface LoginSource {
  /** Where the attempt is made: the console, or the CLI on the node's host. */
  peer: 'console' | 'cli';
  /** The client address (normalized), `local` for the CLI. */
  address: string;
  /** The typed account id if it can be one (see `accountKey`), else undefined: only the address counts. */
  account: string | undefined;
}

export interface LoginThrottleDeps {
  store: Pick<NodeRepositories, 'owners' | 'tx'>;
  audit: AuditLog;
  clock: Pick<Clock, 'now'>;
  options?: ThrottleOptions;
}

/** The throttle key of a typed account id, or undefined if it cannot name an account. */
export function accountKey(typed: string): string | undefined {
  const k = typed.trim();
  return OWNER_ID_RE.test(k) ? k : undefined;
}

export class LoginThrottle {
  readonly #d: LoginThrottleDeps;
  readonly #o: Required<ThrottleOptions>;

  constructor(deps: LoginThrottleDeps) {
    this.#d = deps;
    const o = deps.options ?? {};
    this.#o = {
      maxFailures: o.maxFailures ?? 5,
      accountMaxAddresses: o.accountMaxAddresses ?? 5,
      windowMs: o.windowMs ?? 15 * 60_000,
      lockMs: o.lockMs ?? 60_000,
      maxLockMs: o.maxLockMs ?? 15 * 60_000,
      forgetMs: o.forgetMs ?? 24 * 3_600_000,
    };
  }

  /** Milliseconds until `s` may try again (its address or its account is locked); 0 if it may try now. */
  retryAfter(s: LoginSource): number {
    const now = this.#d.clock.now();
    const { owners } = this.#d.store;
    const until = (scope: ThrottleScope, key: string | undefined) => (key === undefined ? 0 : (owners.throttle(scope, key)?.lockedUntil ?? 0));
    return Math.max(0, until('address', s.address) - now, until('account', s.account) - now);
  }

  /**
   * Record a failed attempt; returns true if it locked the address or the account. `owner` is the
   * account id if the typed one exists (audit entries name real accounts only, never what was typed).
   */
  fail(s: LoginSource, owner?: string): boolean {
    const now = this.#d.clock.now();
    const { owners } = this.#d.store;
    return this.#d.store.tx(() => {
      owners.pruneThrottle(now - this.#o.forgetMs, now - this.#o.windowMs);
      const address = this.#row('address', s.address, now);
      address.failures++;
      // After a first lock, every failure locks again (backoff); before it, `maxFailures` do.
      let locked = this.#maybeLock(address, address.locks > 0 ? 1 : this.#o.maxFailures, now, { peer: `${s.peer}/${s.address}` });
      if (s.account !== undefined) {
        const account = this.#row('account', s.account, now);
        account.failures = owners.addFailureSource(s.account, s.address, now, account.windowStart);
        if (this.#maybeLock(account, this.#o.accountMaxAddresses, now, { peer: s.peer, ...(owner ? { owner } : {}) })) {
          owners.clearFailureSources(s.account);
          locked = true;
        }
      }
      return locked;
    });
  }

  /** A successful login forgets its address's history, and its account's. */
  succeed(s: LoginSource): void {
    const { owners } = this.#d.store;
    this.#d.store.tx(() => {
      owners.deleteThrottle('address', s.address);
      if (s.account !== undefined) {
        owners.deleteThrottle('account', s.account);
        owners.clearFailureSources(s.account);
      }
    });
  }

  /** The row of (scope, key) as of `now`: its window restarted if over, its history forgotten if old. */
  #row(scope: ThrottleScope, key: string, now: number): ThrottleRow {
    const r = this.#d.store.owners.throttle(scope, key) ?? { scope, key, failures: 0, windowStart: now, locks: 0, lockedUntil: 0, lastFailure: now };
    if (now - r.lastFailure > this.#o.forgetMs) r.locks = 0;
    if (now - r.windowStart > this.#o.windowMs) {
      r.failures = 0;
      r.windowStart = now;
    }
    r.lastFailure = now;
    return r;
  }

  /** Lock `r` if it reached `max` (audited), and store it; true if it locked. */
  #maybeLock(r: ThrottleRow, max: number, now: number, who: { peer: string; owner?: string }): boolean {
    const lock = r.failures >= max;
    if (lock) {
      const ms = Math.min(this.#o.lockMs * 2 ** r.locks, this.#o.maxLockMs);
      this.#d.audit.append({ kind: 'auth.throttled', ...who, status: r.scope, count: r.failures, ms });
      r.lockedUntil = now + ms;
      r.locks++;
      r.failures = 0;
      r.windowStart = now;
    }
    this.#d.store.owners.putThrottle(r);
    return lock;
  }
}
