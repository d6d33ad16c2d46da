/**
 * The romanisation systems people write names from other scripts in, implemented for the population
 * generator from the systems' own tables (not from Veil's match-key code, which they test):
 *
 * - Russian: ICAO Doc 9303 (2013, passports since 2013), BGN/PCGN 1947, German Duden, French usage.
 * - Ukrainian: KMU 2010 (passports); Bulgarian: Streamlined System 2009; Serbian: Gaj Latin, with and
 *   without diacritics (ICAO: đ → dj).
 * - Greek: ELOT 743 (passports) and common English spellings (c for κ, h for χ, i for υ/η).
 * - Arabic: from a romanisation that keeps long vowels, English passport, English popular,
 *   French/Maghreb and Egyptian conventions.
 * - Latin: without diacritics, German umlaut transcription, Turkish and Vietnamese without their letters.
 */
import type { Rand } from './random.ts';

type Table = Readonly<Record<string, string>>;

const RU_ICAO: Table = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'i',
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
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: 'ie',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
  і: 'i',
  ї: 'i',
  є: 'ie',
  ґ: 'g',
};
const RU_BGN: Table = { ...RU_ICAO, й: 'y', ъ: '', ь: "'", ю: 'yu', я: 'ya', ё: 'ë', ї: 'yi', є: 'ye' };
const RU_DUDEN: Table = {
  ...RU_ICAO,
  в: 'w',
  ж: 'sch',
  з: 's',
  й: 'i',
  х: 'ch',
  ц: 'z',
  ч: 'tsch',
  ш: 'sch',
  щ: 'schtsch',
  ъ: '',
  ю: 'ju',
  я: 'ja',
  ё: 'jo',
};
const RU_FRENCH: Table = {
  ...RU_ICAO,
  ж: 'j',
  х: 'kh',
  ч: 'tch',
  ш: 'ch',
  щ: 'chtch',
  у: 'ou',
  ю: 'iou',
  я: 'ia',
  й: 'ï',
  ъ: '',
  ё: 'io',
};
const UK_KMU: Table = {
  ...RU_ICAO,
  г: 'h',
  ґ: 'g',
  е: 'e',
  є: 'ie',
  и: 'y',
  і: 'i',
  ї: 'i',
  й: 'i',
  х: 'kh',
  щ: 'shch',
  ю: 'iu',
  я: 'ia',
  ь: '',
  "'": '',
  '’': '',
};
const UK_KMU_INITIAL: Table = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };
const BG_STREAMLINED: Table = { ...RU_ICAO, й: 'y', х: 'h', щ: 'sht', ъ: 'a', ь: 'y', ю: 'yu', я: 'ya', ц: 'ts' };
const SR_GAJ: Table = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  ђ: 'đ',
  е: 'e',
  ж: 'ž',
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
  ћ: 'ć',
  у: 'u',
  ф: 'f',
  х: 'h',
  ц: 'c',
  ч: 'č',
  џ: 'dž',
  ш: 'š',
};

const VOWELS = /[аеёиоуыэюяіїєaeiouy]/;

function mapWith(s: string, table: Table, initial?: Table, yeAfterVowel = false): string {
  let out = '';
  let prev = ' ';
  for (const ch of s) {
    const lower = ch.toLowerCase();
    const upper = ch !== lower;
    const atStart = !/\p{L}/u.test(prev) || (yeAfterVowel && VOWELS.test(prev));
    let t = (atStart && initial?.[lower]) || table[lower];
    if (yeAfterVowel && lower === 'е' && atStart) t = 'ye';
    if (yeAfterVowel && lower === 'ё' && atStart) t = 'yo';
    if (t === undefined) t = ch;
    out += upper && t.length > 0 ? t[0]!.toUpperCase() + t.slice(1) : t;
    prev = lower;
  }
  return out;
}

export type CyrillicSystem = 'icao' | 'bgn' | 'duden' | 'french' | 'national';

