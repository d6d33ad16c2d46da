/**
 * An RFC 4180 CSV tokenizer for import files, fed decoded text in chunks and yielding rows with the
 * line each starts on. Rows are capped in size (`MAX_LINE_BYTES` characters) so memory stays bounded
 * whatever the file; an over-long row is reported, never buffered whole.
 */
import { VeilError } from '#protocol';
import { MAX_LINE_BYTES } from './limits.ts';

export interface CsvRow {
  line: number;
  fields: string[];
  error?: string;
}

/** Tokenizer states. */
const S = { FieldStart: 0, Unquoted: 1, Quoted: 2, QuoteInQuoted: 3 } as const;
type State = (typeof S)[keyof typeof S];

/**
 * RFC 4180 tokenizer, fed decoded text in chunks. Accepts CRLF, LF and lone CR as row breaks; keeps
 * line breaks inside quoted fields as written; `""` inside a quoted field is one quote. A quote inside
 * an unquoted field, or text after a closing quote, makes that row invalid (reported, not guessed).
 */
export class CsvTokenizer {
  #state: State = S.FieldStart;
  #field = '';
  #fields: string[] = [];
  #quoted = false;
  #error: string | undefined = undefined;
  #line = 1;
  #rowLine = 1;
  #rowSize = 0;
  #afterCR = false;

  /** Feed the next piece of text; returns the rows it completed. */
  push(text: string): CsvRow[] {
    const rows: CsvRow[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.#afterCR) {
        this.#afterCR = false;
        if (c === LF) {
          // second half of a CRLF already counted as a line break
          if (this.#state === S.Quoted) this.#append('\n');
          i++;
          continue;
        }
      }
      switch (this.#state) {
        case S.FieldStart:
          if (c === QUOTE) {
            this.#state = S.Quoted;
            this.#quoted = true;
            i++;
          } else if (c === COMMA) {
            this.#endField();
            i++;
          } else if (c === CR || c === LF) {
            this.#endRow(rows, c);
            i++;
          } else {
            this.#state = S.Unquoted;
          }
          break;
        case S.Unquoted: {
          UNQUOTED_STOP.lastIndex = i;
          const m = UNQUOTED_STOP.exec(text);
          const stop = m === null ? n : m.index;
          if (stop > i) this.#append(text.slice(i, stop));
          i = stop;
          if (i === n) break;
          const s = text.charCodeAt(i);
          if (s === COMMA) {
            this.#endField();
            this.#state = S.FieldStart;
          } else if (s === QUOTE) {
            this.#fail('a quote inside an unquoted field (quote the whole field and double the quote)');
            this.#append('"');
          } else {
            this.#endRow(rows, s);
          }
          i++;
          break;
        }
        case S.Quoted: {
          QUOTED_STOP.lastIndex = i;
          const m = QUOTED_STOP.exec(text);
          const stop = m === null ? n : m.index;
          if (stop > i) this.#append(text.slice(i, stop));
          i = stop;
          if (i === n) break;
          const s = text.charCodeAt(i);
          if (s === QUOTE) this.#state = S.QuoteInQuoted;
          else {
            this.#append(s === CR ? '\r' : '\n');
            this.#line++;
            this.#afterCR = s === CR;
          }
          i++;
          break;
        }
        case S.QuoteInQuoted:
          if (c === QUOTE) {
            this.#append('"');
            this.#state = S.Quoted;
          } else if (c === COMMA) {
            this.#endField();
            this.#state = S.FieldStart;
          } else if (c === CR || c === LF) {
            this.#endRow(rows, c);
          } else {
            this.#fail('text after the closing quote of a field');
            this.#append(text.charAt(i));
            this.#state = S.Unquoted;
          }
          i++;
          break;
      }
    }
    return rows;
  }

  /** Signal the end of input; returns the last row if the text did not end with a line break. */
  end(): CsvRow[] {
    const rows: CsvRow[] = [];
    if (this.#state === S.Quoted) this.#fail('a quoted field is not closed before the end of the file');
    if (this.#state !== S.FieldStart || this.#fields.length > 0) this.#endRow(rows, -1);
    return rows;
  }

  #append(s: string): void {
    this.#rowSize += s.length;
    if (this.#rowSize > MAX_LINE_BYTES) {
      throw new VeilError('too_large', `line ${this.#rowLine}: a CSV record is longer than 1 MiB (an unclosed quote?)`);
    }
    this.#field += s;
  }

  #fail(reason: string): void {
    this.#error ??= reason;
  }

  #endField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
  }

  /** Close the current row at a line break `c` (CR, LF, or -1 at the end of input). */
  #endRow(rows: CsvRow[], c: number): void {
    this.#endField();
    const blank = this.#fields.length === 1 && this.#fields[0]?.trim() === '' && !this.#quoted;
    if (!blank) {
      const row: CsvRow = { line: this.#rowLine, fields: this.#fields };
      if (this.#error !== undefined) row.error = this.#error;
      rows.push(row);
    }
    if (c !== -1) {
      this.#line++;
      this.#afterCR = c === CR;
    }
    this.#fields = [];
    this.#quoted = false;
    this.#error = undefined;
    this.#state = S.FieldStart;
    this.#rowLine = this.#line;
    this.#rowSize = 0;
  }
}

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;
const UNQUOTED_STOP = /[,"\r\n]/g;
const QUOTED_STOP = /["\r\n]/g;
