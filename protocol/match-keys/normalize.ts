/**
 * Normalization of the values match keys are made of: names, dates of birth, identity documents and
 * VINs. The analyst SDK (for queries) and the node (for its records) call exactly these functions, so
 * both sides of the PSI compare the same strings (docs/design.md §2). Changing any output here changes
 * every key: it is a protocol change and needs a new match-key label version.
 *
 * Every function either returns the canonical form or throws a `VeilError` whose detail says what is
 * wrong without repeating the value (values are personal data).
 */

import { VeilError } from '../errors.ts';
import { normalizeCountry } from './countries.ts';
import { transliterate } from './transliterate.ts';

/** Longest accepted name (characters after NFKC), for a primary name or an alias. */
export const NAME_MAX_CHARS = 200;

// ---------------------------------------------------------------------------------------------------
// Names

/**
 * Name tokens in their written order: NFKC, lower case, transliterated to ASCII, apostrophes removed
 * (O'Brien → obrien, Дар'я → darya), every other non-letter (hyphens, commas, dots, digits) a
 * separator. Order is kept because the phonetic class looks at tokens one by one; `normalizeName`
 * sorts them. Throws `too_large` over NAME_MAX_CHARS and `bad_request` when no letter is left.
 */
export function nameTokens(name: string): string[] {
  const nfkc = name.normalize('NFKC');
  if (nfkc.length > NAME_MAX_CHARS) {
    throw new VeilError('too_large', `name is longer than ${NAME_MAX_CHARS} characters`);
  }
  const ascii = transliterate(nfkc.toLowerCase()).replace(APOSTROPHES, '');
  const tokens = ascii.split(NON_LETTERS).filter((t) => t !== '');
  if (tokens.length === 0) throw new VeilError('bad_request', 'name contains no letters');
  return tokens;
}

const APOSTROPHES = /['`]/g;
const NON_LETTERS = /[^a-z]+/;

/**
 * The canonical name of the `name_dob` class: tokens of `nameTokens`, sorted, joined by one space, so
 * "MÜLLER, Hans", "hans  muller" and "Hans Müller" (NFC or NFD) are all "hans muller".
 */
export function normalizeName(name: string): string {
  return nameTokens(name).sort().join(' ');
}

export type { NormalizedDate } from './dates.ts';
export { MAX_YEAR, MIN_YEAR, normalizeDate } from './dates.ts';

// ---------------------------------------------------------------------------------------------------
// Identity documents

/**
 * Document types and the spellings accepted for each (compared after lower-casing and turning spaces,
 * hyphens and dots into underscores). The key is the canonical form that enters the `doc` match key.
 */
export const DOCUMENT_TYPES = {
  passport: { aliases: ['p', 'pp', 'pass', 'passport'] },
  id_card: { aliases: ['id', 'i', 'idcard', 'id_card', 'identity_card', 'national_id', 'national_identity_card'] },
  driving_licence: {
    aliases: ['dl', 'driving_licence', 'driving_license', 'drivers_license', 'drivers_licence', 'driver_license', 'driver_licence'],
  },
  residence_permit: { aliases: ['rp', 'residence_permit', 'residence_card', 'residence_title'] },
  travel_document: { aliases: ['td', 'travel_document', 'refugee_travel_document'] },
  other: { aliases: ['other'] },
} as const satisfies Record<string, { readonly aliases: readonly string[] }>;

export type DocumentType = keyof typeof DOCUMENT_TYPES;

const DOC_TYPE_BY_ALIAS: ReadonlyMap<string, DocumentType> = new Map(
  (Object.keys(DOCUMENT_TYPES) as DocumentType[]).flatMap((t) => DOCUMENT_TYPES[t].aliases.map((a): [string, DocumentType] => [a, t])),
);

/** Canonical document type for a registry name or alias ("P", "passport", "Driving-Licence"…). */
export function normalizeDocType(type: string): DocumentType {
  const key = type
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[\s.-]+/g, '_');
  const t = DOC_TYPE_BY_ALIAS.get(key);
  if (t === undefined) {
    throw new VeilError('bad_request', `document type is not one of ${Object.keys(DOCUMENT_TYPES).join(', ')}`);
  }
  return t;
}

