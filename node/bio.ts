/**
 * The node's encrypted biometric matching: its galleries stay home in the clear, pre-encoded for the
 * HE kernel outside SEAL's heap (crypto/he GalleryEncoding, reading templates from the gallery table when
 * a block is encoded, so they are not held in memory), kept current from the gallery repository
 * (imports are another process: changes are applied by sequence number), the encoded blocks persisted
 * and restored at start (`bio-encoding.ts`), and scored against an
 * analyst's encrypted probe with masking so the analyst learns only which positions cross the
 * modality's threshold. Queries run one at a time (each uses every core; at most `maxQueued` wait)
 * and take the same inbound path as identifier queries (`inbound.ts`): verify, policy per modality,
 * daily budgets of biometric queries per requesting country and per analyst, audit.
 *
 * Abuse resistance (docs/biometrics.md, "Leakage per query"): a query id is answered once per requesting
 * country — a repeat is refused (`conflict`) before any scoring, whoever of that country sends it — and
 * each answer's positions are permuted with a nonce this node draws for it and keeps with the answered
 * query, so nothing the requester sends decides where its hits appear.
 */
import { GalleryEncoding, HeServer, normalizeTemplate, type Rng, randomBytes, sha256, toHex } from '#crypto';
import type { AuditLog, Clock, Logger, TimerHandle } from '#platform';
import {
  asVeilError,
  BIO_MODALITIES,
  BIO_PARAMS,
  type BioEvalResult,
  type BioModality,
  type Envelope,
  type ErrorCode,
  ForwardedBioQuery,
  VeilError,
} from '#protocol';
import { PersistedEncoding } from './bio-encoding.ts';
import { bioPermutationKey, PERMUTATION_NONCE_BYTES, permutationSeed } from './bio-layout.ts';
import { analystBudgetKey, BudgetLedger } from './budget.ts';
import type { NodeKeys } from './config.ts';
import { type InboundKind, type InboundMembers, type InboundMetrics, InboundPath, type RoutedResult } from './inbound.ts';
import { analystDailyBioBudget, dailyBioBudget, type PolicySource } from './policy.ts';
import type { NodeRepositories } from './store/repositories.ts';

const SESSION_CACHE = 16;
const SYNC_EVERY_MS = 1000;

export interface BioServiceDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  policy: PolicySource;
  members: InboundMembers;
  audit: AuditLog;
  log: Logger;
  clock: Clock;
  /** Threads per biometric query (main + workers), at most 2. */
  workers?: number;
  /** Queries queued or running; beyond it a query is refused `rate_limited` at once (default 16). */
  maxQueued?: number;
  /** Randomness for the position permutations and the masks; default: the system CSPRNG. */
  rng?: Rng;
  metrics?: InboundMetrics & { searched(modality: BioModality, seconds: number): void };
}

type Progress = (modality: BioModality, done: number, total: number) => void;

/** What `load` did: templates held, blocks restored from the store, blocks (re-)encoded, time taken. */
export interface GalleryLoad {
  templates: number;
  restoredBlocks: number;
  rejectedBlocks: number;
  encodedBlocks: number;
  ms: number;
}

export class BioService implements AsyncDisposable {
  readonly #d: BioServiceDeps;
  readonly #inbound: InboundPath<ForwardedBioQuery>;
  readonly #galleries = new Map<BioModality, GalleryEncoding>();
  readonly #servers = new Map<BioModality, Promise<HeServer>>();
  /** Session keys by id (SHA-256 hex), most recently used last. */
  readonly #sessions = new Map<string, Uint8Array>();
  readonly #encoding: PersistedEncoding;
  readonly #permutationKey: Uint8Array;
  readonly #sync: TimerHandle;
  #lastSeq = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #closed = false;

