/**
 * Query results by (requesting country, analyst, query id), so a gateway that retransmits a query —
 * after a reconnect, say — gets the same result instead of a second fan-out: while the query is in
 * flight the retransmission is dropped (the result will follow), and for a retention window after it
 * completes the stored result frame is sent again. This is the platform's idempotency rule
 * (`IdempotentRequests`) keyed by the authenticated principal: the member country whose session sent
 * the query and the analyst its node signed into it. Another analyst of the same country reusing the id
 * is another principal and never receives this result. Queries carry no content digest here, so a
 * reused id of the same analyst is a repeat (its gateway refuses other content under a known id first).
 */
import { type Clock, IdempotentRequests } from '#platform';
import { VeilError } from '#protocol';

/** How long a completed result is resent to a retransmission. */
export const RESULT_RETAIN_MS = 60_000;
/** At most this many results are kept (the oldest are forgotten first). */
export const RESULT_MAX_ENTRIES = 100_000;

export interface TrackedQuery {
  /** Settles the query with its result frame. */
  resolve(frame: Uint8Array): void;
  /** The query failed before it was fanned out: forget it, so a retransmission runs again. */
  reject(err: unknown): void;
  /** The result frame, once resolved. */
  readonly result: Promise<Uint8Array>;
}

/** Who asked: the requesting country (its authenticated session) and the analyst its node named. */
export interface QueryPrincipal {
  readonly from: string;
  readonly analyst: string;
}

// Country codes are two capital letters, so the first '/' ends the country.
const principal = (q: QueryPrincipal): string => `${q.from}/${q.analyst}`;

export class ResultCache {
  readonly #requests: IdempotentRequests<Uint8Array>;

  constructor(opts: { clock: Clock; retainMs?: number; maxEntries?: number }) {
    this.#requests = new IdempotentRequests({
      clock: opts.clock,
      retainMs: opts.retainMs ?? RESULT_RETAIN_MS,
      maxEntries: opts.maxEntries ?? RESULT_MAX_ENTRIES,
    });
  }

  /** 'in-flight', the retained result frame, or undefined for a query not seen (or forgotten). */
  seen(q: QueryPrincipal, id: string): 'in-flight' | Uint8Array | undefined {
    const p = principal(q);
    if (this.#requests.inFlight(p, id)) return 'in-flight';
    return this.#requests.recent(p, id);
  }

  /** Marks a new query in flight until it is resolved or rejected. */
  begin(q: QueryPrincipal, id: string): TrackedQuery {
    const settle: { resolve?: (frame: Uint8Array) => void; reject?: (err: unknown) => void } = {};
    const result = this.#requests.run(
      principal(q),
      id,
      undefined,
      () => new Promise<Uint8Array>((resolve, reject) => Object.assign(settle, { resolve, reject })),
    );
    const { resolve, reject } = settle;
    if (!resolve || !reject) throw new VeilError('internal', 'query already tracked');
    return { resolve, reject, result };
  }

  /** Forget results past the retention window. */
  sweep(): void {
    this.#requests.sweep();
  }
}
