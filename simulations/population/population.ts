/**
 * A seeded population of persons with multi-script names, sex, dates of birth and passports, and the
 * records countries hold about them. Ground truth (which person a record or query is about) is kept
 * apart from the records, in `Person.id`, so a simulator can score hits.
 *
 * - Persons belong to a naming culture (`culture.ts`) and live in one of 15 countries, each with a
 *   native culture and immigrant communities in realistic proportions (`COUNTRIES`).
 * - Surnames follow the cultures' real frequency distributions (the top names with their share, a
 *   long tail of rare names built from roots and suffixes); given names follow a Zipf law.
 * - Dates of birth are spread over 1945–2008; a share of persons from Arabic-naming countries are
 *   registered as born on 1 January, as they often are when the day is unknown.
 * - A country's record of a person is written in the country's script when the person's name is in
 *   it (Cyrillic in Ukraine, Bulgaria and Serbia, Greek in Greece, Arabic in Jordan and Israel, Hebrew
 *   in Israel, characters in Singapore, in one field half of the time) and otherwise in the spelling
 *   of the person's passport (`passportName`).
 */
import type { CultureData, CultureId, Script } from './culture.ts';
import { DUTCH, FRENCH, GERMAN, ITALIAN, PORTUGUESE, SPANISH } from './cultures-latin.ts';
import { HUNGARIAN, IRISH, LITHUANIAN, POLISH, TURKISH, VIETNAMESE } from './cultures-latin-other.ts';
import { ARABIC, BULGARIAN, CHINESE, GREEK, HEBREW, RUSSIAN, SERBIAN, UKRAINIAN } from './cultures-other.ts';
import { cumulative, pick, type Rand, randFor, weighted, zipf } from './random.ts';
import { romaniseArabic, romaniseCyrillic, romaniseGreek } from './romanise.ts';

export const CULTURES: Readonly<Record<CultureId, CultureData>> = {
  de: GERMAN,
  fr: FRENCH,
  es: SPANISH,
  pt: PORTUGUESE,
  it: ITALIAN,
  nl: DUTCH,
  pl: POLISH,
  hu: HUNGARIAN,
  lt: LITHUANIAN,
  ie: IRISH,
  tr: TURKISH,
  vi: VIETNAMESE,
  ru: RUSSIAN,
  uk: UKRAINIAN,
  bg: BULGARIAN,
  sr: SERBIAN,
  el: GREEK,
  ar: ARABIC,
  he: HEBREW,
  zh: CHINESE,
};

export interface CountrySpec {
  readonly code: string;
  /** Scripts the country's records use for names written in them (Latin always). */
  readonly scripts: readonly Script[];
  /** Culture → per cent of the persons the country holds. */
  readonly mix: Readonly<Partial<Record<CultureId, number>>>;
}

