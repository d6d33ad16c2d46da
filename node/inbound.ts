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
 * A refusal at any later step is a signed answer to the requesting country carrying a registry code,
 * audited as the kind says. A query that fails `verify` gets no signature from this node: if it names
 * a requester and an id it is answered with a bare code the coordinator routes as an error for this
 * target (so the requester is not left waiting for a deadline), and audited; otherwise it is dropped.
 * A signed answer to input nobody vouched for would let whoever forged or replayed it collect this
 * node's signature over fields of its choosing. What differs between kinds — payload schema, classes, budget, answer format, audit
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

/** A signed answer ready for the coordinator to route. */
export interface SignedResult {
  to: string;
  id: string;
  /** The signed answer, msgpack-encoded once here (the coordinator passes the bytes through). */
  env: Uint8Array;
}

/** The refusal of a query this node could not verify: routed by its claimed requester and id, unsigned. */
export interface UnverifiedRefusal {
  to: string;
  id: string;
  code: ErrorCode;
}

/** What goes back to the coordinator for one query. */
export type RoutedResult = SignedResult | UnverifiedRefusal;

export type RefusalStep = 'verify' | 'authorize' | 'budget' | 'handle';

/** The kinds of inbound query, as named in metrics. */
export type InboundKindName = 'identifier' | 'biometric';

/** What the path reports for metrics (counts only: never the query). */
export interface InboundMetrics {
  answered(kind: InboundKindName): void;
  refused(kind: InboundKindName, code: ErrorCode): void;
  overBudget(kind: InboundKindName, scope: 'country' | 'analyst'): void;
}

/** What one kind of inbound query brings to the shared path. */
export interface InboundKind<Q extends InboundQuery> {
  readonly name: InboundKindName;
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
  /** The refusal (unsigned when the query failed verification), or undefined if it cannot even be routed back. */
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
  metrics?: InboundMetrics;
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

  /**
   * verify → authorize → budget; the caller handles an admitted query and records it. `repeated` sees
   * each verified query first: the answer it returns (a retransmission already answered) is sent as is,
   * and the query goes no further.
   */
  admit(env: Envelope, policy: Policy, budget: BudgetLedger, repeated?: (q: Q) => RoutedResult | undefined): Admitted<Q> | Refused {
    let q: Q;
    try {
      q = this.verify(env);
    } catch (e) {
      return { ok: false, refusal: this.#refuseUnverified(env, asVeilError(e).code) };
    }
    const again = repeated?.(q);
    if (again) return { ok: false, refusal: again };
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
    this.#d.metrics?.answered(this.#d.kind.name);
  }

  /** An `over_budget` refusal, audited as the kind says with the analyst and which budget was spent. */
  #overBudget(q: Q, scope: 'country' | 'analyst', allowed: readonly number[]): SignedResult {
    const entry = this.#d.kind.refusalAudit(q, 'budget', 'over_budget', allowed);
    if (entry) this.#d.audit.append({ ...entry, analyst: q.analyst, status: scope });
    this.#d.metrics?.overBudget(this.#d.kind.name, scope);
    this.#d.metrics?.refused(this.#d.kind.name, 'over_budget');
    return this.reply(q, this.#d.kind.refusal(q, 'over_budget'));
  }

  /** A signed refusal for a verified query, audited as the kind says. */
  refuse(q: Q, step: RefusalStep, code: ErrorCode, allowed: readonly number[] = []): SignedResult {
    const entry = this.#d.kind.refusalAudit(q, step, code, allowed);
    if (entry) this.#d.audit.append(entry);
    this.#d.metrics?.refused(this.#d.kind.name, code);
    return this.reply(q, this.#d.kind.refusal(q, code));
  }

  /** Sign `payload` as this node's answer to `q`. */
  reply(q: Pick<Q, 'id' | 'from'>, payload: unknown): SignedResult {
    return { to: q.from, id: q.id, env: encode(signEnvelope(this.#d.keys.signing, this.#kid, payload)) };
  }

  /**
   * A query that failed verification but names a requester and an id is answered with its error code,
   * unsigned, and audited as the kind audits a refusal at `verify`; one that cannot even be read is
   * dropped.
   */
  #refuseUnverified(env: Envelope, code: ErrorCode): UnverifiedRefusal | undefined {
    let q: Q;
    try {
      q = readUnverified(env, this.#d.kind.schema);
    } catch {
      this.#d.log.warn('unroutable query dropped', { code });
      this.#d.metrics?.refused(this.#d.kind.name, code);
      return undefined;
    }
    this.#d.log.warn('query rejected', { queryId: q.id, code, country: q.from });
    const entry = this.#d.kind.refusalAudit(q, 'verify', code, []);
    if (entry) this.#d.audit.append(entry);
    return { to: q.from, id: q.id, code };
  }
}
