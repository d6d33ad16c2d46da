/**
 * The shape of a culture's naming data (see `cultures-latin.ts`, `cultures-latin-other.ts` and `cultures-other.ts`).
 *
 * Names are written in the culture's own script. Where that script is not Latin, an entry may carry
 * after `|` what the generator needs to romanise it as people do: for Arabic a romanisation that
 * keeps long vowels (â î û), ʿayn (3), hamza (2), ḥ (H) and the emphatics (S D T); for Chinese the pinyin of each character; for
 * Hebrew the Latin spellings in use. A feminine surname form follows after `/`.
 */

export const CULTURE_IDS = ['de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'hu', 'lt', 'ie', 'tr', 'vi', 'ru', 'uk', 'bg', 'sr', 'el', 'ar', 'he', 'zh'] as const;
export type CultureId = (typeof CULTURE_IDS)[number];

export type Script = 'latin' | 'cyrillic' | 'greek' | 'arabic' | 'hebrew' | 'han';

export interface CultureData {
  readonly id: CultureId;
  readonly script: Script;
  /** Family name written first (Hungarian, Vietnamese, Chinese). */
  readonly familyFirst?: boolean;
  /** Two surnames (father's, mother's: Spanish; mother's, father's: Portuguese). */
  readonly doubleSurname?: boolean;
  /** Patronymic between given and family name (East Slavic, Bulgarian): built from the father's name. */
  readonly patronymic?: boolean;
  /** Arabic name chain: given name, father's given name, family name. */
  readonly nameChain?: boolean;
  /** [surname, share of the population in per cent]; the rest of the population has tail surnames. */
  readonly surnames: ReadonlyArray<readonly [string, number]>;
  /** Rare surnames are built as root + suffix (a `/` in a suffix gives the feminine ending). */
  readonly tail: { readonly roots: readonly string[]; readonly suffixes: readonly string[] };
  /** Given names by sex, most frequent first (drawn with a Zipf law of exponent 1). */
  readonly given: { readonly M: readonly string[]; readonly F: readonly string[] };
  /** Vietnamese middle names (Văn, Thị…). */
  readonly middle?: { readonly M: readonly string[]; readonly F: readonly string[] };
  readonly particles: readonly string[];
}