export const COUNTRIES: readonly CountrySpec[] = [
  {
    code: 'DEU',
    scripts: ['latin'],
    mix: { de: 80, tr: 5, pl: 3, ru: 2.5, ar: 3, uk: 1.2, it: 1, el: 0.7, vi: 0.7, sr: 0.7, zh: 0.5, es: 0.4, fr: 0.4, lt: 0.3, hu: 0.3, nl: 0.2, he: 0.1 },
  },
  {
    code: 'FRA',
    scripts: ['latin'],
    mix: { fr: 84, ar: 7, pt: 2, es: 1, it: 1, tr: 1, vi: 0.8, zh: 0.8, ru: 0.5, pl: 0.5, de: 0.3, he: 0.3, ie: 0.3, uk: 0.5 },
  },
  { code: 'ESP', scripts: ['latin'], mix: { es: 90, ar: 3, pt: 1, fr: 1, de: 1, it: 1, zh: 1, uk: 1, ru: 0.5, ie: 0.5 } },
  { code: 'ITA', scripts: ['latin'], mix: { it: 92, ar: 2.5, uk: 1.2, zh: 1, es: 0.5, fr: 0.5, de: 0.5, sr: 0.5, el: 0.5, tr: 0.5, pl: 0.3 } },
  { code: 'NLD', scripts: ['latin'], mix: { nl: 85, tr: 3, ar: 4, de: 2, pl: 2, pt: 1, it: 1, vi: 0.5, zh: 0.5, ie: 0.5, lt: 0.5 } },
  { code: 'POL', scripts: ['latin'], mix: { pl: 95, uk: 2.5, ru: 0.6, de: 0.5, vi: 0.5, lt: 0.5, bg: 0.2, tr: 0.2 } },
  { code: 'HUN', scripts: ['latin'], mix: { hu: 96, de: 1, sr: 1, vi: 0.5, zh: 0.5, uk: 0.5, tr: 0.5 } },
  { code: 'GRC', scripts: ['latin', 'greek'], mix: { el: 93, ar: 2, bg: 2, ru: 1, tr: 1, it: 0.5, sr: 0.5 } },
  { code: 'BGR', scripts: ['latin', 'cyrillic'], mix: { bg: 92, tr: 4, ru: 2, el: 1, uk: 1 } },
  { code: 'UKR', scripts: ['latin', 'cyrillic'], mix: { uk: 80, ru: 17, bg: 1, pl: 1, he: 0.5, tr: 0.5 } },
  { code: 'SRB', scripts: ['latin', 'cyrillic'], mix: { sr: 95, hu: 2, bg: 1, ru: 1, zh: 0.5, el: 0.5 } },
  { code: 'TUR', scripts: ['latin'], mix: { tr: 93, ar: 4, ru: 1, bg: 1, el: 0.5, uk: 0.5 } },
  { code: 'ISR', scripts: ['latin', 'hebrew', 'arabic'], mix: { he: 75, ar: 20, ru: 4, uk: 1 } },
  { code: 'JOR', scripts: ['latin', 'arabic'], mix: { ar: 98, ru: 1, tr: 1 } },
  { code: 'SGP', scripts: ['latin', 'han'], mix: { zh: 85, vi: 5, ie: 5, ar: 5 } },
];

/** A name in its own script, with what romanisation needs (`culture.ts`). */
export interface Piece {
  readonly native: string;
  /** Arabic romanisation, Chinese pinyin, or Hebrew Latin spellings (comma-separated). */
  readonly roman?: string;
}

export interface Person {
  readonly id: number;
  readonly culture: CultureId;
  readonly country: string;
  readonly sex: 'M' | 'F';
  readonly dob: { readonly y: number; readonly m: number; readonly d: number };
  readonly given: readonly Piece[];
  /** East Slavic and Bulgarian patronymic; the father's given name in an Arabic name chain. */
  readonly patronymic?: Piece;
  /** Surnames (two for Spanish and Portuguese); particles are part of the surname's text. */
  readonly family: readonly Piece[];
  readonly passport: string;
}

function piece(entry: string): Piece {
  const [native, roman] = entry.split('|');
  return roman === undefined ? { native: native! } : { native: native!, roman };
}

/** Masculine or feminine form of a `masc/fem` entry (applied per word of a name, and to both fields). */
function gendered(entry: string, sex: 'M' | 'F'): string {
  return entry.replace(/([^\s|/]+)\/([^\s|]+)/g, (_m, m: string, f: string) => (sex === 'M' ? m : f));
}

interface Sampler {
  readonly surnames: Float64Array;
  readonly tail: number;
  readonly givenM: Float64Array;
  readonly givenF: Float64Array;
}

const samplers = new Map<CultureId, Sampler>();

function sampler(c: CultureData): Sampler {
  let s = samplers.get(c.id);
  if (s === undefined) {
    const listed = c.surnames.reduce((t, [, share]) => t + share, 0);
    s = {
      surnames: cumulative([...c.surnames.map(([, share]) => share), Math.max(0, 100 - listed)]),
      tail: c.surnames.length,
      givenM: cumulative(zipf(c.given.M.length)),
      givenF: cumulative(zipf(c.given.F.length)),
    };
    samplers.set(c.id, s);
  }
  return s;
}

