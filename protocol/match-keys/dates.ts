/**
 * Dates of birth as match keys use them: parsing of the accepted written forms into a canonical
 * `YYYY-MM-DD` (or a year alone). The node (for its records) and the analyst SDK (for queries) call the
 * same function, so both sides key the same date.
 */
import { VeilError } from '#crypto';

/** Earliest and latest accepted year: wide enough for any living person and any record's typo check. */
export const MIN_YEAR = 1800;
export const MAX_YEAR = 2199;

export interface NormalizedDate {
  /** Four-digit year. */
  readonly year: string;
  /** `YYYY-MM-DD`, or undefined when only the year is known. */
  readonly full: string | undefined;
}

const DATE_FORMATS: ReadonlyArray<readonly [RegExp, 'ymd' | 'dmy']> = [
  [/^(\d{4})-(\d{1,2})-(\d{1,2})$/, 'ymd'], // YYYY-MM-DD (ISO 8601)
  [/^(\d{4})(\d{2})(\d{2})$/, 'ymd'], // YYYYMMDD
  [/^(\d{4})\/(\d{1,2})\/(\d{1,2})$/, 'ymd'], // YYYY/MM/DD
  [/^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, 'dmy'], // DD.MM.YYYY
  [/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, 'dmy'], // DD/MM/YYYY (never the US MM/DD/YYYY)
  [/^(\d{1,2})-(\d{1,2})-(\d{4})$/, 'dmy'], // DD-MM-YYYY
];

/**
 * Parse a date of birth in one of `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/MM/DD`, `DD.MM.YYYY`, `DD/MM/YYYY`,
 * `DD-MM-YYYY` (day and month may have one digit in the separated forms) or a bare year `YYYY`.
 * Rejects impossible calendar dates (proleptic Gregorian) and years outside MIN_YEAR..MAX_YEAR.
 */
export function normalizeDate(input: string): NormalizedDate {
  const s = input.normalize('NFKC').trim();
  if (/^\d{4}$/.test(s)) return { year: checkYear(Number(s)), full: undefined };
  for (const [re, order] of DATE_FORMATS) {
    const m = re.exec(s);
    if (m === null) continue;
    const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const [y, mo, d] = order === 'ymd' ? [a, b, c] : [c, b, a];
    const year = checkYear(y);
    if (mo < 1 || mo > 12) throw new VeilError('bad_request', 'date has no such month');
    if (d < 1 || d > daysInMonth(y, mo)) throw new VeilError('bad_request', 'date has no such day in its month');
    return { year, full: `${year}-${pad2(mo)}-${pad2(d)}` };
  }
  throw new VeilError(
    'bad_request',
    'date is not in a recognised format (YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, DD.MM.YYYY, DD/MM/YYYY, DD-MM-YYYY or YYYY)',
  );
}

function checkYear(y: number): string {
  if (y < MIN_YEAR || y > MAX_YEAR) {
    throw new VeilError('bad_request', `date year is outside ${MIN_YEAR}-${MAX_YEAR}`);
  }
  return String(y);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

