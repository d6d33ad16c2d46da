/**
 * Phonetic codes of name parts for the `phonetic_dob` and `phonetic_yob` classes.
 *
 * A part's code is:
 * - for an Arabic or Hebrew name listed in `data/` (`name-symbols.ts`), the name's symbol itself:
 *   their consonants are all that Arabic and Hebrew script write, and distinct names share them
 *   (Muhammad, Mahmud and Hamid are all m-h-m-d or h-m-d), so a consonant code would merge them;
 * - otherwise the Double Metaphone primary code of the part's skeleton (`skeleton.ts`, which has
 *   already made transliteration systems agree), with every H removed and runs of one letter
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

const CACHE_MAX = 200_000;
const cache = new Map<string, string>();

/** The code of one part's form (its skeleton), or of a listed name's symbol. */
export function phoneticCode(form: string, listed: boolean): string {
  if (listed) return form.toUpperCase();
  const hit = cache.get(form);
  if (hit !== undefined) return hit;
  const primary = doubleMetaphone(form)[0];
  let code = '';
  for (const c of primary) if (c !== 'H' && c !== code[code.length - 1]) code += c;
  if (/ah?$/.test(form)) code += '+A';
  else if (/[eiou]h?$/.test(form)) code += '+';
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(form, code);
  return code;
}

/** Sorted codes of a name's non-particle parts, with each part's form chosen by `formOf`. */
export function phoneticCodes(parts: readonly NamePart[], formOf: (p: NamePart) => string = (p) => p.form): string[] {
  const codes: string[] = [];
  for (const p of parts) {
    if (p.particle) continue;
    const c = phoneticCode(formOf(p), p.listed && formOf(p) === p.form);
    if (c !== '' && !c.startsWith('+')) codes.push(c);
  }
  return codes.sort();
}