/** Arabic root letters with their romanisation, for the tail of family names (nisbas). */
const ARABIC_LETTERS: ReadonlyArray<readonly [string, string]> = [
  ['ب', 'b'],
  ['ت', 't'],
  ['ج', 'j'],
  ['ح', 'H'],
  ['خ', 'kh'],
  ['د', 'd'],
  ['ر', 'r'],
  ['ز', 'z'],
  ['س', 's'],
  ['ش', 'sh'],
  ['ع', '3'],
  ['ف', 'f'],
  ['ق', 'q'],
  ['ك', 'k'],
  ['ل', 'l'],
  ['م', 'm'],
  ['ن', 'n'],
  ['ه', 'h'],
  ['و', 'w'],
  ['ي', 'y'],
];

/** A rare family name: in Arabic a nisba on a random three-letter root, elsewhere root (+ root) + suffix. */
function tailSurname(c: CultureData, rand: Rand, sex: 'M' | 'F'): Piece {
  if (c.id === 'ar') {
    const [a, b, d] = [pick(rand, ARABIC_LETTERS), pick(rand, ARABIC_LETTERS), pick(rand, ARABIC_LETTERS)];
    return rand() < 0.5
      ? { native: `ال${a[0]}${b[0]}${d[0]}ي`, roman: `al-${a[1]}a${b[1]}a${d[1]}î` }
      : { native: `ال${a[0]}${b[0]}ا${d[0]}ي`, roman: `al-${a[1]}a${b[1]}â${d[1]}î` };
  }
  const root = piece(pick(rand, c.tail.roots));
  // (few roots: always two, so that rare names stay rare)
  const second = c.script === 'han' || (c.tail.roots.length >= 20 && rand() < 0.5) ? undefined : piece(pick(rand, c.tail.roots));
  const suffix = piece(gendered(pick(rand, c.tail.suffixes), sex));
  const mid = second === undefined ? '' : second.native.toLowerCase();
  const native = root.native + mid + suffix.native;
  return root.roman === undefined ? { native } : { native, roman: root.roman + (second?.roman?.toLowerCase() ?? '') + (suffix.roman ?? '') };
}

function surname(c: CultureData, rand: Rand, sex: 'M' | 'F'): Piece {
  const s = sampler(c);
  const i = weighted(rand, s.surnames);
  return i < s.tail ? piece(gendered(c.surnames[i]![0], sex)) : tailSurname(c, rand, sex);
}

/**
 * Share of given names drawn from the culture's list (by a Zipf law); the rest are rarer names, built
 * from the first half of one listed name and the second half of another. Arabic, Vietnamese and
 * Hebrew given names are concentrated on few names; Chinese ones combine characters freely.
 */
const LISTED_GIVEN: Partial<Record<CultureId, number>> = { ar: 0.95, vi: 0.95, he: 1, zh: 1, tr: 0.6 };

function givenName(c: CultureData, rand: Rand, sex: 'M' | 'F'): Piece {
  const s = sampler(c);
  const list = sex === 'M' ? c.given.M : c.given.F;
  const draw = () => piece(list[weighted(rand, sex === 'M' ? s.givenM : s.givenF)]!);
  if (c.id === 'zh') {
    const chars = list.map(piece).filter((x) => x.native.length === 1);
    const a = pick(rand, chars);
    const b = pick(rand, chars);
    return rand() < 0.3 ? a : { native: a.native + b.native, roman: `${a.roman ?? ''}${b.roman ?? ''}` };
  }
  if (rand() < (LISTED_GIVEN[c.id] ?? 0.4) || c.script === 'arabic' || c.script === 'hebrew') return draw();
  const a = pick(rand, list).split(' ')[0]!;
  const b = pick(rand, list).split(' ')[0]!;
  const head = a.slice(0, Math.ceil(a.length / 2));
  const tail = b.slice(Math.ceil(b.length / 2));
  return { native: head + tail.toLowerCase() };
}

