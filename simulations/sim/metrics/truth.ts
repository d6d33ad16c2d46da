/**
 * Ground truth for scoring: which records hold each queried subject (built once for the subjects the
 * workload asks about), what a hit token or a biometric position points to, and when a hit is a true
 * one. Only the simulator can do this: it opens hit tokens with the owning node's token key and maps
 * biometric positions back through the node's own per-answer permutation.
 */
import { utf8 } from '#crypto';
import { layoutPosition } from '#node';
import { decode, LABELS, LIMITS } from '#protocol';
import type { NodeParty } from '../node-party.ts';
import type { Population } from '../population.ts';
import type { PlannedQuery } from '../workload.ts';

/** Records (country index, record number) of each queried subject. */
export class Holders {
  readonly #by = new Map<string, Array<[number, number]>>();

  constructor(pop: Population, queries: readonly PlannedQuery[]) {
    const wanted = new Set<string>();
    for (const q of queries) if (q.truth) wanted.add(q.truth);
    // a document query about a person's passport is also about the person records that carry it
    const passportOf = new Set<string>();
    for (const t of wanted) if (t.startsWith('document:') && !t.startsWith('document:-')) passportOf.add(`person:${t.slice(9)}`);
    for (const [ci, h] of pop.countries.entries()) {
      for (let k = 0; k < h.n; k++) {
        const t = pop.truthOf(ci, k);
        if (wanted.has(t)) this.#add(t, ci, k);
        if (passportOf.has(t) && Array.isArray(pop.record(ci, k).documents)) this.#add(`document:${t.slice(7)}`, ci, k);
      }
    }
  }

  #add(t: string, ci: number, k: number): void {
    const l = this.#by.get(t);
    if (l) l.push([ci, k]);
    else this.#by.set(t, [[ci, k]]);
  }

  /** Records of `truth` not deleted (yet). */
  of(truth: string, pop: Population): Array<[number, number]> {
    return (this.#by.get(truth) ?? []).filter(([ci, k]) => pop.countries[ci]?.deleted[k] !== 1);
  }
}

/** Is a record about `recordTruth` a true hit for a query about `queryTruth`? (a passport is its holder's) */
export function sameSubject(queryTruth: string | null, recordTruth: string): boolean {
  if (queryTruth === null) return false;
  if (queryTruth === recordTruth) return true;
  return queryTruth.startsWith('document:') && !queryTruth.startsWith('document:-') && recordTruth === `person:${queryTruth.slice(9)}`;
}

/** The record number a hit token of `node` points to (undefined: not one of its tokens). */
export function tokenRecord(node: NodeParty, token: Uint8Array): number | undefined {
  try {
    const plain = node.keys.token.open(token, utf8(LABELS.hitToken + node.country));
    const [recordId] = decode(plain, LIMITS.maxPayloadBytes) as [string];
    return recordNumber(recordId);
  } catch {
    return undefined;
  }
}

export function recordNumber(recordId: string): number | undefined {
  const k = Number(recordId.slice(recordId.lastIndexOf('-') + 1));
  return Number.isInteger(k) ? k : undefined;
}

/** The record number behind position `position` of a biometric answer `queryId` of `requester`. */
export function bioRecord(node: NodeParty, requester: string, queryId: string, position: number): number | undefined {
  try {
    const slot = layoutPosition(node.store, node.keys, requester, queryId, 'face', position);
    const at = node.store.gallery.at('face', slot);
    return at ? recordNumber(at.recordId) : undefined;
  } catch {
    return undefined;
  }
}
