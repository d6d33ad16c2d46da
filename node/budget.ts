/**
 * A requesting country's daily budgets at this node as one pass through the inbound path sees them:
 * what is stored for the UTC day plus what this pass has charged and not written yet (an evaluation
 * batch answers many queries of one requester before it writes). Budgets bound how much a country —
 * and each analyst of it — can learn by repeated queries; the limits come from the sharing policy.
 *
 * Budget keys (the `requester` column of the budget table): a country's evaluations `FR`, its
 * biometric queries `FR:bio`; one analyst's `eval@FR/<analyst>` and `bio@FR/<analyst>` (`@` occurs in
 * no country code or account id, so the two kinds of key never meet).
 */
import type { BudgetsRepository } from './store/repositories.ts';

export type BudgetKind = 'eval' | 'bio';

/** The key of one analyst's daily budget of `kind` at this node. */
export function analystBudgetKey(kind: BudgetKind, requester: string, analyst: string): string {
  return `${kind}@${requester}/${analyst}`;
}

/** The UTC day (`YYYY-MM-DD`) of an instant: budgets reset at midnight UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface BudgetLedgerDeps {
  budgets: BudgetsRepository;
  /** The instant whose UTC day this ledger charges. */
  now: number;
}

export class BudgetLedger {
  readonly day: string;
  readonly #budgets: BudgetsRepository;
  readonly #pending = new Map<string, number>();

  constructor(deps: BudgetLedgerDeps) {
    this.#budgets = deps.budgets;
    this.day = utcDay(deps.now);
  }

  /** Units `key` spent today, including what this ledger charged. */
  used(key: string): number {
    return this.#budgets.used(key, this.day) + (this.#pending.get(key) ?? 0);
  }

  /** Would spending `cost` more keep `key` within `limit` today? */
  fits(key: string, cost: number, limit: number): boolean {
    return this.used(key) + cost <= limit;
  }

  charge(key: string, cost: number): void {
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + cost);
  }

  /** Write the charges (inside the caller's transaction) and start afresh. */
  commit(): void {
    for (const [key, n] of this.#pending) this.#budgets.add(key, this.day, n);
    this.#pending.clear();
  }
}
