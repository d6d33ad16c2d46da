/**
 * The node's encrypted biometric matching: its galleries stay home in the clear,
 * pre-encoded for the HE kernel outside SEAL's heap (crypto/he GalleryEncoding), kept current from the
 * `gallery` table (imports are another process: changes are applied by sequence number), and scored
 * against an analyst's encrypted probe with masking so the analyst learns only which positions cross
 * the modality's threshold. Queries run one at a time (each uses every core); policy, a daily budget of
 * biometric queries per requesting country, and the audit log apply as for identifier queries.
 */
import { sha256, toHex, GalleryEncoding, HeServer } from '#crypto';
import { BIO_MODALITIES, BIO_PARAMS, ForwardedBioQuery, ReplayGuard, encode, verifyEnvelope, readUnverified, signEnvelope, type BioEvalResult, type BioModality, type Envelope, VeilError, asVeilError, type ErrorCode, keyId } from '#protocol';
import { bioPermutationKey } from './bio-layout.ts';
import type { AuditLog, Clock, Logger, TimerHandle } from '#platform';
import type { MemberDirectory } from '#sdk';
import type { NodeRepositories } from './store/repositories.ts';
import type { NodeKeys } from './config.ts';
import { allowedClass, dailyBioBudget, type PolicySource } from './policy.ts';
import type { RoutedResult } from './responder.ts';

const SESSION_CACHE = 16;

export interface BioServiceDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  policy: PolicySource;
  members: Pick<MemberDirectory, 'signerOf'>;
  audit: AuditLog;
  log: Logger;
  clock: Clock;
  /** Threads per biometric query (main + workers), at most 2. */
  workers?: number;
}

export class BioService implements AsyncDisposable {
  readonly #galleries = new Map<BioModality, GalleryEncoding>();
  readonly #servers = new Map<BioModality, HeServer>();
  /** Session keys by id (SHA-256 hex), most recently used last. */
  readonly #sessions = new Map<string, Uint8Array>();
  readonly #replay = new ReplayGuard();
  #lastSeq = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #sync: TimerHandle;
  readonly #permutationKey: Uint8Array;
  readonly country: string;
  readonly store: NodeRepositories;
  readonly keys: NodeKeys;
  readonly policy: PolicySource;
  readonly members: Pick<MemberDirectory, 'signerOf'>;
  readonly audit: AuditLog;
  readonly log: Logger;
  readonly clock: Clock;
  readonly workers: number;

