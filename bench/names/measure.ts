/**
 * The measurements of the names benchmark: recall per variant class, false hits per match class at
 * one country holding 10^6 records, keys per record and per query, and the index's size.
 */
import {
  describeMatch,
  encode,
  FULL_DOB_CLASSES,
  MATCH_CLASSES,
  type MatchClass,
  type MatchKey,
  matchKeysForQuery,
  matchKeysForRecord,
  type VeilRecord,
} from '#protocol';
import { type CountrySpec, type HeldPerson, heldPerson, type Person, VARIANT_CLASSES, type Variant, type VariantClass, variantOf } from '#simulations';
import { KeyIndex } from './key-index.ts';

/** A node's record of a person (and of the passport, for document classes). */
export function toRecord(id: string, held: Variant['record'] | HeldPerson, passport?: { country: string; number: string }): VeilRecord {
  const person = {
    family: held.family,
    ...(held.given === undefined || held.given === '' ? {} : { given: held.given }),
    dob: held.dob,
    ...(held.sex === undefined ? {} : { sex: held.sex }),
  };
  const doc = 'passport' in held && held.passport !== undefined ? held.passport : passport;
  return {
    id,
    kind: 'person',
    dataset: 'wanted-persons',
    handling: 'restricted',
    person,
    ...(doc === undefined ? {} : { documents: [{ type: 'passport', country: doc.country, number: doc.number }] }),
  };
}

const latin1 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('latin1');

export interface RecallResult {
  readonly recall: Record<string, number>;
  readonly samples: Record<string, number>;
  /** Variant class → strongest class that met → share of the variant's queries. */
  readonly strongest: Record<string, Record<string, number>>;
  readonly examplesOfMisses: Record<string, string[]>;
}

/** Recall of each variant class over the first `n` persons of `pool` it applies to. */
export function measureRecall(seed: number, pool: readonly Person[], n: number): RecallResult {
  const recall: Record<string, number> = {};
  const samples: Record<string, number> = {};
  const strongest: Record<string, Record<string, number>> = {};
  const misses: Record<string, string[]> = {};
  for (const cls of VARIANT_CLASSES) {
    let tried = 0;
    let met = 0;
    const best: Record<string, number> = {};
    const examples: string[] = [];
    for (const p of pool) {
      if (tried >= n) break;
      const v = variantOf(seed, cls, p);
      if (v === undefined) continue;
      tried++;
      const have = new Set(matchKeysForRecord(toRecord(`r${p.id}`, v.record), { country: p.country }).map((k) => latin1(k.input)));
      const hits = matchKeysForQuery(v.query).filter((k) => have.has(latin1(k.input)));
      if (hits.length === 0) {
        // names are synthetic, so a miss can be shown (nothing here describes a real person)
        if (examples.length < 3) examples.push(`${v.record.given ?? ''} / ${v.record.family} ${v.record.dob} ← ${JSON.stringify(v.query)}`);
        continue;
      }
      met++;
      const d = describeMatch(hits.map((k) => ({ cls: k.cls, reading: k.reading })));
      best[d.cls] = (best[d.cls] ?? 0) + 1;
    }
    recall[cls] = tried === 0 ? Number.NaN : round(met / tried, 4);
    samples[cls] = tried;
    strongest[cls] = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, round(v / Math.max(tried, 1), 3)]));
    if (examples.length > 0) misses[cls] = examples;
  }
  return { recall, samples, strongest, examplesOfMisses: misses };
}

export interface TargetIndex {
  readonly index: KeyIndex;
  readonly records: number;
  readonly tagsPerRecord: number;
  readonly tagsByClass: Record<string, number>;
  readonly tokenBytes: number;
}

/** Key every person of the target country as its node would (a passport for 60% of them). */
export function buildTarget(persons: Iterable<Person>, country: CountrySpec, seed: number, progress: (n: number) => void): TargetIndex {
  const index = new KeyIndex();
  const byClass: Record<string, number> = {};
  let records = 0;
  let tokenSum = 0;
  for (const p of persons) {
    const held = heldPerson(p, country, seed);
    const id = `${country.code.toLowerCase()}-p${p.id}`;
    const rec = toRecord(id, held, p.id % 5 < 3 ? { country: country.code, number: p.passport } : undefined);
    const keys = matchKeysForRecord(rec, { country: country.code });
    for (const k of keys) {
      index.add(k.input, p.id);
      byClass[k.cls] = (byClass[k.cls] ?? 0) + 1;
    }
    if (records < 1000) tokenSum += keys.reduce((t, k) => t + tokenSize(id, k.cls), 0) / Math.max(keys.length, 1);
    records++;
    if (records % 50_000 === 0) progress(records);
  }
  const tagsByClass = Object.fromEntries(MATCH_CLASSES.map((c) => [c, round((byClass[c] ?? 0) / records, 3)]));
  return { index, records, tagsPerRecord: round(index.size / records, 2), tagsByClass, tokenBytes: round(tokenSum / Math.min(records, 1000), 1) };
}

