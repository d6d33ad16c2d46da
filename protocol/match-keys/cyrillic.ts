/**
 * Cyrillic names: which language's national romanisation a name gets, and those systems.
 *
 * The same Cyrillic letters are read differently by language (г is g in Russian and Bulgarian, h in
 * Ukrainian and Belarusian; и is i in Russian, y in Ukrainian; щ is shch in Russian, sht in
 * Bulgarian), so the national systems cannot be folded into one spelling. The language is chosen by,
 * in order: letters only one language has (Ukrainian ї є ґ, Belarusian ў, Serbian ђ ћ, Macedonian ѓ
 * ќ ѕ, Russian/Belarusian ы э ё, Bulgarian ъ inside a word), then the country that holds the record or
 * of the person's nationality. A name none of these decides gets both the Russian and the Ukrainian
 * reading (the two languages most Cyrillic records in European registers are in).
 *
 * Systems: Russian — the common English-style spelling (any-ascii; BGN/PCGN and ICAO 9303 differ from
 * it only where the skeleton folds them: й y/i, ю yu/iu, я ya/ia); Ukrainian — KMU 2010 (passports);
 * Belarusian — the 2007 national system as used in passports (г h, ў w, і i, ы y); Bulgarian — the
 * 2009 Streamlined System (щ sht, ъ a, х h, -ия -ia); Serbian — Gaj Latin then ICAO ASCII; Macedonian —
 * the national system (ѓ gj, ќ kj, ѕ dz, џ dj).
 */

export const CYRILLIC_LANGUAGES = ['ru', 'uk', 'be', 'bg', 'sr', 'mk'] as const;
export type CyrillicLanguage = (typeof CYRILLIC_LANGUAGES)[number];

const BY_COUNTRY: Readonly<Record<string, CyrillicLanguage>> = {
  RUS: 'ru',
  KAZ: 'ru',
  KGZ: 'ru',
  UKR: 'uk',
  BLR: 'be',
  BGR: 'bg',
  SRB: 'sr',
  MNE: 'sr',
  BIH: 'sr',
  MKD: 'mk',
  XKX: 'sr',
};

/** The languages whose reading a Cyrillic name gets: one when decidable, else Russian and Ukrainian. */
export function cyrillicLanguages(lower: string, country?: string): CyrillicLanguage[] {
  if (/[ѓќѕ]/.test(lower)) return ['mk'];
  if (/[ђћ]/.test(lower)) return ['sr'];
  if (/[љњџј]/.test(lower)) return country === 'MKD' ? ['mk'] : ['sr'];
  if (/[ў]/.test(lower)) return ['be'];
  if (/[їєґ]/.test(lower)) return ['uk'];
  if (/і/.test(lower)) return /[ыэё]/.test(lower) || country === 'BLR' ? ['be'] : ['uk'];
  if (/[ыэё]/.test(lower)) return country === 'BLR' ? ['be'] : ['ru'];
  if (/\p{L}ъ\p{L}/u.test(lower) && !/ъ[еёюя]/.test(lower)) return ['bg'];
  const byCountry = country === undefined ? undefined : BY_COUNTRY[country];
  if (byCountry !== undefined) return [byCountry];
  return ['ru', 'uk'];
}

type Table = Readonly<Record<string, readonly [inside: string, start: string]>>;

const same = (m: Record<string, string>): Table => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [v, v] as const]));

const COMMON: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  д: 'd',
  ж: 'zh',
  з: 'z',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  ь: '',
  ъ: '',
  "'": '',
  '’': '',
  ʼ: '',
};

/** Ukrainian national transliteration (KMU 2010): [elsewhere, at the start of a word]. */
const UKRAINIAN: Table = {
  ...same(COMMON),
  г: ['h', 'h'],
  ґ: ['g', 'g'],
  е: ['e', 'e'],
  є: ['ie', 'ye'],
  и: ['y', 'y'],
  і: ['i', 'i'],
  ї: ['i', 'yi'],
  й: ['i', 'y'],
  х: ['kh', 'kh'],
  щ: ['shch', 'shch'],
  ю: ['iu', 'yu'],
  я: ['ia', 'ya'],
};

const BELARUSIAN: Table = {
  ...same(COMMON),
  г: ['h', 'h'],
  е: ['ie', 'ye'],
  ё: ['io', 'yo'],
  і: ['i', 'i'],
  и: ['i', 'i'],
  й: ['y', 'y'],
  ў: ['w', 'w'],
  ы: ['y', 'y'],
  э: ['e', 'e'],
  х: ['kh', 'kh'],
  ю: ['iu', 'yu'],
  я: ['ia', 'ya'],
};

const BULGARIAN: Table = {
  ...same(COMMON),
  г: ['g', 'g'],
  е: ['e', 'e'],
  и: ['i', 'i'],
  й: ['y', 'y'],
  х: ['h', 'h'],
  щ: ['sht', 'sht'],
  ъ: ['a', 'a'],
  ь: ['y', 'y'],
  ю: ['yu', 'yu'],
  я: ['ya', 'ya'],
};

const SERBIAN: Table = same({
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  ђ: 'dj',
  е: 'e',
  ж: 'z',
  з: 'z',
  и: 'i',
  ј: 'j',
  к: 'k',
  л: 'l',
  љ: 'lj',
  м: 'm',
  н: 'n',
  њ: 'nj',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  ћ: 'c',
  у: 'u',
  ф: 'f',
  х: 'h',
  ц: 'c',
  ч: 'c',
  џ: 'dz',
  ш: 's',
});

const MACEDONIAN: Table = same({
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  ѓ: 'gj',
  е: 'e',
  ж: 'zh',
  з: 'z',
  ѕ: 'dz',
  и: 'i',
  ј: 'j',
  к: 'k',
  л: 'l',
  љ: 'lj',
  м: 'm',
  н: 'n',
  њ: 'nj',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  ќ: 'kj',
  у: 'u',
  ф: 'f',
  х: 'h',
  ц: 'c',
  ч: 'ch',
  џ: 'dj',
  ш: 'sh',
});

const TABLES: Readonly<Record<Exclude<CyrillicLanguage, 'ru'>, Table>> = {
  uk: UKRAINIAN,
  be: BELARUSIAN,
  bg: BULGARIAN,
  sr: SERBIAN,
  mk: MACEDONIAN,
};

const LETTER = /\p{L}/u;
const APOSTROPHE = /['’ʼ]/;

/**
 * Romanise the Cyrillic letters of a lower-cased string in a language's system (Russian is left to
 * any-ascii by the caller); other characters pass through.
 */
export function romaniseCyrillic(s: string, lang: Exclude<CyrillicLanguage, 'ru'>): string {
  const table = TABLES[lang];
  let out = '';
  let prev = '';
  for (const c of s) {
    const t = table[c];
    if (t === undefined) out += c;
    else if (lang === 'uk' && c === 'г' && prev === 'з') out += 'gh';
    else out += prev !== '' && LETTER.test(prev) ? t[0] : t[1];
    // an apostrophe inside a word is not a word boundary
    if (!APOSTROPHE.test(c)) prev = c;
  }
  // Bulgarian Streamlined System: a final -ия is -ia
  return lang === 'bg' ? out.replace(/iya\b/g, 'ia') : out;
}
