import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { VeilError } from '#protocol';
import { CsvTokenizer } from './csv-tokenizer.ts';
import { CSV_COLUMNS, countLines, type ImportItem, MAX_LINE_BYTES, readImportFile } from './parse.ts';

const dir = mkdtempSync(join(tmpdir(), 'veil-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(ext: string, content: string | Buffer): string {
  const p = join(dir, `f${n++}${ext}`);
  writeFileSync(p, content);
  return p;
}

async function all(path: string, opts: { format?: 'ndjson' | 'csv' } = {}): Promise<ImportItem[]> {
  const out: ImportItem[] = [];
  for await (const item of readImportFile(path, opts)) out.push(item);
  return out;
}

/** Line numbers with `ok` or the error. */
async function summary(path: string, opts: { format?: 'ndjson' | 'csv' } = {}): Promise<Array<[number, string]>> {
  return (await all(path, opts)).map((i) => [i.line, i.error ?? 'ok']);
}

const P = (id: string, family = 'Müller') =>
  JSON.stringify({ id, kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family, dob: '1970-01-31' } });

describe('NDJSON', () => {
  it('reads the documented example', async () => {
    const items = await all(new URL('../../docs/examples/records.ndjson', import.meta.url).pathname);
    expect(items.every((i) => i.op !== undefined)).toBe(true);
    expect(items.map((i) => i.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(items.at(-1)?.op).toEqual({ op: 'delete', id: 'de-wp-0099' });
  });

  it('skips blank lines, keeps line numbers, reports bad JSON without echoing it', async () => {
    const p = file('.ndjson', `${P('a')}\n\n   \n{"id": "Müller-secret",\n${P('b')}\n[1,2]\n"Müller"\n`);
    const items = await all(p);
    expect(items.map((i) => [i.line, i.error ?? 'ok'])).toEqual([
      [1, 'ok'],
      [4, 'line is not valid JSON'],
      [5, 'ok'],
      [6, 'record: expected an object'],
      [7, 'record: expected an object'],
    ]);
    for (const i of items) expect(i.error ?? '').not.toContain('Müller');
    expect(items[2]?.op).toMatchObject({ op: 'upsert', record: { id: 'b' } });
  });

  it('handles CRLF, a BOM and a last line without newline', async () => {
    const p = file('.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${P('a')}\r\n${P('b')}\r\n${P('c')}`)]));
    expect(await summary(p)).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
    ]);
  });

  it('rejects a line over 1 MiB and carries on', async () => {
    const big = JSON.stringify({ id: 'big', kind: 'person', pad: 'x'.repeat(MAX_LINE_BYTES) });
    const atCap = ' '.repeat(MAX_LINE_BYTES - Buffer.byteLength(P('c'))) + P('c'); // exactly the cap, in bytes
    const p = file('.ndjson', `${P('a')}\n${big}\n${P('b')}\n${atCap}\r\n`);
    expect(await summary(p)).toEqual([
      [1, 'ok'],
      [2, 'line is longer than 1 MiB'],
      [3, 'ok'],
      [4, 'ok'],
    ]);
  });

  it('reports invalid records with the reason and invalid UTF-8 per line', async () => {
    const bad = JSON.stringify({ id: 'x', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Müller', dob: '1970-02-30' } });
    const p = file('.ndjson', Buffer.concat([Buffer.from(`${bad}\n`), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), Buffer.from(`${P('ok')}\n`)]));
    expect(await summary(p)).toEqual([
      [1, 'person.dob: date has no such day in its month'],
      [2, 'line is not valid UTF-8'],
      [3, 'ok'],
    ]);
  });
});

const HEADER = 'op,id,kind,dataset,handling,family,given,aliases,dob,doc_type,doc_country,doc_number,doc_status,vin';

describe('CSV', () => {
  it('reads the documented example like the NDJSON one', async () => {
    const csv = await all(new URL('../../docs/examples/records.csv', import.meta.url).pathname);
    const nd = await all(new URL('../../docs/examples/records.ndjson', import.meta.url).pathname);
    expect(csv.map((i) => i.error)).toEqual(nd.map(() => undefined));
    expect(csv.map((i) => i.line)).toEqual(nd.map((i) => i.line + 1));
    // the same records, except for values only one format carries
    expect(csv.map((i) => (i.op?.op === 'upsert' ? i.op.record.id : i.op?.id))).toEqual(nd.map((i) => (i.op?.op === 'upsert' ? i.op.record.id : i.op?.id)));
    const ru = (items: ImportItem[]) => items.find((i) => i.op?.op === 'upsert' && i.op.record.id === 'ru-wp-0002')?.op;
    expect(ru(csv)).toEqual(ru(nd));
  });

  it('maps columns to a record; empty cells are absent; aliases split on |', async () => {
    const p = file('.csv', `${HEADER}\n,p1,person,wanted-persons,restricted,Müller,Hans,"Hans Mueller| MUELLER, Hans |",1970-01-31,P,DE,C01X00T47,valid,\n`);
    const [item] = await all(p);
    expect(item).toEqual({
      line: 2,
      op: {
        op: 'upsert',
        record: {
          id: 'p1',
          kind: 'person',
          dataset: 'wanted-persons',
          handling: 'restricted',
          person: { family: 'Müller', given: 'Hans', aliases: ['Hans Mueller', 'MUELLER, Hans'], dob: '1970-01-31' },
          documents: [{ type: 'P', country: 'DE', number: 'C01X00T47', status: 'valid' }],
        },
      },
    });
  });

  it('handles quotes, escaped quotes, embedded newlines, CRLF and a BOM, with starting line numbers', async () => {
    const rows = [
      '\ufeffid,kind,dataset,handling,family,given,dob',
      'a,person,wanted-persons,restricted,"O""Brien","Mary\r\nAnn",1970-01-31', // record on lines 2-3
      'b,person,wanted-persons,restricted,"Smith, Jr",John,1970-01-31', // line 4
      '', // blank line 5
      'c,person,wanted-persons,restricted,"Multi\nLine\nName",X,1970-01-31', // lines 6-8
      'd,person,wanted-persons,restricted,Last,First,1970-01-31', // line 9
    ];
    const p = file('.csv', rows.join('\r\n'));
    const items = await all(p);
    expect(items.map((i) => [i.line, i.error ?? 'ok'])).toEqual([
      [2, 'ok'],
      [4, 'ok'],
      [6, 'ok'],
      [9, 'ok'],
    ]);
    const rec = (i: number) => (items[i]?.op?.op === 'upsert' ? items[i].op.record : undefined);
    expect(rec(0)?.person).toMatchObject({ family: 'O"Brien', given: 'Mary\r\nAnn' });
    expect(rec(1)?.person?.family).toBe('Smith, Jr');
    expect(rec(2)?.person?.family).toBe('Multi\nLine\nName');
  });

  it('reports malformed rows per line and carries on', async () => {
    const p = file(
      '.csv',
      [
        'id,kind,dataset,handling,family,dob',
        'a,person,wanted-persons,restricted,Mül"ler,1970-01-31',
        'b,person,wanted-persons,restricted,"Müller"x,1970-01-31',
        'c,person,wanted-persons,restricted,Müller',
        'd,person,wanted-persons,restricted,Müller,1970-01-31,extra',
        'e,person,wanted-persons,restricted,Müller,31.02.1970',
        'f,person,wanted-persons,restricted,Müller,1970-01-31',
        'g,person,wanted-persons,restricted,"Müller,1970-01-31',
      ].join('\n'),
    );
    const items = await all(p);
    expect(items.map((i) => [i.line, i.error ?? 'ok'])).toEqual([
      [2, 'a quote inside an unquoted field (quote the whole field and double the quote)'],
      [3, 'text after the closing quote of a field'],
      [4, 'row has 5 fields but the header has 6'],
      [5, 'row has 7 fields but the header has 6'],
      [6, 'dob: date has no such day in its month'.replace('dob', 'person.dob')],
      [7, 'ok'],
      [8, 'a quoted field is not closed before the end of the file'],
    ]);
    for (const i of items) expect(i.error ?? '').not.toContain('Müller');
  });

  it('accepts a header with a subset of columns in any order, any case', async () => {
    const p = file('.csv', 'VIN, Handling ,dataset,kind,id\nZFA31200001234567,official-use,stolen-vehicles,vehicle,v1\n');
    const [item] = await all(p);
    expect(item?.op).toEqual({
      op: 'upsert',
      record: { id: 'v1', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'ZFA31200001234567' } },
    });
  });

  it('reads delete rows', async () => {
    const p = file('.csv', `${HEADER}\ndelete,p1,,,,,,,,,,,,\n`);
    expect((await all(p))[0]?.op).toEqual({ op: 'delete', id: 'p1' });
  });

  it('rejects unknown columns, duplicates and a missing id column for the whole file', async () => {
    const fail = async (content: string): Promise<VeilError> => {
      try {
        await all(file('.csv', content));
      } catch (e) {
        expect(e).toBeInstanceOf(VeilError);
        return e as VeilError;
      }
      throw new Error('expected a file-level error');
    };
    const unknown = await fail('id,kind,nickname\na,person,x\n');
    expect(unknown.code).toBe('invalid_import');
    expect(unknown.detail).toContain('unknown column "nickname"');
    // a file without a header: its first row is taken as one, and its values are not echoed
    const noHeader = await fail(',p1,person,wanted-persons,restricted,Müller\n');
    expect(noHeader.detail).toContain('unknown column');
    expect(noHeader.detail).not.toContain('Müller');
    expect((await fail('id,kind,id\n')).detail).toContain('appears twice');
    expect((await fail('kind,dataset\n')).detail).toContain('no id column');
  });

  it('rejects invalid UTF-8 for the whole file', async () => {
    const p = file('.csv', Buffer.concat([Buffer.from('id,kind\na,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    await expect(all(p)).rejects.toMatchObject({ code: 'invalid_import' });
  });

  it('stops at a record over 1 MiB (an unclosed quote cannot be resynchronized)', async () => {
    const p = file('.csv', `id,family\na,"${'x'.repeat(MAX_LINE_BYTES + 10)}\n`);
    await expect(all(p)).rejects.toMatchObject({ code: 'too_large' });
  });

  it('has the documented columns', () => {
    expect(CSV_COLUMNS.join(',')).toBe(
      'op,id,kind,dataset,handling,family,given,aliases,dob,nationality,sex,doc_type,doc_country,doc_number,doc_status,vin,plate,make,model,colour,vehicle_country,face,fingerprint',
    );
  });
});

describe('CsvTokenizer', () => {
  const tokenize = (chunks: string[]) => {
    const t = new CsvTokenizer();
    const rows = chunks.flatMap((c) => t.push(c));
    return [...rows, ...t.end()];
  };

  it('gives the same rows whatever the chunking', () => {
    const cell = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', 'é', ' ', 'Ж'), maxLength: 5 }),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', 'x'), maxLength: 6 }).map((s) => `"${s.replaceAll('"', '""')}"`),
    );
    const row = fc.array(cell, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(','));
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, nl, cuts) => {
          const text = rows.join(nl) + nl;
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(text.slice(prev, p));
            prev = p;
          }
          chunks.push(text.slice(prev));
          expect(tokenize(chunks)).toEqual(tokenize([text]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes quoted fields exactly', () => {
    expect(tokenize(['a,"b,c","d""e",,"",f\r\n"x\r\ny",z'])).toEqual([
      { line: 1, fields: ['a', 'b,c', 'd"e', '', '', 'f'] },
      { line: 2, fields: ['x\r\ny', 'z'] },
    ]);
  });

  it('counts lone CR as a line break', () => {
    expect(tokenize(['a\rb\r\rc']).map((r) => r.line)).toEqual([1, 2, 4]);
  });
});

describe('countLines and format', () => {
  it('counts newline-terminated and unterminated last lines', async () => {
    expect(await countLines(file('.ndjson', ''))).toBe(0);
    expect(await countLines(file('.ndjson', 'a\nb\n'))).toBe(2);
    expect(await countLines(file('.ndjson', 'a\nb'))).toBe(2);
    expect(await countLines(file('.ndjson', '\n\n\n'))).toBe(3);
    expect(await countLines(file('.ndjson', 'x\n'.repeat(300_000)))).toBe(300_000);
  });

  it('picks the format from the extension or the option', async () => {
    const p = file('.txt', `${P('a')}\n`);
    await expect(all(p)).rejects.toMatchObject({ code: 'bad_request' });
    expect(await summary(p, { format: 'ndjson' })).toEqual([[1, 'ok']]);
    const c = file('.data', 'id,kind,dataset,handling,family,dob\na,person,wanted-persons,restricted,Müller,1970\n');
    expect(await summary(c, { format: 'csv' })).toEqual([[2, 'ok']]);
  });
});
