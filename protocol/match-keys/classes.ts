/**
 * The match classes: what each key says when it meets, how strong that is, and the words the SDK and
 * CLI use for a hit. A hit in Veil is the equality of one blinded key; which of the analyst's keys met
 * is known to the analyst's SDK alone (the node sees blinded elements, the coordinator tags), so
 * reporting the strength of a hit discloses nothing new.
 *
 * The four original classes keep their names (node sharing policies name them).
 */

export const MATCH_CLASSES = [
  'doc',
  'name_dob',
  'phonetic_yob',
  'vehicle',
  'name_part_dob',
  'nickname_dob',
  'phonetic_dob',
  'name_ym',
  'name_yob',
  'doc_fuzzy',
] as const;
export type MatchClass = (typeof MATCH_CLASSES)[number];

/** Strength levels, strongest first. */
export const STRENGTHS = ['exact', 'strong', 'good', 'fair', 'weak'] as const;
export type Strength = (typeof STRENGTHS)[number];

export interface MatchClassInfo {
  /** Rank among classes, 1 = strongest; a hit is described by its strongest class. */
  readonly rank: number;
  readonly strength: Strength;
  /** What met, in words an analyst reads. */
  readonly words: string;
  /** True for the classes whose keys include the full date of birth. */
  readonly fullDob: boolean;
}

export const MATCH_CLASS_INFO = {
  doc: { rank: 1, strength: 'exact', words: 'document number', fullDob: false },
  vehicle: { rank: 1, strength: 'exact', words: 'vehicle identification number', fullDob: false },
  name_dob: { rank: 2, strength: 'strong', words: 'full name and date of birth', fullDob: true },
  name_part_dob: { rank: 3, strength: 'good', words: 'surname, one given name and date of birth', fullDob: true },
  doc_fuzzy: { rank: 4, strength: 'good', words: 'document number with a misread character (O/0, I/1, S/5, B/8, Z/2)', fullDob: false },
  name_ym: { rank: 5, strength: 'good', words: 'full name, month and year of birth', fullDob: false },
  nickname_dob: { rank: 6, strength: 'fair', words: 'nickname, surname and date of birth', fullDob: true },
  phonetic_dob: { rank: 7, strength: 'fair', words: 'sounds alike, same date of birth', fullDob: true },
  name_yob: { rank: 8, strength: 'fair', words: 'full name, same year of birth', fullDob: false },
  phonetic_yob: { rank: 9, strength: 'weak', words: 'sounds alike, same year', fullDob: false },
} as const satisfies Record<MatchClass, MatchClassInfo>;

/** The classes that include the full date of birth. */
export const FULL_DOB_CLASSES: readonly MatchClass[] = MATCH_CLASSES.filter((c) => MATCH_CLASS_INFO[c].fullDob);

/** One of the analyst's keys that met: its class and, for an ambiguous date, the reading it was made from. */
export interface MetKey {
  readonly cls: MatchClass;
  readonly reading?: 'as-written' | 'day-first' | 'month-first' | undefined;
}

export interface MatchDescription {
  /** The strongest class that met. */
  readonly cls: MatchClass;
  readonly strength: Strength;
  /** E.g. "surname, one given name and date of birth (date read month first)". */
  readonly words: string;
  /** Every class that met, strongest first, without repeats. */
  readonly classes: readonly MatchClass[];
  /** The reading of an ambiguous date that met, when the query had two. */
  readonly reading?: 'day-first' | 'month-first';
}

/**
 * Describe a hit from the keys of the analyst's query that met at one record (or one country):
 * the strongest class decides the strength and the words. Throws on an empty list.
 */
export function describeMatch(met: ReadonlyArray<MatchClass | MetKey>): MatchDescription {
  const keys = met.map((m): MetKey => (typeof m === 'string' ? { cls: m } : m));
  if (keys.length === 0) throw new Error('describeMatch needs at least one key that met');
  const classes = [...new Set(keys.map((k) => k.cls))].sort((a, b) => MATCH_CLASS_INFO[a].rank - MATCH_CLASS_INFO[b].rank);
  const best = classes[0]!;
  const info = MATCH_CLASS_INFO[best];
  const readings = new Set(keys.filter((k) => k.cls === best && (k.reading === 'day-first' || k.reading === 'month-first')).map((k) => k.reading));
  const reading = readings.size === 1 ? ([...readings][0] as 'day-first' | 'month-first') : undefined;
  const words = reading === undefined ? info.words : `${info.words} (date read ${reading === 'day-first' ? 'day first' : 'month first'})`;
  return { cls: best, strength: info.strength, words, classes, ...(reading === undefined ? {} : { reading }) };
}
