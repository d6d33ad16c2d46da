/**
 * The gateway's limits on its own analysts (`policy.gateway`, read on every request so a reloaded
 * policy applies at once):
 *
 * - token buckets per kind of request (identifier query, biometric query, lookup), one per analyst and
 *   one for the whole node (the country): a request takes a token from both or from neither, so an
 *   analyst refused because the node is busy keeps its own tokens, and an analyst that floods empties
 *   only its own bucket — its colleagues' requests still find tokens in theirs and in the node's;
 * - a cap on the requests one analyst has waiting for the coordinator, which bounds the memory (bodies,
 *   pending promises) an analyst can hold at the gateway when the coordinator is slow.
 *
 * A refusal is `rate_limited`, checked after authentication and before anything else costs (replay
 * cache, idempotency cache, forwarding), so a refused request leaves no state behind. Refusals are
 * audited as `rate.limited`, at most once a minute per (analyst, kind, scope) with the number of
 * refusals since the last entry: a flood cannot turn into a flood of audit entries.
 */

import type { AuditLog, Clock, Logger } from '#platform';
import { VeilError } from '#protocol';
import type { GatewayLimits, PolicySource } from '../policy.ts';
import { TokenBuckets } from './token-buckets.ts';

/** The kinds of gateway request with buckets of their own, as named in audit entries. */
export type LimitedKind = 'query' | 'bio-query' | 'lookup';
export type LimitScope = 'analyst' | 'country' | 'in-flight';

const POLICY_FIELD = { query: 'queries', 'bio-query': 'bioQueries', lookup: 'lookups' } as const satisfies Record<LimitedKind, keyof GatewayLimits>;

/** At most one audit entry per (analyst, kind, scope) per this interval. */
export const REFUSAL_AUDIT_INTERVAL_MS = 60_000;

export interface GatewayLimiterDeps {
  policy: Pick<PolicySource, 'current'>;
  audit: AuditLog;
  log: Logger;
  clock: Pick<Clock, 'now'>;
  /** Counts refusals by kind and scope. */
  onRefused?: (kind: LimitedKind, scope: LimitScope) => void;
}

interface RefusalStreak {
  lastAudit: number;
  unaudited: number;
}

export class GatewayLimiter {
  readonly #d: GatewayLimiterDeps;
  readonly #analysts = new Map<LimitedKind, TokenBuckets>();
  readonly #country = new Map<LimitedKind, TokenBuckets>();
  readonly #inFlight = new Map<string, number>();
  readonly #streaks = new Map<string, RefusalStreak>();

  constructor(deps: GatewayLimiterDeps) {
    this.#d = deps;
    for (const k of Object.keys(POLICY_FIELD) as LimitedKind[]) {
      this.#analysts.set(k, new TokenBuckets());
      this.#country.set(k, new TokenBuckets());
    }
  }

  /**
   * Admit one request of `kind` from `analyst`: takes a token from its bucket and the node's and counts
   * it in flight until the returned release is called. Throws `rate_limited` (audited) otherwise.
   */
  admit(kind: LimitedKind, analyst: string): () => void {
    const limits = this.#d.policy.current.gateway;
    const now = this.#d.clock.now();
    const inFlight = this.#inFlight.get(analyst) ?? 0;
    if (inFlight >= limits.inFlightPerAnalyst) this.#refuse(kind, 'in-flight', analyst, now);
    const rate = limits[POLICY_FIELD[kind]];
    const mine = this.#buckets(this.#analysts, kind);
    const node = this.#buckets(this.#country, kind);
    if (mine.available(analyst, rate.perAnalyst, now) < 1) this.#refuse(kind, 'analyst', analyst, now);
    if (node.available('', rate.perCountry, now) < 1) this.#refuse(kind, 'country', analyst, now);
    mine.take(analyst, rate.perAnalyst, now);
    node.take('', rate.perCountry, now);
    this.#inFlight.set(analyst, inFlight + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.#inFlight.get(analyst) ?? 1) - 1;
      if (n <= 0) this.#inFlight.delete(analyst);
      else this.#inFlight.set(analyst, n);
    };
  }

  #buckets(m: Map<LimitedKind, TokenBuckets>, kind: LimitedKind): TokenBuckets {
    const b = m.get(kind);
    if (!b) throw new VeilError('internal', 'no buckets for request kind');
    return b;
  }

  #refuse(kind: LimitedKind, scope: LimitScope, analyst: string, now: number): never {
    this.#d.onRefused?.(kind, scope);
    const status = `${kind}/${scope}`;
    const key = `${analyst}\u0000${status}`;
    const streak = this.#streaks.get(key);
    if (!streak || now - streak.lastAudit >= REFUSAL_AUDIT_INTERVAL_MS) {
      const count = (streak?.unaudited ?? 0) + 1;
      this.#d.audit.append({ kind: 'rate.limited', analyst, code: 'rate_limited', status, count });
      this.#d.log.warn('gateway request rate-limited', { kind: status, count, code: 'rate_limited' });
      this.#streaks.delete(key);
      this.#streaks.set(key, { lastAudit: now, unaudited: 0 });
      this.#pruneStreaks(now);
    } else {
      streak.unaudited++;
    }
    throw new VeilError('rate_limited', `${kind} ${scope} limit`);
  }

  /**
   * Bound the streaks kept: past 10,000, those audited more than an interval ago are forgotten (their
   * next entry then counts from 1 again, an undercount only under such a flood).
   */
  #pruneStreaks(now: number): void {
    if (this.#streaks.size <= 10_000) return;
    for (const [k, s] of this.#streaks) {
      if (now - s.lastAudit < REFUSAL_AUDIT_INTERVAL_MS) break;
      this.#streaks.delete(k);
    }
  }
}
