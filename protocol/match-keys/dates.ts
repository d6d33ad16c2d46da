/**
 * Dates of birth as match keys use them. The node (for its records) and the analyst SDK (for queries)
 * call the same parser, so both sides key the same date.
 *
 * Accepted written forms (day and month may have one digit where separated):
 *
 * | precision | forms                                                                  |
 * |-----------|------------------------------------------------------------------------|
 * | day       | `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/MM/DD`, `YYYY.MM.DD` (always year first) |
 * |           | `A.B.YYYY`, `A/B/YYYY`, `A-B-YYYY` (day first, or month first: see below) |
 * | month     | `YYYY-MM`, `YYYY/MM`, `MM/YYYY`, `MM.YYYY`, `MM-YYYY`                     |
 * | year      | `YYYY`                                                                  |
 *
 * A day or month written `00` (registers write `00.00.1985` for "born in 1985") means unknown, so
 * `00.03.1985` is March 1985 and `00.00.1985` is 1985.
 *
 * Forms with the year last are read day first (`DD/MM/YYYY`, the convention of every European
 * register) unless a date order says month first (`MM/DD/YYYY`, the US convention). A record is always
 * read with its node's order. A query may leave the order open: then a date whose day and month are
 * both 12 or less and differ is ambiguous and `parseQueryDate` returns both readings, so the SDK asks
 * both and reports which reading met; a date that is impossible day first but valid month first
 * (`12/25/1980`) is read month first. Years are 1800–2199; impossible calendar dates are refused.
 */
import { VeilError } from '../errors.ts';
import type { DATE_ORDERS } from '../vocabulary.ts';

/** Earliest and latest accepted year: wide enough for any living person and any record's typo check. */
export const MIN_YEAR = 1800;
export const MAX_YEAR = 2199;

export { DATE_ORDERS } from '../vocabulary.ts';
export type DateOrder = (typeof DATE_ORDERS)[number];

export type DatePrecision = 'day' | 'month' | 'year';

export interface NormalizedDate {
  /** Four-digit year. */
  readonly year: string;
  /** `YYYY-MM` when the month is known, else undefined. */
  readonly month: string | undefined;
  /** `YYYY-MM-DD`, or undefined when the day is not known. */
  readonly full: string | undefined;
  readonly precision: DatePrecision;
}

/** Which reading of a query's date a key was derived from. */
export const DATE_READINGS = ['as-written', 'day-first', 'month-first'] as const;
export type DateReading = (typeof DATE_READINGS)[number];

export interface ReadDate {
  readonly date: NormalizedDate;
  readonly reading: DateReading;
}

/** The accepted forms, for error messages. */
export const DATE_FORMS = 'YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY, DD/MM/YYYY, DD-MM-YYYY (or month first with the US order), YYYY-MM, MM/YYYY or YYYY';

const YEAR_FIRST = /^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|(\d{2})(\d{2}))$/;
const YEAR_LAST = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$/;
const MONTH_YEAR_FIRST = /^(\d{4})[-/](\d{1,2})$/;
const MONTH_YEAR_LAST = /^(\d{1,2})[./-](\d{4})$/;
const YEAR_ONLY = /^\d{4}$/;

type Parts = { y: number; m: number; d: number };

/** Problems found while reading one candidate; undefined when the date is valid. */
function problem(p: Parts): string | undefined {
  if (p.y < MIN_YEAR || p.y > MAX_YEAR) return `the year is outside ${MIN_YEAR}-${MAX_YEAR}`;
  if (p.m > 12) return `there is no month ${p.m}`;
  if (p.m === 0 && p.d !== 0) return 'a day is given without a month';
  if (p.d > daysInMonth(p.y, p.m)) return `month ${p.m} of ${p.y} has no day ${p.d}`;
  return undefined;
}

function build(p: Parts): NormalizedDate {
  const year = String(p.y);
  if (p.m === 0) return { year, month: undefined, full: undefined, precision: 'year' };
  const month = `${year}-${pad2(p.m)}`;
  if (p.d === 0) return { year, month, full: undefined, precision: 'month' };
  return { year, month, full: `${month}-${pad2(p.d)}`, precision: 'day' };
}

type Shape = { kind: 'fixed'; parts: Parts } | { kind: 'year-last'; a: number; b: number; y: number };

function shape(input: string): Shape | undefined {
  const s = input.normalize('NFKC').trim();
  if (YEAR_ONLY.test(s)) return { kind: 'fixed', parts: { y: Number(s), m: 0, d: 0 } };
  let m = YEAR_FIRST.exec(s);
  if (m !== null) {
    const [mo, d] = m[3] !== undefined ? [m[3], m[4]] : [m[5], m[6]];
    return { kind: 'fixed', parts: { y: Number(m[1]), m: Number(mo), d: Number(d) } };
  }
  m = MONTH_YEAR_FIRST.exec(s);
  if (m !== null) return { kind: 'fixed', parts: { y: Number(m[1]), m: Number(m[2]), d: 0 } };
  m = MONTH_YEAR_LAST.exec(s);
  if (m !== null) return { kind: 'fixed', parts: { y: Number(m[2]), m: Number(m[1]), d: 0 } };
  m = YEAR_LAST.exec(s);
  if (m !== null) return { kind: 'year-last', a: Number(m[1]), b: Number(m[3]), y: Number(m[4]) };
  return undefined;
}