/** Romanise Cyrillic in a system; `national` is the system of the name's language (uk, bg, sr, else ICAO). */
export function romaniseCyrillic(s: string, system: CyrillicSystem, lang: 'ru' | 'uk' | 'bg' | 'sr'): string {
  if (system === 'national') {
    if (lang === 'uk') return mapWith(s.replace(/зг/g, 'зґг').replace(/ЗГ/g, 'ЗҐГ'), { ...UK_KMU, ґ: 'g', г: 'h' }, UK_KMU_INITIAL).replace(/zgh/g, 'zgh');
    if (lang === 'bg') return mapWith(s, BG_STREAMLINED).replace(/iya\b/g, 'ia');
    if (lang === 'sr') return mapWith(s, SR_GAJ);
    return mapWith(s, RU_ICAO);
  }
  // ICAO Doc 9303 leaves the table to the issuing state: Bulgaria and Ukraine use their national systems
  if (system === 'icao' && (lang === 'bg' || lang === 'uk')) return romaniseCyrillic(s, 'national', lang);
  if (lang === 'sr' && system === 'icao') return stripDiacritics(mapWith(s, SR_GAJ).replace(/đ/g, 'dj').replace(/Đ/g, 'Dj'));
  const table = system === 'icao' ? RU_ICAO : system === 'bgn' ? RU_BGN : system === 'duden' ? RU_DUDEN : RU_FRENCH;
  let out = mapWith(s, table, undefined, system === 'bgn');
  if (system === 'bgn') out = out.replace(/ë/g, 'e');
  if (system === 'duden') out = out.replace(/ij\b/g, 'i').replace(/([aeiou])s([aeiou])/g, '$1ss$2');
  if (system === 'french')
    out = out
      .replace(/ï\b/g, '')
      .replace(/ï/g, 'i')
      .replace(/([aeiou])s([aeiou])/g, '$1ss$2');
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Greek

const EL_BASE: Table = {
  α: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'i',
  θ: 'th',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
};

/** ELOT 743 (`elot`) or common English spellings (`english`). */
export function romaniseGreek(s: string, system: 'elot' | 'english', rand: Rand): string {
  let t = s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
  const lower = t.toLowerCase();
  const caps = t !== lower;
  t = lower
    .replace(/ου/g, system === 'english' && rand() < 0.3 ? 'u' : 'ou')
    .replace(/α[υ](?=[αεηιουωβγδζλμνρ])/g, 'av')
    .replace(/ε[υ](?=[αεηιουωβγδζλμνρ])/g, 'ev')
    .replace(/αυ/g, 'af')
    .replace(/ευ/g, 'ef')
    .replace(/γγ/g, 'ng')
    .replace(/γκ/g, 'gk')
    .replace(/^μπ/g, 'b')
    .replace(/^ντ/g, 'd');
  if (system === 'english') {
    t = t
      .replace(/^gk/, 'g')
      .replace(/κ(?=[αοω])/g, () => (rand() < 0.5 ? 'c' : 'k'))
      .replace(/χ/g, () => (rand() < 0.3 ? 'h' : 'ch'))
      .replace(/υ/g, 'i');
  }
  let out = '';
  for (const c of t) out += EL_BASE[c] ?? c;
  return caps ? out.charAt(0).toUpperCase() + out.slice(1) : out;
}

// ---------------------------------------------------------------------------------------------------
// Arabic

export type ArabicSystem = 'passport' | 'english' | 'french' | 'egyptian';

/**
 * Write an Arabic name from its romanisation (long vowels â î û, ʿayn 3, hamza 2, ḥ H, emphatics
 * S D T) the way a convention does; `rand` picks among the spellings a convention allows.
 */
export function romaniseArabic(roman: string, system: ArabicSystem, rand: Rand): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const apostrophe = system === 'passport' ? '' : pick(['', "'"]);
  let s = roman;
  switch (system) {
    case 'passport':
      s = s.replace(/â/g, 'a').replace(/î/g, 'i').replace(/û/g, 'u');
      break;
    // (e is written for a short a only, and not after ʿayn, hamza, ḥ or the emphatic and uvular
    // consonants, which keep its a quality: Ali, Abd, Hasan, Qasim, Khalid; English writes it in
    // -med: Ahmed, Mohammed)
    case 'english':
      s = s.replace(/(?<=m)a(?=d$)/g, () => pick(['a', 'e']));
      s = s.replace(/u(?=[^aeiouâîû])/g, () => pick(['u', 'o'])).replace(/ay/g, () => pick(['ay', 'ai', 'ei']));
      s = s
        .replace(/â/g, 'a')
        .replace(/î/g, () => pick(['i', 'ee']))
        .replace(/û/g, () => pick(['u', 'oo', 'ou']));
      break;
    case 'french':
      s = s.replace(/(?<![23HSDTqhk]|^|[ -])a(?=[^aeiouâîû]+[aeiouâîû])/g, () => pick(['a', 'e']));
      s = s.replace(/sh/g, 'ch').replace(/j/g, 'dj').replace(/â/g, 'a').replace(/î/g, 'i').replace(/[uû]/g, 'ou').replace(/w/g, 'ou');
      s = s.replace(/ay/g, 'ai');
      break;
    case 'egyptian':
      s = s.replace(/(?<![23HSDTqhk]|^|[ -])a(?=[^aeiouâîû]+[aeiouâîû])/g, () => pick(['a', 'e']));
      s = s.replace(/j/g, 'g').replace(/th/g, 's').replace(/â/g, 'a').replace(/î/g, 'i').replace(/û/g, 'ou');
      break;
    default: {
      const never: never = system;
      throw new Error(`unknown system ${String(never)}`);
    }
  }
  s = s.replace(/[23]/g, apostrophe).replace(/H/g, 'h').replace(/S/g, 's').replace(/D/g, 'd').replace(/T/g, 't');
  return s
    .split(/([ -])/)
    .map((w) => (w === 'al' || w === 'el' ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('');
}

// ---------------------------------------------------------------------------------------------------
// Latin

export function stripDiacritics(s: string): string {
  return s
    .replace(/ß/g, 'ss')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/ı/g, 'i')
    .replace(/ø/g, 'o')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

/** German transcription of umlauts (ä ae, ö oe, ü ue, ß ss), then other diacritics dropped. */
export function germanUmlauts(s: string): string {
  return stripDiacritics(s.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/Ä/g, 'Ae').replace(/Ö/g, 'Oe').replace(/Ü/g, 'Ue'));
}
