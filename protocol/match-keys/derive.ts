/**
 * Match-key derivation: the byte strings a node feeds to the OPRF for its records and an analyst's
 * SDK blinds for a query. Both sides call these functions, so a hit is exactly the equality of one
 * record key and one query key; all fuzziness comes from which keys each side derives.
 *
 * A key's input is `utf8(LABELS.matchKey + cls) || 0x00 || utf8(value)`. The class inside the label
 * separates the classes, and the 0x00 byte, which no class name or value contains, makes the encoding
 * unambiguous. Values (N = full name, P = name parts, C = phonetic codes; `sx` = `|M` or `|F` on keys
 * of a name with a gendered surname when sex decides, see below):
 *
 * | class           | record value(s)                                  | query value(s)                         |
 * |-----------------|--------------------------------------------------|----------------------------------------|
 * | `name_dob`      | `N\|YYYY-MM-DD sx`                                | same                                   |
 * | `name_part_dob` | `p q\|YYYY-MM-DD sx` per given × family pair     | every pair of its parts                |
 * | `nickname_dob`  | `g>q\|YYYY-MM-DD sx` per nickname group g of a given name, other part q | same          |
 * | `phonetic_dob`  | `C\|YYYY-MM-DD sx`                                | same                                   |
 * | `name_ym`       | `N\|YYYY-MM sx` (day or month known)              | year-month queries only                |
 * | `name_yob`      | `N\|YYYY sx`                                      | year-only queries only                 |
 * | `phonetic_yob`  | `C\|YYYY sx`; also `C\|YYYY\|* sx` if the day is unknown | year-only: `C\|YYYY`; else `C\|YYYY\|*` |
 * | `doc`           | `type:COUNTRY:NUMBER`                             | same                                   |
 * | `doc_fuzzy`     | number with O→0 I→1 S→5 B→8 Z→2, when it has any of them | same, when asked (see below)    |
 * | `vehicle`       | VIN                                               | same                                   |
 *
 * N is the concatenation of all parts' forms in written order, particles included, rotated to its
 * smallest rotation: where a name is split or joined (Xiao Ming/Xiaoming, van der Berg/Vanderberg,
 * Abdul Rahman/Abdulrahman, O Brien/O'Brien) and whether the family or the given name comes first does
 * not change it. P are parts without particles; with the roles of a record's fields only given ×
 * family pairs are keyed, so a query meets when it shares one given name and one family name (a
 * middle name, patronymic, second surname, half of a hyphenated surname or a particle more or less).
 * A query whose date of birth is precise does not meet a record of the same name born another day
 * of that year: its year-level key (`|*`) meets only records whose day is unknown.
 *
 * Sex: a name with a gendered surname (Ivanov/Ivanova, Kowalski/Kowalska, Papadopoulos/
 * Papadopoulou, Kazlauskas/Kazlauskienė; `gendered.ts`) gets, besides its written keys, keys built
 * from the stem with the record's sex (or, if unknown, the form's gender). A query without `sex`
 * uses written keys (so Ivanova never meets Ivanov); a query with `sex` uses the stem keys only, so
 * it meets either form of the same sex and never a record of the other sex.
 */
import { LABELS } from '../labels.ts';
import { LIMITS } from '../limits.ts';
import type { VeilRecord } from '../records.ts';
import { MATCH_CLASSES, type MatchClass } from './classes.ts';
import { type DateOrder, type DateReading, type NormalizedDate, normalizeDate, parseQueryDate, type ReadDate } from './dates.ts';
import type { Gender } from './gendered.ts';
import { type NameInput, type NamePart, type NameReading, parseName } from './name-parts.ts';
import { primaryGroup, recordGroups } from './nicknames.ts';
import { normalizeDocument, normalizeVin } from './normalize.ts';
import { phoneticCodeSets } from './phonetic.ts';

export { MATCH_CLASSES, type MatchClass } from './classes.ts';

