/**
 * A node's sharing policy (`policy.json`): which requesting countries, purposes and match classes it
 * answers, and how many OPRF evaluations each requester may spend per UTC day (anti-enumeration,
 * DESIGN.md §7). The file is validated on load and reloaded when it changes; an invalid new version is
 * refused and the previous policy stays in force.
 */
import { statSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { VeilError } from '#crypto';
import { MATCH_CLASSES, PURPOSES, type MatchClass, type Purpose } from '#protocol';
import type { Logger } from '#platform';

const star = z.literal('*');
const countryCode = z.string().regex(/^[A-Z]{2}$/);

export const PolicyRule = z.strictObject({
  requesters: z.union([z.array(star).length(1), z.array(countryCode).min(1)]),
  purposes: z.union([z.array(star).length(1), z.array(z.enum(PURPOSES)).min(1)]),
  classes: z.union([z.array(star).length(1), z.array(z.enum(MATCH_CLASSES)).min(1)]),
});

export const Policy = z.strictObject({
  v: z.literal(1),
  /** A query item is answered if any rule allows its requester, purpose and class. */
  answer: z.array(PolicyRule).max(1000),
  budgets: z.strictObject({
    /** OPRF evaluations per requesting country per UTC day. */
    dailyEvaluations: z.number().int().nonnegative(),
    perRequester: z.record(countryCode, z.number().int().nonnegative()).default({}),
  }),
});
export type Policy = z.infer<typeof Policy>;

export const DEFAULT_POLICY: Policy = {
  v: 1,
  answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
  budgets: { dailyEvaluations: 100_000, perRequester: {} },
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

export function allowedClass(p: Policy, requester: string, purpose: Purpose, cls: MatchClass): boolean {
  return p.answer.some((r) => allows(r.requesters, requester) && allows(r.purposes, purpose) && allows(r.classes, cls));
}

export function dailyBudget(p: Policy, requester: string): number {
  return p.budgets.perRequester[requester] ?? p.budgets.dailyEvaluations;
}

/** Hot-reloading holder: checks the file's mtime at most once a second when the policy is read. */
export class PolicyFile {
  #policy: Policy;
  #mtime: number;
  #checked = 0;

  constructor(
    readonly path: string,
    readonly log: Logger,
    readonly onReload: (ok: boolean) => void = () => {},
  ) {
    this.#policy = parsePolicy(readFileSync(path, 'utf8'));
    this.#mtime = statSync(path).mtimeMs;
  }

  get current(): Policy {
    const now = Date.now();
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
      this.log.info('policy reloaded');
      this.onReload(true);
    } catch (e) {
      this.log.warn('policy reload refused; previous policy stays in force', { code: e instanceof VeilError ? e.code : 'internal' });
      this.onReload(false);
    }
  }
}
