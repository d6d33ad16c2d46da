import { describe, expect, it } from 'vitest';
import { VeilError } from '../errors.ts';
import { normalizeDate, parseQueryDate } from './index.ts';

function error(fn: () => unknown): VeilError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VeilError) return e;
    throw e;
  }
  throw new Error('expected a VeilError');
}

describe('record dates (normalizeDate)', () => {
  it.each([
    ['1970-01-31', '1970-01-31'],
    ['1970-1-5', '1970-01-05'],
    ['19700131', '1970-01-31'],
    ['31.01.1970', '1970-01-31'],
    ['5.1.1970', '1970-01-05'],
    ['31/01/1970', '1970-01-31'],
    ['1970/01/31', '1970-01-31'],
    ['1970.01.31', '1970-01-31'],
    ['31-01-1970', '1970-01-31'],
    [' 2000-02-29 ', '2000-02-29'], // leap year divisible by 400
    ['１９７０-０１-３１', '1970-01-31'], // full-width digits
  ])('%s → %s', (input, expected) => {
    const d = normalizeDate(input);
    expect(d).toEqual({ year: expected.slice(0, 4), month: expected.slice(0, 7), full: expected, precision: 'day' });
  });

  it('accepts a year alone and a year with its month', () => {
    expect(normalizeDate('1988')).toEqual({ year: '1988', month: undefined, full: undefined, precision: 'year' });
    for (const s of ['1988-03', '1988/03', '03/1988', '3.1988', '03-1988', '00.03.1988', '1988-03-00']) {
      expect(normalizeDate(s), s).toEqual({ year: '1988', month: '1988-03', full: undefined, precision: 'month' });
    }
    expect(normalizeDate('00.00.1988').precision).toBe('year');
  });

  it('reads year-last dates day first unless told month first', () => {
    expect(normalizeDate('03/04/1970').full).toBe('1970-04-03');
    expect(normalizeDate('03/04/1970', 'mdy').full).toBe('1970-03-04');
    expect(normalizeDate('12/25/1980', 'mdy').full).toBe('1980-12-25');
  });

  it.each([
    ['1970-02-30', 'no such day'],
    ['1900-02-29', 'no such day'], // not a leap year
    ['1970-13-01', 'no such month'],
    ['31.04.1970', 'no such day'],
    ['00.13.1970', 'no such month'],
    ['1970-00-10', 'no such month'], // a day without a month
    ['1799-01-01', 'outside'],
    ['2200', 'outside'],
    ['01/31/1970', 'no such month'], // day first: month 31
    ['31 Jan 1970', 'recognised format'],
    ['', 'recognised format'],
  ])('rejects %s (%s), naming the problem and never the value', (input, why) => {
    const e = error(() => normalizeDate(input));
    expect(e.code).toBe('bad_request');
    expect(e.detail).toContain(why);
    if (input.trim() !== '') expect(e.message).not.toContain(input.trim());
  });
});

describe('query dates (parseQueryDate)', () => {
  it('asks an ambiguous date both ways', () => {
    expect(parseQueryDate('03/04/1970').map((r) => `${r.reading}:${r.date.full}`)).toEqual(['day-first:1970-04-03', 'month-first:1970-03-04']);
  });

  it('reads an unambiguous date the only way it is valid, and the same day and month once', () => {
    expect(parseQueryDate('12/25/1980')).toEqual([{ date: expect.objectContaining({ full: '1980-12-25' }), reading: 'month-first' }]);
    expect(parseQueryDate('25/12/1980')).toEqual([{ date: expect.objectContaining({ full: '1980-12-25' }), reading: 'day-first' }]);
    expect(parseQueryDate('05/05/1980')).toHaveLength(1);
    expect(parseQueryDate('1980-12-05')).toEqual([{ date: expect.objectContaining({ full: '1980-12-05' }), reading: 'as-written' }]);
  });

  it('follows --date-order', () => {
    expect(parseQueryDate('03/04/1970', { order: 'mdy' }).map((r) => r.date.full)).toEqual(['1970-03-04']);
    expect(parseQueryDate('03/04/1970', { order: 'dmy' }).map((r) => r.date.full)).toEqual(['1970-04-03']);
  });

  it('accepts year-month and year-only queries', () => {
    expect(parseQueryDate('04/1970')[0]!.date.precision).toBe('month');
    expect(parseQueryDate('1970')[0]!.date.precision).toBe('year');
  });

  it('names the flag, the reason, both readings and --date-order in its errors', () => {
    const amb = error(() => parseQueryDate('03/04/1970', { ambiguous: 'refuse' }));
    expect(amb.detail).toContain('--dob');
    expect(amb.detail).toContain('1970-04-03');
    expect(amb.detail).toContain('1970-03-04');
    expect(amb.detail).toContain('--date-order');
    const order = error(() => parseQueryDate('12/25/1980', { order: 'dmy' }));
    expect(order.detail).toContain('--dob');
    expect(order.detail).toContain('no month 25');
    expect(order.detail).toContain('--date-order mdy');
    const both = error(() => parseQueryDate('31/31/1980'));
    expect(both.detail).toMatch(/--dob: impossible date either way.*accepted forms/);
    const form = error(() => parseQueryDate('March 3rd', { flag: '--born' }));
    expect(form.detail).toContain('--born');
    expect(form.detail).toContain('YYYY-MM-DD');
  });
});
