/**
 * The one path by which a query from another country enters this node, shared by identifier queries
 * (`responder.ts`) and encrypted biometric queries (`bio.ts`). Its steps:
 *
 *   verify    the envelope is signed by a member of the directory, with the key of the country the
 *             query claims to come from (`keyId.node(q.from)`), and is not a replay;
 *   authorize the sharing policy allows this requester and purpose for each class asked about;
 *   budget    the allowed part fits what the requesting country has left of its daily budget, and
 *             what the requesting analyst has left of its own (so one analyst cannot spend the
 *             country's budget and cut its colleagues off);
 *   handle    the kind's own work (OPRF evaluation, encrypted scoring) — done by the caller;
 *   record    both budgets are charged (and the answer audited) in the caller's transaction.
 *
 * A kind that cannot take more work (the biometric queue is full) sheds a query: verified, then
 * refused `rate_limited` at the handle step, charging nothing.
 *
 * A refusal at any step is a signed answer to the requesting country carrying a registry code, audited
 * as the kind says. What differs between kinds — payload schema, classes, budget, answer format, audit
 * entries — is an `InboundKind`; the order of the steps and what a refusal is are decided here only.
 */

import type { z } from 'zod';
import type { AuditEntry, AuditLog, Clock, Logger } from '#platform';
import {
  asVeilError,
  type BioModality,
  type Envelope,
  type ErrorCode,
  encode,
  keyId,
  type MatchClass,
  type MemberRole,
  type Purpose,
  ReplayGuard,
  readUnverified,
  signEnvelope,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import type { BudgetLedger } from './budget.ts';
import type { NodeKeys } from './config.ts';
import { allowedClass, type Policy } from './policy.ts';

/** What every forwarded query carries. */
export interface InboundQuery {
  id: string;
  ts: number;
  nonce: Uint8Array;
  /** The requesting country. */
  from: string;
  /** The analyst's account id at the requesting node (signed by that node). */
  analyst: string;
  purpose: Purpose;
}

/** An answer ready for the coordinator to route. */
export interface RoutedResult {
  to: string;
  id: string;
  /** The signed answer, msgpack-encoded once here (the coordinator passes the bytes through). */
  env: Uint8Array;
}

export type RefusalStep = 'verify' | 'authorize' | 'budget' | 'handle';

/** What one kind of inbound query brings to the shared path. */
export interface InboundKind<Q extends InboundQuery> {
  readonly schema: z.ZodType<Q>;
  /** The class of each item the query asks about; the policy decides item by item. */
  classes(q: Q): ReadonlyArray<MatchClass | BioModality>;
  /** The budget this kind spends: its key per requester, the policy's daily limit, the cost of the allowed items. */
  budgetKey(requester: string): string;
  dailyLimit(policy: Policy, requester: string): number;
  /** The same per analyst of a requester, spent together with the requester's. */
  analystBudgetKey(requester: string, analyst: string): string;
  analystDailyLimit(policy: Policy, requester: string, analyst: string): number;
  cost(allowed: readonly number[]): number;
  /** The payload of a refusal (signed by the path). */
  refusal(q: Q, code: ErrorCode): unknown;
  /** The audit entry for a refusal at `step`, or undefined if this kind does not audit it. */
  refusalAudit(q: Q, step: RefusalStep, code: ErrorCode, allowed: readonly number[]): AuditEntry | undefined;
}

/** Verified, authorized and within budget: `allowed` are the item indices the policy lets through. */
export interface Admitted<Q> {
  readonly ok: true;
  readonly q: Q;
  readonly allowed: readonly number[];
  readonly cost: number;
}

export interface Refused {
  readonly ok: false;
  /** The signed refusal, or undefined if the query cannot even be routed back. */
  readonly refusal: RoutedResult | undefined;
}

/** What the inbound path needs of the member directory: signing keys, and the roles each member was certified for. */
export interface InboundMembers {
  signerOf(kid: string): Uint8Array;
  get(country: string): { readonly roles: readonly MemberRole[] } | undefined;
}

export interface InboundPathDeps<Q extends InboundQuery> {
  country: string;
  keys: NodeKeys;
  kind: InboundKind<Q>;
  members: InboundMembers;
  audit: AuditLog;
  log: Logger;
  clock: Pick<Clock, 'now'>;
}

export class InboundPath<Q extends InboundQuery> {
  readonly #d: InboundPathDeps<Q>;
  readonly #replay: ReplayGuard;
  readonly #kid: string;

  constructor(deps: InboundPathDeps<Q>) {
    this.#d = deps;
    this.#replay = new ReplayGuard({ clock: () => deps.clock.now() });
    this.#kid = keyId.node(deps.country);
  }

  /** verify → authorize → budget; the caller handles an admitted query and records it. */
  admit(env: Envelope, policy: Policy, budget: BudgetLedger): Admitted<Q> | Refused {
    let q: Q;
    try {
      q = this.verify(env);
    } catch (e) {
      return { ok: false, refusal: this.#refuseUnverified(env, asVeilError(e).code) };
    }
    const allowed = this.authorize(policy, q);
    if (allowed.length === 0) return { ok: false, refusal: this.refuse(q, 'authorize', 'refused_by_policy', allowed) };
    const { kind } = this.#d;
    const cost = kind.cost(allowed);
    if (!budget.fits(kind.budgetKey(q.from), cost, kind.dailyLimit(policy, q.from))) {
      return { ok: false, refusal: this.#overBudget(q, 'country', allowed) };
    }
    if (!budget.fits(kind.analystBudgetKey(q.from, q.analyst), cost, kind.analystDailyLimit(policy, q.from, q.analyst))) {
      return { ok: false, refusal: this.#overBudget(q, 'analyst', allowed) };
    }
    return { ok: true, q, allowed, cost };
  }

  /**
   * Refuse `env` because the kind cannot take more work now (`rate_limited`): verified first, so only
   * a member's query gets a signed refusal; nothing is charged.
   */
  shed(env: Envelope): RoutedResult | undefined {
    let q: Q;
    try {
      q = this.verify(env);
    } catch (e) {
      return this.#refuseUnverified(env, asVeilError(e).code);
    }
    return this.refuse(q, 'handle', 'rate_limited');
  }

  /**
   * Signed by a member, by the country it claims to come from, which the organisation certified to ask
   * (the `requester` role), and not seen before; throws otherwise.
   */
  verify(env: Envelope): Q {
    const q = verifyEnvelope(env, (kid) => this.#d.members.signerOf(kid), this.#d.kind.schema);
    if (env.kid !== keyId.node(q.from)) throw new VeilError('forbidden', 'query signed by another node');
    if (!this.#d.members.get(q.from)?.roles.includes('requester'))
      throw new VeilError('forbidden', 'the requesting member is not certified to ask (requester role)');
    this.#replay.check(env.kid, q.ts, q.nonce);
    return q;
  }

  /** Indices of the items the policy answers for this requester and purpose. */
  authorize(policy: Policy, q: Q): number[] {
    const allowed: number[] = [];
    this.#d.kind.classes(q).forEach((cls, i) => {
      if (allowedClass(policy, q.from, q.purpose, cls)) allowed.push(i);
    });
    return allowed;
  }

  /** Charge an admitted query to its requester's and its analyst's budgets (written when the ledger commits). */
  record(budget: BudgetLedger, a: Admitted<Q>): void {
    budget.charge(this.#d.kind.budgetKey(a.q.from), a.cost);
    budget.charge(this.#d.kind.analystBudgetKey(a.q.from, a.q.analyst), a.cost);
  }

  /** An `over_budget` refusal, audited as the kind says with the analyst and which budget was spent. */
  #overBudget(q: Q, scope: 'country' | 'analyst', allowed: readonly number[]): RoutedResult {
    const entry = this.#d.kind.refusalAudit(q, 'budget', 'over_budget', allowed);
    if (entry) this.#d.audit.append({ ...entry, analyst: q.analyst, status: scope });
    return this.reply(q, this.#d.kind.refusal(q, 'over_budget'));
  }

  /** A signed refusal for a verified query, audited as the kind says. */
  refuse(q: Q, step: RefusalStep, code: ErrorCode, allowed: readonly number[] = []): RoutedResult {
    const entry = this.#d.kind.refusalAudit(q, step, code, allowed);
    if (entry) this.#d.audit.append(entry);
    return this.reply(q, this.#d.kind.refusal(q, code));
  }

  /** Sign `payload` as this node's answer to `q`. */
  reply(q: Pick<Q, 'id' | 'from'>, payload: unknown): RoutedResult {
    return { to: q.from, id: q.id, env: encode(signEnvelope(this.#d.keys.signing, this.#kid, payload)) };
  }

  /**
   * A query that failed verification but names a requester and an id is answered with a signed
   * refusal; one that cannot even be read is dropped.
   *
   * NOTE: answering an unverifiable-but-routable query at all is current behaviour, kept for now;
   * another issue changes it (an unverified query should get no signed answer from this node).
   */
  #refuseUnverified(env: Envelope, code: ErrorCode): RoutedResult | undefined {
    let q: Q;
    try {
      q = readUnverified(env, this.#d.kind.schema);
    } catch {
      this.#d.log.warn('unroutable query dropped', { code });
      return undefined;
    }
    this.#d.log.warn('query rejected', { queryId: q.id, code, country: q.from });
    return this.refuse(q, 'verify', code);
  }
}
