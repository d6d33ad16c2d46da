/**
 * Name parts: a person's name split into the tokens match keys are made of, each with its role
 * (given or family name, or unknown), whether it is a particle, and its canonical form.
 *
 * Conventions followed:
 * - Role. A record's `given` and `family` fields give it. In a name held in one field (an alias, a
 *   query): text before a comma is the family name ("MÜLLER, Hans"); words written in capitals among
 *   words that are not are the family name ("Hans MÜLLER", "IVANOVA Anna"); a name in Chinese or
 *   Korean characters starts with its family name (`cjk.ts`). Otherwise the role is unknown, and keys
 *   that need roles take every combination.
 * - Particles and articles (van, van der, von, de, da, dos, di, du, le, la, al-, el-, bin, ben, ibn,
 *   bint, ould, O', y, e…) before another word are particles: kept in the full name, so that spaced,
 *   hyphenated and solid spellings (van der Berg, van-der-Berg, Vanderberg; al-Hashimi, Alhashimi;
 *   O'Brien, O Brien) write the same letters, and left out of name parts, so that a name without them
 *   (Berg, Hashimi) meets. Particles written solid with capitals (DeSantis, VanDerBerg, AlHashimi) are
 *   separated first; a family name written solid with al-/el- (Alhashimi) also yields the name without
 *   it (Hashimi) as an alternative name part. The Vietnamese middle names Thị and Văn count as particles.
 * - Arabic compounds are one part, whatever their spelling: ʿAbd + name (Abdul Rahman, Abd al-Rahman,
 *   Abdurrahman, Abdelrahman, عبد الرحمن), name + Allah (Nasrullah, Nasr Allah), name + al-Din
 *   (Salahuddin, Salah ad-Din, Salah Eddine) and Abu + name (Abu Bakr, Abubakar).
 * - Form: the romanisation skeleton (`skeleton.ts`), or the symbol of a listed Arabic or Hebrew name
 *   (`name-symbols.ts`).
 * - Readings: a name in Cyrillic gets one per candidate language (`cyrillic.ts`), and a Ukrainian or
 *   Belarusian one also the Russian-style reading; a Greek name with χ gets ELOT's ch and the common h;
 *   an Arabic name whose waw, ya or jim could be read either way gets both readings.
 */
import { VeilError } from '../errors.ts';
import { EAST_ASIAN } from './cjk.ts';
import { type CyrillicLanguage, cyrillicLanguages } from './cyrillic.ts';
import { type Gender, genderedForm } from './gendered.ts';
import { isListedName, symbolOf } from './name-symbols.ts';
import { NAME_MAX_CHARS } from './normalize.ts';
import { skeleton } from './skeleton.ts';
import { transliterate } from './transliterate.ts';

export type Role = 'given' | 'family' | 'unknown';

export interface NamePart {
  /** Canonical form: skeleton or symbol. */
  readonly form: string;
  readonly role: Role;
  /** A particle or article: part of the full name, not a name part of its own. */
  readonly particle: boolean;
  /** The form without a solid article (Alhashimi → hashimi), when there is one. */
  readonly alt?: string;
  /** Stem and grammatical gender of a gendered family name (Ivanova → ivanov, F). */
  readonly gendered?: { readonly stem: string; readonly gender: Gender };
  /** True for a listed Arabic/Hebrew name: its phonetic code is its symbol. */
  readonly listed: boolean;
}

/** One reading of a name (names in Cyrillic of undecided language have two). */
export type NameReading = readonly NamePart[];

export type NameInput = string | { readonly given?: string | undefined; readonly family: string };

export interface NameContext {
  /** Alpha-3 country holding the record or of the person's nationality (chooses Cyrillic systems). */
  readonly country?: string | undefined;
}

