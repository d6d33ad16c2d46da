import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HANDLING_CODES, HANDLING_RULES, type ImportOp, parseRecord } from './records.ts';

const base = { id: 'de-wp-0001', kind: 'person', dataset: 'wanted-persons', handling: 'restricted' } as const;
const person = { ...base, person: { family: 'Müller', given: 'Hans', dob: '1971-03-14' } };

function ok(obj: unknown): ImportOp {
  const r = parseRecord(obj);
  if (!r.ok) throw new Error(`expected ok, got: ${r.reason}`);
  return r.record;
}

/** The reason, checked never to contain `secret` (the offending value, which may be personal data). */
function reason(obj: unknown, secret?: string): string {
  const r = parseRecord(obj);
  if (r.ok) throw new Error('expected a rejection');
  if (secret !== undefined) expect(r.reason).not.toContain(secret);
  return r.reason;
}

describe('valid records', () => {
  it('accepts every line of docs/examples/records.ndjson', () => {
    const lines = readFileSync(new URL('../docs/examples/records.ndjson', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) ok(JSON.parse(l));
  });

  it('defaults op to upsert and trims strings, normalizing nothing else', () => {
    const r = ok({ ...base, id: '  de-wp-0001 ', person: { family: ' MÜLLER ', dob: ' 14.03.1971 ', nationality: 'de' } });
    expect(r).toEqual({
      op: 'upsert',
      record: { ...base, person: { family: 'MÜLLER', dob: '14.03.1971', nationality: 'de' } },
    });
    expect(ok({ ...person, op: 'upsert' }).op).toBe('upsert');
  });

  it('accepts a delete with only an id', () => {
    expect(ok({ op: 'delete', id: 'x:1' })).toEqual({ op: 'delete', id: 'x:1' });
  });

  it('accepts a person identified by a document instead of a date of birth', () => {
    ok({ ...base, person: { family: 'Müller' }, documents: [{ type: 'P', country: 'DE', number: 'C01X00T47' }] });
  });

  it('accepts a year of birth', () => {
    ok({ ...base, person: { family: 'Müller', dob: '1971' } });
  });

  it('accepts biometrics as numbers or base64 float32', () => {
    const b64 = Buffer.from(new Float32Array([0.1, 0.2, 0.3, 0.4]).buffer).toString('base64');
    ok({ ...person, biometrics: { face: [0.1, -0.2, 0.3], fingerprint: b64 } });
  });

  it('has the handling registry', () => {
    expect(HANDLING_CODES).toEqual(['official-use', 'restricted', 'confidential']);
    expect(Object.keys(HANDLING_RULES)).toEqual([...HANDLING_CODES]);
  });
});

describe('rejections name the field and the problem, never the value', () => {
  it.each([
    ['not an object', 'Müller', 'record: expected an object'],
    ['an array', ['Müller'], 'record: expected an object'],
    ['missing kind', { id: 'a', dataset: 'x', handling: 'restricted' }, 'kind: is required'],
    ['bad kind', { ...person, kind: 'Müller' }, 'kind: must be one of person, document, vehicle'],
    ['bad handling', { ...person, handling: 'secret-Müller' }, 'handling: must be one of official-use, restricted, confidential'],
    ['bad id characters', { ...person, id: 'Hans Müller' }, 'id: may contain only letters, digits and . _ : -'],
    ['too long id', { ...person, id: 'a'.repeat(129) }, 'id: must have at most 128 characters'],
    ['bad dataset', { ...person, dataset: 'Wanted Persons' }, 'dataset: may contain only lower-case letters, digits and -'],
    ['empty family', { ...base, person: { family: '   ', dob: '1970' } }, 'person.family: must not be empty'],
    ['name without letters', { ...base, person: { family: '12345', dob: '1970' } }, 'person.family: name contains no letters'],
    ['too long name', { ...base, person: { family: 'M'.repeat(201), dob: '1970' } }, 'person.family: must have at most 200 characters'],
    ['impossible date', { ...base, person: { family: 'Müller', dob: '1971-02-30' } }, 'person.dob: date has no such day in its month'],
    ['unknown date format', { ...base, person: { family: 'Müller', dob: '14 March 1971' } }, 'person.dob: date is not in a recognised format'],
    ['bad nationality', { ...base, person: { family: 'Müller', dob: '1970', nationality: 'ZZ' } }, 'person.nationality: is not an ISO 3166-1'],
    ['bad sex', { ...base, person: { family: 'Müller', dob: '1970', sex: 'male' } }, 'person.sex: must be one of M, F, X, U'],
    ['too many aliases', { ...base, person: { family: 'Müller', dob: '1970', aliases: Array(21).fill('Hans') } }, 'person.aliases: must have at most 20 items'],
    ['bad alias', { ...base, person: { family: 'Müller', dob: '1970', aliases: ['Hans', '--'] } }, 'person.aliases[1]: name contains no letters'],
    ['person without person', { ...base }, 'person: is required for a person record'],
    ['person without dob or document', { ...base, person: { family: 'Müller' } }, 'person.dob: a person record needs a date of birth or a document'],
    ['document record without documents', { ...base, kind: 'document' }, 'documents: a document record needs at least one document'],
    ['vehicle record without vehicle', { ...base, kind: 'vehicle' }, 'vehicle: is required for a vehicle record'],
    [
      'bad doc type',
      { ...base, kind: 'document', documents: [{ type: 'visa', country: 'FR', number: '123456' }] },
      'documents[0].type: document type is not one of',
    ],
    [
      'bad doc country',
      { ...base, kind: 'document', documents: [{ type: 'P', country: 'FRANCE', number: '123456' }] },
      'documents[0].country: must have at most 3 characters',
    ],
    [
      'bad doc number',
      { ...base, kind: 'document', documents: [{ type: 'P', country: 'FR', number: '18AB#12345' }] },
      'documents[0].number: document number may contain only letters A-Z and digits',
    ],
    [
      'bad doc status',
      { ...base, kind: 'document', documents: [{ type: 'P', country: 'FR', number: '123456', status: 'burnt' }] },
      'documents[0].status: must be one of stolen, lost, revoked, valid',
    ],
    [
      'too many documents',
      { ...base, kind: 'document', documents: Array(21).fill({ type: 'P', country: 'FR', number: '123456' }) },
      'documents: must have at most 20 items',
    ],
    [
      'VIN with O',
      { ...base, kind: 'vehicle', vehicle: { vin: 'WVWZZZ1JZXW00000O' } },
      'vehicle.vin: VIN may contain only digits and letters other than I, O and Q',
    ],
    ['short VIN', { ...base, kind: 'vehicle', vehicle: { vin: 'AB1' } }, 'vehicle.vin: VIN must have 17 characters'],
    ['vehicle without vin', { ...base, kind: 'vehicle', vehicle: { plate: 'AB123CD' } }, 'vehicle.vin: is required'],
    ['face of strings', { ...person, biometrics: { face: ['a'] } }, 'biometrics.face: must be an array of numbers or a base64 string'],
    ['face not base64', { ...person, biometrics: { face: 'Müller!!' } }, 'biometrics.face: must be an array of numbers or a base64 string'],
    ['face not float32', { ...person, biometrics: { face: 'AAAAAAA=' } }, 'biometrics.face: does not decode to whole float32 values'],
    ['wrong type', { ...person, person: { family: 42, dob: '1970' } }, 'person.family: expected string'],
    ['unknown op', { ...person, op: 'merge' }, 'op: must be upsert or delete'],
    ['delete with more fields', { op: 'delete', id: 'a', person: { family: 'Müller' } }, 'a delete line may carry only op and id'],
    ['delete without id', { op: 'delete' }, 'id: is required'],
  ])('%s', (_label, obj, expected) => {
    expect(reason(obj, 'Müller')).toContain(expected);
  });

  it('names unknown fields only when they look like identifiers', () => {
    expect(reason({ ...person, familyName: 'Müller' }, 'Müller')).toBe('record: unknown field "familyName"');
    expect(reason({ ...person, 'Müller Hans': 1 }, 'Müller')).toBe('record: unknown field (unprintable name)');
    expect(reason({ ...person, person: { family: 'X', dob: '1970', middle: 'Y' } })).toBe('person: unknown field "middle"');
  });

  it('never echoes offending values', () => {
    const secrets = {
      dob: '1971-02-30',
      vin: 'SECRETVIN0000000O',
      number: 'SECRET#NUMBER',
      id: 'secret id with spaces',
    };
    reason({ ...base, person: { family: 'Müller', dob: secrets.dob } }, secrets.dob);
    reason({ ...base, kind: 'vehicle', vehicle: { vin: secrets.vin } }, secrets.vin);
    reason({ ...base, kind: 'document', documents: [{ type: 'P', country: 'FR', number: secrets.number }] }, secrets.number);
    reason({ ...person, id: secrets.id }, secrets.id);
  });

  it('lists at most three problems', () => {
    const r = reason({ id: '', kind: 'x', dataset: 'X', handling: 'y', person: 3 });
    expect(r.split('; ')).toHaveLength(4);
    expect(r).toMatch(/and \d+ more$/);
  });
});
