/**
 * Query outcomes scored against ground truth: end-to-end latency and status per query, and matching
 * quality.
 *
 * - Identifier queries: a hit token of class c is a true hit when it points to a record of the query's
 *   subject (`truth.ts`), else a false hit; precision per class is true / all hits of that class.
 *   Recall is per (query, country holding a record of the subject) pair that the country answered:
 *   found when at least one true hit came back; it is reported per query kind and per variant class
 *   (how the analyst wrote the name).
 * - Biometric queries: per (probe, target gallery), a position that crossed the threshold is a genuine
 *   hit if its template is a capture of the probe's person; FNMR = genuine pairs missed / genuine
 *   pairs, FMR = impostor pairs hit / impostor pairs, at the threshold the protocol uses.
 */
import type { BioQueryResult, QueryResult } from '#sdk';
import type { Population } from '../population.ts';
import type { PlannedQuery } from '../workload.ts';
import type { World } from '../world.ts';
import { Counter, ratio, round, sortedObject, summarize } from './stats.ts';
import { bioRecord, type Holders, sameSubject, tokenRecord } from './truth.ts';

interface Done {
  readonly q: PlannedQuery;
  readonly sentAt: number;
  readonly doneAt: number;
  readonly error?: string;
}

export class Outcomes {
  readonly done: Done[] = [];
  readonly statuses = new Counter();
  readonly codes = new Counter();
  readonly #tp = new Counter();
  readonly #fp = new Counter();
  readonly #pairs = new Counter();
  readonly #found = new Counter();
  readonly #variantPairs = new Counter();
  readonly #variantFound = new Counter();
  /** Countries answering "hit" to a query about a subject they do not hold (only false hits). */
  #falseHitCountries = 0;
  #absentQueries = 0;
  #absentWithHit = 0;
  readonly #bio = { genuinePairs: 0, genuineHits: 0, impostorPairs: 0, impostorHits: 0, probes: 0 };
  readonly bioAnswers: Array<{ q: PlannedQuery; queryId: string; country: string }> = [];
  /** Per SDK query id: each country's status (for adversaries that guess them). */
  readonly byQueryId = new Map<string, { q: PlannedQuery; status: Map<string, string> }>();
  /** Status counts per answering country (`FR:hit`). */
  readonly byCountry = new Counter();

  constructor(
    private readonly world: World,
    private readonly pop: Population,
    private readonly holders: Holders,
  ) {}

  failed(q: PlannedQuery, sentAt: number, doneAt: number, code: string): void {
    this.done.push({ q, sentAt, doneAt, error: code });
    this.statuses.add(`${q.kind}:request-failed`);
    this.codes.add(code);
  }

