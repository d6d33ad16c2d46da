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
 * - Serbian Cyrillic (recognised by ђ ћ љ њ џ ј): mapped letter for letter to Serbian Latin (Gaj) and
 *   then to the ICAO Doc 9303 ASCII form (č ć → c, ž → z, š → s, đ → dj), so Cyrillic and Latin
 *   spellings of the same Serbian name produce the same string.
 * - Ukrainian Cyrillic (recognised by і ї є ґ): the official 2010 Ukrainian national system (KMU
 *   resolution 55, used in Ukrainian passports): г → h, и → y, є/ї/й/ю/я → ye/yi/y/yu/ya at the start
 *   of a word and ie/i/i/iu/ia elsewhere, зг → zgh.
 * - Other Cyrillic (Russian, Belarusian, Bulgarian, Macedonian…): any-ascii, which follows the common
 *   English-style system (ж → zh, х → kh, ц → ts, щ → shch, й → y, ё → e as ICAO does).
 * - Arabic (and Persian letters): Arabic script writes no short vowels, so no transliteration can
 *   restore "Mohamed" from محمد; what we can do is make the letters that stand for vowels come out as
 *   vowels, which is what the phonetic class needs: alif and alif-with-hamza → a/i, alif maqsura and
 *   ta marbuta → a, waw/ya → w/y at the start of a word and u/i inside it, ʿayn → a at the start of a
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

const NON_ASCII = /[^\x00-\x7f]/;
const GREEK = /[\u0370-\u03ff\u1f00-\u1fff]/;
const CYRILLIC = /[\u0400-\u04ff]/;
const SERBIAN_LETTERS = /[ђћљњџј]/;
const UKRAINIAN_LETTERS = /[іїєґ]/;
const ARABIC = /[\u0600-\u06ff\u0750-\u077f]/;
const VIETNAMESE = /[ăơư\u1ea0-\u1ef9]/;

/** Transliterate a lower-cased NFKC string to lower-case ASCII (other characters left for the caller). */
export function transliterate(lower: string): string {
  if (!NON_ASCII.test(lower)) return lower;
  let s = lower;
  if (GREEK.test(s)) s = greek(s);
  if (CYRILLIC.test(s)) {
    if (SERBIAN_LETTERS.test(s)) s = mapLetters(s, SERBIAN);
    else if (UKRAINIAN_LETTERS.test(s)) s = ukrainian(s);
  }
  if (ARABIC.test(s)) s = arabic(s);
  if (s.includes('đ')) s = s.replaceAll('đ', VIETNAMESE.test(s) ? 'd' : 'dj');
  if (s.includes('·')) s = s.replaceAll('·', '');
  return anyAscii(s).toLowerCase();
}

// ---------------------------------------------------------------------------------------------------
// Greek (ELOT 743)

const GREEK_VOICED_OR_VOWEL = /[αάεέηήιίϊΐοόυύϋΰωώβγδζλμνρ]/;

function greek(s: string): string {
  return s
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
// Cyrillic national systems

function mapLetters(s: string, table: Readonly<Record<string, string>>): string {
  let out = '';
  for (const c of s) out += table[c] ?? c;
  return out;
}

/** Serbian Cyrillic → Serbian Latin → ICAO ASCII (the form of a Serbian passport's MRZ). */
const SERBIAN: Readonly<Record<string, string>> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ђ: 'dj', е: 'e', ж: 'z', з: 'z', и: 'i', ј: 'j', к: 'k',
  л: 'l', љ: 'lj', м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ћ: 'c', у: 'u',
  ф: 'f', х: 'h', ц: 'c', ч: 'c', џ: 'dz', ш: 's',
};

/** Ukrainian national transliteration (KMU 2010): [elsewhere, at the start of a word]. */
const UKRAINIAN: Readonly<Record<string, readonly [string, string]>> = {
  а: ['a', 'a'], б: ['b', 'b'], в: ['v', 'v'], г: ['h', 'h'], ґ: ['g', 'g'], д: ['d', 'd'],
  е: ['e', 'e'], є: ['ie', 'ye'], ж: ['zh', 'zh'], з: ['z', 'z'], и: ['y', 'y'], і: ['i', 'i'],
  ї: ['i', 'yi'], й: ['i', 'y'], к: ['k', 'k'], л: ['l', 'l'], м: ['m', 'm'], н: ['n', 'n'],
  о: ['o', 'o'], п: ['p', 'p'], р: ['r', 'r'], с: ['s', 's'], т: ['t', 't'], у: ['u', 'u'],
  ф: ['f', 'f'], х: ['kh', 'kh'], ц: ['ts', 'ts'], ч: ['ch', 'ch'], ш: ['sh', 'sh'],
  щ: ['shch', 'shch'], ь: ['', ''], ю: ['iu', 'yu'], я: ['ia', 'ya'],
};

const LETTER = /\p{L}/u;

function ukrainian(s: string): string {
  let out = '';
  let prev = '';
  for (const c of s) {
    const t = UKRAINIAN[c];
    if (t === undefined) out += c;
    else if (c === 'г' && prev === 'з') out += 'gh';
    else out += prev !== '' && LETTER.test(prev) ? t[0] : t[1];
    // the apostrophe inside Ukrainian words is not a word boundary
    if (c !== "'" && c !== '’' && c !== 'ʼ') prev = c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Arabic

/** A run of Arabic letters (marks are removed first; punctuation such as ، separates words). */
const ARABIC_WORD = /[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06fc\u06ff\u0750-\u077f]+/g;

/** Letters whose reading depends only on whether they start a word: [inside, at the start]. */
const ARABIC_VOWEL_LETTERS: Readonly<Record<string, readonly [string, string]>> = {
  'ا': ['a', 'a'], 'أ': ['a', 'a'], 'إ': ['i', 'i'], 'آ': ['a', 'a'], 'ٱ': ['a', 'a'],
  'ى': ['a', 'a'], 'ة': ['a', 'a'], 'ء': ['', ''], 'ؤ': ['u', 'u'], 'ئ': ['i', 'i'],
  'ع': ['', 'a'], 'و': ['u', 'w'], 'ي': ['i', 'y'], 'ی': ['i', 'y'],
};

/** Short-vowel and other marks (harakat, shadda, sukun, superscript alif) and the tatweel. */
const ARABIC_MARKS = /[\u0640\u064b-\u065f\u0670\u06d6-\u06ed]/g;

function arabic(s: string): string {
  return s.replace(ARABIC_MARKS, '').replace(ARABIC_WORD, (word) => {
    if (word === 'الله') return 'allah';
    // solid "ʿabd al-…" compounds are written as two or three words in Latin script
    if (word.startsWith('عبدال') && word.length > 5) return `abd ${arabic(word.slice(3))}`;
    // the definite article is its own token, as in "al-Hashimi"
    if (word.startsWith('ال') && word.length > 3) return `al ${arabicWord(word.slice(2))}`;
    return arabicWord(word);
  });
}

function arabicWord(word: string): string {
  let out = '';
  let atStart = true;
  for (const c of word) {
    const t = ARABIC_VOWEL_LETTERS[c];
    out += t === undefined ? c : t[atStart ? 1 : 0];
    atStart = false;
  }
  return out;
}
