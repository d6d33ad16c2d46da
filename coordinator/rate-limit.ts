/**
 * Rate limits at the coordinator: token buckets per requesting country, and per (requesting country,
 * target) pair for the work a query makes a target do.
 *
 *   query    per country, one token per query (identifier or biometric): the fan-out itself;
 *   lookup   per country, one token per key (one index bucket read and its path each);
 *   eval     per (requester, target), one token per blinded element the target would evaluate;
 *   bio      per (requester, target), one token per encrypted query the target would score.
 *
 * A bucket refills at its rate up to its burst. Each country draws on its own buckets only: a flooding
 * member empties its own and is refused, and every other member's requests still find tokens — at the
 * coordinator and at every target, whose work from one requester is bounded by that requester's pair
 * buckets. A country's `query` and `lookup` buckets are checked before anything about the request is
 * decoded or verified (`admit`: at least one token), and charged the request's real cost once it is
 * verified (`charge`, which may leave the bucket in debt): so refused requests cost the coordinator
 * almost nothing, and the work admitted per second stays within the rate plus one request.
 *
 * A refusal is `rate_limited` — an error frame naming the request, or the answer of a target the pair
 * bucket refused — and is audited as `rate.limited` (the kind as `status`, a pair's target as `peer`) at
 * most once a minute per (country, kind, target) with the number of refusals since the last entry: a
 * flood does not become a flood of audit entries.
 */
import type { Clock } from '#platform';
import type { AuditBatch } from './audit-batch.ts';

export type LimitedKind = 'query' | 'lookup' | 'eval' | 'bio';

export interface RateSpec {
  perSecond: number;
  /** Tokens a full bucket holds. */
  burst: number;
}

/** At most one audit entry per (country, kind, target) per this interval. */
export const REFUSAL_AUDIT_INTERVAL_MS = 60_000;
/** Buckets and streaks tracked before idle ones are forgotten. */
const PRUNE_AT = 100_000;

export interface CountryLimits {
  /** Whether `country` has a token of `kind` (towards `target`) left; a refusal is audited. Takes nothing. */
  admit(kind: LimitedKind, country: string, target?: string): boolean;
  /** Take `cost` tokens (the bucket may go into debt). */
  charge(kind: LimitedKind, country: string, cost: number, target?: string): void;
  /** `admit` then `charge`: true when the request went through. */
  take(kind: LimitedKind, country: string, cost?: number, target?: string): boolean;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Streak {
  lastAudit: number;
  unaudited: number;
}

export function createCountryLimits(deps: { clock: Pick<Clock, 'now'>; audit: AuditBatch; rates: Record<LimitedKind, RateSpec> }): CountryLimits {
  const buckets = new Map<string, Bucket>();
  const streaks = new Map<string, Streak>();
  const keyOf = (kind: LimitedKind, country: string, target: string | undefined) => (target ? `${kind}/${target}:${country}` : `${kind}:${country}`);

  const refill = (kind: LimitedKind, key: string, now: number): Bucket => {
    const { perSecond, burst } = deps.rates[kind];
    const b = buckets.get(key);
    if (!b) {
      const fresh = { tokens: burst, at: now };
      buckets.set(key, fresh);
      if (buckets.size > PRUNE_AT) prune(now);
      return fresh;
    }
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * perSecond);
    b.at = now;
    return b;
  };

  /** Forget buckets idle long enough to be full again (as good as absent), and old streaks. */
  const prune = (now: number): void => {
    for (const [k, b] of buckets) {
      const kind = k.slice(0, k.search(/[/:]/)) as LimitedKind;
      const { perSecond, burst } = deps.rates[kind];
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) buckets.delete(k);
    }
    for (const [k, s] of streaks) if (now - s.lastAudit >= REFUSAL_AUDIT_INTERVAL_MS) streaks.delete(k);
  };

  const refused = (kind: LimitedKind, country: string, target: string | undefined, now: number): false => {
    const key = keyOf(kind, country, target);
    const s = streaks.get(key);
    if (!s || now - s.lastAudit >= REFUSAL_AUDIT_INTERVAL_MS) {
      // The target is a country code, not a code: it goes in `peer` (an audit `status` is lower case, and an
      // entry that fails the audit schema would fail the whole batch it is appended with).
      deps.audit.add({
        kind: 'rate.limited',
        country,
        code: 'rate_limited',
        status: kind,
        ...(target ? { peer: target } : {}),
        count: (s?.unaudited ?? 0) + 1,
      });
      streaks.set(key, { lastAudit: now, unaudited: 0 });
    } else s.unaudited++;
    return false;
  };

  const admit = (kind: LimitedKind, country: string, target?: string): boolean => {
    const now = deps.clock.now();
    if (refill(kind, keyOf(kind, country, target), now).tokens >= 1) return true;
    return refused(kind, country, target, now);
  };
  const charge = (kind: LimitedKind, country: string, cost: number, target?: string): void => {
    refill(kind, keyOf(kind, country, target), deps.clock.now()).tokens -= cost;
  };
  return {
    admit,
    charge,
    take(kind, country, cost = 1, target) {
      if (!admit(kind, country, target)) return false;
      charge(kind, country, cost, target);
      return true;
    },
  };
}
