/**
 * A node's sharing policy (`policy.json`): which requesting countries, purposes and match classes it
 * answers, how many OPRF evaluations each requesting country — and each analyst of it — may spend per
 * UTC day (a bound on enumeration by repeated queries), and the rate limits its gateway applies to its
 * own analysts. The file is validated on load and reloaded when it changes; an invalid new version is
 * refused and the previous policy stays in force.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { Clock, Logger } from '#platform';
import {
  BIO_MODALITIES,
  type BioModality,
  DISCLOSURE_FIELDS,
  type DisclosureField,
  errorCodeOf,
  MATCH_CLASSES,
  type MatchClass,
  PURPOSES,
  type Purpose,
  VeilError,
} from '#protocol';

const star = z.literal('*');
const countryCode = z.string().regex(/^[A-Z]{2}$/);

export const PolicyRule = z.strictObject({
  requesters: z.union([z.array(star).length(1), z.array(countryCode).min(1)]),
  purposes: z.union([z.array(star).length(1), z.array(z.enum(PURPOSES)).min(1)]),
  /** Match classes, and the biometric modalities (`face`, `fingerprint`) for encrypted biometric search. */
  classes: z.union([z.array(star).length(1), z.array(z.enum([...MATCH_CLASSES, ...BIO_MODALITIES])).min(1)]),
});

/**
 * A rule under which a disclosure is approved without an officer: requests for a
 * record in one of `datasets`, from one of `requesters`, for one of `purposes`, are approved for the
 * requested fields that are in `fields` (if none are, the request waits for an officer). The node
 * records that policy decided.
 */
export const AutoApproveRule = z.strictObject({
  datasets: z.union([z.array(star).length(1), z.array(z.string().regex(/^[a-z0-9-]{1,64}$/)).min(1)]),
  requesters: z.union([z.array(star).length(1), z.array(countryCode).min(1)]),
  purposes: z.union([z.array(star).length(1), z.array(z.enum(PURPOSES)).min(1)]),
  fields: z.array(z.enum(DISCLOSURE_FIELDS)).min(1),
});

export const DisclosurePolicy = z.strictObject({
  /** Hours a data owner has to decide before a request expires. */
  deadlineHours: z
    .number()
    .positive()
    .max(24 * 365)
    .default(48),
  autoApprove: z.array(AutoApproveRule).max(1000).default([]),
});

/** A token bucket: refilled at `perSecond`, holding at most `burst` tokens (one per request). */
export const RateLimit = z.strictObject({
  perSecond: z.number().positive().max(1_000_000),
  burst: z.number().int().min(1).max(1_000_000),
});
export type RateLimit = z.infer<typeof RateLimit>;

/** One kind of gateway request: a bucket per analyst, and one for all the node's analysts together. */
export const RequestLimits = z.strictObject({ perAnalyst: RateLimit, perCountry: RateLimit });
export type RequestLimits = z.infer<typeof RequestLimits>;

/**
 * What the gateway lets this node's own analysts send (`gateway.ts`). The per-analyst buckets keep one
 * analyst from spending its colleagues' share; the per-country bucket keeps the node as a whole under
 * the coordinator's per-country rate (default 200/s), so one noisy node does not get all its analysts
 * refused there. Defaults: identifier queries 10/s (burst 20) per analyst and 50/s (burst 100) for
 * the node; lookups twice that (a query is followed by its lookups); biometric queries, which cost
 * every target seconds, 0.5/s (burst 10) per analyst and 2/s (burst 20) for the node; at most 8
 * requests of one analyst waiting for the coordinator at once.
 */
export const GatewayLimits = z.strictObject({
  queries: RequestLimits.default({ perAnalyst: { perSecond: 10, burst: 20 }, perCountry: { perSecond: 50, burst: 100 } }),
  lookups: RequestLimits.default({ perAnalyst: { perSecond: 20, burst: 40 }, perCountry: { perSecond: 100, burst: 200 } }),
  bioQueries: RequestLimits.default({ perAnalyst: { perSecond: 0.5, burst: 10 }, perCountry: { perSecond: 2, burst: 20 } }),
  inFlightPerAnalyst: z.number().int().min(1).max(10_000).default(8),
});
export type GatewayLimits = z.infer<typeof GatewayLimits>;

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = GatewayLimits.parse({});

/** A per-analyst override: for one analyst (`FR/claire-1a2b3c`) or every analyst of a country (`FR`). */
const analystOverrideKey = z.string().regex(/^[A-Z]{2}(\/[A-Za-z0-9._:/-]{1,64})?$/);
export const AnalystBudget = z.strictObject({
  dailyEvaluations: z.number().int().nonnegative().optional(),
  dailyBioQueries: z.number().int().nonnegative().optional(),
});

/**
 * What one analyst of a requesting country may spend per UTC day, within its country's budget (the
 * requesting node signs the analyst's account id into every forwarded query). Without it one analyst
 * could spend its whole country's budget and cut its colleagues off. Defaults: a tenth of the country
 * defaults, 10,000 evaluations and 100 biometric queries.
 */
export const PerAnalystBudgets = z.strictObject({
  dailyEvaluations: z.number().int().nonnegative().default(10_000),
  dailyBioQueries: z.number().int().nonnegative().default(100),
  /** Field by field, the most specific entry wins: `FR/<analyst>`, then `FR`, then the defaults above. */
  overrides: z
    .record(analystOverrideKey, AnalystBudget)
    .refine((o) => Object.keys(o).length <= 10_000, { message: 'at most 10000 overrides' })
    .default({}),
});
export type PerAnalystBudgets = z.infer<typeof PerAnalystBudgets>;

