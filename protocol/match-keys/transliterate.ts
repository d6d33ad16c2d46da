/**
 * Transliteration of a (NFKC, lower-cased) name to ASCII.
 *
 * The bulk of the work is any-ascii (https://anyascii.com), a per-code-point table covering every
 * script. A per-code-point table cannot know context or national conventions, so a few scripts get a
 * pre-pass that rewrites them into Latin the way their own documents do before any-ascii sees them:
 *
 * - Greek: ELOT 743 / ISO 843 (the romanization on Greek passports) for the digraphs any-ascii renders
 *   letter by letter: ου → ou (not "oy"), αυ/ευ/ηυ → av/ev/iv before vowels and voiced consonants and
 *   af/ef/if otherwise, γγ → ng, γξ → nx, γχ → nch.
 * - Cyrillic: the national system of the name's language (`cyrillic.ts`: Russian, Ukrainian KMU 2010,
 *   Belarusian, Bulgarian Streamlined, Serbian Gaj/ICAO, Macedonian); the caller asks for each
 *   candidate language when the language is not decided by the letters (`cyrillicLanguages`).
 * - Chinese and Korean characters (`cjk.ts`): family name first, given name as one word.
 * - Hebrew: like Arabic, letters that stand for vowels come out as vowels (vav o/v, yod i/y, alef and
 *   ayin a at the start of a word, a final he a), niqqud removed.
 * - Arabic and Hebrew words listed in `data/` come out as the name's first Latin spelling, so they
 *   meet Latin records exactly (`name-symbols.ts`).
 * - Arabic (and Persian letters): Arabic script writes no short vowels, so no transliteration can
 *   restore "Mohamed" from محمد; what we can do is make the letters that stand for vowels come out as
 *   vowels, which is what the phonetic class needs: alif and alif-with-hamza → a/i, alif maqsura and
 *   ta marbuta → a, waw → u (French writes Ou- for an initial w), ya → y at the start of a word and i inside it
 *   (`name-parts.ts` adds a reading with waw and ya as the consonants w and y), ʿayn → a at the start of a
 *   word (Ali, Omar, Abdelaziz) and nothing inside it, bare hamza → nothing. The article ال is split off
 *   as its own token "al", and a solid عبدال… is split into "abd al …", as Latin spellings do. Written
 *   short vowels (harakat) are removed, so vocalized and unvocalized spellings give the same string.
 * - Latin: đ → dj (ICAO / Serbo-Croatian practice) unless the name is Vietnamese (recognised by its
 *   letters ă ơ ư and the precomposed Vietnamese vowels), where đ → d; the Catalan middle dot (l·l)
 *   is dropped instead of becoming a hyphen.
 *
 * What this cannot do is listed in docs/records.md ("Limits of transliteration and phonetics").
 */
import anyAscii from 'any-ascii';
import { EAST_ASIAN, romaniseEastAsian } from './cjk.ts';
import { type CyrillicLanguage, cyrillicLanguages, romaniseCyrillic } from './cyrillic.ts';
import { listedSpelling } from './name-symbols.ts';

const NON_ASCII = /[^\p{ASCII}]/u;
const GREEK = /[\u0370-\u03ff\u1f00-\u1fff]/;
const CYRILLIC = /[\u0400-\u04ff]/;
const ARABIC = /[\u0600-\u06ff\u0750-\u077f]/;
const HEBREW = /[\u0590-\u05ff]/;
const VIETNAMESE = /[ăơư\u1ea0-\u1ef9]/;

export interface TransliterateOptions {
  /** The Cyrillic language whose system to use (see `cyrillic.ts`); default: Russian-style. */
  readonly cyrillic?: CyrillicLanguage | undefined;
  /** Whether Chinese or Korean characters at the start begin with the family name (default true). */
  readonly splitFamily?: boolean | undefined;
  /** Greek χ as h (the common English spelling: Hatzidakis) instead of ELOT's ch. */
  readonly greekChiAsH?: boolean | undefined;
  /**
   * Arabic waw and ya inside a word as the consonants w and y (Sawami, Tawashi) instead of the long
   * vowels u and i, and jim as the Egyptian g: Arabic script does not say which.
   */
  readonly arabicConsonantal?: boolean | undefined;
  /** With `arabicConsonantal`: jim as the Egyptian g (else j). */
  readonly arabicJimAsG?: boolean | undefined;
}

/** Transliterate a lower-cased NFKC string to lower-case ASCII (other characters left for the caller). */
export function transliterate(lower: string, opts: TransliterateOptions = {}): string {
  if (!NON_ASCII.test(lower)) return lower;
  let s = lower;
  if (EAST_ASIAN.test(s)) s = romaniseEastAsian(s, opts.splitFamily ?? true);
  if (GREEK.test(s)) s = greek(opts.greekChiAsH === true ? s.replace(/χ/g, 'h') : s);
  if (CYRILLIC.test(s)) {
    const lang = opts.cyrillic ?? cyrillicLanguages(s)[0] ?? 'ru';
    if (lang !== 'ru') s = romaniseCyrillic(s, lang);
  }
  if (ARABIC.test(s)) s = arabic(s, opts.arabicConsonantal === true ? (opts.arabicJimAsG === true ? 'g' : 'j') : undefined);
  if (HEBREW.test(s)) s = hebrew(s);
  if (s.includes('đ')) s = s.replaceAll('đ', VIETNAMESE.test(s) ? 'd' : 'dj');
  if (s.includes('·')) s = s.replaceAll('·', '');
  return anyAscii(s).toLowerCase();
}