export { normalizeCountry } from './countries.ts';

/** Shortest and longest document number after removing separators (MRZ numbers are 9; some are longer). */
export const DOC_NUMBER_MIN = 3;
export const DOC_NUMBER_MAX = 35;

/**
 * Cyrillic and Greek capitals that look like Latin ones. Document numbers are copied by eye, and a
 * clerk with a Cyrillic keyboard layout types "С" for "C": mapping by shape (not by sound, as for
 * names) recovers the number printed on the document.
 */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};

/** Spaces, dashes, dots, slashes and the MRZ filler `<` are not part of a number. */
const DOC_SEPARATORS = /[\s\-./\\<_]+/g;

/**
 * Canonical document number: NFKC (full-width digits become ASCII), upper case, separators removed,
 * Cyrillic/Greek look-alike capitals mapped to Latin; then it must be 3–35 of [A-Z0-9].
 */
export function normalizeDocNumber(number: string): string {
  let s = number.normalize('NFKC').toUpperCase().replace(DOC_SEPARATORS, '');
  if (/[^\p{ASCII}]/u.test(s)) {
    let out = '';
    for (const c of s) out += HOMOGLYPHS[c] ?? c;
    s = out;
  }
  if (!/^[A-Z0-9]*$/.test(s)) throw new VeilError('bad_request', 'document number may contain only letters A-Z and digits');
  if (s.length < DOC_NUMBER_MIN || s.length > DOC_NUMBER_MAX) {
    throw new VeilError('bad_request', `document number must have ${DOC_NUMBER_MIN}-${DOC_NUMBER_MAX} letters/digits`);
  }
  return s;
}

export interface NormalizedDocument {
  readonly type: DocumentType;
  readonly country: string;
  readonly number: string;
}

/** Normalize the three parts of a document's identity (type, issuing country, number). */
export function normalizeDocument(type: string, country: string, number: string): NormalizedDocument {
  return { type: normalizeDocType(type), country: normalizeCountry(country), number: normalizeDocNumber(number) };
}

// ---------------------------------------------------------------------------------------------------
// Vehicles

/** Shortest accepted pre-1981 chassis number. */
export const LEGACY_VIN_MIN = 6;

const VIN_SEPARATORS = /[\s\-./]+/g;
const VIN_17 = /^[A-HJ-NPR-Z0-9]{17}$/;

/**
 * Canonical vehicle identification number: NFKC, upper case, spaces/dashes/dots/slashes removed.
 * A 17-character value must be an ISO 3779 VIN: letters and digits except I, O and Q (the check digit
 * is not verified: only North American VINs carry one). Shorter values of 6–16 letters and digits are
 * accepted as pre-1981 chassis numbers, which stolen-vehicle databases still hold for classic cars;
 * they are keyed exactly as written. Anything else is rejected.
 */
export function normalizeVin(vin: string): string {
  const s = vin.normalize('NFKC').toUpperCase().replace(VIN_SEPARATORS, '');
  if (s.length === 17) {
    if (!VIN_17.test(s)) throw new VeilError('bad_request', 'VIN may contain only digits and letters other than I, O and Q');
    return s;
  }
  if (s.length > 17) throw new VeilError('bad_request', 'VIN is longer than 17 characters');
  if (s.length < LEGACY_VIN_MIN) throw new VeilError('bad_request', `VIN must have 17 characters (or ${LEGACY_VIN_MIN}-16 for pre-1981 chassis numbers)`);
  if (!/^[A-Z0-9]+$/.test(s)) throw new VeilError('bad_request', 'pre-1981 chassis number may contain only letters A-Z and digits');
  return s;
}