const PARTICLES: ReadonlySet<string> = new Set([
  'van',
  'der',
  'den',
  'de',
  'del',
  'della',
  'delle',
  'dello',
  'degli',
  'dei',
  'da',
  'dal',
  'dalla',
  'das',
  'do',
  'dos',
  'du',
  'di',
  'des',
  'la',
  'le',
  'lo',
  'von',
  'vom',
  'zu',
  'zum',
  'zur',
  'ten',
  'ter',
  'het',
  't',
  'af',
  'av',
  'al',
  'el',
  'ul',
  'ad',
  'ar',
  'as',
  'at',
  'az',
  'an',
  'ash',
  'bin',
  'ben',
  'ibn',
  'bint',
  'binti',
  'ould',
  'o',
  'y',
  'e',
  'thi',
  'st',
  'mac',
  'mc',
  'ap',
  'ab',
  'nic',
  'ni',
]);

const CAMEL_PARTICLE = /\b(De|Di|Da|Du|Van|Von|Al|El|La|Le|Del|Della|Dos|Das|Ben|Bin|Abu|Ibn|Mac|Mc)(?=[A-Z][a-z])/g;
const ABD_FORMS: ReadonlySet<string> = new Set([
  'abd',
  'abdu',
  'abdul',
  'abdel',
  'abdal',
  'abdol',
  'abdil',
  'abdur',
  'abdar',
  'abdus',
  'abdas',
  'abdun',
  'abdan',
  'abdoul',
]);
const ARTICLES: ReadonlySet<string> = new Set(['al', 'el', 'ul', 'ar', 'as', 'an', 'ad', 'at', 'az', 'ash', 'ed', 'ud', 'ol']);
const ALLAH: ReadonlySet<string> = new Set(['allah', 'alla', 'ullah', 'ulla', 'illah', 'ollah', 'ellah', 'ella', 'elah', 'lah', 'llah']);
const DIN: ReadonlySet<string> = new Set(['din', 'deen', 'dine', 'dean']);
const ABD_SOLID = /^abd(?:[aeiou]l|[aeiou](?=([rsndzt])\1)|oul)?(.{3,})$/;
const DIN_SOLID = /^(.{3,}?)(?:[aeiu][dl]|u?d)?d(?:i|ee)ne?$/;
const ALLAH_SOLID = /^(.{3,}?)(?:[uoai]llah?|ullah)$/;

/** Compounds are built from the written (ASCII) tokens; the form is taken once, of the whole. */
function abdCompound(rest: string): string {
  return `abd${ALLAH.has(rest) || ALLAH.has(`a${rest}`) ? 'allah' : rest}`;
}

function formOf(ascii: string): string {
  return symbolOf(skeleton(ascii));
}

type Token = { text: string; role: Role };

/** Join Arabic compounds into one token; every rule looks at the written tokens only. */
function compounds(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const after = tokens[i + 2];
    if (ABD_FORMS.has(t.text) && next !== undefined) {
      const skipArticle = ARTICLES.has(next.text) && after !== undefined;
      const rest = skipArticle ? after! : next;
      out.push({ text: abdCompound(rest.text), role: t.role });
      i += skipArticle ? 2 : 1;
      continue;
    }
    if ((t.text === 'abu' || t.text === 'abou') && next !== undefined) {
      out.push({ text: `abu${next.text}`, role: t.role });
      i += 1;
      continue;
    }
    const prev = out[out.length - 1];
    if (prev !== undefined && ALLAH.has(t.text) && t.text !== 'lah') {
      prev.text = `${prev.text}allah`;
      continue;
    }
    if (prev !== undefined && DIN.has(t.text) && i > 0 && ARTICLES.has(tokens[i - 1]!.text)) {
      out.pop();
      const before = out[out.length - 1];
      if (before !== undefined) before.text = `${before.text}din`;
      continue;
    }
    if (/^[aeiu][dl]d(?:i|ee)ne?$/.test(t.text) && prev !== undefined) {
      prev.text = `${prev.text}din`;
      continue;
    }
    const abd = t.text.startsWith('abd') && t.text.length > 5 ? ABD_SOLID.exec(t.text) : null;
    if (abd !== null && abd[2] !== undefined) {
      out.push({ text: abdCompound(abd[2]), role: t.role });
      continue;
    }
    const din = t.text.length > 7 ? DIN_SOLID.exec(t.text) : null;
    if (din !== null && din[1] !== undefined && /(?:ud|ed|ad|al|el|ul)d/.test(t.text)) {
      out.push({ text: `${din[1]}din`, role: t.role });
      continue;
    }
    const allah = t.text.length > 7 ? ALLAH_SOLID.exec(t.text) : null;
    if (allah !== null && allah[1] !== undefined && !t.text.startsWith('abd')) {
      out.push({ text: `${allah[1]}allah`, role: t.role });
      continue;
    }
    out.push({ ...t });
  }
  return out;
}

