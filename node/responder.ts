/**
 * The target side of a blind identifier query: each query of a coordinator batch takes the inbound
 * path (`inbound.ts`: verify, authorize per match class, budget per OPRF evaluation for the requesting
 * country and for its analyst); the allowed blinded elements are evaluated under the active OPRF key
 * with one batched DLEQ proof (VOPRF), and the answer is signed for the analyst's SDK. A batch is one
 * transaction: budgets are written once at its end. Audit records metadata only.
 */
import { blindEvaluateBatch, OprfKey } from '#crypto';
import type { AuditLog, Clock, Logger } from '#platform';
import { asVeilError, type Envelope, type ErrorCode, type EvalResult, ForwardedQuery } from '#protocol';
import { AnsweredQueries } from './answered.ts';
import { analystBudgetKey, BudgetLedger } from './budget.ts';
import type { NodeKeys } from './config.ts';
import { type InboundKind, type InboundMembers, type InboundMetrics, InboundPath, type RoutedResult } from './inbound.ts';
import { analystDailyBudget, dailyBudget, type PolicySource } from './policy.ts';
import { acknowledgedIndexSeq } from './publisher.ts';
import type { NodeRepositories } from './store/repositories.ts';

export type { RoutedResult } from './inbound.ts';

export interface ResponderDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  policy: PolicySource;
  members: InboundMembers;
  audit: AuditLog;
  log: Logger;
  clock: Pick<Clock, 'now'>;
  metrics?: InboundMetrics;
}

export class Responder {
  readonly #d: ResponderDeps;
  readonly #inbound: InboundPath<ForwardedQuery>;
  #key: { epoch: number; key: OprfKey } | undefined;
  readonly #answered: AnsweredQueries;

  constructor(deps: ResponderDeps) {
    this.#d = deps;
    this.#inbound = new InboundPath({ ...deps, kind: this.#kind() });
    this.#answered = new AnsweredQueries(() => deps.clock.now());
  }

  /** The active OPRF key; re-read after a rotation is activated. */
  activeKey(): { epoch: number; key: OprfKey } {
    if (!this.#key) {
      const e = this.#d.store.records.activeEpoch();
      this.#key = { epoch: e.epoch, key: OprfKey.fromBytes('voprf', e.secret) };
    }
    return this.#key;
  }

  resetKey(): void {
    this.#key = undefined;
  }

  /** Answers a batch in one transaction committed (and synced) before it returns. */
  handleBatch(batch: readonly Envelope[]): RoutedResult[] {
    const { out, answered } = this.#evaluate(batch, (fn) => this.#d.store.tx(fn));
    // Remembered only once committed: a batch rolled back was never answered.
    for (const [q, reply] of answered) this.#answered.remember(q, reply);
    return out;
  }

  /**
   * `handleBatch` for the live path: the transaction commits without blocking the event loop on the
   * disk, and the answers are returned (to be sent) only once it is synced — nothing is acknowledged
   * that a crash could undo (platform/wal-sync.ts). A process hosting many nodes, or one answering many
   * requesters, keeps evaluating while the disk syncs, and concurrent batches share one sync.
   */
  async answerBatch(batch: readonly Envelope[]): Promise<RoutedResult[]> {
    const { store } = this.#d;
    const { out, answered } = this.#evaluate(batch, (fn) => store.txDeferred(fn));
    await store.synced();
    for (const [q, reply] of answered) this.#answered.remember(q, reply);
    return out;
  }

  #evaluate(batch: readonly Envelope[], tx: (fn: () => void) => void): { out: RoutedResult[]; answered: Array<[ForwardedQuery, RoutedResult]> } {
    const { store, audit, clock } = this.#d;
    const out: RoutedResult[] = [];
    const answered: Array<[ForwardedQuery, RoutedResult]> = [];
    const { epoch, key } = this.activeKey();
    const policy = this.#d.policy.current;
    const budget = new BudgetLedger({ budgets: store.budgets, now: clock.now() });
    // A query answered before (sent again after a coordinator failover) gets the same answer, uncharged.
    const repeated = (q: ForwardedQuery): RoutedResult | undefined => {
      const r = this.#answered.recall(q);
      if (r === 'conflict') return this.#inbound.refuse(q, 'handle', 'conflict');
      if (r) audit.append({ kind: 'eval.repeated', queryId: q.id, country: q.from });
      return r?.result;
    };
    tx(() => {
      for (const env of batch) {
        const a = this.#inbound.admit(env, policy, budget, repeated);
        if (!a.ok) {
          if (a.refusal) out.push(a.refusal);
          continue;
        }
        const { q, allowed } = a;
        const wanted = new Set(allowed);
        let evaluation: { evaluatedElements: Uint8Array[]; proof: Uint8Array };
        try {
          evaluation = blindEvaluateBatch(
            key,
            q.items.filter((_, i) => wanted.has(i)).map((it) => it.blinded),
          );
        } catch (e) {
          // A malformed element (identity, non-canonical) refuses this query only, not the batch.
          out.push(this.#inbound.refuse(q, 'handle', asVeilError(e).code, allowed));
          continue;
        }
        this.#inbound.record(budget, a);
        const reply = this.#inbound.reply(q, this.#result(q, epoch, 'ok', undefined, allowed, evaluation));
        out.push(reply);
        answered.push([q, reply]);
        audit.append({ kind: 'eval.served', queryId: q.id, country: q.from, analyst: q.analyst, count: allowed.length, purpose: q.purpose, epoch });
      }
      budget.commit();
    });
    return { out, answered };
  }

  /** Identifier queries on the inbound path: one policy class and one budget unit per item. */
  #kind(): InboundKind<ForwardedQuery> {
    return {
      name: 'identifier',
      schema: ForwardedQuery,
      classes: (q) => q.items.map((it) => it.cls),
      budgetKey: (requester) => requester,
      dailyLimit: dailyBudget,
      analystBudgetKey: (requester, analyst) => analystBudgetKey('eval', requester, analyst),
      analystDailyLimit: analystDailyBudget,
      cost: (allowed) => allowed.length,
      refusal: (q, code) => this.#result(q, this.activeKey().epoch, 'refused', code),
      refusalAudit: (q, step, code, allowed) => {
        switch (step) {
          case 'authorize':
            return { kind: 'eval.refused', queryId: q.id, country: q.from, code, purpose: q.purpose };
          case 'budget':
            return { kind: 'budget.exceeded', queryId: q.id, country: q.from, count: allowed.length };
          case 'verify':
          case 'handle':
            return { kind: 'eval.refused', queryId: q.id, country: q.from, code };
        }
      },
    };
  }

  #result(
    q: ForwardedQuery,
    epoch: number,
    status: EvalResult['status'],
    code?: ErrorCode,
    items: readonly number[] = [],
    evaluation: { evaluatedElements: Uint8Array[]; proof: Uint8Array | null } = { evaluatedElements: [], proof: null },
  ): EvalResult {
    return {
      t: 'eval-result',
      id: q.id,
      ts: this.#d.clock.now(),
      from: this.#d.country,
      to: q.from,
      status,
      ...(code ? { code } : {}),
      epoch,
      items: [...items],
      evaluated: evaluation.evaluatedElements,
      proof: evaluation.proof,
      indexSeq: acknowledgedIndexSeq(this.#d.store, epoch),
    };
  }
}