export interface MatchKey {
  readonly cls: MatchClass;
  /** OPRF input: `utf8(LABELS.matchKey + cls) || 0x00 || utf8(value)`. */
  readonly input: Uint8Array;
  /** For a query key made from one reading of an ambiguous date: which. */
  readonly reading?: DateReading;
}

/** What an analyst queries: a person by name and date of birth, a document, or a vehicle. */
export type QuerySubject =
  | {
      name: string;
      dob: string;
      /** The person's sex, if known: keeps gendered surname forms of the other sex apart. */
      sex?: Gender | undefined;
      /** How a date with the year last is read; undefined asks an ambiguous date both ways. */
      dateOrder?: DateOrder | undefined;
    }
  | { doc: { type: string; country: string; number: string }; confusions?: boolean | undefined }
  | { vin: string };

/** Parts taken into pairs: longer names (Arabic name chains) are cut to their first parts. */
const MAX_PAIR_PARTS = 8;
/** Shorter names keyed per record name (see `subNames`). */
const MAX_SUB_NAMES = 24;

const encoder = new TextEncoder();
const PREFIXES: Readonly<Record<MatchClass, Uint8Array>> = Object.fromEntries(
  MATCH_CLASSES.map((cls) => {
    const label = encoder.encode(LABELS.matchKey + cls);
    const p = new Uint8Array(label.length + 1);
    p.set(label);
    return [cls, p];
  }),
) as Record<MatchClass, Uint8Array>;

/** Build a key from an ASCII value. */
function key(cls: MatchClass, value: string, reading?: DateReading): MatchKey {
  const prefix = PREFIXES[cls];
  const input = new Uint8Array(prefix.length + value.length);
  input.set(prefix);
  for (let i = 0, o = prefix.length; i < value.length; i++, o++) input[o] = value.charCodeAt(i);
  return reading === undefined ? { cls, input } : { cls, input, reading };
}

/**
 * The smallest rotation of a name's letters, after collapsing runs of one letter (also across the
 * joins of parts and around the end, so Lei Yong = Leiyong): the full-name form ignores where the
 * name starts and where it is split.
 */
export function minRotation(joined: string): string {
  let s = '';
  for (const c of joined) if (c !== s[s.length - 1]) s += c;
  while (s.length > 1 && s[0] === s[s.length - 1]) s = s.slice(0, -1);
  let best = s;
  for (let i = 1; i < s.length; i++) {
    const r = s.slice(i) + s.slice(0, i);
    if (r < best) best = r;
  }
  return best;
}

