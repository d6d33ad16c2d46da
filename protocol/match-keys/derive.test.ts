import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS } from '../labels.ts';
import type { VeilRecord } from '../records.ts';
import {
  MATCH_CLASSES,
  describeKey,
  docKey,
  matchKeysForQuery,
  matchKeysForRecord,
  nameDobKeys,
  phoneticYobKeys,
  vehicleKey,
  type MatchKey,
} from './index.ts';
import { VeilError } from '../errors.ts';

const dec = new TextDecoder();

/** Split an input into its label and value (the test's own decoding of the documented layout). */
function parts(k: MatchKey): { label: string; value: string } {
  const i = k.input.indexOf(0);
  return { label: dec.decode(k.input.subarray(0, i)), value: dec.decode(k.input.subarray(i + 1)) };
}
const hex = (k: MatchKey): string => Buffer.from(k.input).toString('hex');
const hexes = (ks: MatchKey[]): string[] => ks.map(hex);

describe('key layout', () => {
  it('is utf8(label + class) || 0x00 || utf8(value)', () => {
    const k = docKey('P', 'fr', '18ab 12345');
    expect(k.cls).toBe('doc');
    expect(parts(k)).toEqual({ label: `${LABELS.matchKey}doc`, value: 'passport:FRA:18AB12345' });
    const expected = Buffer.concat([Buffer.from('veil/v1/match-key/doc'), Buffer.from([0]), Buffer.from('passport:FRA:18AB12345')]);
    expect(Buffer.from(k.input).equals(expected)).toBe(true);
  });

  it('has the documented values per class', () => {
    expect(parts(nameDobKeys('MÜLLER, Hans', '31.01.1970')[0]!).value).toBe('hans muller|1970-01-31');
    expect(parts(phoneticYobKeys('MÜLLER, Hans', '31.01.1970')[0]!).value).toBe('MLR NS|1970');
    expect(parts(vehicleKey('wvw-zzz1jzxw000001')).value).toBe('WVWZZZ1JZXW000001');
  });

  it('year-only dates give phonetic_yob but no name_dob', () => {
    expect(nameDobKeys('Hans Müller', '1970')).toEqual([]);
    expect(phoneticYobKeys('Hans Müller', '1970')).toHaveLength(1);
    expect(matchKeysForQuery({ name: 'Hans Müller', dob: '1970' }).map((k) => k.cls)).toEqual(['phonetic_yob']);
  });

  it('a name query yields name_dob and phonetic_yob', () => {
    expect(matchKeysForQuery({ name: 'Hans Müller', dob: '1970-01-31' }).map((k) => k.cls)).toEqual(['name_dob', 'phonetic_yob']);
  });

  it('document and VIN queries yield one key each', () => {
    expect(hexes(matchKeysForQuery({ doc: { type: 'passport', country: 'FRA', number: '18AB12345' } }))).toEqual([
      hex(docKey('P', 'FR', '18ab-12345')),
    ]);
    expect(hexes(matchKeysForQuery({ vin: 'WVWZZZ1JZXW000001' }))).toEqual([hex(vehicleKey('wvwzzz1jzxw000001'))]);
  });

  it('rejects invalid input with a typed error', () => {
    expect(() => matchKeysForQuery({ name: 'Hans', dob: '1970-02-30' })).toThrow(VeilError);
    expect(() => matchKeysForQuery({ name: '123', dob: '1970-02-03' })).toThrow(VeilError);
    expect(() => matchKeysForQuery({ vin: 'WVWZZZ1JZXW00000O' })).toThrow(VeilError);
    expect(() => matchKeysForQuery({ doc: { type: 'visa', country: 'FR', number: '123456' } })).toThrow(VeilError);
  });

  it('describeKey reveals the class only', () => {
    const k = docKey('P', 'FR', '18AB12345');
    expect(describeKey(k)).toEqual({ cls: 'doc' });
  });
});

