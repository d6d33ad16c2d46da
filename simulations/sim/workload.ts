/**
 * The run's workload, planned before it starts from the seed: queries with their arrival times,
 * requesters, targets, subjects and ground truth; key rotations, record deletions and faults at their
 * times. (Disclosure requests and owners' decisions depend on what the queries find, so they are
 * decided during the run, from their own seeded streams.)
 */
import { toHex } from '#crypto';
import { matchKeysForQuery, type QuerySubject } from '#protocol';
import { type Person, passportName, VARIANT_CLASSES, type VariantClass, variantOf } from '../population/index.ts';
import { type Population, subjectKey } from './population.ts';
import type { SimRng } from './rng.ts';
import type { Scenario } from './scenario.ts';

export type QueryKind = 'name' | 'document' | 'vehicle' | 'biometric';

export interface PlannedQuery {
  readonly t: 'query';
  readonly n: number;
  readonly at: number;
  readonly kind: QueryKind;
  readonly requester: string;
  readonly analyst: string;
  /** null: every other member. */
  readonly targets: string[] | null;
  readonly subject: QuerySubject | undefined;
  /** Biometric queries: whose face the probe is (a fresh capture); -1 for a person nobody holds. */
  readonly face?: number;
  /** Ground truth: the subject the query is about (`person:12`), or null for one nobody holds. */
  readonly truth: string | null;
  /** How the query was written: `exact`, a variant class, `absent`. */
  readonly variant: string;
  /** The analyst writes the subject's name into the case reference (an injected mistake). */
  readonly leak: boolean;
}

export type PlannedEvent =
  | PlannedQuery
  | { readonly t: 'rotate'; readonly at: number; readonly country: string }
  | { readonly t: 'delete'; readonly at: number; readonly country: string; readonly records: number }
  | { readonly t: 'down' | 'up'; readonly at: number; readonly country: string }
  | { readonly t: 'cut' | 'heal'; readonly at: number; readonly countries: readonly string[] };

const NAME_VARIANTS = VARIANT_CLASSES.filter((c) => c !== 'doc-misread');

export interface Plan {
  readonly events: PlannedEvent[];
  readonly queries: PlannedQuery[];
  /** Hex of every match-key input a planned query derives (for stand-in tags, tagger.ts). */
  readonly queriedKeys: Set<string>;
}

function wholeName(p: Person): string {
  const n = passportName(p);
  return `${n.given} ${n.family}`.trim();
}

const pad = (n: number) => String(n).padStart(2, '0');

export function planWorkload(s: Scenario, pop: Population, countries: readonly string[], rng: SimRng): Plan {
  const w = s.workload;
  const r = rng.child('queries');
  const requesters = countries.slice(0, w.requesters ?? countries.length);
  const faceCountries = countries.slice(0, s.population.faces.countries);
  const mix = [w.mix.name, w.mix.document, w.mix.vehicle, faceCountries.length > 0 ? w.mix.biometric : 0];
  const kinds: QueryKind[] = ['name', 'document', 'vehicle', 'biometric'];
  const queries: PlannedQuery[] = [];
  let t = 0;
  let nextBurst = w.arrival.process === 'bursts' ? w.arrival.burstEvery : Number.POSITIVE_INFINITY;
  const arrivals: number[] = [];
  while (arrivals.length < w.queries) {
    t += r.exp(1000 / w.arrival.ratePerSecond);
    while (w.arrival.process === 'bursts' && nextBurst <= t && arrivals.length < w.queries) {
      for (let i = 0; i < w.arrival.burstSize && arrivals.length < w.queries; i++) arrivals.push(nextBurst + r.next() * 1000);
      nextBurst += w.arrival.burstEvery;
    }
    if (arrivals.length < w.queries) arrivals.push(t);
  }
  arrivals.sort((a, b) => a - b);
  for (const [n, at] of arrivals.entries()) {
    const kind = kinds[r.weighted(mix)] as QueryKind;
    const requester = r.pick(requesters);
    const analyst = `a${r.int(w.analystsPerCountry) + 1}`;
    const pool = kind === 'biometric' ? faceCountries.filter((c) => c !== requester) : countries.filter((c) => c !== requester);
    const targets = kind === 'biometric' || w.targets !== 'all' ? r.sample(pool, w.targets === 'all' ? pool.length : w.targets.random) : null;
    const present = r.chance(w.present);
    const leak = r.chance(s.inject.caseRefLeaks);
    queries.push({ t: 'query', n, at, kind, requester, analyst, targets, leak, ...subjectFor(kind, present, n, pop, r, w.variants, faceCountries.length) });
  }
  const events: PlannedEvent[] = [...queries];
  for (const k of w.keyRotations) events.push({ t: 'rotate', at: k.at, country: k.country });
  for (const d of w.deletions) events.push({ t: 'delete', at: d.at, country: d.country, records: d.records });
  for (const f of s.faults) {
    if (f.kind === 'node-down') {
      events.push({ t: 'down', at: f.at, country: f.country }, { t: 'up', at: f.at + f.for, country: f.country });
    } else {
      events.push({ t: 'cut', at: f.at, countries: f.countries }, { t: 'heal', at: f.at + f.for, countries: f.countries });
    }
  }
  events.sort((a, b) => a.at - b.at);
  const queriedKeys = new Set<string>();
  for (const q of queries) if (q.subject) for (const k of matchKeysForQuery(q.subject)) queriedKeys.add(toHex(k.input));
  return { events, queries, queriedKeys };
}

