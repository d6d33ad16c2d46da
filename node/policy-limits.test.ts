/**
 * The limits sections of the sharing policy: per-analyst budgets (defaults, overrides field by field,
 * most specific first) and the gateway's rate limits (defaults, partial sections, caps), and that a
 * policy file written before them still loads with the documented defaults.
 */
import { describe, expect, it } from 'vitest';
import { analystDailyBioBudget, analystDailyBudget, DEFAULT_POLICY, parsePolicy } from './policy.ts';

const minimal = { v: 1, answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }], budgets: { dailyEvaluations: 100 } };

describe('policy limits', () => {
  it('loads a policy written before the limits with the documented defaults', () => {
    const p = parsePolicy(JSON.stringify(minimal));
    expect(p.budgets.perAnalyst).toEqual({ dailyEvaluations: 10_000, dailyBioQueries: 100, overrides: {} });
    expect(p.gateway).toEqual({
      queries: { perAnalyst: { perSecond: 10, burst: 20 }, perCountry: { perSecond: 50, burst: 100 } },
      lookups: { perAnalyst: { perSecond: 20, burst: 40 }, perCountry: { perSecond: 100, burst: 200 } },
      bioQueries: { perAnalyst: { perSecond: 0.5, burst: 10 }, perCountry: { perSecond: 2, burst: 20 } },
      inFlightPerAnalyst: 8,
    });
    expect(p.gateway).toEqual(DEFAULT_POLICY.gateway);
    expect(parsePolicy(JSON.stringify(DEFAULT_POLICY))).toEqual(DEFAULT_POLICY);
  });

  it('fills a partial gateway section from the defaults', () => {
    const p = parsePolicy(
      JSON.stringify({
        ...minimal,
        gateway: { inFlightPerAnalyst: 2, lookups: { perAnalyst: { perSecond: 1, burst: 1 }, perCountry: { perSecond: 5, burst: 5 } } },
      }),
    );
    expect(p.gateway.inFlightPerAnalyst).toBe(2);
    expect(p.gateway.lookups.perAnalyst).toEqual({ perSecond: 1, burst: 1 });
    expect(p.gateway.queries).toEqual(DEFAULT_POLICY.gateway.queries);
  });

  it('takes per-analyst overrides field by field: the analyst, then its country, then the default', () => {
    const p = parsePolicy(
      JSON.stringify({
        ...minimal,
        budgets: {
          dailyEvaluations: 100,
          perAnalyst: { dailyEvaluations: 7, overrides: { FR: { dailyEvaluations: 5, dailyBioQueries: 2 }, 'FR/claire-1a2b3c': { dailyEvaluations: 50 } } },
        },
      }),
    );
    expect(analystDailyBudget(p, 'FR', 'claire-1a2b3c')).toBe(50);
    expect(analystDailyBioBudget(p, 'FR', 'claire-1a2b3c')).toBe(2);
    expect(analystDailyBudget(p, 'FR', 'marc-4d5e6f')).toBe(5);
    expect(analystDailyBudget(p, 'IT', 'claire-1a2b3c')).toBe(7);
    expect(analystDailyBioBudget(p, 'IT', 'luca-000001')).toBe(100);
    // Keys that are not a country or country/analyst, unknown fields and empty buckets are refused.
    const bad = (o: unknown) => () => parsePolicy(JSON.stringify({ ...minimal, ...(o as object) }));
    expect(bad({ budgets: { dailyEvaluations: 1, perAnalyst: { overrides: { fr: { dailyEvaluations: 1 } } } } })).toThrow(/overrides/);
    expect(bad({ budgets: { dailyEvaluations: 1, perAnalyst: { overrides: { FR: { daily: 1 } } } } })).toThrow(/policy/);
    expect(bad({ gateway: { queries: { perAnalyst: { perSecond: 1, burst: 0 }, perCountry: { perSecond: 1, burst: 1 } } } })).toThrow(/gateway/);
    expect(bad({ gateway: { inFlightPerAnalyst: 0 } })).toThrow(/gateway/);
  });
});
