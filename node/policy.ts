/**
 * A node's sharing policy (`policy.json`): which requesting countries, purposes and match classes it
 * answers, and how many OPRF evaluations each requester may spend per UTC day (a bound on enumeration
 * by repeated queries). The file is validated on load and reloaded when it changes; an invalid new
 * version is refused and the previous policy stays in force.
 */
import { statSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { MATCH_CLASSES, PURPOSES, DISCLOSURE_FIELDS, BIO_MODALITIES, type MatchClass, type BioModality, type Purpose, type DisclosureField, VeilError, errorCodeOf } from '#protocol';
import type { Clock, Logger } from '#platform';

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
  deadlineHours: z.number().positive().max(24 * 365).default(48),
  autoApprove: z.array(AutoApproveRule).max(1000).default([]),
});

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
  }),
  disclosure: DisclosurePolicy.default({ deadlineHours: 48, autoApprove: [] }),
});
export type Policy = z.infer<typeof Policy>;

export const DEFAULT_POLICY: Policy = {
  v: 1,
  answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
  budgets: { dailyEvaluations: 100_000, perRequester: {}, dailyBioQueries: 1000 },
  disclosure: { deadlineHours: 48, autoApprove: [] },
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
