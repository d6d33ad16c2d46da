/**
 * Query routing: a query from a gateway node goes to every target node and one result goes back that
 * lists every target with a status — answered, unavailable, timeout or error — so a country that is
 * down is never silently dropped.
 *
 * A query is rate-limited per country (`rate-limit.ts`: checked before it is verified, charged after),
 * verified against its sender's session, checked for replay, and queued to each connected target whose
 * (requester, target) bucket still holds the work it asks for (a refused target is answered
 * `rate_limited`) (the envelope is encoded once for all of them; `eval-batcher.ts`
 * groups what leaves per node). A per-query deadline (longer for encrypted biometric queries, which
 * score a whole gallery) reports absent targets as timed out. Answers are attributed to the
 * authenticated connection they came on; late answers and answers to queries a node was not asked are
 * dropped. The coordinator never decodes what a node evaluated: it routes signed envelopes it cannot
 * forge. Nothing here touches the store: targets come from the directory's cached member list.
 */

import type { Clock, Drain, TimerHandle } from '#platform';
import {
  type Answer,
  type CoordinatorFrame,
  type Envelope,
  type ErrorCode,
  encode,
  ForwardedAnyQuery,
  type ReplayGuard,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import type { AuditBatch } from './audit-batch.ts';
import type { CoordinatorConfig } from './config.ts';
import type { Directory, MemberList } from './directory.ts';
import type { EvalBatcher } from './eval-batcher.ts';
import { sendFrame, sendRateLimited } from './frames.ts';
import { type CoordinatorMetrics, noCoordinatorMetrics } from './metrics.ts';
import type { CountryLimits } from './rate-limit.ts';
import type { ResultCache } from './result-cache.ts';
import { type Session, type SessionRegistry, sessionKey } from './sessions.ts';

/** A target's answer to one query: signed (`env`), or the bare code of a query it could not verify. */
export type EvalAnswer =
  | {
      readonly to: string;
      readonly id: string;
      /** The target's signed answer, encoded; passed through undecoded. */
      readonly env: Uint8Array;
    }
  | { readonly to: string; readonly id: string; readonly code: ErrorCode };

export interface Fanout {
  /** Returns a Promise only when it must wait (for a fresh member list); the caller keeps frame order. */
  onQuery(s: Session, env: Envelope): void | Promise<void>;
  onEvalResults(s: Session, results: readonly EvalAnswer[]): void;
  /** Queries waiting for answers. */
  readonly pending: number;
  close(): void;
}

export interface FanoutDeps {
  config: Pick<CoordinatorConfig, 'queryDeadlineMs' | 'bioDeadlineMs'>;
  sessions: SessionRegistry;
  directory: Directory;
  replay: ReplayGuard;
  limits: CountryLimits;
  results: ResultCache;
  batcher: EvalBatcher;
  audit: AuditBatch;
  clock: Clock;
  metrics?: CoordinatorMetrics;
  /**
   * The coordinator's drain: each pending query holds a unit until its result is sent, and while
   * draining new queries are refused `unavailable` (the gateway fails them at once).
   */
  drain?: Pick<Drain, 'hold' | 'draining'>;
}

interface Pending {
  readonly from: string;
  readonly id: string;
  readonly targets: readonly string[];
  readonly targetSet: ReadonlySet<string>;
  readonly answers: Map<string, Answer>;
  readonly timer: TimerHandle;
  readonly started: number;
  readonly startedPerf: number;
  readonly bio: boolean;
  readonly release: () => void;
  readonly resolve: (frame: Uint8Array) => void;
}

const pendingKey = (from: string, id: string) => `${from}:${id}`;

export function createFanout(deps: FanoutDeps): Fanout {
  const pending = new Map<string, Pending>();
  const metrics = deps.metrics ?? noCoordinatorMetrics;
  const kindOf = (p: Pending) => (p.bio ? 'biometric' : 'identifier');

  const finish = (key: string, timedOut: boolean): void => {
    const p = pending.get(key);
    if (!p) return;
    pending.delete(key);
    deps.clock.clear(p.timer);
    const answers: Answer[] = p.targets.map((c) => p.answers.get(c) ?? { country: c, status: 'timeout', code: 'timeout' });
    const frame = encode({ t: 'query-result', id: p.id, answers } satisfies CoordinatorFrame);
    deps.audit.add({
      kind: 'query.answered',
      queryId: p.id,
      country: p.from,
      count: answers.filter((a) => a.status === 'answered').length,
      status: timedOut ? 'deadline' : 'complete',
      ms: Math.round(deps.clock.now() - p.started),
    });
    p.resolve(frame);
    metrics.queryFinished(kindOf(p), timedOut ? 'deadline' : 'complete', (performance.now() - p.startedPerf) / 1000, answers);
    p.release();
  };

  const fanOut = (q: ForwardedAnyQuery, env: Envelope, members: MemberList, resolve: (frame: Uint8Array) => void): void => {
    const bio = q.t === 'fwd-bio-query';
    const key = pendingKey(q.from, q.id);
    if (pending.has(key)) throw new VeilError('conflict', 'query id in flight for another analyst');
    const wanted = q.targets ?? members.list.filter((c) => c !== q.from);
    const targets = [...new Set(wanted)].filter((c) => c !== q.from);
    const answers = new Map<string, Answer>();
    for (const c of targets) {
      if (!members.set.has(c)) answers.set(c, { country: c, status: 'error', code: 'unknown_member' });
      // What this query would make the target do, charged to the (requester, target) pair.
      else if (!deps.limits.take(bio ? 'bio' : 'eval', q.from, bio ? 1 : q.items.length, c))
        answers.set(c, { country: c, status: 'error', code: 'rate_limited' });
    }
    pending.set(key, {
      from: q.from,
      id: q.id,
      targets,
      targetSet: new Set(targets),
      answers,
      started: deps.clock.now(),
      startedPerf: performance.now(),
      bio,
      release: deps.drain?.hold() ?? (() => undefined),
      resolve,
      timer: deps.clock.setTimeout(() => finish(key, true), bio ? deps.config.bioDeadlineMs : deps.config.queryDeadlineMs),
    });
    deps.audit.add(
      bio
        ? {
            kind: 'bio.query.received',
            queryId: q.id,
            country: q.from,
            cls: q.modality,
            bytes: q.probe.length + (q.sessionKeys?.length ?? 0),
            purpose: q.purpose,
          }
        : { kind: 'query.received', queryId: q.id, country: q.from, count: q.items.length, purpose: q.purpose },
    );
    const encodedEnv = encode(env);
    for (const c of targets) {
      if (answers.has(c)) continue;
      const t = deps.sessions.get(c);
      if (!t) {
        answers.set(c, { country: c, status: 'unavailable', code: 'unavailable' });
        continue;
      }
      deps.batcher.enqueue(t.socket, encodedEnv);
    }
    if (answers.size === targets.length) finish(key, false);
  };

  return {
    onQuery(s, env) {
      // A country out of query tokens is refused before its envelope is verified or even decoded.
      if (!deps.limits.admit('query', s.country)) {
        metrics.rateLimited(s.country);
        return sendRateLimited(s.socket, env);
      }
      const q = verifyEnvelope(env, sessionKey(s), ForwardedAnyQuery);
      if (q.from !== s.country) throw new VeilError('forbidden', 'query from another country');
      const seen = deps.results.seen(q, q.id);
      if (seen === 'in-flight') return; // retransmission: the result will follow
      if (seen) {
        s.socket.send(seen);
        return;
      }
      // Answers are routed by (country, id): another analyst's query under this id is still in flight.
      if (pending.has(pendingKey(q.from, q.id))) throw new VeilError('conflict', 'query id in flight for another analyst');
      deps.limits.charge('query', s.country, 1);
      deps.replay.check(env.kid, q.ts, q.nonce);
      if (deps.drain?.draining) {
        sendFrame(s.socket, { t: 'error', code: 'unavailable', ref: q.id });
        return;
      }
      // In flight from here on, so a retransmission is not fanned out twice even while we wait below.
      const tracked = deps.results.begin(q, q.id);
      tracked.result.then(
        (frame) => deps.sessions.get(q.from)?.socket.send(frame),
        () => undefined, // reported by whoever rejected it
      );
      const start = (members: MemberList): void => {
        try {
          fanOut(q, env, members, tracked.resolve);
        } catch (err) {
          tracked.reject(err);
          throw err;
        }
      };
      const members = deps.directory.countries();
      if (!(members instanceof Promise)) return start(members);
      return members.then(start, (err: unknown) => {
        tracked.reject(err);
        throw err;
      });
    },

    onEvalResults(s, results) {
      for (const r of results) {
        const key = pendingKey(r.to, r.id);
        const p = pending.get(key);
        // Late answers after the deadline, or answers for queries this node was not asked, are dropped.
        // The answer is attributed to the authenticated connection it came on; its signature is the SDK's check.
        if (!p?.targetSet.has(s.country) || p.answers.has(s.country)) continue;
        p.answers.set(s.country, 'env' in r ? { country: s.country, status: 'answered', env: r.env } : { country: s.country, status: 'error', code: r.code });
        if (p.answers.size === p.targets.length) finish(key, false);
      }
    },

    get pending() {
      return pending.size;
    },

    close() {
      for (const p of pending.values()) {
        deps.clock.clear(p.timer);
        metrics.queryFinished(kindOf(p), 'shutdown', (performance.now() - p.startedPerf) / 1000, []);
        p.release();
      }
      pending.clear();
    },
  };
}