const PATRONYMIC: Readonly<Record<'ru' | 'uk' | 'bg', (father: string, sex: 'M' | 'F') => string>> = {
  ru: (f, sex) => {
    const base = f.replace(/ий$/, 'и').replace(/й$/, '');
    const soft = /[ий]$/.test(f);
    if (/[ая]$/.test(f)) return f.slice(0, -1) + (sex === 'M' ? 'ич' : 'ична');
    return base + (soft ? (sex === 'M' ? 'евич' : 'евна') : sex === 'M' ? 'ович' : 'овна');
  },
  uk: (f, sex) => {
    const base = f.replace(/о$/, '');
    if (/[ая]$/.test(f)) return f.slice(0, -1) + (sex === 'M' ? 'ич' : 'івна');
    return base + (/[йь]$/.test(f) ? (sex === 'M' ? 'ович' : 'ївна') : sex === 'M' ? 'ович' : 'івна');
  },
  bg: (f, sex) => f.replace(/[аъ]р$/, 'р').replace(/и$/, '') + (/и$/.test(f) ? 'ев' : 'ов') + (sex === 'F' ? 'а' : ''),
};

/** One person, drawn deterministically from its id and the population seed. */
export function makePerson(seed: number, id: number, culture: CultureId, country: string): Person {
  const rand = randFor(seed, `person:${id}`);
  const c = CULTURES[culture];
  const sex = rand() < 0.5 ? 'M' : 'F';
  const y = 1945 + Math.floor(((rand() + rand() + rand()) / 3) * 64);
  const jan1 = culture === 'ar' && rand() < 0.12;
  const m = jan1 ? 1 : 1 + Math.floor(rand() * 12);
  const d = jan1 ? 1 : 1 + Math.floor(rand() * daysIn(y, m));
  const given: Piece[] = [givenName(c, rand, sex)];
  if (c.middle !== undefined) given.unshift(piece(pick(rand, sex === 'M' ? c.middle.M : c.middle.F)));
  else if (c.script === 'latin' && culture !== 'tr' && culture !== 'hu' && rand() < 0.3) {
    const second = givenName(c, rand, sex);
    if (second.native !== given[0]!.native) given.push(second);
  }
  const family: Piece[] = [surname(c, rand, sex)];
  if (c.doubleSurname === true) family.push(surname(c, rand, sex));
  else if ((culture === 'de' || culture === 'fr') && rand() < 0.03) {
    const second = surname(c, rand, sex);
    family[0] = { native: `${family[0]!.native}-${second.native}` };
  }
  let patronymic: Piece | undefined;
  if (c.patronymic === true && (culture === 'ru' || culture === 'uk' || culture === 'bg')) {
    patronymic = { native: PATRONYMIC[culture](givenName(c, rand, 'M').native, sex) };
  } else if (c.nameChain === true) patronymic = givenName(c, rand, 'M');
  const passport = passportNumber(rand);
  return { id, culture, country, sex, dob: { y, m, d }, given, ...(patronymic === undefined ? {} : { patronymic }), family, passport };
}

const DOC_ALPHABET = 'CFGHJKLMNPRTVWXYZ0123456789OISB';

