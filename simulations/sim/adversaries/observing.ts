/**
 * Adversaries that only watch and pool what they are sent: a curious coordinator recording every
 * message it receives, and members colluding (with the coordinator or not). Each reports what its
 * observations let it link, measured on the wire it actually received.
 */
import { toHex } from '#crypto';
import { identifierTokens } from '../ledger.ts';
import type { Observer, WireEvent } from '../observer.ts';
import type { Scenario } from '../scenario.ts';
import type { Adversary, AdversaryReport } from './adversary.ts';

type CollusionSpec = Extract<Scenario['adversaries'][number], { kind: 'colluding-members' }>;

const isQueryTag = (path: string, v: unknown): v is Uint8Array =>
  path.includes('lookup') && path.endsWith('.keys') && v instanceof Uint8Array && v.length === 16;
const isIndexTag = (path: string, v: unknown): v is Uint8Array =>
  (path.endsWith('.entries') || path.endsWith('.adds')) && v instanceof Uint8Array && v.length === 16;

/** Counts text values that contain one of the run's subject identifiers. */
class IdentifierScan {
  #secrets: ReadonlySet<string> = new Set();
  found = 0;
  arm(tokens: Iterable<string>): void {
    this.#secrets = new Set(tokens);
  }
  scan(e: WireEvent): void {
    if (this.#secrets.size === 0) return;
    for (const [, v] of e.x.leaves) {
      if (typeof v !== 'string') continue;
      if (v.split(/[^\p{L}\p{N}]+/u).some((t) => t.length >= 4 && this.#secrets.has(t.toLowerCase()))) this.found++;
    }
  }
}

/** Records every message the coordinator receives; links repeated searches by their lookup tags. */
export function curiousCoordinator(): Adversary {
  const seen = { messages: 0, bytes: 0 };
  const kinds = new Set<string>();
  const blinded = new Set<string>();
  let blindedRepeats = 0;
  const tags = new Map<string, number>();
  const ids = new IdentifierScan();
  const observer: Observer = {
    message(e) {
      if (e.channel !== 'node>coord') return;
      seen.messages++;
      seen.bytes += e.bytes;
      kinds.add(e.x.kind);
      ids.scan(e);
      for (const [path, v] of e.x.leaves) {
        if (path.endsWith('.blinded') && v instanceof Uint8Array) {
          const h = toHex(v);
          if (blinded.has(h)) blindedRepeats++;
          else blinded.add(h);
        } else if (isQueryTag(path, v)) {
          const h = toHex(v);
          tags.set(h, (tags.get(h) ?? 0) + 1);
        }
      }
    },
    dropped() {},
  };
  return {
    kind: 'curious-coordinator',
    observer,
    start: (ctx) => ids.arm(ctx.plan.queries.flatMap((q) => (q.subject ? identifierTokens(q.subject) : []))),
    report(): AdversaryReport {
      const repeatedTags = [...tags.values()].filter((n) => n > 1).length;
      return {
        kind: 'curious-coordinator',
        who: 'coordinator',
        summary: `recorded ${seen.messages} messages (${seen.bytes} bytes, ${kinds.size} kinds): ${blindedRepeats} repeated blinded elements, ${repeatedTags} lookup tags searched more than once, ${ids.found} identifiers in the clear`,
        achieved: {
          messages: seen.messages,
          bytes: seen.bytes,
          messageKinds: kinds.size,
          distinctBlindedElements: blinded.size,
          repeatedBlindedElements: blindedRepeats,
          distinctLookupTags: tags.size,
          lookupTagsSearchedAgain: repeatedTags,
          identifiersInClear: ids.found,
        },
        contained: ids.found === 0 && blindedRepeats === 0,
      };
    },
  };
}

/**
 * Members pooling what their nodes receive. Alone they can link the evaluation requests they were all
 * sent for one query (the same blinded elements). With the coordinator they also pool its lookup
 * tags with their own published index tags: a tag of a colluder's index in an exact lookup tells the
 * coalition which of its records an analyst found, before any disclosure request.
 */
export function colludingMembers(spec: CollusionSpec): Adversary {
  const parties = new Set(spec.countries.map((c) => `node:${c}`));
  const blindedBy = new Map<string, Set<string>>();
  const indexTags = new Set<string>();
  const lookupTags = new Set<string>();
  let evals = 0;
  const ids = new IdentifierScan();
  const observer: Observer = {
    message(e) {
      if (e.channel === 'coord>node' && parties.has(e.to)) {
        ids.scan(e);
        if (e.x.kind === 'eval') evals++;
        for (const [path, v] of e.x.leaves) {
          if (!path.endsWith('.blinded') || !(v instanceof Uint8Array)) continue;
          const h = toHex(v);
          const by = blindedBy.get(h) ?? new Set<string>();
          by.add(e.to);
          blindedBy.set(h, by);
        }
      }
      if (e.channel !== 'node>coord') return;
      for (const [path, v] of e.x.leaves) {
        if (parties.has(e.from) && isIndexTag(path, v)) indexTags.add(toHex(v));
        else if (spec.withCoordinator && isQueryTag(path, v)) lookupTags.add(toHex(v));
      }
    },
    dropped() {},
  };
  return {
    kind: spec.kind,
    observer,
    start: (ctx) => ids.arm(ctx.plan.queries.flatMap((q) => (q.subject ? identifierTokens(q.subject) : []))),
    report(): AdversaryReport {
      const linked = [...blindedBy.values()].filter((s) => s.size >= 2).length;
      let pinned = 0;
      for (const t of lookupTags) if (indexTags.has(t)) pinned++;
      return {
        kind: spec.kind,
        who: `${spec.countries.join('+')}${spec.withCoordinator ? '+coordinator' : ''}`,
        summary: `pooled ${evals} evaluation requests: ${linked} blinded elements seen by two or more colluders${spec.withCoordinator ? `; ${pinned} lookup tags pinned to a colluder's own records before disclosure` : ''}; ${ids.found} identifiers in the clear`,
        achieved: {
          evaluationRequests: evals,
          blindedElementsLinkedAcrossColluders: linked,
          recordsPinnedBeforeDisclosure: spec.withCoordinator ? pinned : null,
          identifiersInClear: ids.found,
        },
        contained: ids.found === 0 && pinned === 0,
      };
    },
  };
}