// ---------------------------------------------------------------------------------------------------
// Greek (ELOT 743)

const GREEK_VOICED_OR_VOWEL = /[αάεέηήιίϊΐοόυύϋΰωώβγδζλμνρ]/;

function greek(s: string): string {
  return s
    .replace(/(^|[^\p{L}])μπ/gu, '$1b')
    .replace(/(^|[^\p{L}])ντ/gu, '$1d')
    .replace(/(^|[^\p{L}])γκ/gu, '$1g')
    .replace(/[οό][υύ]/g, 'ou')
    .replace(/([αάεέηή])[υύ](?=(.?))/g, (_m, v: string, next: string) => {
      const base = v === 'α' || v === 'ά' ? 'a' : v === 'ε' || v === 'έ' ? 'e' : 'i';
      return base + (next !== '' && GREEK_VOICED_OR_VOWEL.test(next) ? 'v' : 'f');
    })
    .replace(/γγ/g, 'ng')
    .replace(/γξ/g, 'nx')
    .replace(/γχ/g, 'nch');
}

// ---------------------------------------------------------------------------------------------------
// Arabic

/** A run of Arabic letters (marks are removed first; punctuation such as ، separates words). */
const ARABIC_WORD = /[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06fc\u06ff\u0750-\u077f]+/g;

/** Letters whose reading depends only on whether they start a word: [inside, at the start]. */
const ARABIC_VOWEL_LETTERS: Readonly<Record<string, readonly [string, string]>> = {
  ا: ['a', 'a'],
  أ: ['a', 'a'],
  إ: ['i', 'i'],
  آ: ['a', 'a'],
  ٱ: ['a', 'a'],
  ى: ['a', 'a'],
  ة: ['a', 'a'],
  ء: ['', ''],
  ؤ: ['u', 'u'],
  ئ: ['i', 'i'],
  ع: ['', 'a'],
  و: ['u', 'u'],
  ي: ['i', 'y'],
  ی: ['i', 'y'],
};

/** Short-vowel and other marks (harakat, shadda, sukun, superscript alif) and the tatweel. */
const ARABIC_MARKS = /[\u0640\u064b-\u065f\u0670\u06d6-\u06ed]/g;

function arabic(s: string, consonantal?: 'j' | 'g'): string {
  return s.replace(ARABIC_MARKS, '').replace(ARABIC_WORD, (word) => {
    if (word === 'الله') return 'allah';
    const listed = listedSpelling(word);
    if (listed !== undefined) return listed;
    // solid "ʿabd al-…" compounds are written as two or three words in Latin script
    if (word.startsWith('عبدال') && word.length > 5) return `abd ${arabic(word.slice(3), consonantal)}`;
    // the definite article is its own token, as in "al-Hashimi"
    if (word.startsWith('ال') && word.length > 3) return `al ${listedSpelling(word.slice(2)) ?? arabicWord(word.slice(2), consonantal)}`;
    return arabicWord(word, consonantal);
  });
}

function arabicWord(word: string, consonantal?: 'j' | 'g'): string {
  let out = '';
  const letters = [...word];
  letters.forEach((c, i) => {
    const inside = i > 0 && i < letters.length - 1;
    if (consonantal !== undefined && (inside || i === 0) && (c === 'و' || c === 'ي')) out += c === 'و' ? 'w' : 'y';
    else if (consonantal === 'g' && c === 'ج') out += 'g';
    else {
      const t = ARABIC_VOWEL_LETTERS[c];
      out += t === undefined ? c : t[i === 0 ? 1 : 0];
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Hebrew

/** Letters read as vowels, as in Arabic: [inside a word, at its start]; the rest go to any-ascii. */
const HEBREW_LETTERS: Readonly<Record<string, readonly [string, string]>> = {
  א: ['', 'a'],
  ה: ['h', 'h'],
  ו: ['o', 'v'],
  י: ['i', 'y'],
  ע: ['', 'a'],
  ח: ['kh', 'kh'],
  כ: ['kh', 'k'],
  ך: ['kh', 'kh'],
  ש: ['sh', 'sh'],
  צ: ['ts', 'ts'],
  ץ: ['ts', 'ts'],
  פ: ['f', 'p'],
  ף: ['f', 'f'],
  ב: ['v', 'b'],
};
const HEBREW_WORD = /[\u05d0-\u05ea]+/g;

function hebrew(s: string): string {
  return s.replace(/[\u0591-\u05c7]/g, '').replace(HEBREW_WORD, (word) => {
    const listed = listedSpelling(word);
    if (listed !== undefined) return listed;
    let out = '';
    [...word].forEach((c, i, all) => {
      const t = HEBREW_LETTERS[c];
      // a final he is a vowel, most often a (Sarah, Rivka; Moshe and Shlomo are listed)
      if (c === 'ה' && i === all.length - 1 && i > 0) out += 'a';
      else out += t === undefined ? c : t[i === 0 ? 1 : 0];
    });
    return out;
  });
}
