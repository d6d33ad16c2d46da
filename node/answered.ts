/**
 * Identifier queries this node has answered recently, by (requesting country, analyst, query id) — the owning
 * node's half of the one idempotency rule (platform/idempotency.ts). A gateway whose coordinator failed
 * over sends its query again, re-signed with a fresh nonce, through the new coordinator; a target that
 * had already answered it sends the same signed answer again instead of evaluating twice and charging
 * the budgets twice. The same id with other content is `conflict`. An exact replay (same nonce) is still
 * refused as a replay before it gets here.
 */
import { sha256 } from '#crypto';
import { encode, type ForwardedQuery } from '#protocol';
import type { RoutedResult } from './inbound.ts';

/** How long an answer is resent to a repeat: far beyond a gateway's deadline. */
export const ANSWERED_RETAIN_MS = 5 * 60_000;
/** At most this many answers are kept (about 1 KiB each); the oldest are forgotten first. */
export const ANSWERED_MAX = 20_000;

interface Entry {
  readonly digest: Uint8Array;
  readonly result: RoutedResult;
  readonly at: number;
}

/** What a query asks, without the per-send timestamp and nonce. */
export function queryDigest(q: ForwardedQuery): Uint8Array {
  return sha256(encode({ ...q, ts: 0, nonce: new Uint8Array(0) }));
}

/** Ids are the analyst's: another analyst of the same country may use the same id for its own query. */
const answeredKey = (q: ForwardedQuery): string => `${q.from}\u0000${q.analyst}\u0000${q.id}`;

export class AnsweredQueries {
  readonly #answers = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** The earlier answer to this query, if it was answered recently (with other content: `undefined` and `conflict`). */
  recall(q: ForwardedQuery): { result: RoutedResult } | 'conflict' | undefined {
    const e = this.#answers.get(answeredKey(q));
    if (!e || this.now() - e.at > ANSWERED_RETAIN_MS) return undefined;
    const d = queryDigest(q);
    return Buffer.from(d).equals(Buffer.from(e.digest)) ? { result: e.result } : 'conflict';
  }

  remember(q: ForwardedQuery, result: RoutedResult): void {
    const key = answeredKey(q);
    this.#answers.delete(key);
    this.#answers.set(key, { digest: queryDigest(q), result, at: this.now() });
    const cutoff = this.now() - ANSWERED_RETAIN_MS;
    for (const [k, v] of this.#answers) {
      if (this.#answers.size <= ANSWERED_MAX && v.at >= cutoff) break;
      this.#answers.delete(k);
    }
  }
}