  constructor(deps: BioServiceDeps) {
    this.#d = deps;
    this.#inbound = new InboundPath({ ...deps, kind: this.#kind() });
    for (const m of BIO_MODALITIES) this.#galleries.set(m, GalleryEncoding.create(BIO_PARAMS[m], { source: (bi) => this.#blockSource(m, bi) }));
    this.#encoding = new PersistedEncoding(deps);
    this.#permutationKey = bioPermutationKey(deps.keys);
    this.#sync = deps.clock.setInterval(() => {
      if (!this.#closed) this.#run(async () => this.syncGallery()).catch((e) => this.#d.log.error('gallery sync failed', e));
    }, SYNC_EVERY_MS);
  }

  /**
   * Load the galleries: restore the persisted encoding (verified block by block), apply the gallery
   * changes it does not reflect, and encode (and persist) what is missing or was rejected, reporting
   * progress. Call once, before the first query.
   */
  async load(onProgress?: Progress): Promise<GalleryLoad> {
    const t0 = performance.now();
    const { store } = this.#d;
    // The HE server of each modality that holds templates starts now: its worker thread comes up while
    // the stored blocks are read.
    const servers = BIO_MODALITIES.filter((m) => store.gallery.count(m) > 0).map((m) => this.#server(m));
    const seqs = new Map<BioModality, Map<number, number>>();
    let from = Number.POSITIVE_INFINITY;
    let restoredBlocks = 0;
    let rejectedBlocks = 0;
    for (const [m, g] of this.#galleries) {
      const r = this.#encoding.restore(m, g);
      seqs.set(m, r.seqs);
      from = Math.min(from, r.replayFrom);
      restoredBlocks += r.restored;
      rejectedBlocks += r.rejected;
    }
    // Changes after a restored block's seq are applied to it (marking it for re-encoding); earlier ones it holds.
    const replay = (after: number, only?: BioModality) => {
      for (const row of store.gallery.changedPositions(after)) {
        this.#lastSeq = Math.max(this.#lastSeq, row.seq);
        const m = row.modality as BioModality;
        const g = this.#galleries.get(m);
        if (!g || (only && m !== only)) continue;
        const held = seqs.get(m)?.get(Math.floor(row.position / g.d.blockSize));
        if (held !== undefined && row.seq <= held) continue;
        this.#apply(g, row.position, row.present);
      }
    };
    this.#lastSeq = Math.max(this.#lastSeq, from);
    replay(from);
    let encodedBlocks = this.#flush(onProgress);
    // A block missing from the store (deleted, or lost in a crash) shows as templates the encoding lacks:
    // replay every change of that modality, so its blocks are encoded from the table.
    for (const [m, g] of this.#galleries) {
      if (g.count !== store.gallery.count(m)) {
        this.#d.log.warn('stored gallery encoding incomplete, replaying every change', { kind: m });
        replay(0, m);
      }
    }
    encodedBlocks += this.#flush(onProgress);
    await Promise.allSettled(servers);
    return { templates: this.#count(), restoredBlocks, rejectedBlocks, encodedBlocks, ms: performance.now() - t0 };
  }

  /** Apply gallery changes written since the last sync (by this or another process). */
  syncGallery(onProgress?: Progress): number {
    let applied = 0;
    for (const row of this.#d.store.gallery.changedPositions(this.#lastSeq)) {
      const g = this.#galleries.get(row.modality as BioModality);
      if (g) {
        this.#apply(g, row.position, row.present);
        applied++;
      }
      this.#lastSeq = Math.max(this.#lastSeq, row.seq);
    }
    this.#flush(onProgress);
    if (applied > 0) this.#d.log.info('gallery updated', { count: applied });
    return applied;
  }

  #apply(g: GalleryEncoding, position: number, present: boolean): void {
    if (present || g.has(position)) g.mark(position, present);
  }

  /**
   * Encode dirty blocks and persist them; returns how many were encoded. A block that cannot be stored
   * (disk full) is still served from memory; the next start encodes it again.
   */
  #flush(onProgress?: Progress): number {
    let encoded = 0;
    for (const [m, g] of this.#galleries) {
      const dirty = g.blocks.flatMap((b, i) => (b.dirty ? [i] : []));
      if (dirty.length > 0) {
        g.flush((d, t) => onProgress?.(m, d, t));
        encoded += dirty.length;
        try {
          this.#encoding.persist(m, g, dirty, this.#lastSeq);
        } catch (e) {
          this.#d.log.error('gallery encoding not stored', e, { kind: m, count: dirty.length });
          continue;
        }
      }
      this.#encoding.complete(m, this.#lastSeq);
    }
    return encoded;
  }

  #count(): number {
    let n = 0;
    for (const g of this.#galleries.values()) n += g.count;
    return n;
  }

  /** Templates of one block from the gallery table, normalized as the encoder expects (a bad row is left out). */
  #blockSource(m: BioModality, bi: number): { templates: Float32Array; occupied: Uint8Array } {
    const g = this.#gallery(m);
    const { blockSize: bs } = g.d;
    const dims = g.dims;
    const templates = new Float32Array(bs * dims);
    const occupied = new Uint8Array(bs);
    let bad = 0;
    for (const r of this.#d.store.gallery.range(m, bi * bs, (bi + 1) * bs)) {
      try {
        templates.set(normalizeTemplate(r.vector, dims), (r.position - bi * bs) * dims);
        occupied[r.position - bi * bs] = 1;
      } catch {
        bad++;
      }
    }
    if (bad > 0) this.#d.log.warn('gallery templates unusable, left out', { kind: m, count: bad });
    return { templates, occupied };
  }

  gallerySize(m: BioModality): number {
    return this.#gallery(m).count;
  }

  /** Searches queued or running. */
  get queued(): number {
    return this.#queued;
  }

  /** Answer one biometric query (queued behind any other). */
  handle(env: Envelope): Promise<RoutedResult | undefined> {
    if (this.#queued >= (this.#d.maxQueued ?? 16)) return Promise.resolve(this.#inbound.shed(env));
    this.#queued++;
    return this.#run(() => this.#answer(env)).finally(() => this.#queued--);
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  #gallery(m: BioModality): GalleryEncoding {
    const g = this.#galleries.get(m);
    if (!g) throw new VeilError('internal', 'no gallery for modality');
    return g;
  }

  async #answer(env: Envelope): Promise<RoutedResult | undefined> {
    // Queued behind a search when the node closed: nobody would receive the answer.
    if (this.#closed) return undefined;
    const { store, audit, clock } = this.#d;
    const budget = new BudgetLedger({ budgets: store.budgets, now: clock.now() });
    const a = this.#inbound.admit(env, this.#d.policy.current, budget);
    if (!a.ok) return a.refusal;
    const { q } = a;
    // One answer per (requesting country, id), checked before anything else is spent on the query.
    if (store.gallery.answered(q.from, q.id)) return this.#inbound.refuse(q, 'handle', 'conflict');
    const keys = this.#sessionKeys(q);
    // Session problems are refused without an audit entry (as before the shared inbound path).
    if (typeof keys === 'string') return this.#inbound.reply(q, this.#result(q, 'refused', keys));

    this.syncGallery();
    const gallery = this.#gallery(q.modality);
    const rng = this.#d.rng ?? randomBytes;
    const nonce = rng(PERMUTATION_NONCE_BYTES);
    const t0 = performance.now();
    let scored: { result: Uint8Array; positions: number };
    try {
      const server = await this.#server(q.modality);
      const permutation = { seed: permutationSeed(this.#permutationKey, nonce) };
      scored = await server.scoreMasked({ sessionKeys: keys, probe: q.probe, gallery, permutation, rng });
    } catch (e) {
      const code = asVeilError(e).code;
      if (code === 'bad_key') this.#sessions.delete(q.sessionId);
      return this.#inbound.refuse(q, 'handle', code);
    }
    const ms = Math.round(performance.now() - t0);
    this.#d.metrics?.searched(q.modality, ms / 1000);
    const answered = {
      id: q.id,
      requester: q.from,
      modality: q.modality,
      positions: scored.positions,
      answeredAt: clock.now(),
      analyst: q.analyst,
      permutationNonce: nonce,
    };
    try {
      store.tx(() => {
        this.#inbound.record(budget, a);
        budget.commit();
        store.gallery.recordAnswered(answered);
        audit.append({ kind: 'bio.query.answered', queryId: q.id, country: q.from, cls: q.modality, count: scored.positions, ms, bytes: scored.result.length });
      });
    } catch (e) {
      // Answered meanwhile by another process on this database: that answer stands, this one is dropped.
      if (asVeilError(e).code === 'conflict') return this.#inbound.refuse(q, 'handle', 'conflict');
      throw e;
    }
    return this.#inbound.reply(q, this.#result(q, 'ok', undefined, scored));
  }

  /** The query's HE session keys (sent with it, or cached from an earlier query), or why not. */
  #sessionKeys(q: ForwardedBioQuery): Uint8Array | 'bad_key' | 'unknown_session' {
    let keys = this.#sessions.get(q.sessionId);
    if (q.sessionKeys) {
      if (toHex(sha256(q.sessionKeys)) !== q.sessionId) return 'bad_key';
      keys = q.sessionKeys;
    }
    if (!keys) return 'unknown_session';
    this.#sessions.delete(q.sessionId);
    this.#sessions.set(q.sessionId, keys);
    for (const oldest of this.#sessions.keys()) {
      if (this.#sessions.size <= SESSION_CACHE) break;
      this.#sessions.delete(oldest);
    }
    return keys;
  }

  async #server(m: BioModality): Promise<HeServer> {
    let s = this.#servers.get(m);
    if (!s) {
      s = HeServer.create(BIO_PARAMS[m], { workers: this.#d.workers ?? 2 });
      this.#servers.set(m, s);
      // A failed start is not cached: the next query tries again.
      s.catch(() => this.#servers.delete(m));
    }
    return s;
  }

  /** Biometric queries on the inbound path: one policy class (the modality) and one budget unit each. */
  #kind(): InboundKind<ForwardedBioQuery> {
    return {
      name: 'biometric',
      schema: ForwardedBioQuery,
      classes: (q) => [q.modality],
      budgetKey: (requester) => `${requester}:bio`,
      dailyLimit: dailyBioBudget,
      analystBudgetKey: (requester, analyst) => analystBudgetKey('bio', requester, analyst),
      analystDailyLimit: analystDailyBioBudget,
      cost: () => 1,
      refusal: (q, code) => this.#result(q, 'refused', code),
      refusalAudit: (q, step, code) => {
        switch (step) {
          case 'verify':
            return undefined; // not audited for biometric queries (as before the shared path)
          case 'budget':
            return { kind: 'budget.exceeded', queryId: q.id, country: q.from, cls: q.modality };
          case 'authorize':
          case 'handle':
            return { kind: 'bio.query.refused', queryId: q.id, country: q.from, code, cls: q.modality };
        }
      },
    };
  }

  #result(q: ForwardedBioQuery, status: BioEvalResult['status'], code?: ErrorCode, scored?: { result: Uint8Array; positions: number }): BioEvalResult {
    return {
      t: 'bio-result',
      id: q.id,
      ts: this.#d.clock.now(),
      from: this.#d.country,
      to: q.from,
      status,
      ...(code ? { code } : {}),
      modality: q.modality,
      sessionId: q.sessionId,
      positions: scored?.positions ?? 0,
      result: scored?.result ?? null,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#d.clock.clear(this.#sync);
    await this.#queue.catch(() => undefined);
    for (const s of this.#servers.values()) (await s.catch(() => undefined))?.dispose();
    this.#servers.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
