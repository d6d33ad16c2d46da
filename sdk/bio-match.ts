/**
 * Encrypted biometric 1:N search. The probe is encrypted here under a per-session HE (CKKS) key whose
 * secret never leaves this client; each target node scores it against its whole gallery and masks the
 * scores so that only which positions cross the threshold can be decrypted here. Positions are in a
 * per-query keyed permutation of the owner's gallery (only the owner can map one back to a record).
 *
 * Session keys (public evaluation keys) go to a node once and are cached there by their hash; a node
 * that lost them (restart, cache eviction) answers `unknown_session`, and the query is resent once, with
 * the keys, to those nodes only (under a fresh query id).
 *
 * Abuse limits on this side (docs/biometrics.md, "Leakage per query"): a probe that is not an embedding
 * (its length on a few coordinates) is refused before anything is sent, and the probe is clipped when
 * encrypted; an answer for another session of the same query id (a reused id) is `conflict`, and one with
 * more than `BIO_MAX_HITS` hits is reported as `too_large` without positions.
 */
import { HeClient } from '#crypto';
import {
  type Answer,
  BIO_MAX_HITS,
  BIO_PARAMS,
  BioEvalResult,
  type BioModality,
  type BioQueryRequest,
  decodeProbe,
  decodeWith,
  Envelope,
  errorCodeOf,
  LIMITS,
  QueryResponse,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import { checkTargets, type FlowDeps, freshId } from './flow-deps.ts';
import { nodeSigner } from './known-members.ts';
import type { BioCountryResult, BioQueryResult, SearchContext } from './types.ts';

/** The analyst's side of one HE session (what the SDK needs of `HeClient`). */
export interface BioSession {
  /** Hash of the session keys: the id under which nodes cache them. */
  readonly sessionId: string;
  sessionKeys(): Uint8Array;
  encryptProbe(probe: ArrayLike<number>): Uint8Array;
  /** Positions whose masked score is non-negative (they cross the threshold). */
  decryptMasked(result: Uint8Array): number[];
  /** Delete the session's secret key. */
  dispose(): void;
}

export type BioSessionFactory = (modality: BioModality) => Promise<BioSession>;

/** Real CKKS sessions with the modality's pinned parameter set. */
export const heSessions: BioSessionFactory = (modality) => HeClient.create(BIO_PARAMS[modality]);

export interface BioMatchOptions {
  /** Countries to ask; default: every member but the analyst's own. */
  targets?: string[];
}

interface Session {
  he: BioSession;
  /** Nodes known to hold this session's keys. */
  sentTo: Set<string>;
}

export class BioMatcher implements Disposable {
  readonly #deps: FlowDeps;
  readonly #createSession: BioSessionFactory;
  readonly #sessions = new Map<BioModality, Session>();

  constructor(deps: FlowDeps, createSession: BioSessionFactory = heSessions) {
    this.#deps = deps;
    this.#createSession = createSession;
  }

  async match(modality: BioModality, embedding: ArrayLike<number>, ctx: SearchContext, opts: BioMatchOptions = {}): Promise<BioQueryResult> {
    const d = this.#deps;
    const probe = decodeProbe(Array.from(embedding), modality);
    const members = await d.members.list();
    const session = await this.#session(modality);
    checkTargets(d, opts.targets);
    const targets = opts.targets ?? members.map((m) => m.country).filter((c) => c !== d.credential.country);
    const id = freshId(d.rng);
    const send = async (to: string[], withKeys: boolean) => {
      const req: BioQueryRequest = {
        t: 'bio-query',
        id: to === targets ? id : freshId(d.rng),
        ts: d.clock.now(),
        nonce: d.rng(16),
        ...ctx,
        targets: to,
        modality,
        sessionId: session.he.sessionId,
        ...(withKeys ? { sessionKeys: session.he.sessionKeys() } : {}),
        probe: session.he.encryptProbe(probe),
      };
      const r = await d.api.post('/v1/bio-query', req, QueryResponse);
      return { req, answers: r.answers };
    };
    const first = await send(
      targets,
      targets.some((c) => !session.sentTo.has(c)),
    );
    const answers = new Map<string, { a: Answer; req: BioQueryRequest }>(first.answers.map((a) => [a.country, { a, req: first.req }]));
    // A node that lost the session keys asks for them again: resend once, with the keys.
    const retry: string[] = [];
    for (const [c, { a }] of answers) {
      if (a.status !== 'answered' || !a.env) continue;
      try {
        const r = this.#open(c, decodeWith(a.env, Envelope, LIMITS.maxPayloadBytes));
        if (r.status === 'refused' && r.code === 'unknown_session') retry.push(c);
      } catch {
        /* reported below */
      }
    }
    if (retry.length > 0) {
      const again = await send(retry, true);
      for (const a of again.answers) answers.set(a.country, { a, req: again.req });
    }
    const results: BioCountryResult[] = [];
    for (const [country, { a, req }] of answers) results.push(this.#result(session, modality, country, a, req));
    results.sort((x, y) => x.country.localeCompare(y.country));
    return { queryId: id, modality, results };
  }

  /** One country's answer, verified and decrypted. */
  #result(session: Session, modality: BioModality, country: string, a: Answer, req: BioQueryRequest): BioCountryResult {
    if (a.status !== 'answered' || !a.env) {
      return { country, status: a.status === 'answered' ? 'error' : a.status, ...(a.code ? { code: a.code } : {}), hits: [] };
    }
    try {
      const r = this.#open(country, decodeWith(a.env, Envelope, LIMITS.maxPayloadBytes));
      if (r.id !== req.id || r.to !== this.#deps.credential.country || r.modality !== modality)
        throw new VeilError('bad_request', 'answer is for another query');
      // Another session's answer under this id (the id was reused): not decryptable here.
      if (r.sessionId !== req.sessionId) throw new VeilError('conflict', 'answer is for another query with the same id');
      if (r.status === 'refused' || !r.result) return { country, status: 'refused', ...(r.code ? { code: r.code } : {}), hits: [] };
      session.sentTo.add(country);
      // Positions are in this query's permuted space (the node maps them back for a disclosure).
      const positions = session.he.decryptMasked(r.result);
      if (positions.length > BIO_MAX_HITS) return { country, status: 'error', code: 'too_large', positions: r.positions, hits: [] };
      return {
        country,
        status: positions.length > 0 ? 'hit' : 'no-hit',
        positions: r.positions,
        hits: positions.map((p) => ({ position: p, ref: `bio:${req.id}:${p}` })),
      };
    } catch (e) {
      return { country, status: 'error', code: errorCodeOf(e), hits: [] };
    }
  }

  /** Verify an answer's signature (by `country`'s node) and sender. */
  #open(country: string, env: Envelope): BioEvalResult {
    const r = verifyEnvelope(env, nodeSigner(country, this.#deps.members.get(country), 'answer not signed by the target'), BioEvalResult);
    if (r.from !== country) throw new VeilError('bad_request', 'answer from another country');
    return r;
  }

  async #session(modality: BioModality): Promise<Session> {
    let s = this.#sessions.get(modality);
    if (!s) {
      s = { he: await this.#createSession(modality), sentTo: new Set() };
      this.#sessions.set(modality, s);
    }
    return s;
  }

  /** Delete every session's secret key. */
  dispose(): void {
    for (const s of this.#sessions.values()) s.he.dispose();
    this.#sessions.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