/** The reason a record's date is refused (import reports keep these words; they name no value). */
function recordProblem(p: Parts): string | undefined {
  if (p.y < MIN_YEAR || p.y > MAX_YEAR) return `date year is outside ${MIN_YEAR}-${MAX_YEAR}`;
  if (p.m > 12 || (p.m === 0 && p.d !== 0)) return 'date has no such month';
  if (p.d > daysInMonth(p.y, p.m)) return 'date has no such day in its month';
  return undefined;
}

/**
 * Canonical date of a record (or of any value read with a known order, day first by default).
 * Throws `bad_request` naming the problem and the accepted forms; never repeats the value.
 */
export function normalizeDate(input: string, order: DateOrder = 'dmy'): NormalizedDate {
  const sh = shape(input);
  if (sh === undefined) throw new VeilError('bad_request', `date is not in a recognised format (${DATE_FORMS})`);
  const parts = sh.kind === 'fixed' ? sh.parts : order === 'dmy' ? { y: sh.y, m: sh.b, d: sh.a } : { y: sh.y, m: sh.a, d: sh.b };
  const why = recordProblem(parts);
  if (why !== undefined) throw new VeilError('bad_request', why);
  return build(parts);
}

export interface QueryDateOptions {
  /** The order the analyst writes dates in; undefined asks ambiguous dates both ways. */
  readonly order?: DateOrder | undefined;
  /** `refuse` makes an ambiguous date an error instead of two readings. Default `both`. */
  readonly ambiguous?: 'both' | 'refuse';
  /** How the input is named in error messages (the CLI flag). Default `--dob`. */
  readonly flag?: string;
}

/**
 * The readings of an analyst's date of birth: one, or two (`day-first` and `month-first`) for an
 * ambiguous date with no order given. Every error names the flag, the reason, both readings where
 * there are two, `--date-order` where it would help, and the accepted forms.
 */
export function parseQueryDate(input: string, opts: QueryDateOptions = {}): ReadDate[] {
  const flag = opts.flag ?? '--dob';
  const sh = shape(input);
  if (sh === undefined) {
    throw new VeilError('bad_request', `${flag}: not a date in a recognised form; use ${DATE_FORMS}`);
  }
  if (sh.kind === 'fixed') {
    const why = problem(sh.parts);
    if (why !== undefined) throw new VeilError('bad_request', `${flag}: impossible date: ${why}; accepted forms: ${DATE_FORMS}`);
    return [{ date: build(sh.parts), reading: 'as-written' }];
  }
  const dayFirst: Parts = { y: sh.y, m: sh.b, d: sh.a };
  const monthFirst: Parts = { y: sh.y, m: sh.a, d: sh.b };
  if (opts.order !== undefined) {
    const parts = opts.order === 'dmy' ? dayFirst : monthFirst;
    const why = problem(parts);
    if (why !== undefined) {
      const other = opts.order === 'dmy' ? monthFirst : dayFirst;
      const hint =
        problem(other) === undefined ? `; it is valid ${opts.order === 'dmy' ? 'month first: pass --date-order mdy' : 'day first: pass --date-order dmy'}` : '';
      throw new VeilError(
        'bad_request',
        `${flag}: impossible date read ${opts.order === 'dmy' ? 'day first (DD/MM/YYYY)' : 'month first (MM/DD/YYYY)'}: ${why}${hint}`,
      );
    }
    return [{ date: build(parts), reading: opts.order === 'dmy' ? 'day-first' : 'month-first' }];
  }
  const dWhy = problem(dayFirst);
  const mWhy = problem(monthFirst);
  if (dWhy !== undefined && mWhy !== undefined) {
    throw new VeilError('bad_request', `${flag}: impossible date either way: day first ${dWhy}, month first ${mWhy}; accepted forms: ${DATE_FORMS}`);
  }
  if (dWhy !== undefined) return [{ date: build(monthFirst), reading: 'month-first' }];
  if (mWhy !== undefined || sh.a === sh.b) return [{ date: build(dayFirst), reading: 'day-first' }];
  const d = build(dayFirst);
  const m = build(monthFirst);
  if (opts.ambiguous === 'refuse') {
    throw new VeilError(
      'bad_request',
      `${flag}: ambiguous date: day first it is ${d.full ?? d.year}, month first ${m.full ?? m.year}; pass --date-order dmy or --date-order mdy, or write it as YYYY-MM-DD`,
    );
  }
  return [
    { date: d, reading: 'day-first' },
    { date: m, reading: 'month-first' },
  ];
}

function daysInMonth(y: number, m: number): number {
  if (m === 0) return 0;
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
