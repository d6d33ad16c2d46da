/**
 * The target side of a blind query: for each query in a coordinator batch, verify
 * the requesting node's signature, reject replays, apply the sharing policy per match class, charge the
 * requester's daily budget, evaluate the allowed blinded elements under the active OPRF key with one
 * batched DLEQ proof (VOPRF), and sign the answer for the analyst's SDK. Audit records metadata only.
 */
import { OprfKey, blindEvaluateBatch } from '#crypto';
import { ForwardedQuery, ReplayGuard, encode, verifyEnvelope, readUnverified, signEnvelope, type Envelope, type EvalResult, VeilError, asVeilError, type ErrorCode, keyId } from '#protocol';
import type { AuditLog, Clock, Logger } from '#platform';
import type { MemberDirectory } from '#sdk';
import type { NodeRepositories } from './store/repositories.ts';
import type { NodeKeys } from './config.ts';
import { allowedClass, dailyBudget, type PolicySource } from './policy.ts';

export interface RoutedResult {
  to: string;
  id: string;
  /** The signed answer, msgpack-encoded once here (the coordinator passes the bytes through). */
  env: Uint8Array;
}

export interface ResponderDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  policy: PolicySource;
  members: Pick<MemberDirectory, 'signerOf'>;
  audit: AuditLog;
  log: Logger;
  clock: Pick<Clock, 'now'>;
}

export class Responder {
  readonly #replay = new ReplayGuard();
  #key: { epoch: number; key: OprfKey } | undefined;
  readonly country: string;
  readonly store: NodeRepositories;
  readonly keys: NodeKeys;
  readonly policy: PolicySource;
  readonly members: Pick<MemberDirectory, 'signerOf'>;
  readonly audit: AuditLog;
  readonly log: Logger;
  readonly clock: Pick<Clock, 'now'>;

  constructor(deps: ResponderDeps) {
    ({ country: this.country, store: this.store, keys: this.keys, policy: this.policy, members: this.members, audit: this.audit, log: this.log, clock: this.clock } = deps);
  }

  /** The active OPRF key; re-read after a rotation is activated. */
  activeKey(): { epoch: number; key: OprfKey } {
    if (!this.#key) {
      const e = this.store.records.activeEpoch();
      this.#key = { epoch: e.epoch, key: OprfKey.fromBytes('voprf', e.secret) };
    }
    return this.#key;
  }

  resetKey(): void {
    this.#key = undefined;
  }

  handleBatch(batch: readonly Envelope[]): RoutedResult[] {
    const out: RoutedResult[] = [];
    const charges = new Map<string, number>();
    const day = new Date(this.clock.now()).toISOString().slice(0, 10);
    const { epoch, key } = this.activeKey();
    const policy = this.policy.current;
    this.store.tx(() => {
      for (const env of batch) {
        let q: ForwardedQuery;
        try {
          q = verifyEnvelope(env, (kid) => this.members.signerOf(kid), ForwardedQuery);
          if (env.kid !== keyId.node(q.from)) throw new VeilError('forbidden', 'query signed by another node');
          this.#replay.check(env.kid, q.ts, q.nonce);
        } catch (e) {
          const r = this.#refusalForUnverified(env, asVeilError(e).code, epoch);
          if (r) out.push(r);
          continue;
        }
        const allowed: number[] = [];
        q.items.forEach((it, i) => {
          if (allowedClass(policy, q.from, q.purpose, it.cls)) allowed.push(i);
        });
        if (allowed.length === 0) {
          out.push(this.#answer(q, epoch, 'refused', 'refused_by_policy'));
          this.audit.append({ kind: 'eval.refused', queryId: q.id, country: q.from, code: 'refused_by_policy', purpose: q.purpose });
          continue;
        }
        const used = this.store.budgets.used(q.from, day) + (charges.get(q.from) ?? 0);
        if (used + allowed.length > dailyBudget(policy, q.from)) {
          out.push(this.#answer(q, epoch, 'refused', 'over_budget'));
          this.audit.append({ kind: 'budget.exceeded', queryId: q.id, country: q.from, count: allowed.length });
          continue;
        }
        let evaluation: { evaluatedElements: Uint8Array[]; proof: Uint8Array };
        try {
          evaluation = blindEvaluateBatch(key, allowed.map((i) => q.items[i]!.blinded));
        } catch (e) {
          // A malformed element (identity, non-canonical) refuses this query only, not the batch.
          const code = asVeilError(e).code;
          out.push(this.#answer(q, epoch, 'refused', code));
          this.audit.append({ kind: 'eval.refused', queryId: q.id, country: q.from, code });
          continue;
        }
        const { evaluatedElements, proof } = evaluation;
        charges.set(q.from, (charges.get(q.from) ?? 0) + allowed.length);
        out.push(this.#answer(q, epoch, 'ok', undefined, allowed, evaluatedElements, proof));
        this.audit.append({ kind: 'eval.served', queryId: q.id, country: q.from, count: allowed.length, purpose: q.purpose, epoch });
      }
      for (const [c, n] of charges) this.store.budgets.add(c, day, n);
    });
    return out;
  }

  /** Answer an unverifiable query with a signed refusal, if it can be routed at all. */
  #refusalForUnverified(env: Envelope, code: ErrorCode, epoch: number): RoutedResult | undefined {
    try {
      const q = readUnverified(env, ForwardedQuery);
      this.log.warn('query rejected', { queryId: q.id, code, country: q.from });
      this.audit.append({ kind: 'eval.refused', queryId: q.id, country: q.from, code });
      return this.#answer(q, epoch, 'refused', code);
    } catch {
      this.log.warn('unroutable query dropped', { code });
      return undefined;
    }
  }

  #answer(
    q: ForwardedQuery,
    epoch: number,
    status: EvalResult['status'],
    code?: ErrorCode,
    items: number[] = [],
    evaluated: Uint8Array[] = [],
    proof: Uint8Array | null = null,
  ): RoutedResult {
    const payload: EvalResult = {
      t: 'eval-result',
      id: q.id,
      ts: this.clock.now(),
      from: this.country,
      to: q.from,
      status,
      ...(code ? { code } : {}),
      epoch,
      items,
      evaluated,
      proof,
    };
    return { to: q.from, id: q.id, env: encode(signEnvelope(this.keys.signing, keyId.node(this.country), payload)) };
  }
}