/** Collects keys, dropping duplicates (by class and value). */
class KeySet {
  readonly #seen = new Set<string>();
  readonly keys: MatchKey[] = [];
  add(cls: MatchClass, value: string, reading?: DateReading): void {
    const id = `${cls}\0${value}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.keys.push(key(cls, value, reading));
  }
}

interface Variant {
  readonly parts: NameReading;
  readonly formOf: (p: NamePart) => string;
  readonly sx: string;
}

function variants(reading: NameReading, side: 'record' | 'query', sex: Gender | undefined): Variant[] {
  const written: Variant = { parts: reading, formOf: (p) => p.form, sx: '' };
  const gendered = reading.find((p) => p.gendered !== undefined && !p.particle);
  if (gendered === undefined) return [written];
  const sexed = (s: Gender): Variant => ({ parts: reading, formOf: (p) => p.gendered?.stem ?? p.form, sx: `|${s}` });
  if (side === 'query') return sex === undefined ? [written] : [sexed(sex)];
  return [written, sexed(sex ?? gendered.gendered!.gender)];
}

interface Person {
  readonly names: readonly NameInput[];
  readonly dates: readonly ReadDate[];
  readonly sex: Gender | undefined;
  readonly side: 'record' | 'query';
  readonly country?: string | undefined;
}

function addPerson(set: KeySet, person: Person): void {
  const later: Array<() => void> = [];
  for (const name of person.names) {
    for (const reading of parseName(name, { country: person.country })) {
      for (const v of variants(reading, person.side, person.sex)) {
        const full = minRotation(v.parts.map(v.formOf).join(''));
        const subs = person.side === 'record' ? subNames(v) : [];
        const codeSets = phoneticCodeSets(v.parts, v.formOf).map((c) => c.join(' '));
        for (const { date, reading: r } of person.dates) {
          const rd = person.dates.length > 1 ? r : undefined;
          for (const [i, codes] of codeSets.entries()) addDates(set, person.side, i === 0 ? full : undefined, codes, date, v.sx, rd);
          if (date.full !== undefined) {
            const dob = date.full;
            for (const n of subs) set.add('name_dob', `${n}|${dob}${v.sx}`, rd);
            later.push(() => addParts(set, person.side, v, dob, rd));
          }
        }
      }
    }
  }
  // name parts and nicknames after every reading's whole-name keys: they are the first to go at the cap
  for (const f of later) f();
}

/** Whole-name keys (when `full` is given) and phonetic keys of one name, one date and one code list. */
function addDates(
  set: KeySet,
  side: 'record' | 'query',
  full: string | undefined,
  codes: string,
  d: NormalizedDate,
  sx: string,
  rd: DateReading | undefined,
): void {
  if (d.full !== undefined && full !== undefined) set.add('name_dob', `${full}|${d.full}${sx}`, rd);
  if (d.full !== undefined && codes !== '') set.add('phonetic_dob', `${codes}|${d.full}${sx}`, rd);
  if (side === 'record') {
    if (d.month !== undefined && full !== undefined) set.add('name_ym', `${full}|${d.month}${sx}`);
    if (full !== undefined) set.add('name_yob', `${full}|${d.year}${sx}`);
    if (codes !== '') set.add('phonetic_yob', `${codes}|${d.year}${sx}`);
    if (codes !== '' && d.precision !== 'day') set.add('phonetic_yob', `${codes}|${d.year}|*${sx}`);
    return;
  }
  if (d.precision === 'month' && full !== undefined) set.add('name_ym', `${full}|${d.month}${sx}`, rd);
  if (d.precision === 'year' && full !== undefined) set.add('name_yob', `${full}|${d.year}${sx}`, rd);
  if (codes !== '') set.add('phonetic_yob', d.precision === 'year' ? `${codes}|${d.year}${sx}` : `${codes}|${d.year}|*${sx}`, rd);
}

/** Indices of the parts that are not particles, at most MAX_PAIR_PARTS of them. */
function significant(v: Variant): number[] {
  const out: number[] = [];
  v.parts.forEach((p, i) => {
    if (!p.particle && out.length < MAX_PAIR_PARTS) out.push(i);
  });
  return out;
}

function hasRoles(v: Variant, idx: readonly number[]): boolean {
  return idx.some((i) => v.parts[i]!.role === 'given') && idx.some((i) => v.parts[i]!.role === 'family');
}

/** A selection of parts keeps both a given and a family name when the name has roles. */
function acceptable(v: Variant, sel: readonly number[], roles: boolean): boolean {
  return !roles || hasRoles(v, sel);
}

/**
 * The record's shorter names that a query naming only some of its parts writes in full: every pair
 * (a given and a family name when the record has roles) and every name with one part left out, each
 * with and without its particles, and with a solid article dropped (Alhashimi → Hashimi).
 */
function subNames(v: Variant): string[] {
  const sig = significant(v);
  if (sig.length < 2) return [];
  const roles = hasRoles(v, sig);
  const selections: number[][] = [];
  for (let i = 0; i < sig.length; i++) {
    for (let j = i + 1; j < sig.length; j++) {
      const sel = [sig[i]!, sig[j]!];
      if (acceptable(v, sel, roles)) selections.push(sel);
    }
  }
  if (sig.length >= 4) {
    for (const k of sig) {
      const sel = sig.filter((i) => i !== k);
      if (acceptable(v, sel, roles)) selections.push(sel);
    }
  }
  const out = new Set<string>();
  for (const sel of selections) {
    const chosen = new Set(sel);
    const withParticles: string[] = [];
    let keepParticles = false;
    for (let i = v.parts.length - 1; i >= 0; i--) {
      const p = v.parts[i]!;
      if (!p.particle) keepParticles = chosen.has(i);
      if (chosen.has(i) || (p.particle && keepParticles)) withParticles.unshift(v.formOf(p));
    }
    out.add(minRotation(withParticles.join('')));
    out.add(minRotation(sel.map((i) => v.formOf(v.parts[i]!)).join('')));
    if (sel.some((i) => v.parts[i]!.alt !== undefined)) out.add(minRotation(sel.map((i) => v.parts[i]!.alt ?? v.formOf(v.parts[i]!)).join('')));
  }
  return [...out].slice(0, MAX_SUB_NAMES);
}

type Entry = { form: string; role: NamePart['role']; index: number };

function entries(v: Variant): Entry[] {
  const out: Entry[] = [];
  for (const index of significant(v)) {
    const p = v.parts[index]!;
    out.push({ form: v.formOf(p), role: p.role, index });
    if (p.alt !== undefined) out.push({ form: p.alt, role: p.role, index });
  }
  return out;
}

/**
 * Pairs of parts (`name_part_dob`) and nickname groups (`nickname_dob`). A query keys pairs only when
 * it has three parts or more (a two-part query's whole name is already a pair, and meets the
 * record's shorter names in `name_dob`); a record keys every given × family pair.
 */
function addParts(set: KeySet, side: 'record' | 'query', v: Variant, dob: string, rd: DateReading | undefined): void {
  const es = entries(v);
  const roles = es.some((e) => e.role === 'given') && es.some((e) => e.role === 'family');
  const parts = new Set(es.map((e) => e.index)).size;
  if (side === 'record' || parts >= 3) {
    for (let i = 0; i < es.length; i++) {
      for (let j = i + 1; j < es.length; j++) {
        const a = es[i]!;
        const b = es[j]!;
        if (a.index === b.index) continue;
        if (roles && !((a.role === 'given' && b.role === 'family') || (a.role === 'family' && b.role === 'given'))) continue;
        const [x, y] = a.form < b.form ? [a.form, b.form] : [b.form, a.form];
        set.add('name_part_dob', `${x} ${y}|${dob}${v.sx}`, rd);
      }
    }
  }
  for (const a of es) {
    if (a.role === 'family') continue;
    const groups = side === 'record' ? recordGroups(a.form) : [primaryGroup(a.form)].filter((g): g is string => g !== undefined);
    for (const g of groups) {
      for (const b of es) {
        if (b.index === a.index || (roles && b.role !== 'family')) continue;
        set.add('nickname_dob', `${g}>${b.form}|${dob}${v.sx}`, rd);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Documents and vehicles

const CONFUSED: Readonly<Record<string, string>> = { O: '0', I: '1', S: '5', B: '8', Z: '2' };
const CONFUSABLE = /[OISBZ01582]/;
const CONFUSABLE_LETTER = /[OISBZ]/;

/** A document number with the letters people misread for digits written as those digits. */
export function foldConfusions(number: string): string {
  return number.replace(/[OISBZ]/g, (c) => CONFUSED[c] ?? c);
}

function addDoc(set: KeySet, type: string, country: string, number: string, fuzzy: boolean): void {
  const d = normalizeDocument(type, country, number);
  set.add('doc', `${d.type}:${d.country}:${d.number}`);
  if (fuzzy) set.add('doc_fuzzy', `${d.type}:${d.country}:${foldConfusions(d.number)}`);
}

/** The `doc` key of an identity document: type (registry or alias), issuing country, number. */
export function docKey(type: string, country: string, number: string): MatchKey {
  const d = normalizeDocument(type, country, number);
  return key('doc', `${d.type}:${d.country}:${d.number}`);
}

/** The `vehicle` key of a VIN (or pre-1981 chassis number). */
export function vehicleKey(vin: string): MatchKey {
  return key('vehicle', normalizeVin(vin));
}

// ---------------------------------------------------------------------------------------------------
// Records and queries

export interface RecordContext {
  /** Alpha-3 code of the country holding the record (chooses the Cyrillic system when letters don't). */
  readonly country?: string | undefined;
}

/**
 * Every match key of a record, deduplicated: for a person record with a date of birth, its name
 * (given and family fields) and each alias; for any record, each of its documents and its VIN.
 * Names of document or vehicle records are not keyed: a stolen passport's holder is usually the
 * victim. Throws `VeilError` on a value `parseRecord` would have rejected.
 */
export function matchKeysForRecord(record: VeilRecord, ctx: RecordContext = {}): MatchKey[] {
  const set = new KeySet();
  const p = record.person;
  if (record.kind === 'person' && p !== undefined && p.dob !== undefined) {
    const sex = p.sex === 'M' || p.sex === 'F' ? p.sex : undefined;
    const names: NameInput[] = [{ given: p.given, family: p.family }, ...(p.aliases ?? [])];
    addPerson(set, {
      names,
      dates: [{ date: normalizeDate(p.dob), reading: 'as-written' }],
      sex,
      side: 'record',
      country: ctx.country ?? p.nationality?.toUpperCase(),
    });
  }
  for (const d of record.documents ?? []) addDoc(set, d.type, d.country, d.number, CONFUSABLE.test(d.number.toUpperCase()));
  if (record.vehicle !== undefined) set.add('vehicle', normalizeVin(record.vehicle.vin));
  return set.keys;
}

/**
 * The keys an analyst's query blinds, most telling first, at most `LIMITS.maxQueryItems`. A name
 * gives the person classes its date allows (an ambiguous date both ways, each key carrying its
 * reading); a document its `doc` key and, when its number has a letter people misread for a digit
 * (or `confusions` is true), its `doc_fuzzy` key; a VIN its `vehicle` key.
 */
export function matchKeysForQuery(subject: QuerySubject): MatchKey[] {
  const set = new KeySet();
  if ('name' in subject) {
    const dates = parseQueryDate(subject.dob, { order: subject.dateOrder });
    addPerson(set, { names: [subject.name], dates, sex: subject.sex, side: 'query' });
  } else if ('doc' in subject) {
    const n = subject.doc.number.toUpperCase();
    const fuzzy = subject.confusions ?? CONFUSABLE_LETTER.test(normalizeDocument(subject.doc.type, subject.doc.country, n).number);
    addDoc(set, subject.doc.type, subject.doc.country, subject.doc.number, fuzzy);
  } else set.add('vehicle', normalizeVin(subject.vin));
  return set.keys.slice(0, LIMITS.maxQueryItems);
}

/** The `name_dob` keys of one name with a date of birth: one per reading, none for a year alone. */
export function nameDobKeys(name: string, dob: string): MatchKey[] {
  return matchKeysForQuery({ name, dob, dateOrder: 'dmy' }).filter((k) => k.cls === 'name_dob');
}

/** The keys of one name with a year of birth in the `phonetic_yob` class, as a year-only query derives them. */
export function phoneticYobKeys(name: string, dobOrYear: string): MatchKey[] {
  const { year } = normalizeDate(dobOrYear);
  return matchKeysForQuery({ name, dob: year }).filter((k) => k.cls === 'phonetic_yob');
}

/** What may be logged or shown about a key: its class, never its value. */
export function describeKey(key: MatchKey): { cls: MatchClass } {
  return { cls: key.cls };
}