function passportNumber(rand: Rand): string {
  let s = '';
  for (let i = 0; i < 9; i++) s += DOC_ALPHABET[Math.floor(rand() * DOC_ALPHABET.length)];
  return s;
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** `count` persons living in a country, cultures drawn from its mix; ids start at `firstId`. */
export function* countryPersons(seed: number, country: CountrySpec, count: number, firstId: number): Generator<Person> {
  const cultures = Object.keys(country.mix) as CultureId[];
  const cum = cumulative(cultures.map((c) => country.mix[c] ?? 0));
  const rand = randFor(seed, `country:${country.code}`);
  for (let i = 0; i < count; i++) yield makePerson(seed, firstId + i, cultures[weighted(rand, cum)]!, country.code);
}

// ---------------------------------------------------------------------------------------------------
// Writing names

export type LatinSystem = 'passport' | 'icao' | 'bgn' | 'duden' | 'french' | 'national' | 'elot' | 'english' | 'egyptian';

const CYRILLIC_LANG: Partial<Record<CultureId, 'ru' | 'uk' | 'bg' | 'sr'>> = { ru: 'ru', uk: 'uk', bg: 'bg', sr: 'sr' };

/** A name piece in Latin script, in a romanisation system (native Latin names are returned as written). */
export function latin(p: Piece, culture: CultureId, system: LatinSystem, rand: Rand): string {
  const c = CULTURES[culture];
  switch (c.script) {
    case 'latin':
      return p.native;
    case 'cyrillic': {
      const lang = CYRILLIC_LANG[culture] ?? 'ru';
      const sys =
        system === 'passport'
          ? lang === 'ru'
            ? 'icao'
            : 'national'
          : system === 'bgn' || system === 'duden' || system === 'french' || system === 'icao' || system === 'national'
            ? system
            : 'icao';
      return romaniseCyrillic(p.native, sys, lang);
    }
    case 'greek':
      return romaniseGreek(p.native, system === 'english' ? 'english' : 'elot', rand);
    case 'arabic':
      return romaniseArabic(p.roman ?? '', system === 'french' || system === 'english' || system === 'egyptian' ? system : 'passport', rand);
    case 'hebrew': {
      const spellings = (p.roman ?? p.native).split(',');
      return system === 'passport' ? spellings[0]! : pick(rand, spellings);
    }
    case 'han':
      return capital((p.roman ?? '').replace(/\s+/g, ''));
    default: {
      const never: never = c.script;
      throw new Error(`unknown script ${String(never)}`);
    }
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Given and family names as the person's passport spells them: no patronymic (international
 * passports of Russia, Ukraine and Bulgaria leave it out), the father's name in an Arabic name chain.
 */
export function passportName(p: Person, rand: Rand = () => 0, system: LatinSystem = 'passport'): { given: string; family: string } {
  const given = p.given.map((g) => latin(g, p.culture, system, rand));
  if (p.culture === 'ar' && p.patronymic !== undefined) given.push(latin(p.patronymic, p.culture, system, rand));
  const fam = p.family.map((f) => latin(f, p.culture, system, rand));
  return { given: given.join(' '), family: fam.join(' ') };
}

/** The person's name in its own script, as fields. */
export function nativeName(p: Person): { given: string; family: string } {
  const given = [...p.given.map((g) => g.native), ...(p.patronymic === undefined ? [] : [p.patronymic.native])];
  return { given: given.join(p.culture === 'zh' ? '' : ' '), family: p.family.map((f) => f.native).join(' ') };
}

/** The record a country holds about a person (what its node imports), without ground truth. */
export interface HeldPerson {
  readonly given?: string;
  readonly family: string;
  readonly dob: string;
  readonly sex?: 'M' | 'F';
  readonly nationality?: string;
}

const SCRIPT_OF: Readonly<Record<CultureId, Script>> = Object.fromEntries(Object.values(CULTURES).map((c) => [c.id, c.script])) as Record<CultureId, Script>;

/** How `country` records `p`: native script if the country writes it, else the passport spelling. */
export function heldPerson(p: Person, country: CountrySpec, seed: number): HeldPerson {
  const rand = randFor(seed, `held:${country.code}:${p.id}`);
  const native = country.scripts.includes(SCRIPT_OF[p.culture]) && SCRIPT_OF[p.culture] !== 'latin';
  const name = native ? nativeName(p) : passportName(p, rand);
  const pad = (n: number) => String(n).padStart(2, '0');
  const yearOnly = rand() < (p.culture === 'ar' ? 0.05 : 0.01);
  const dob = yearOnly ? String(p.dob.y) : `${p.dob.y}-${pad(p.dob.m)}-${pad(p.dob.d)}`;
  const sex = rand() < 0.95 ? p.sex : undefined;
  // Chinese names in characters: in one field, family name first, half of the time
  if (native && p.culture === 'zh' && rand() < 0.5) return { family: `${name.family}${name.given}`, dob, ...(sex === undefined ? {} : { sex }) };
  return { given: name.given, family: name.family, dob, ...(sex === undefined ? {} : { sex }) };
}
