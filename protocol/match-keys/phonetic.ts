/**
 * Phonetic codes of name tokens for the weak `phonetic_yob` class (DESIGN.md §2).
 *
 * Each ASCII name token (from `nameTokens`) goes through three steps, then the codes are sorted:
 *
 * 1. Token rules (order-independent, one token at a time): the Arabic article ("al", "el", "ul") is
 *    dropped; "allah"/"ullah" becomes "lah"; a solid Abd-/Abu- compound is split the way the separated
 *    spelling is written ("Abdullah" = "Abd Allah" = عبد الله → "abd" + "lah"; "Abdurrahman" =
 *    "Abd al-Rahman" = "Abdul Rahman" → "abd" + "rahman"; "Abubakar" = "Abu Bakr" → "abu" +
 *    "bakar").
 * 2. Spelling folds that make transliteration systems agree before Double Metaphone sees the token:
 *    dzh/dj → j, shch/szcz/sch/sz/sh → s, tsch/tch/cz/ch → c, zh → z, kh → k, gh → g, dh → d,
 *    th → t, ph → f, ts/tz → s, w → v, j → y, and a final -iy/-ij/-ii/-yi/-y → -i. So Ševčenko,
 *    Shevchenko, Schewtschenko, Dmitriy/Dmitry/Dmitrij/Dmitrii, Yuriy/Jurij, Djordje/Đorđe/Джордже,
 *    Kuznetsova/Kusnezowa fall together.
 * 3. Double Metaphone primary code, then every H removed and runs of one letter collapsed. H has to go
 *    because Arabic script writes no short vowels and Metaphone keeps H only before a vowel: محمد →
 *    "mhmd" → MMT but "Mohamed" → MHMT; without H both are MT ("Muhammad", "Mohammed", "Mhmmd" too).
 *
 * This is a weak class by design: it trades precision for recall (Jan, Ian, Yann and Ana share a code)
 * and a hit says only "a name that sounds alike, same year of birth". Known misses are listed in
 * docs/records.md.
 */
import { doubleMetaphone } from 'double-metaphone';

const ARTICLES: ReadonlySet<string> = new Set(['al', 'el', 'ul']);
const ALLAH: ReadonlySet<string> = new Set(['allah', 'alla', 'ullah', 'ulla', 'illah']);
/** Separately written forms of "ʿabd" with or without the article ("Abdul Rahman", "Abd ar-Rahman"). */
const ABD_FORMS: ReadonlySet<string> = new Set([
  'abd', 'abdu', 'abdul', 'abdel', 'abdal', 'abdol', 'abdil', 'abdur', 'abdar', 'abdus', 'abdas', 'abdun', 'abdan',
]);

/** abd + vowel + l (the article), or abd + vowel + a doubled sun letter (assimilated article). */
const ABD_ARTICLE = /^abd[aeiou]l(.{2,})$/;
const ABD_SUN = /^abd[aeiou](r|s|n|d|z|t|sh)(\1.+)$/;
const ABD_PLAIN = /^abd(.{3,})$/;
const ABU = /^ab(?:u|ou)(.{3,})$/;

/** Split Abd-/Abu- compounds and drop articles; every rule looks at one token only. */
function tokenRules(token: string, out: string[]): void {
  if (ARTICLES.has(token)) return;
  if (ALLAH.has(token)) {
    out.push('lah');
    return;
  }
  if (ABD_FORMS.has(token)) {
    out.push('abd');
    return;
  }
  if (token.startsWith('abd')) {
    const m = ABD_ARTICLE.exec(token) ?? ABD_SUN.exec(token) ?? ABD_PLAIN.exec(token);
    const rest = m === null ? undefined : m[2] ?? m[1];
    if (rest !== undefined) {
      out.push('abd');
      tokenRules(ALLAH.has(`a${rest}`) || ALLAH.has(`al${rest}`) ? 'lah' : rest, out);
      return;
    }
  }
  const abu = ABU.exec(token);
  if (abu !== null && abu[1] !== undefined) {
    out.push('abu');
    tokenRules(abu[1], out);
    return;
  }
  out.push(token);
}

const FOLDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/dzh|dj/g, 'j'],
  [/shch|szcz/g, 's'],
  [/tsch/g, 'c'],
  [/sch/g, 's'],
  [/tch/g, 'c'],
  [/sz|sh/g, 's'],
  [/cz|ch/g, 'c'],
  [/zh/g, 'z'],
  [/kh/g, 'k'],
  [/gh/g, 'g'],
  [/dh/g, 'd'],
  [/th/g, 't'],
  [/ph/g, 'f'],
  [/ts|tz/g, 's'],
  [/w/g, 'v'],
  [/j/g, 'y'],
  [/(?:iy|ii|yi|y)$/, 'i'],
];

/** Spelling folds of step 2 (exported for tests and for the documentation's examples). */
export function foldSpelling(token: string): string {
  let t = token;
  for (const [re, to] of FOLDS) t = t.replace(re, to);
  return t;
}

// A node derives codes for millions of records whose names repeat a lot: cache per token.
const CACHE_MAX = 200_000;
const cache = new Map<string, string>();

/** Phonetic code of one ASCII token after the token rules (empty when nothing audible is left). */
export function tokenCode(token: string): string {
  const hit = cache.get(token);
  if (hit !== undefined) return hit;
  const primary = doubleMetaphone(foldSpelling(token))[0];
  let code = '';
  for (const c of primary) {
    if (c !== 'H' && c !== code[code.length - 1]) code += c;
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(token, code);
  return code;
}

/**
 * Sorted phonetic codes of a name's tokens (as returned by `nameTokens`, in written order). Tokens
 * that leave no code (a lone "h") are skipped; the result may be empty.
 */
export function phoneticCodes(tokens: readonly string[]): string[] {
  const split: string[] = [];
  for (const t of tokens) tokenRules(t, split);
  const codes: string[] = [];
  for (const t of split) {
    const c = tokenCode(t);
    if (c !== '') codes.push(c);
  }
  return codes.sort();
}
