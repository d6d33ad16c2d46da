/**
 * Match-key derivation (DESIGN.md §2): the byte strings a node feeds to the OPRF for its records and
 * an analyst's SDK blinds for a query. Both sides call these functions, so equal identifiers give
 * equal inputs.
 *
 * A key's input is `utf8(LABELS.matchKey + cls) || 0x00 || utf8(value)`. The class inside the label
 * separates the classes (the same string can never be a `doc` and a `vehicle` input), and the 0x00
 * byte, which no class name or value contains, makes the encoding unambiguous. Values:
 *
 * | class          | value                                   | example                          |
 * |----------------|-----------------------------------------|----------------------------------|
 * | `doc`          | `type:COUNTRY:NUMBER`                   | `passport:FRA:12AB34567`         |
 * | `name_dob`     | sorted name tokens `\|` `YYYY-MM-DD`    | `hans muller\|1970-01-31`        |
 * | `phonetic_yob` | sorted phonetic codes `\|` `YYYY`       | `MLR NS\|1970`                   |
 * | `vehicle`      | VIN                                     | `WVWZZZ1JZXW000001`              |
 */
import { LABELS } from '../labels.ts';
import type { VeilRecord } from '../records.ts';
import { nameTokens, normalizeDate, normalizeDocument, normalizeVin } from './normalize.ts';
import { phoneticCodes } from './phonetic.ts';

export const MATCH_CLASSES = ['doc', 'name_dob', 'phonetic_yob', 'vehicle'] as const;
export type MatchClass = (typeof MATCH_CLASSES)[number];

export interface MatchKey {
  readonly cls: MatchClass;
  /** OPRF input: `utf8(LABELS.matchKey + cls) || 0x00 || utf8(value)`. */
  readonly input: Uint8Array;
}

/** What an analyst queries: a person by name and date (or year) of birth, a document, or a vehicle. */
export type QuerySubject =
  | { name: string; dob: string }
  | { doc: { type: string; country: string; number: string } }
  | { vin: string };

const encoder = new TextEncoder();

const PREFIXES: Readonly<Record<MatchClass, Uint8Array>> = Object.fromEntries(
  MATCH_CLASSES.map((cls) => {
    const label = encoder.encode(LABELS.matchKey + cls);
    const p = new Uint8Array(label.length + 1);
    p.set(label);
    return [cls, p];
  }),
) as Record<MatchClass, Uint8Array>;

/** Build a key from an already normalized (ASCII) value. */
function key(cls: MatchClass, value: string): MatchKey {
  const prefix = PREFIXES[cls];
  const input = new Uint8Array(prefix.length + value.length);
  input.set(prefix);
  // values are ASCII by construction (normalizers only emit [a-z A-Z0-9:| _]), so one byte per char
  for (let i = 0, o = prefix.length; i < value.length; i++, o++) input[o] = value.charCodeAt(i);
  return { cls, input };
}

/** The `doc` key of an identity document: type (registry or alias), issuing country, number. */
export function docKey(type: string, country: string, number: string): MatchKey {
  const d = normalizeDocument(type, country, number);
  return key('doc', `${d.type}:${d.country}:${d.number}`);
}

/**
 * The `name_dob` keys of one name (a primary name or an alias) with a date of birth: one key, or none
 * when only the year of birth is known.
 */
export function nameDobKeys(name: string, dob: string): MatchKey[] {
  const date = normalizeDate(dob);
  if (date.full === undefined) return [];
  return [key('name_dob', `${nameTokens(name).sort().join(' ')}|${date.full}`)];
}

/**
 * The `phonetic_yob` keys of one name with a date or year of birth: one key, or none when no token of
 * the name leaves a phonetic code.
 */
export function phoneticYobKeys(name: string, dobOrYear: string): MatchKey[] {
  const { year } = normalizeDate(dobOrYear);
  const codes = phoneticCodes(nameTokens(name));
  if (codes.length === 0) return [];
  return [key('phonetic_yob', `${codes.join(' ')}|${year}`)];
}

/** The `vehicle` key of a VIN (or pre-1981 chassis number). */
export function vehicleKey(vin: string): MatchKey {
  return key('vehicle', normalizeVin(vin));
}

/** Collects keys of one record or query, dropping duplicates (by class and value). */
class KeySet {
  readonly #seen = new Set<string>();
  readonly keys: MatchKey[] = [];

  add(cls: MatchClass, value: string): void {
    const id = `${cls}\0${value}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.keys.push(key(cls, value));
  }

  /** Both person classes for one name, sharing the date parse and tokenization. */
  person(name: string, dob: string): void {
    const date = normalizeDate(dob);
    const tokens = nameTokens(name);
    const codes = phoneticCodes(tokens);
    if (date.full !== undefined) this.add('name_dob', `${tokens.sort().join(' ')}|${date.full}`);
    if (codes.length > 0) this.add('phonetic_yob', `${codes.join(' ')}|${date.year}`);
  }

  doc(type: string, country: string, number: string): void {
    const d = normalizeDocument(type, country, number);
    this.add('doc', `${d.type}:${d.country}:${d.number}`);
  }
}

/**
 * Every match key of a record, deduplicated: for a person record, its primary name and each alias
 * with its date of birth (both person classes); for any record, each of its documents and its
 * vehicle's VIN. Names of document or vehicle records (a document's holder, a car's owner) are not
 * keyed: a stolen passport's holder is usually the victim, not the subject of the record.
 * Throws `VeilError` on a value `parseRecord` would have rejected.
 */
export function matchKeysForRecord(record: VeilRecord): MatchKey[] {
  const set = new KeySet();
  const p = record.person;
  if (record.kind === 'person' && p !== undefined && p.dob !== undefined) {
    set.person(p.given === undefined ? p.family : `${p.given} ${p.family}`, p.dob);
    for (const alias of p.aliases ?? []) set.person(alias, p.dob);
  }
  for (const d of record.documents ?? []) set.doc(d.type, d.country, d.number);
  if (record.vehicle !== undefined) set.add('vehicle', normalizeVin(record.vehicle.vin));
  return set.keys;
}

/** The keys an analyst's query blinds: a name yields `name_dob` (full date only) and `phonetic_yob`. */
export function matchKeysForQuery(subject: QuerySubject): MatchKey[] {
  const set = new KeySet();
  if ('name' in subject) set.person(subject.name, subject.dob);
  else if ('doc' in subject) set.doc(subject.doc.type, subject.doc.country, subject.doc.number);
  else set.add('vehicle', normalizeVin(subject.vin));
  return set.keys;
}

/** What may be logged or shown about a key: its class, never its value. */
export function describeKey(key: MatchKey): { cls: MatchClass } {
  return { cls: key.cls };
}