  identifier(q: PlannedQuery, r: QueryResult, sentAt: number, doneAt: number): void {
    this.done.push({ q, sentAt, doneAt });
    const holders = q.truth ? this.holders.of(q.truth, this.pop) : [];
    let anyHit = false;
    const status = new Map<string, string>();
    this.byQueryId.set(r.queryId, { q, status });
    for (const c of r.results) {
      this.statuses.add(`${q.kind}:${c.status}`);
      this.byCountry.add(`${c.country}:${c.code ? `${c.status}:${c.code}` : c.status}`);
      status.set(c.country, c.status);
      if (c.code) this.codes.add(c.code);
      const ci = this.pop.countries.findIndex((h) => h.code === c.country);
      const node = this.world.nodes.get(c.country);
      let trueHit = false;
      for (const h of c.hits) {
        anyHit = true;
        const k = node ? tokenRecord(node, Buffer.from(h.token, 'base64url')) : undefined;
        const ok = k !== undefined && sameSubject(q.truth, this.pop.truthOf(ci, k));
        (ok ? this.#tp : this.#fp).add(h.cls);
        if (ok) trueHit = true;
      }
      const held = holders.some(([hci]) => hci === ci);
      if (held && (c.status === 'hit' || c.status === 'no-hit')) {
        this.#pairs.add(q.kind);
        this.#variantPairs.add(q.variant);
        if (trueHit) {
          this.#found.add(q.kind);
          this.#variantFound.add(q.variant);
        }
      }
      if (!held && c.status === 'hit' && !trueHit) this.#falseHitCountries++;
    }
    if (q.truth === null) {
      this.#absentQueries++;
      if (anyHit) this.#absentWithHit++;
    }
  }

  biometric(q: PlannedQuery, r: BioQueryResult, sentAt: number, doneAt: number): void {
    this.done.push({ q, sentAt, doneAt });
    this.#bio.probes++;
    for (const c of r.results) {
      this.statuses.add(`biometric:${c.status}`);
      this.byCountry.add(`${c.country}:${c.code ? `${c.status}:${c.code}` : c.status}`);
      if (c.code) this.codes.add(c.code);
      const node = this.world.nodes.get(c.country);
      const ci = this.pop.countries.findIndex((h) => h.code === c.country);
      if (!node || (c.status !== 'hit' && c.status !== 'no-hit')) continue;
      this.bioAnswers.push({ q, queryId: r.queryId, country: c.country });
      const h = this.pop.countries[ci];
      if (!h) continue;
      let genuine = 0;
      let size = 0;
      for (let k = 0; k < h.n; k++) {
        if (h.face[k] !== 1 || h.deleted[k] === 1) continue;
        size++;
        if (h.subject[k] === q.face) genuine++;
      }
      let gh = 0;
      let ih = 0;
      for (const hit of c.hits) {
        const k = bioRecord(node, q.requester, r.queryId, hit.position);
        if (k !== undefined && h.subject[k] === q.face) gh++;
        else ih++;
      }
      this.#bio.genuinePairs += genuine;
      this.#bio.genuineHits += Math.min(gh, genuine);
      this.#bio.impostorPairs += size - genuine;
      this.#bio.impostorHits += ih;
    }
  }

  /** The results' `queries` and `matching` sections. */
  summary(): {
    queries: { completed: number; failed: number; endToEndMs: object; countryStatus: object; codes: Record<string, number> };
    matching: object;
    biometric: object;
  } {
    const lat = new Map<string, number[]>();
    for (const d of this.done) {
      const l = lat.get(d.q.kind) ?? [];
      l.push(d.doneAt - d.sentAt);
      lat.set(d.q.kind, l);
    }
    const classes = new Set([...Object.keys(this.#tp.toObject()), ...Object.keys(this.#fp.toObject())]);
    const variants = Object.keys(this.#variantPairs.toObject());
    return {
      queries: {
        completed: this.done.filter((d) => !d.error).length,
        failed: this.done.filter((d) => d.error).length,
        endToEndMs: { all: summarize(this.done.map((d) => d.doneAt - d.sentAt)), ...sortedObject([...lat].map(([k, v]) => [k, summarize(v)] as const)) },
        countryStatus: this.statuses.toObject(),
        codes: this.codes.toObject(),
      },
      matching: {
        precisionByClass: sortedObject(
          [...classes].map(
            (c) =>
              [c, { trueHits: this.#tp.get(c), falseHits: this.#fp.get(c), precision: ratio(this.#tp.get(c), this.#tp.get(c) + this.#fp.get(c)) }] as const,
          ),
        ),
        recallByKind: sortedObject(
          Object.keys(this.#pairs.toObject()).map(
            (k) => [k, { pairs: this.#pairs.get(k), found: this.#found.get(k), recall: ratio(this.#found.get(k), this.#pairs.get(k)) }] as const,
          ),
        ),
        recallByVariant: sortedObject(
          variants.map(
            (v) =>
              [
                v,
                { pairs: this.#variantPairs.get(v), found: this.#variantFound.get(v), recall: ratio(this.#variantFound.get(v), this.#variantPairs.get(v)) },
              ] as const,
          ),
        ),
        falseHitCountries: this.#falseHitCountries,
        absentQueries: this.#absentQueries,
        absentQueriesWithAHit: this.#absentWithHit,
      },
      biometric: {
        probes: this.#bio.probes,
        genuinePairs: this.#bio.genuinePairs,
        genuineHits: this.#bio.genuineHits,
        impostorPairs: this.#bio.impostorPairs,
        impostorHits: this.#bio.impostorHits,
        fnmr: ratio(this.#bio.genuinePairs - this.#bio.genuineHits, this.#bio.genuinePairs, 6),
        fmr: ratio(this.#bio.impostorHits, this.#bio.impostorPairs, 8),
      },
    };
  }

  /** Completed queries per bin of virtual time since `from`. */
  throughput(from: number, binMs: number): Array<[number, number]> {
    const bins = new Map<number, number>();
    for (const d of this.done) {
      if (d.error) continue;
      const b = Math.floor((d.doneAt - from) / binMs);
      bins.set(b, (bins.get(b) ?? 0) + 1);
    }
    const last = Math.max(0, ...bins.keys());
    const out: Array<[number, number]> = [];
    for (let b = 0; b <= last; b++) out.push([round((b * binMs) / 1000, 1), round((bins.get(b) ?? 0) / (binMs / 1000), 3)]);
    return out;
  }

  /** End-to-end latencies (ms) of completed queries, for the CDF. */
  latencies(): number[] {
    return this.done.filter((d) => !d.error).map((d) => d.doneAt - d.sentAt);
  }
}
