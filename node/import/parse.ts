/**
 * Streaming readers for import files: NDJSON (one JSON object per line) and CSV (RFC 4180, one record
 * per row, a header row naming the columns). Both yield one item per non-blank line/row, with its line
 * number and either a validated `ImportOp` or a reason; a reason never contains a value from the file.
 * Problems that make the whole file unreadable (unknown CSV columns, invalid UTF-8 in a CSV, a CSV
 * record over the size cap) throw a `VeilError` instead. Formats and examples: docs/records.md.
 *
 * Memory stays bounded by the line cap whatever the file size: lines are cut from the byte stream as
 * they arrive and the generator yields before reading on.
 */
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { type ImportOp, parseRecord, VeilError } from '#protocol';
import { type CsvRow, CsvTokenizer } from './csv-tokenizer.ts';
import { MAX_LINE_BYTES } from './limits.ts';

export type ImportFormat = 'ndjson' | 'csv';

export interface ImportItem {
  /** 1-based line of the file where the line (NDJSON) or the record (CSV) starts. */
  line: number;
  op?: ImportOp;
  error?: string;
}

export { MAX_LINE_BYTES } from './limits.ts';

/** The CSV columns, in the documented order. `aliases` is `|`-separated; an empty cell is absent. */
export const CSV_COLUMNS = [
  'op',
  'id',
  'kind',
  'dataset',
  'handling',
  'family',
  'given',
  'aliases',
  'dob',
  'nationality',
  'sex',
  'doc_type',
  'doc_country',
  'doc_number',
  'doc_status',
  'vin',
  'plate',
  'make',
  'model',
  'colour',
  'vehicle_country',
  'face',
  'fingerprint',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Format from the file extension (.ndjson, .jsonl, .csv), unless given. */
export function importFormat(path: string, format?: ImportFormat): ImportFormat {
  if (format !== undefined) return format;
  const ext = extname(path).toLowerCase();
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.csv') return 'csv';
  throw new VeilError('bad_request', 'unknown import format: name the file .ndjson, .jsonl or .csv, or pass a format');
}

/**
 * Read an import file record by record. Blank lines are skipped (their numbers still count). Each
 * yielded item has `op` (valid) or `error` (invalid, with a value-free reason).
 */
export async function* readImportFile(path: string, opts: { format?: ImportFormat } = {}): AsyncGenerator<ImportItem> {
  const format = importFormat(path, opts.format);
  if (format === 'ndjson') yield* readNdjson(path);
  else yield* readCsv(path);
}

/**
 * Number of lines in a file (newline bytes, plus one for a last line without a newline), counted
 * without decoding: for progress bars. A CSV record with embedded newlines counts as several lines.
 */
export async function countLines(path: string): Promise<number> {
  let n = 0;
  let last = -1;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) n++;
    if (chunk.length > 0) last = chunk[chunk.length - 1] ?? -1;
  }
  return last !== -1 && last !== 0x0a ? n + 1 : n;
}

// ---------------------------------------------------------------------------------------------------
// NDJSON

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function* readNdjson(path: string): AsyncGenerator<ImportItem> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let line = 1;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!overflow) {
        if (size + (end - start) > MAX_LINE_BYTES + 1) {
          // +1 tolerates the CR of a CRLF line of exactly the cap; the exact check is below
          overflow = true;
          parts = [];
          size = 0;
        } else if (end > start) {
          parts.push(chunk.subarray(start, end));
          size += end - start;
        }
      }
      if (nl === -1) break;
      const item = ndjsonLine(line, parts, size, overflow);
      if (item !== undefined) yield item;
      parts = [];
      size = 0;
      overflow = false;
      line++;
      start = nl + 1;
    }
  }
  const item = ndjsonLine(line, parts, size, overflow);
  if (item !== undefined) yield item;
}

function ndjsonLine(line: number, parts: Buffer[], size: number, overflow: boolean): ImportItem | undefined {
  let bytes = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, size);
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
  if (overflow || bytes.length > MAX_LINE_BYTES) return { line, error: 'line is longer than 1 MiB' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { line, error: 'line is not valid UTF-8' };
  }
  if (text.trim() === '') return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    // the parser's own message quotes the input: never pass it on
    return { line, error: 'line is not valid JSON' };
  }
  return toItem(line, obj);
}

function toItem(line: number, obj: unknown): ImportItem {
  const r = parseRecord(obj);
  return r.ok ? { line, op: r.record } : { line, error: r.reason };
}

// ---------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