/** Bytes of a hit token: XChaCha20-Poly1305 nonce (24) ‖ msgpack([recordId, class, epoch]) ‖ tag (16). */
function tokenSize(recordId: string, cls: MatchClass): number {
  return 24 + encode([recordId, cls, 1]).length + 16;
}

export interface FalseHitResult {
  readonly queries: number;
  /** Class → false hits per 1,000 queries that carry a key of the class. */
  readonly perClass: Record<string, number>;
  /** Class → false hits per 1,000 queries of the whole mix. */
  readonly perClassAllQueries: Record<string, number>;
  /** Share of queries with at least one false hit in a full-date-of-birth class. */
  readonly queriesWithFullDobFalseHit: number;
  readonly queryMix: Record<string, number>;
  readonly keysPerQuery: { readonly mean: number; readonly p95: number; readonly max: number; readonly twoPartFullDate: number };
  readonly trueHitRate: number;
}

/**
 * Queries about persons the target holds, each a variant drawn from every class that applies
 * (analysts' sources differ in all these ways); a hit on a record of another person is false.
 */
export function measureFalseHits(seed: number, target: TargetIndex, persons: readonly Person[], count: number): FalseHitResult {
  const hits: Record<string, number> = {};
  const carrying: Record<string, number> = {};
  const mix: Record<string, number> = {};
  const sizes: number[] = [];
  const twoPart: number[] = [];
  let withFullDobFalse = 0;
  let trueHits = 0;
  let done = 0;
  for (let i = 0; done < count && i < persons.length * 4; i++) {
    const p = persons[(i * 7919) % persons.length]!;
    const applicable = VARIANT_CLASSES.filter((c) => c !== 'doc-misread' || i % 10 === 0);
    const cls = applicable[(i * 31 + p.id) % applicable.length] as VariantClass;
    const v = variantOf(seed, cls, p);
    if (v === undefined) continue;
    done++;
    mix[cls] = (mix[cls] ?? 0) + 1;
    const keys: MatchKey[] = matchKeysForQuery(v.query);
    sizes.push(keys.length);
    if ('name' in v.query && v.query.name.trim().split(/\s+/).length === 2 && /^\d{4}-\d{2}-\d{2}$/.test(v.query.dob)) twoPart.push(keys.length);
    const seen = new Set<string>();
    let fullDobFalse = false;
    let trueHit = false;
    for (const c of new Set(keys.map((k) => k.cls))) carrying[c] = (carrying[c] ?? 0) + 1;
    for (const k of keys) {
      for (const owner of target.index.owners(k.input)) {
        if (owner === p.id) {
          trueHit = true;
          continue;
        }
        const id = `${owner}:${k.cls}`;
        if (seen.has(id)) continue;
        seen.add(id);
        hits[k.cls] = (hits[k.cls] ?? 0) + 1;
        if (FULL_DOB_CLASSES.includes(k.cls)) fullDobFalse = true;
      }
    }
    if (fullDobFalse) withFullDobFalse++;
    if (trueHit) trueHits++;
  }
  sizes.sort((a, b) => a - b);
  const perClass = Object.fromEntries(MATCH_CLASSES.map((c) => [c, carrying[c] ? round(((hits[c] ?? 0) / carrying[c]!) * 1000, 2) : 0]));
  const perClassAll = Object.fromEntries(MATCH_CLASSES.map((c) => [c, round(((hits[c] ?? 0) / done) * 1000, 2)]));
  return {
    queries: done,
    perClass,
    perClassAllQueries: perClassAll,
    queriesWithFullDobFalseHit: round(withFullDobFalse / done, 4),
    queryMix: mix,
    keysPerQuery: {
      mean: round(sizes.reduce((a, b) => a + b, 0) / sizes.length, 2),
      p95: sizes[Math.floor(sizes.length * 0.95)] ?? 0,
      max: sizes[sizes.length - 1] ?? 0,
      twoPartFullDate: round(twoPart.reduce((a, b) => a + b, 0) / Math.max(twoPart.length, 1), 2),
    },
    trueHitRate: round(trueHits / done, 4),
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