  constructor(deps: BioServiceDeps) {
    ({ country: this.country, store: this.store, keys: this.keys, policy: this.policy, members: this.members, audit: this.audit, log: this.log, clock: this.clock } = deps);
    this.workers = deps.workers ?? 2;
    for (const m of BIO_MODALITIES) this.#galleries.set(m, GalleryEncoding.create(BIO_PARAMS[m]));
    this.#permutationKey = bioPermutationKey(this.keys);
    this.#sync = this.clock.setInterval(() => {
      if (!this.#closed) this.#run(async () => this.syncGallery()).catch((e) => this.log.error('gallery sync failed', e));
    }, 1000);
  }

  /** Load the galleries from the database and pre-encode them, reporting progress. */
  async load(onProgress?: (modality: BioModality, done: number, total: number) => void): Promise<{ templates: number; ms: number }> {
    const t0 = performance.now();
    const n = this.syncGallery(onProgress);
    return { templates: n, ms: performance.now() - t0 };
  }

  /** Apply gallery changes written since the last sync (by this or another process). */
  syncGallery(onProgress?: (modality: BioModality, done: number, total: number) => void): number {
    let applied = 0;
    for (const row of this.store.gallery.changes(this.#lastSeq)) {
      const g = this.#galleries.get(row.modality as BioModality);
      if (g) {
        if (row.vector) g.set(row.position, row.vector);
        else if (g.has(row.position)) g.remove(row.position);
        applied++;
      }
      this.#lastSeq = Math.max(this.#lastSeq, row.seq);
    }
    for (const [m, g] of this.#galleries) {
      if (g.dirtyBlocks > 0) g.flush((d, t) => onProgress?.(m, d, t));
    }
    if (applied > 0) this.log.info('gallery updated', { count: applied });
    return applied;
  }

  gallerySize(m: BioModality): number {
    return this.#galleries.get(m)!.count;
  }

  /** Answer one biometric query (queued behind any other). */
  handle(env: Envelope): Promise<RoutedResult | undefined> {
    return this.#run(() => this.#answer(env));
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  async #answer(env: Envelope): Promise<RoutedResult | undefined> {
    let q: ForwardedBioQuery;
    try {
      q = verifyEnvelope(env, (kid) => this.members.signerOf(kid), ForwardedBioQuery);
      if (env.kid !== keyId.node(q.from)) throw new VeilError('forbidden', 'query signed by another node');
      this.#replay.check(env.kid, q.ts, q.nonce);
    } catch (e) {
      try {
        const u = readUnverified(env, ForwardedBioQuery);
        return this.#reply(u, 'refused', asVeilError(e).code);
      } catch {
        return undefined;
      }
    }
    const policy = this.policy.current;
    if (!allowedClass(policy, q.from, q.purpose, q.modality)) {
      this.audit.append({ kind: 'bio.query.refused', queryId: q.id, country: q.from, code: 'refused_by_policy', cls: q.modality });
      return this.#reply(q, 'refused', 'refused_by_policy');
    }
    const day = new Date(this.clock.now()).toISOString().slice(0, 10);
    const budgetKey = `${q.from}:bio`;
    if (this.store.budgets.used(budgetKey, day) + 1 > dailyBioBudget(policy, q.from)) {
      this.audit.append({ kind: 'budget.exceeded', queryId: q.id, country: q.from, cls: q.modality });
      return this.#reply(q, 'refused', 'over_budget');
    }
    let keys = this.#sessions.get(q.sessionId);
    if (q.sessionKeys) {
      if (toHex(sha256(q.sessionKeys)) !== q.sessionId) return this.#reply(q, 'refused', 'bad_key');
      keys = q.sessionKeys;
    }
    if (!keys) return this.#reply(q, 'refused', 'unknown_session');
    this.#sessions.delete(q.sessionId);
    this.#sessions.set(q.sessionId, keys);
    while (this.#sessions.size > SESSION_CACHE) this.#sessions.delete(this.#sessions.keys().next().value!);

    this.syncGallery();
    const gallery = this.#galleries.get(q.modality)!;
    const t0 = performance.now();
    let scored: { result: Uint8Array; positions: number };
    try {
      const server = await this.#server(q.modality);
      scored = await server.scoreMasked({ sessionKeys: keys, probe: q.probe, gallery, permutation: { key: this.#permutationKey, queryId: q.id } });
    } catch (e) {
      const code = asVeilError(e).code;
      if (code === 'bad_key') this.#sessions.delete(q.sessionId);
      this.audit.append({ kind: 'bio.query.refused', queryId: q.id, country: q.from, code, cls: q.modality });
      return this.#reply(q, 'refused', code);
    }
    const ms = Math.round(performance.now() - t0);
    this.store.tx(() => {
      this.store.budgets.add(budgetKey, day, 1);
      this.store.gallery.recordAnswered({ id: q.id, requester: q.from, modality: q.modality, positions: scored.positions, answeredAt: this.clock.now() });
      this.audit.append({ kind: 'bio.query.answered', queryId: q.id, country: q.from, cls: q.modality, count: scored.positions, ms, bytes: scored.result.length });
    });
    return this.#reply(q, 'ok', undefined, scored);
  }

  async #server(m: BioModality): Promise<HeServer> {
    let s = this.#servers.get(m);
    if (!s) {
      s = await HeServer.create(BIO_PARAMS[m], { workers: this.workers });
      this.#servers.set(m, s);
    }
    return s;
  }

  #reply(q: ForwardedBioQuery, status: BioEvalResult['status'], code?: ErrorCode, scored?: { result: Uint8Array; positions: number }): RoutedResult {
    const payload: BioEvalResult = {
      t: 'bio-result',
      id: q.id,
      ts: this.clock.now(),
      from: this.country,
      to: q.from,
      status,
      ...(code ? { code } : {}),
      modality: q.modality,
      positions: scored?.positions ?? 0,
      result: scored?.result ?? null,
    };
    return { to: q.from, id: q.id, env: encode(signEnvelope(this.keys.signing, keyId.node(this.country), payload)) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.clock.clear(this.#sync);
    await this.#queue.catch(() => undefined);
    for (const s of this.#servers.values()) s.dispose();
    this.#servers.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