type Subject = Pick<PlannedQuery, 'subject' | 'truth' | 'variant'> & { face?: number };

function subjectFor(kind: QueryKind, present: boolean, n: number, pop: Population, r: SimRng, variants: number, faceCountries: number): Subject {
  // a random record of the wanted kind, anywhere (present), or a subject nobody holds
  const held = (want: number, faced = false): { ci: number; k: number } | undefined => {
    for (let tries = 0; tries < 200; tries++) {
      const ci = r.int(faced ? faceCountries : pop.countries.length);
      const h = pop.countries[ci];
      if (!h || h.n === 0) continue;
      const k = r.int(h.n);
      if (h.kind[k] === want && (!faced || h.face[k] === 1)) return { ci, k };
    }
    return undefined;
  };
  switch (kind) {
    case 'biometric': {
      const at = present ? held(0, true) : undefined;
      if (!at) return { subject: undefined, truth: null, variant: 'absent', face: -1 - n };
      const id = pop.countries[at.ci]?.subject[at.k] as number;
      return { subject: undefined, truth: subjectKey('person', id), variant: 'capture', face: id };
    }
    case 'vehicle': {
      const at = present ? held(2) : undefined;
      if (!at) return { subject: { vin: pop.vehicle(1_000_000_000 + n).vin }, truth: null, variant: 'absent' };
      const id = pop.countries[at.ci]?.subject[at.k] as number;
      return { subject: { vin: pop.vehicle(id).vin }, truth: subjectKey('vehicle', id), variant: 'exact' };
    }
    case 'document': {
      const at = present ? held(1) : undefined;
      if (!at) return { subject: { doc: pop.document(-1_000_000_000 - n) }, truth: null, variant: 'absent' };
      const id = pop.countries[at.ci]?.subject[at.k] as number;
      if (id >= 0 && r.chance(variants * 0.3)) {
        const v = variantOf(pop.seed, 'doc-misread', pop.person(id));
        if (v && 'doc' in v.query) return { subject: { doc: { ...v.query.doc }, confusions: true }, truth: subjectKey('document', id), variant: 'doc-misread' };
      }
      return { subject: { doc: pop.document(id) }, truth: subjectKey('document', id), variant: 'exact' };
    }
    case 'name': {
      const at = present ? held(0) : undefined;
      const p = at ? pop.person(pop.countries[at.ci]?.subject[at.k] as number) : pop.stranger(n, r.int(pop.countries.length));
      const truth = at ? subjectKey('person', p.id) : null;
      if (r.chance(variants)) {
        for (let tries = 0; tries < 6; tries++) {
          const cls = r.pick(NAME_VARIANTS) as VariantClass;
          const v = variantOf(pop.seed, cls, p);
          if (v && 'name' in v.query) return { subject: { ...v.query }, truth, variant: at ? cls : 'absent' };
        }
      }
      const dob = `${p.dob.y}-${pad(p.dob.m)}-${pad(p.dob.d)}`;
      return { subject: { name: wholeName(p), dob }, truth, variant: at ? 'exact' : 'absent' };
    }
  }
}
