/**
 * Phonetic codes of name parts for the `phonetic_dob` and `phonetic_yob` classes.
 *
 * A part's code is:
 * - for an Arabic or Hebrew name listed in `data/` (`name-symbols.ts`) whose consonant code another
 *   listed name shares, the name's symbol itself: consonants are all that Arabic and Hebrew script
 *   write, and distinct names share them (Muhammad, Mahmud and Hamid are all m-h-m-d or h-m-d);
 * - otherwise the Double Metaphone primary code of the part's skeleton (`skeleton.ts`, which has
 *   already made transliteration systems agree), F written as P (Hebrew bet/pe are b or v, p or f by
 *   position), g read as k (Egyptian g for jim), with every H removed (and the c that stands for
 *   ch, read as h and as s: see `phoneticCodeSets`) and runs of one letter
 *   collapsed (Arabic script writes no short vowels and Metaphone keeps H only before a vowel: محمود
 *   without H meets Mahmoud), followed by `+A` when the part ends in a, `+` when it ends in another
 *   vowel (a final h after a vowel is silent: Sarah, Fatimah). The final vowel keeps apart what
 *   Metaphone merges and sex tells apart: Aleksandr/Aleksandra, Jan/Jana, Kowalski/Kowalska,
 *   Giovanni/Giovanna.
 *
 * A name's codes are the codes of its parts that are not particles, sorted. This is still the weak
 * side of matching: two names with the same code only sound alike, and the classes using these codes
 * say so ("sounds alike").
 */
import { doubleMetaphone } from 'double-metaphone';
import type { NamePart } from './name-parts.ts';
import { listedSymbols } from './name-symbols.ts';

const CACHE_MAX = 200_000;
const cache = new Map<string, string>();

/** How the c left of ch, tch, tsch and cz is read (see `phoneticCodeSets`). */
export type ChReading = 'h' | 's';

function plainCode(form: string, ch: ChReading = 'h'): string {
  const id = ch === 'h' ? form : `${form}\u0000s`;
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  // g as k: Egyptian writes g for jim (Gamal), and Metaphone would read g before e and i as j
  const primary = doubleMetaphone(form.replace(/c/g, ch).replace(/g/g, 'k'))[0];
  let code = '';
  for (const c0 of primary) {
    // b/v/p/f: Hebrew bet and pe are b or v, p or f by position, and Latin spellings differ
    const c = c0 === 'F' ? 'P' : c0;
    if (c !== 'H' && c !== code[code.length - 1]) code += c;
  }
  if (/ah?$/.test(form)) code += '+A';
  else if (/[eiou]h?$/.test(form)) code += '+';
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(id, code);
  return code;
}

let shared: ReadonlySet<string> | undefined;

/** Plain codes that two or more listed names share (Muhammad, Mahmud, Hamid and Hamad are all MT). */
function sharedCodes(): ReadonlySet<string> {
  if (shared === undefined) {
    const seen = new Map<string, number>();
    for (const sym of listedSymbols()) {
      const c = plainCode(sym);
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
    shared = new Set([...seen].filter(([, n]) => n > 1).map(([c]) => c));
  }
  return shared;
}

/**
 * The code of one part's form (its skeleton or a listed name's symbol). A listed name whose plain
 * code it shares with another listed name is coded by its symbol, so the two stay apart; any other
 * name gets its plain code, so that it still meets spellings the list does not know.
 */
export function phoneticCode(form: string, listed: boolean, ch: ChReading = 'h'): string {
  const plain = plainCode(form, ch);
  return listed && sharedCodes().has(plainCode(form)) ? form.toUpperCase() : plain;
}

/** Sorted codes of a name's non-particle parts, with each part's form chosen by `formOf`. */
export function phoneticCodes(parts: readonly NamePart[], formOf: (p: NamePart) => string = (p) => p.form, ch: ChReading = 'h'): string[] {
  const codes: string[] = [];
  for (const p of parts) {
    if (p.particle) continue;
    const c = phoneticCode(formOf(p), p.listed && formOf(p) === p.form, ch);
    if (c !== '' && !c.startsWith('+')) codes.push(c);
  }
  return codes.sort();
}

/**
 * The code lists of a name: one, or two when a part has the c of ch. English writes ch for ч, German
 * for х (Michail, Tichonow), French for ш and ش (Choubova, Aicha, Bechadji); x and ш, ش written kh
 * and sh come out as h (dropped) and s, so a name with ch is coded both ways.
 */
export function phoneticCodeSets(parts: readonly NamePart[], formOf: (p: NamePart) => string = (p) => p.form): string[][] {
  const h = phoneticCodes(parts, formOf, 'h');
  if (!parts.some((p) => !p.particle && formOf(p).includes('c'))) return [h];
  const s = phoneticCodes(parts, formOf, 's');
  return s.join(' ') === h.join(' ') ? [h] : [h, s];
}