// A node keys millions of records whose name fields repeat a lot: cache per field.
const FIELD_CACHE_MAX = 100_000;
const fieldCache = new Map<string, readonly Token[]>();

/** Tokens of one field, lower-case ASCII, with roles from the field or from commas and capitals. */
interface Reading {
  readonly lang: CyrillicLanguage | undefined;
  readonly chiAsH: boolean;
  /** Arabic waw and ya inside words as consonants, with jim as j or (Egyptian) g. */
  readonly arabicConsonantal: false | 'j' | 'g';
}

function fieldTokens(field: string, fieldRole: Role | 'whole', r: Reading): Token[] {
  const id = `${fieldRole}\u0000${r.lang ?? ''}\u0000${r.chiAsH ? 'h' : ''}${r.arabicConsonantal || ''}\u0000${field}`;
  const hit = fieldCache.get(id);
  if (hit !== undefined) return hit.map((t) => ({ ...t }));
  const out = fieldTokensUncached(field, fieldRole, r);
  if (fieldCache.size >= FIELD_CACHE_MAX) fieldCache.clear();
  fieldCache.set(
    id,
    out.map((t) => ({ ...t })),
  );
  return out;
}

function fieldTokensUncached(field: string, fieldRole: Role | 'whole', r: Reading): Token[] {
  const spaced = field.replace(CAMEL_PARTICLE, '$1 ');
  let chunks: Array<{ text: string; role: Role }>;
  if (fieldRole === 'whole' && spaced.includes(',')) {
    const at = spaced.indexOf(',');
    chunks = [
      { text: spaced.slice(0, at), role: 'family' },
      { text: spaced.slice(at + 1), role: 'given' },
    ];
  } else {
    chunks = [{ text: spaced, role: fieldRole === 'whole' ? 'unknown' : fieldRole }];
  }
  const out: Token[] = [];
  // Vietnamese is recognised in the whole field (đ is d there, dj in Serbo-Croatian)
  const vietnamese = /[ăơư\u1ea0-\u1ef9]/.test(field.toLowerCase());
  for (const chunk of chunks) {
    const words = chunk.text
      .split(/\s+/)
      .filter((w) => w !== '')
      .map((w) => (vietnamese ? w.replace(/đ/g, 'd').replace(/Đ/g, 'D') : w));
    const caps = chunk.role === 'unknown' && words.some((w) => /\p{Ll}/u.test(w)) ? words.map((w) => /\p{Lu}{2}/u.test(w) && !/\p{Ll}/u.test(w)) : undefined;
    const eastAsian = chunk.role === 'unknown' && EAST_ASIAN.test(chunk.text);
    words.forEach((w, wi) => {
      const ascii = transliterate(w.toLowerCase(), {
        cyrillic: r.lang,
        splitFamily: fieldRole !== 'given' && wi === 0,
        greekChiAsH: r.chiAsH,
        arabicConsonantal: r.arabicConsonantal !== false,
        arabicJimAsG: r.arabicConsonantal === 'g',
      });
      const parts = ascii
        .replace(/['`]/g, '')
        .split(/[^a-z]+/)
        .filter((t) => t !== '');
      parts.forEach((text, pi) => {
        let role = chunk.role;
        if (caps?.some((c) => c) && caps.some((c) => !c)) role = caps[wi] === true ? 'family' : 'given';
        else if (eastAsian && wi === 0) role = pi === 0 ? 'family' : 'given';
        else if (eastAsian) role = 'given';
        out.push({ text, role });
      });
    });
  }
  return out;
}

/** Lower-case ASCII tokens of a name in written order (transliterated; apostrophes removed). */
export function asciiTokens(field: string, lang?: CyrillicLanguage): string[] {
  return fieldTokens(field, 'whole', { lang, chiAsH: false, arabicConsonantal: false }).map((t) => t.text);
}

function checkField(field: string): string {
  const nfkc = field.normalize('NFKC');
  if (nfkc.length > NAME_MAX_CHARS) throw new VeilError('too_large', `name is longer than ${NAME_MAX_CHARS} characters`);
  return nfkc;
}

/**
 * The readings of a name: its parts in written order, given name(s) before family name(s) for a
 * record's fields. Throws `too_large` over NAME_MAX_CHARS and `bad_request` when no letter is left.
 */
export function parseName(input: NameInput, ctx: NameContext = {}): NameReading[] {
  const fields: Array<[string, Role | 'whole']> =
    typeof input === 'string'
      ? [[checkField(input), 'whole']]
      : [...(input.given === undefined ? [] : [[checkField(input.given), 'given'] as [string, Role]]), [checkField(input.family), 'family']];
  const all = fields.map(([f]) => f).join(' ');
  const langs: Array<CyrillicLanguage | undefined> = /[\u0400-\u04ff]/.test(all) ? cyrillicLanguages(all.toLowerCase(), ctx.country) : [undefined];
  // Ukrainian and Belarusian names are also written the Russian way (Sergiy, Olga, older passports)
  if (langs.length === 1 && (langs[0] === 'uk' || langs[0] === 'be')) langs.push('ru');
  // Greek χ is ch in ELOT 743 and passports, h in common English spellings (Hatzidakis)
  const chi = /χ/i.test(all) ? [false, true] : [false];
  // Arabic waw, ya and jim: vowels (and j) or consonants (and Egyptian g)
  const weak: Array<false | 'j' | 'g'> = /ج/.test(all) ? [false, 'j', 'g'] : /[\u0600-\u06ff][وي][\u0600-\u06ff]/.test(all) ? [false, 'j'] : [false];
  const variants: Reading[] = langs.flatMap((lang) => chi.flatMap((chiAsH) => weak.map((arabicConsonantal) => ({ lang, chiAsH, arabicConsonantal }))));
  const readings: NameReading[] = [];
  const seen = new Set<string>();
  for (const r of variants) {
    const tokens = compounds(fields.flatMap(([f, role]) => fieldTokens(f, role, r)));
    if (tokens.length === 0) throw new VeilError('bad_request', 'name contains no letters');
    const reading = tokens.map((t, i): NamePart => {
      const last = i === tokens.length - 1;
      const particle = !last && PARTICLES.has(t.text) && !(t.text === 'thi' && i === 0);
      const form = formOf(t.text);
      const lastOfUnknown = t.role === 'unknown' && last;
      const g = (t.role === 'family' || lastOfUnknown) && !particle ? genderedForm(t.text) : undefined;
      const solidArticle = (t.role === 'family' || t.role === 'unknown') && /^(?:al|el)[^aeiou]/.test(t.text) && t.text.length >= 7;
      return {
        form,
        role: t.role,
        particle,
        listed: isListedName(skeleton(t.text)),
        ...(solidArticle ? { alt: formOf(t.text.slice(2)) } : {}),
        ...(g === undefined ? {} : { gendered: { stem: formOf(g.stem), gender: g.gender } }),
      };
    });
    const id = reading.map((p) => p.form).join(' ');
    if (!seen.has(id)) {
      seen.add(id);
      readings.push(reading);
    }
  }
  return readings;
}