export const DEFAULT_PER_ANALYST: PerAnalystBudgets = PerAnalystBudgets.parse({});

export const Policy = z.strictObject({
  v: z.literal(1),
  /** A query item is answered if any rule allows its requester, purpose and class. */
  answer: z.array(PolicyRule).max(1000),
  budgets: z.strictObject({
    /** OPRF evaluations per requesting country per UTC day. */
    dailyEvaluations: z.number().int().nonnegative(),
    perRequester: z.record(countryCode, z.number().int().nonnegative()).default({}),
    /** Encrypted biometric searches per requesting country per UTC day. */
    dailyBioQueries: z.number().int().nonnegative().default(1000),
    perAnalyst: PerAnalystBudgets.default(DEFAULT_PER_ANALYST),
  }),
  disclosure: DisclosurePolicy.default({ deadlineHours: 48, autoApprove: [] }),
  /** Rate limits on this node's own analysts at its gateway. */
  gateway: GatewayLimits.default(DEFAULT_GATEWAY_LIMITS),
});
export type Policy = z.infer<typeof Policy>;

export const DEFAULT_POLICY: Policy = {
  v: 1,
  answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
  budgets: { dailyEvaluations: 100_000, perRequester: {}, dailyBioQueries: 1000, perAnalyst: DEFAULT_PER_ANALYST },
  disclosure: { deadlineHours: 48, autoApprove: [] },
  gateway: DEFAULT_GATEWAY_LIMITS,
};

export function parsePolicy(text: string): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new VeilError('bad_config', 'policy is not valid JSON');
  }
  const r = Policy.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new VeilError('bad_config', `policy: ${i ? `${i.path.join('.')}: ${i.message}` : 'invalid'}`);
  }
  return r.data;
}

function allows(list: readonly string[], v: string): boolean {
  return list[0] === '*' || list.includes(v);
}

export function allowedClass(p: Policy, requester: string, purpose: Purpose, cls: MatchClass | BioModality): boolean {
  return p.answer.some((r) => allows(r.requesters, requester) && allows(r.purposes, purpose) && allows(r.classes, cls));
}

/** Fields policy releases without an officer for this request, or [] if it must wait for one. */
export function autoApprovedFields(p: Policy, dataset: string, requester: string, purpose: Purpose, requested: readonly DisclosureField[]): DisclosureField[] {
  for (const r of p.disclosure.autoApprove) {
    if (!allows(r.datasets, dataset) || !allows(r.requesters, requester) || !allows(r.purposes, purpose)) continue;
    const ok = requested.filter((f) => r.fields.includes(f));
    if (ok.length > 0) return ok;
  }
  return [];
}

export function dailyBioBudget(p: Policy, _requester: string): number {
  return p.budgets.dailyBioQueries;
}

export function dailyBudget(p: Policy, requester: string): number {
  return p.budgets.perRequester[requester] ?? p.budgets.dailyEvaluations;
}

/** A per-analyst limit for (requester, analyst): the analyst's override, the country's, or the default. */
function analystLimit(p: Policy, requester: string, analyst: string, field: keyof z.infer<typeof AnalystBudget>): number {
  const o = p.budgets.perAnalyst.overrides;
  const own = `${requester}/${analyst}`;
  return (
    (Object.hasOwn(o, own) ? o[own]?.[field] : undefined) ?? (Object.hasOwn(o, requester) ? o[requester]?.[field] : undefined) ?? p.budgets.perAnalyst[field]
  );
}

/** OPRF evaluations one analyst of `requester` may spend per UTC day (within the country's budget). */
export function analystDailyBudget(p: Policy, requester: string, analyst: string): number {
  return analystLimit(p, requester, analyst, 'dailyEvaluations');
}

/** Biometric queries one analyst of `requester` may send per UTC day (within the country's budget). */
export function analystDailyBioBudget(p: Policy, requester: string, analyst: string): number {
  return analystLimit(p, requester, analyst, 'dailyBioQueries');
}

/** Where services read the policy in force from (a reloading file in production, a constant in tests). */
export interface PolicySource {
  readonly current: Policy;
}

export interface PolicyFileDeps {
  path: string;
  log: Logger;
  clock: Pick<Clock, 'now'>;
  /** Called after each reload attempt (true: the new version is in force). */
  onReload?: (ok: boolean) => void;
}

/** Hot-reloading holder: checks the file's mtime at most once a second when the policy is read. */
export class PolicyFile implements PolicySource {
  readonly path: string;
  readonly #log: Logger;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #onReload: (ok: boolean) => void;
  #policy: Policy;
  #mtime: number;
  #checked = 0;

  constructor(deps: PolicyFileDeps) {
    this.path = deps.path;
    this.#log = deps.log;
    this.#clock = deps.clock;
    this.#onReload = deps.onReload ?? (() => {});
    this.#policy = parsePolicy(readFileSync(this.path, 'utf8'));
    this.#mtime = statSync(this.path).mtimeMs;
  }

  get current(): Policy {
    const now = this.#clock.now();
    if (now - this.#checked >= 1000) {
      this.#checked = now;
      this.#maybeReload();
    }
    return this.#policy;
  }

  #maybeReload(): void {
    let mtime: number;
    try {
      mtime = statSync(this.path).mtimeMs;
    } catch {
      return; // file briefly missing during an editor's save: keep the current policy
    }
    if (mtime === this.#mtime) return;
    this.#mtime = mtime;
    try {
      this.#policy = parsePolicy(readFileSync(this.path, 'utf8'));
      this.#log.info('policy reloaded');
      this.#onReload(true);
    } catch (e) {
      this.#log.warn('policy reload refused; previous policy stays in force', { code: errorCodeOf(e) });
      this.#onReload(false);
    }
  }
}
