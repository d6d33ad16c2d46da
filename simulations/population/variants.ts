/**
 * Variant generators: for one person, the record a country holds and the query an analyst types from
 * another source, differing in one way people's names really differ between documents. Each is
 * written from a naming convention or a transliteration standard (see `romanise.ts`), not from
 * Veil's matching code. A generator returns undefined when the case does not apply to the person.
 */
import type { CultureId } from './culture.ts';
import { CULTURES, type HeldPerson, type LatinSystem, latin, nativeName, type Person, passportName } from './population.ts';
import { pick, type Rand, randFor } from './random.ts';
import { germanUmlauts, stripDiacritics } from './romanise.ts';

export interface NameQuery {
  readonly name: string;
  readonly dob: string;
  readonly sex?: 'M' | 'F';
  readonly dateOrder?: 'dmy' | 'mdy';
}

export interface DocQuery {
  readonly doc: { readonly type: string; readonly country: string; readonly number: string };
  readonly confusions?: boolean;
}

export interface Variant {
  readonly record: HeldPerson & { readonly passport?: { readonly country: string; readonly number: string } };
  readonly query: NameQuery | DocQuery;
}

type Gen = (p: Person, rand: Rand) => Variant | undefined;

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (p: Person) => `${p.dob.y}-${pad(p.dob.m)}-${pad(p.dob.d)}`;
const LATIN_CULTURES: ReadonlySet<CultureId> = new Set(['de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'hu', 'lt', 'ie', 'tr', 'vi']);
const CYRILLIC: ReadonlySet<CultureId> = new Set(['ru', 'uk', 'bg', 'sr']);

/** The record in passport spelling, with sex and full date. */
function passportRecord(p: Person): HeldPerson {
  const n = passportName(p);
  return { given: n.given, family: n.family, dob: iso(p), sex: p.sex };
}

function nativeRecord(p: Person): HeldPerson {
  const n = nativeName(p);
  return { given: n.given, family: n.family, dob: iso(p), sex: p.sex };
}

function q(name: string, p: Person, extra: Partial<NameQuery> = {}): NameQuery {
  return { name, dob: iso(p), ...extra };
}

const whole = (n: { given: string; family: string }) => `${n.given} ${n.family}`.trim();

/** Query spelled in a romanisation system, record in the person's script. */
function romanised(system: LatinSystem, applies: (p: Person) => boolean, withPatronymic = false): Gen {
  return (p, rand) => {
    if (!applies(p)) return undefined;
    const n = passportName(p, rand, system);
    // (an Arabic passport spelling already carries the father's name)
    const pat = withPatronymic && p.patronymic !== undefined && p.culture !== 'ar' ? ` ${latin(p.patronymic, p.culture, system, rand)}` : '';
    const record = nativeRecord(p);
    return { record: withPatronymic ? record : { ...record, given: p.given.map((g) => g.native).join(' ') }, query: q(`${n.given}${pat} ${n.family}`, p) };
  };
}

/** English nicknames (from usage, e.g. Bill for William) and Slavic and Italian diminutives. */
const ENGLISH_NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  John: ['Jack', 'Johnny'],
  William: ['Bill', 'Will', 'Billy'],
  Robert: ['Bob', 'Rob', 'Bobby'],
  James: ['Jim', 'Jimmy'],
  Michael: ['Mike', 'Mick'],
  Patrick: ['Pat', 'Paddy'],
  Thomas: ['Tom', 'Tommy'],
  Richard: ['Rick', 'Dick'],
  Daniel: ['Dan', 'Danny'],
  Elizabeth: ['Liz', 'Beth', 'Betty'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Catherine: ['Kate', 'Cathy'],
  Katherine: ['Kate', 'Kathy'],
  Mary: ['Molly', 'Polly'],
  Sarah: ['Sally'],
  Anne: ['Annie', 'Nancy'],
  Bridget: ['Biddy', 'Bridie'],
};
const OTHER_DIMINUTIVES: Readonly<Record<string, readonly string[]>> = {
  Александр: ['Саша', 'Шура'],
  Дмитрий: ['Дима'],
  Иван: ['Ваня'],
  Михаил: ['Миша'],
  Алексей: ['Лёша'],
  Елена: ['Лена'],
  Наталья: ['Наташа'],
  Giuseppe: ['Beppe', 'Peppe'],
  Francesco: ['Franco', 'Checco'],
  Giovanni: ['Gianni'],
  Antonio: ['Tonino'],
  José: ['Pepe'],
  Francisco: ['Paco', 'Pancho'],
  Manuel: ['Manolo'],
};

export const VARIANTS = {
  exact: (p) => ({ record: passportRecord(p), query: q(whole(passportName(p)), p) }),
  'middle-name-dropped': (p) => {
    if (p.given.length < 2 || p.culture === 'vi') return undefined;
    const n = passportName(p);
    return { record: passportRecord(p), query: q(`${n.given.split(' ')[0]} ${n.family}`, p) };
  },
  'middle-name-added': (p, rand) => {
    if (!LATIN_CULTURES.has(p.culture) || p.given.length !== 1 || p.culture === 'vi') return undefined;
    const n = passportName(p);
    const extra = pick(rand, CULTURES[p.culture].given[p.sex]).split(' ')[0]!;
    if (extra === n.given) return undefined;
    return { record: passportRecord(p), query: q(`${n.given} ${extra} ${n.family}`, p) };
  },
  'patronymic-dropped': (p, rand) => {
    if (p.patronymic === undefined || !CYRILLIC.has(p.culture)) return undefined;
    const n = passportName(p, rand, 'icao');
    return { record: nativeRecord(p), query: q(`${n.given} ${n.family}`, p) };
  },
  'second-surname-only': (p) => {
    if (p.family.length < 2) return undefined;
    const n = passportName(p);
    // Spanish usage keeps the first (paternal) surname, Portuguese the last
    const fam = p.culture === 'pt' ? p.family[1]!.native : p.family[0]!.native;
    return { record: passportRecord(p), query: q(`${n.given} ${fam}`, p) };
  },
  'hyphen-half': (p, rand) => {
    const fam = p.family[0]!.native;
    if (!fam.includes('-')) return undefined;
    return { record: passportRecord(p), query: q(`${passportName(p).given} ${pick(rand, fam.split('-'))}`, p) };
  },
  'particle-dropped': (p) => {
    const m = /^((?:(?:van|von|de|der|den|la|le|du|da|dos|del|di|al)[ -])+)(.+)$/i.exec(
      whole(passportName(p)).split(' ').slice(p.given.length).join(' ') || '',
    );
    if (m === null) return undefined;
    return { record: passportRecord(p), query: q(`${passportName(p).given} ${m[2]}`, p) };
  },
  'particle-solid': (p) => {
    const fam = passportName(p).family;
    if (!/^(?:van|von|de|der|den|la|le|du|da|dos|del|di|al|d’|D’)[- ’]/i.test(fam) || p.culture === 'vi') return undefined;
    const solid = fam.replace(/[- ’']/g, '');
    return { record: passportRecord(p), query: q(`${passportName(p).given} ${solid.charAt(0).toUpperCase()}${solid.slice(1).toLowerCase()}`, p) };
  },
  'article-joined': (p, rand) => {
    if (p.culture !== 'ar' || !p.family[0]!.native.startsWith('ال')) return undefined;
    const n = passportName(p, rand, 'english');
    return { record: nativeRecord(p), query: q(`${n.given} ${n.family.replace(/^al-/i, 'Al')}`, p) };
  },
  'apostrophe-space': (p) => {
    const fam = passportName(p).family;
    if (!/['’]/.test(fam)) return undefined;
    return { record: passportRecord(p), query: q(`${passportName(p).given} ${fam.replace(/['’]/g, ' ')}`, p) };
  },
  'family-name-first': (p) => {
    const n = passportName(p);
    const familyFirst = CULTURES[p.culture].familyFirst === true;
    return { record: passportRecord(p), query: q(familyFirst ? `${n.given} ${n.family}` : `${n.family} ${n.given}`, p) };
  },
  'one-field': (p) => {
    const n = passportName(p);
    const familyFirst = CULTURES[p.culture].familyFirst === true;
    return { record: { family: familyFirst ? `${n.family} ${n.given}` : `${n.given} ${n.family}`, dob: iso(p), sex: p.sex }, query: q(whole(n), p) };
  },
  'chinese-characters': (p, rand) => {
    if (p.culture !== 'zh') return undefined;
    const n = nativeName(p);
    const py = passportName(p);
    const given = p.given[0]!.roman ?? '';
    const split = given.length > 3 && rand() < 0.5 ? given.replace(/^(.*?[aeiou]+n?g?)(?=[^aeiou])/, '$1 ') : given;
    const order = rand() < 0.5 ? `${py.family} ${split}` : `${split} ${py.family}`;
    return { record: { family: `${n.family}${n.given}`, dob: iso(p), sex: p.sex }, query: q(order, p) };
  },
  'given-name-joined': (p) => {
    // compound given names written with a hyphen are also written solid (Hans-Peter, Hanspeter)
    const g = passportName(p).given;
    if (!g.includes('-')) return undefined;
    const joined = g.replace(/-(\p{L})/gu, (_m, c: string) => c.toLowerCase());
    return { record: passportRecord(p), query: q(`${joined} ${passportName(p).family}`, p) };
  },
  'cyrillic-icao': romanised('icao', (p) => CYRILLIC.has(p.culture)),
  'cyrillic-bgn': romanised('bgn', (p) => p.culture === 'ru' || p.culture === 'uk'),
  'cyrillic-national': romanised('national', (p) => CYRILLIC.has(p.culture)),
  'cyrillic-german': romanised('duden', (p) => p.culture === 'ru'),
  'cyrillic-french': romanised('french', (p) => p.culture === 'ru'),
  'greek-elot': romanised('elot', (p) => p.culture === 'el'),
  'greek-english': romanised('english', (p) => p.culture === 'el'),
  'arabic-english': romanised('english', (p) => p.culture === 'ar', true),
  'arabic-french': romanised('french', (p) => p.culture === 'ar', true),
  'arabic-egyptian': romanised('egyptian', (p) => p.culture === 'ar', true),
  'hebrew-latin': romanised('english', (p) => p.culture === 'he'),
  'turkish-ascii': (p) => (p.culture === 'tr' ? { record: passportRecord(p), query: q(stripDiacritics(whole(passportName(p))), p) } : undefined),
  'vietnamese-ascii': (p) => (p.culture === 'vi' ? { record: passportRecord(p), query: q(stripDiacritics(whole(passportName(p))), p) } : undefined),
  'diacritics-dropped': (p) => {
    const w = whole(passportName(p));
    if (!LATIN_CULTURES.has(p.culture) || stripDiacritics(w) === w) return undefined;
    return { record: passportRecord(p), query: q(stripDiacritics(w).toUpperCase(), p) };
  },
  'german-umlauts': (p) => {
    const w = whole(passportName(p));
    if (!/[äöüÄÖÜ]/.test(w)) return undefined;
    return { record: passportRecord(p), query: q(germanUmlauts(w), p) };
  },
  'nickname-english': (p, rand) => {
    const g = passportName(p).given.split(' ')[0]!;
    const nicks = ENGLISH_NICKNAMES[g];
    if (nicks === undefined) return undefined;
    return { record: passportRecord(p), query: q(`${pick(rand, nicks)} ${passportName(p).family}`, p) };
  },
  'nickname-other': (p, rand) => {
    const g = p.given[0]!.native;
    const nicks = OTHER_DIMINUTIVES[g];
    if (nicks === undefined) return undefined;
    const nick = CYRILLIC.has(p.culture) ? latin({ native: pick(rand, nicks) }, p.culture, 'icao', rand) : pick(rand, nicks);
    return { record: passportRecord(p), query: q(`${nick} ${passportName(p).family}`, p) };
  },
  'sex-given-other-form': (p) => {
    // A woman's record in the feminine form, queried in the masculine form with her sex (or the reverse)
    const fam = p.family[0]!.native;
    const entry = CULTURES[p.culture].surnames.find(([s]) => s.split('/').includes(fam) && s.includes('/'));
    if (entry === undefined) return undefined;
    const [m, f] = entry[0].split('/') as [string, string];
    const other = { native: fam === m ? f : m };
    const n = passportName(p);
    return { record: passportRecord(p), query: q(`${n.given} ${latin(other, p.culture, 'passport', () => 0)}`, p, { sex: p.sex }) };
  },
  'doc-misread': (p, rand) => {
    const swaps: Readonly<Record<string, string>> = { '0': 'O', O: '0', '1': 'I', I: '1', '5': 'S', S: '5', '8': 'B', B: '8', '2': 'Z', Z: '2' };
    const idx = [...p.passport].map((c, i) => (swaps[c] === undefined ? -1 : i)).filter((i) => i >= 0);
    if (idx.length === 0) return undefined;
    const at = pick(rand, idx);
    const typed = p.passport.slice(0, at) + swaps[p.passport[at]!] + p.passport.slice(at + 1);
    return {
      record: { ...passportRecord(p), passport: { country: p.country, number: p.passport } },
      query: { doc: { type: 'passport', country: p.country, number: typed }, confusions: true },
    };
  },
  'dob-year-only-query': (p) => ({ record: passportRecord(p), query: { name: whole(passportName(p)), dob: String(p.dob.y) } }),
  'dob-year-month-query': (p) => ({ record: passportRecord(p), query: { name: whole(passportName(p)), dob: `${pad(p.dob.m)}/${p.dob.y}` } }),
  'dob-year-only-record': (p) => ({ record: { ...passportRecord(p), dob: String(p.dob.y) }, query: q(whole(passportName(p)), p) }),
  'dob-month-first': (p) => ({
    record: passportRecord(p),
    query: { name: whole(passportName(p)), dob: `${pad(p.dob.m)}/${pad(p.dob.d)}/${p.dob.y}`, dateOrder: 'mdy' },
  }),
  'dob-ambiguous': (p) => {
    if (p.dob.d > 12 || p.dob.d === p.dob.m) return undefined;
    return { record: passportRecord(p), query: { name: whole(passportName(p)), dob: `${pad(p.dob.m)}/${pad(p.dob.d)}/${p.dob.y}` } };
  },
} as const satisfies Record<string, Gen>;

export type VariantClass = keyof typeof VARIANTS;
export const VARIANT_CLASSES = Object.keys(VARIANTS) as VariantClass[];

/** The variant `cls` of a person, deterministic for (seed, class, person). */
export function variantOf(seed: number, cls: VariantClass, p: Person): Variant | undefined {
  return VARIANTS[cls](p, randFor(seed, `variant:${cls}:${p.id}`));
}