describe('cross-script queries meet records', () => {
  const shared = (a: MatchKey[], b: MatchKey[]): string[] => {
    const bs = new Set(hexes(b));
    return a.filter((k) => bs.has(hex(k))).map((k) => k.cls);
  };
  it.each([
    ['Владимир Путин', 'Vladimir Putin', ['name_dob', 'phonetic_yob']],
    ['Дмитрий Иванов', 'Dmitriy Ivanov', ['name_dob', 'phonetic_yob']],
    ['Дмитрий Иванов', 'Dmitry Ivanov', ['phonetic_yob']],
    ['Σωκράτης Παπαδόπουλος', 'Sokratis Papadopoulos', ['name_dob', 'phonetic_yob']],
    ['محمد علي', 'Mohamed Ali', ['phonetic_yob']],
    ['Đorđe Ljubičić', 'Ђорђе Љубичић', ['name_dob', 'phonetic_yob']],
  ])('%s / %s → %j', (a, b, classes) => {
    const ka = matchKeysForQuery({ name: a, dob: '1975-06-01' });
    const kb = matchKeysForQuery({ name: b, dob: '01.06.1975' });
    expect(shared(ka, kb)).toEqual(classes);
  });
});

describe('matchKeysForRecord', () => {
  const person: VeilRecord = {
    id: 'p1',
    kind: 'person',
    dataset: 'wanted-persons',
    handling: 'restricted',
    person: { family: 'Müller', given: 'Hans', aliases: ['MUELLER, Hans', 'Hans Müller', 'Johann Müller'], dob: '1970-01-31' },
    documents: [
      { type: 'passport', country: 'DE', number: 'C01X00T47' },
      { type: 'P', country: 'DEU', number: 'c01x00t47' },
    ],
  };

  it('keys primary name, aliases and documents, deduplicated', () => {
    const keys = matchKeysForRecord(person);
    const values = keys.map((k) => `${k.cls}=${parts(k).value}`);
    expect(values).toEqual([
      'name_dob=hans muller|1970-01-31',
      'phonetic_yob=MLR NS|1970',
      'name_dob=hans mueller|1970-01-31',
      'name_dob=johann muller|1970-01-31',
      'phonetic_yob=AN MLR|1970', // j → y: Johann, Iohann and Yohann meet
      'doc=passport:DEU:C01X00T47',
    ]);
  });

  it('matches what a query derives', () => {
    const rec = new Set(hexes(matchKeysForRecord(person)));
    for (const k of matchKeysForQuery({ name: 'hans MÜLLER', dob: '31/01/1970' })) expect(rec.has(hex(k))).toBe(true);
    for (const k of matchKeysForQuery({ doc: { type: 'passport', country: 'de', number: 'C01 X00 T47' } })) expect(rec.has(hex(k))).toBe(true);
  });

  it('does not key the names of document or vehicle records', () => {
    const doc: VeilRecord = {
      id: 'd1',
      kind: 'document',
      dataset: 'sltd',
      handling: 'official-use',
      person: { family: 'Müller', dob: '1970-01-31' },
      documents: [{ type: 'P', country: 'FR', number: '18AB12345', status: 'stolen' }],
    };
    expect(matchKeysForRecord(doc).map((k) => k.cls)).toEqual(['doc']);
    const car: VeilRecord = { id: 'v1', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'ZFA31200001234567' } };
    expect(matchKeysForRecord(car).map((k) => k.cls)).toEqual(['vehicle']);
  });

  it('a person known by year of birth only gets phonetic keys', () => {
    const p: VeilRecord = { ...person, person: { family: 'Müller', given: 'Hans', dob: '1970' }, documents: [] };
    expect(matchKeysForRecord(p).map((k) => k.cls)).toEqual(['phonetic_yob']);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

const LETTERS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ...'äöüßéèêçñøåłżźćńśőűăâîșțčšžđ',
  ...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯіїєґђћљњџј',
  ...'αβγδεζηθικλμνξοπρστυφχψωάέήίόύώΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ',
  ...'ابتثجحخدذرزسشصضطظعغفقكلمنهويةىءأإآ',
];
const token = fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 8 });
const tokens = fc.array(token, { minLength: 1, maxLength: 4 });
const date = fc
  .record({ y: fc.integer({ min: 1900, max: 2099 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

/** Keys of a query, or the error code when the name has nothing to key (e.g. only a hard sign). */
function queryKeys(name: string, dob: string): string[] | string {
  try {
    return hexes(matchKeysForQuery({ name, dob }));
  } catch (e) {
    if (e instanceof VeilError) return e.code;
    throw e;
  }
}

const RUNS = 300;

describe('properties', () => {
  it('derivation is deterministic', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), date, (name, dob) => {
        expect(queryKeys(name, dob)).toEqual(queryKeys(name, dob));
      }),
      { numRuns: RUNS },
    );
  });

  it('is invariant to token order', () => {
    fc.assert(
      fc.property(tokens, date, fc.infiniteStream(fc.nat()), (ts, dob, rnd) => {
        const shuffled = [...ts];
        const it = rnd[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (it.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(queryKeys(shuffled.join(' '), dob)).toEqual(queryKeys(ts.join(' '), dob));
      }),
      { numRuns: RUNS },
    );
  });

  it('is invariant to case', () => {
    fc.assert(
      fc.property(tokens, date, (ts, dob) => {
        const name = ts.join(' ');
        const expected = queryKeys(name, dob);
        expect(queryKeys(name.toUpperCase(), dob)).toEqual(expected);
        expect(queryKeys(name.toLowerCase(), dob)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('is invariant to extra whitespace and punctuation between tokens', () => {
    const sep = fc.constantFrom(' ', '  ', ', ', ' - ', '-', '.', '\t', ' ; ', '/');
    fc.assert(
      fc.property(tokens, date, fc.array(sep, { minLength: 5, maxLength: 5 }), (ts, dob, seps) => {
        const spaced = seps[0]! + ts.map((t, i) => (i === 0 ? t : seps[i % 5]! + t)).join('') + seps[4]!;
        expect(queryKeys(spaced, dob)).toEqual(queryKeys(ts.join(' '), dob));
      }),
      { numRuns: RUNS },
    );
  });

  it('is invariant to the Unicode normalization form of the input', () => {
    fc.assert(
      fc.property(tokens, date, (ts, dob) => {
        const name = ts.join(' ');
        const nfc = queryKeys(name.normalize('NFC'), dob);
        expect(queryKeys(name.normalize('NFD'), dob)).toEqual(nfc);
        expect(queryKeys(name.normalize('NFKD'), dob)).toEqual(nfc);
      }),
      { numRuns: RUNS },
    );
  });

  it('is invariant to the normalization form of arbitrary Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), date, (name, dob) => {
        expect(queryKeys(name.normalize('NFD'), dob)).toEqual(queryKeys(name.normalize('NFC'), dob));
      }),
      { numRuns: RUNS },
    );
  });

  it('different classes never produce equal inputs', () => {
    fc.assert(
      fc.property(tokens, date, fc.stringMatching(/^[A-HJ-NPR-Z0-9]{17}$/), fc.stringMatching(/^[A-Z0-9]{3,12}$/), (ts, dob, vin, num) => {
        let keys: MatchKey[];
        try {
          keys = [
            ...matchKeysForQuery({ name: ts.join(' '), dob }),
            docKey('passport', 'FR', num),
            vehicleKey(vin),
          ];
        } catch {
          return; // a name with nothing to key
        }
        for (const a of keys) {
          for (const b of keys) {
            if (a.cls !== b.cls) expect(hex(a)).not.toBe(hex(b));
          }
          expect(parts(a).label).toBe(LABELS.matchKey + a.cls);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('name_dob of two different dates differ', () => {
    fc.assert(
      fc.property(tokens, date, date, (ts, d1, d2) => {
        fc.pre(d1 !== d2);
        let a: MatchKey[];
        let b: MatchKey[];
        try {
          a = nameDobKeys(ts.join(' '), d1);
          b = nameDobKeys(ts.join(' '), d2);
        } catch {
          return;
        }
        expect(hex(a[0]!)).not.toBe(hex(b[0]!));
      }),
      { numRuns: RUNS },
    );
  });

  it('every class appears in MATCH_CLASSES', () => {
    expect([...MATCH_CLASSES]).toEqual(['doc', 'name_dob', 'phonetic_yob', 'vehicle']);
  });
});