async function* csvRows(path: string): AsyncGenerator<CsvRow> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const tok = new CsvTokenizer();
  const invalid = (e: unknown): VeilError => new VeilError('invalid_import', 'the file is not valid UTF-8', { cause: e });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (e) {
      throw invalid(e);
    }
    yield* tok.push(text);
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch (e) {
    throw invalid(e);
  }
  yield* tok.push(rest);
  yield* tok.end();
}

async function* readCsv(path: string): AsyncGenerator<ImportItem> {
  let columns: CsvColumn[] | undefined;
  for await (const row of csvRows(path)) {
    if (columns === undefined) {
      columns = csvHeader(row);
      continue;
    }
    if (row.error !== undefined) {
      yield { line: row.line, error: row.error };
    } else if (row.fields.length !== columns.length) {
      yield { line: row.line, error: `row has ${plural(row.fields.length, 'field')} but the header has ${columns.length}` };
    } else {
      const cells = new Map<CsvColumn, string>();
      columns.forEach((col, i) => {
        const v = row.fields[i]?.trim() ?? '';
        if (v !== '') cells.set(col, v);
      });
      const built = csvObject(cells);
      yield typeof built === 'string' ? { line: row.line, error: built } : toItem(row.line, built);
    }
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const KNOWN_COLUMNS: ReadonlySet<string> = new Set(CSV_COLUMNS);

function csvHeader(row: CsvRow): CsvColumn[] {
  if (row.error !== undefined) throw new VeilError('invalid_import', `line ${row.line}: header row: ${row.error}`);
  const names = row.fields.map((f) => f.trim().toLowerCase());
  const unknown = names.filter((n) => !KNOWN_COLUMNS.has(n));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((n) => (/^[a-z0-9_ -]{1,32}$/.test(n) ? `"${n}"` : '(unprintable name)'));
    throw new VeilError(
      'invalid_import',
      `line ${row.line}: unknown column${unknown.length > 1 ? 's' : ''} ${shown.join(', ')}; the first row must be a header naming columns from: ${CSV_COLUMNS.join(',')}`,
    );
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new VeilError('invalid_import', `line ${row.line}: column "${n}" appears twice in the header`);
    seen.add(n);
  }
  if (!seen.has('id')) throw new VeilError('invalid_import', `line ${row.line}: the header has no id column`);
  return names as CsvColumn[];
}

/** The record object of one CSV row (present cells only), or a reason it cannot be built. */
function csvObject(cells: ReadonlyMap<CsvColumn, string>): Record<string, unknown> | string {
  const pick = (obj: Record<string, unknown>, entries: ReadonlyArray<readonly [string, CsvColumn]>): boolean => {
    let any = false;
    for (const [key, col] of entries) {
      const v = cells.get(col);
      if (v !== undefined) {
        obj[key] = v;
        any = true;
      }
    }
    return any;
  };
  const out: Record<string, unknown> = {};
  pick(out, [
    ['op', 'op'],
    ['id', 'id'],
    ['kind', 'kind'],
    ['dataset', 'dataset'],
    ['handling', 'handling'],
  ]);

  const person: Record<string, unknown> = {};
  let hasPerson = pick(person, [
    ['family', 'family'],
    ['given', 'given'],
    ['dob', 'dob'],
    ['nationality', 'nationality'],
    ['sex', 'sex'],
  ]);
  const aliases = cells.get('aliases');
  if (aliases !== undefined) {
    const list = aliases
      .split('|')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    if (list.length > 0) {
      person.aliases = list;
      hasPerson = true;
    }
  }
  if (hasPerson) out.person = person;

  const doc: Record<string, unknown> = {};
  if (
    pick(doc, [
      ['type', 'doc_type'],
      ['country', 'doc_country'],
      ['number', 'doc_number'],
      ['status', 'doc_status'],
    ])
  ) {
    out.documents = [doc];
  }

  const vehicle: Record<string, unknown> = {};
  if (
    pick(vehicle, [
      ['vin', 'vin'],
      ['plate', 'plate'],
      ['make', 'make'],
      ['model', 'model'],
      ['colour', 'colour'],
      ['country', 'vehicle_country'],
    ])
  ) {
    out.vehicle = vehicle;
  }

  const biometrics: Record<string, unknown> = {};
  for (const col of ['face', 'fingerprint'] as const) {
    const v = cells.get(col);
    if (v === undefined) continue;
    if (v.startsWith('[')) {
      try {
        biometrics[col] = JSON.parse(v);
      } catch {
        return `${col}: is neither a JSON array of numbers nor base64`;
      }
    } else biometrics[col] = v;
  }
  if (Object.keys(biometrics).length > 0) out.biometrics = biometrics;
  return out;
}
