import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VeilError } from '../errors.ts';
import { LABELS } from '../labels.ts';
import type { VeilRecord } from '../records.ts';
import {
  describeKey,
  describeMatch,
  docKey,
  MATCH_CLASSES,
  type MatchKey,
  matchKeysForQuery,
  matchKeysForRecord,
  nameDobKeys,
  phoneticYobKeys,
  vehicleKey,
} from './index.ts';

const dec = new TextDecoder();

/** Split an input into its label and value (the test's own decoding of the documented layout). */
function parts(k: MatchKey): { label: string; value: string } {
  const i = k.input.indexOf(0);
  return { label: dec.decode(k.input.subarray(0, i)), value: dec.decode(k.input.subarray(i + 1)) };
}
const hex = (k: MatchKey): string => Buffer.from(k.input).toString('hex');
const hexes = (ks: MatchKey[]): string[] => ks.map(hex);

/** `class=value` of every key of a record or query. */
const values = (ks: MatchKey[]): string[] => ks.map((k) => `${k.cls}=${parts(k).value}`);

const rec = (person: NonNullable<VeilRecord['person']>, documents?: VeilRecord['documents']): VeilRecord => ({
  id: 'p1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person,
  ...(documents === undefined ? {} : { documents }),
});

/** Classes of the query's keys that meet one of the record's keys, with the date reading if any. */
function met(record: VeilRecord, subject: Parameters<typeof matchKeysForQuery>[0]): string[] {
  const have = new Set(hexes(matchKeysForRecord(record)));
  const classes = matchKeysForQuery(subject)
    .filter((k) => have.has(hex(k)))
    .map((k) => (k.reading === undefined ? k.cls : `${k.cls}:${k.reading}`));
  return [...new Set(classes)];
}

describe('key layout', () => {
  it('is utf8(label + class) || 0x00 || utf8(value)', () => {
    const k = docKey('P', 'fr', '18ab 12345');
    expect(k.cls).toBe('doc');
    expect(parts(k)).toEqual({ label: `${LABELS.matchKey}doc`, value: 'passport:FRA:18AB12345' });
    const expected = Buffer.concat([Buffer.from('veil/v1/match-key/doc'), Buffer.from([0]), Buffer.from('passport:FRA:18AB12345')]);
    expect(Buffer.from(k.input).equals(expected)).toBe(true);
  });

  it('has the documented values per class', () => {
    expect(parts(nameDobKeys('MÜLLER, Hans', '31.01.1970')[0]!).value).toBe('ansmulerh|1970-01-31');
    expect(parts(phoneticYobKeys('MÜLLER, Hans', '31.01.1970')[0]!).value).toBe('MLR NS|1970');
    expect(parts(vehicleKey('wvw-zzz1jzxw000001')).value).toBe('WVWZZZ1JZXW000001');
  });

  it('keys a query by the precision of its date', () => {
    expect(values(matchKeysForQuery({ name: 'Hans Müller', dob: '1970-01-31' }))).toEqual([
      'name_dob=ansmulerh|1970-01-31',
      'phonetic_dob=MLR NS|1970-01-31',
      'phonetic_yob=MLR NS|1970|*',
    ]);
    expect(values(matchKeysForQuery({ name: 'Hans Müller', dob: '01/1970' }))).toEqual(['name_ym=ansmulerh|1970-01', 'phonetic_yob=MLR NS|1970|*']);
    expect(values(matchKeysForQuery({ name: 'Hans Müller', dob: '1970' }))).toEqual(['name_yob=ansmulerh|1970', 'phonetic_yob=MLR NS|1970']);
  });

  it('keeps a two-part Latin name with a full date within four keys (a budget of four evaluations)', () => {
    expect(matchKeysForQuery({ name: 'Karl Weber', dob: '1966-06-06' }).length).toBeLessThanOrEqual(4);
  });

  it('document and VIN queries: doc_fuzzy only when the number has a letter read for a digit, or when asked', () => {
    expect(hexes(matchKeysForQuery({ doc: { type: 'passport', country: 'FRA', number: '18AB12345' } }))).toEqual([
      hex(docKey('P', 'FR', '18ab-12345')),
      hex(matchKeysForQuery({ doc: { type: 'P', country: 'FR', number: '18A812345' }, confusions: true })[1]!),
    ]);
    expect(matchKeysForQuery({ doc: { type: 'passport', country: 'DEU', number: 'C01X00T47' } }).map((k) => k.cls)).toEqual(['doc']);
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
  it.each([
    ['Владимир Путин', 'Vladimir Putin', 'name_dob'],
    ['Дмитрий Иванов', 'Dmitry Ivanov', 'name_dob'],
    ['Дмитрий Иванов', 'Dmitrij Iwanow', 'name_dob'],
    ['Юлия Ковальчук', 'Iuliia Kovalchuk', 'name_dob'],
    ['Юлия Ковальчук', "Yuliya Koval'chuk", 'name_dob'],
    ['Михайло Грушевський', 'Mykhailo Hrushevskyi', 'name_dob'], // Ukrainian reading of an undecided name
    ['Христо Стоичков', 'Hristo Stoichkov', 'name_dob'], // Bulgarian by country below
    ['Σωκράτης Παπαδόπουλος', 'Sokratis Papadopoulos', 'name_dob'],
    ['Κωνσταντίνος Παπαδάκης', 'Constantinos Papadakis', 'name_dob'],
    ['محمد علي', 'Mohamed Ali', 'name_dob'],
    ['محمد علي', 'Muhammad Aly', 'name_dob'],
    ['عبد الرحمن الهاشمي', 'Abdelrahman Alhashimi', 'name_dob'],
    ['יוסף כהן', 'Yosef Cohen', 'name_dob'],
    ['王小明', 'Wang Xiaoming', 'name_dob'],
    ['王小明', 'Xiao Ming Wang', 'name_dob'],
    ['김민준', 'Kim Minjun', 'name_dob'],
    ['Đorđe Ljubičić', 'Ђорђе Љубичић', 'name_dob'],
    ['Аляксандр Лукашэнка', 'Aliaksandr Lukashenka', 'name_dob'], // Belarusian by its letters (э with і/ў absent: country)
    ['Ѓорѓе Петровски', 'Gjorgje Petrovski', 'name_dob'], // Macedonian ѓ
    ['Yılmaz Öztürk', 'Yilmaz Oeztuerk', 'name_dob'],
    ['Nguyễn Văn Đức', 'Nguyen Van Duc', 'name_dob'],
  ])('%s / %s → %s', (a, b, cls) => {
    const country = a.startsWith('Христо') ? 'BGR' : a.startsWith('Аляксандр') ? 'BLR' : undefined;
    const record = rec({ family: a, dob: '1975-06-01', ...(country === undefined ? {} : { nationality: country }) });
    expect(met(record, { name: b, dob: '1975-06-01' })).toContain(cls);
  });
});

describe('name parts', () => {
  const dob = '1970-01-31';
  it.each([
    ['middle name left out', { given: 'Hans Peter', family: 'Müller' }, 'Hans Müller', 'name_dob'],
    ['patronymic left out', { given: 'Сергей Петрович', family: 'Иванов' }, 'Sergey Ivanov', 'name_dob'],
    ['extra middle name in the query', { given: 'Hans', family: 'Müller' }, 'Hans Peter Müller', 'name_part_dob'],
    ['first of two surnames only', { given: 'Gabriel José', family: 'García Márquez' }, 'Gabriel García', 'name_dob'],
    ['one half of a hyphenated surname', { given: 'Anna', family: 'Müller-Lüdenscheidt' }, 'Anna Lüdenscheidt', 'name_dob'],
    ['particle dropped', { given: 'Jan', family: 'van der Berg' }, 'Jan Berg', 'name_dob'],
    ['particle written solid', { given: 'Jan', family: 'van der Berg' }, 'Jan Vanderberg', 'name_dob'],
    ['von dropped', { given: 'Ursula', family: 'von der Leyen' }, 'Ursula Leyen', 'name_dob'],
    ['article joined', { given: 'Omar', family: 'al-Hashimi' }, 'Omar Alhashimi', 'name_dob'],
    ['article solid, then dropped', { given: 'Omar', family: 'Alhashimi' }, 'Omar Hashimi', 'name_dob'],
    ['bin left out', { given: 'Khalid', family: 'bin Walid' }, 'Khalid Walid', 'name_dob'],
    ['apostrophe as a space', { given: 'Sean', family: "O'Brien" }, 'Sean O Brien', 'name_dob'],
    ['family name first', { given: 'László', family: 'Nagy' }, 'Nagy László', 'name_dob'],
    ['given name joined', { given: 'Hans-Peter', family: 'Schmidt' }, 'Hanspeter Schmidt', 'name_dob'],
    ['Arabic name chain', { given: 'Mohammed', family: 'bin Salman bin Abdulaziz Al Saud' }, 'Mohammed Al Saud', 'name_dob'],
    ['Vietnamese without the middle name', { given: 'Văn Anh', family: 'Nguyễn' }, 'Anh Nguyen', 'name_dob'],
  ])('%s', (_label, person, query, cls) => {
    expect(met(rec({ ...person, dob }), { name: query, dob })).toContain(cls);
  });

  it('a name in one field is split by convention: comma, capitals, characters', () => {
    expect(met(rec({ family: 'MÜLLER, Hans Peter', dob }), { name: 'Hans Müller', dob })).toContain('name_dob');
    expect(met(rec({ family: 'Hans Peter MÜLLER', dob }), { name: 'Peter Müller', dob })).toContain('name_dob');
    expect(met(rec({ family: '欧阳娜娜', dob }), { name: 'Ouyang Nana', dob })).toContain('name_dob');
  });

  it('does not meet a different given name with the same surname', () => {
    expect(met(rec({ given: 'Hans', family: 'Müller', dob }), { name: 'Peter Müller', dob })).toEqual([]);
  });
});

describe('precision', () => {
  const dob = '1970-01-31';
  it('distinct Arabic names do not meet through shared consonants', () => {
    expect(met(rec({ given: 'محمد', family: 'حسن', dob }), { name: 'Mahmoud Hussein', dob })).toEqual([]);
    expect(met(rec({ given: 'Omar', family: 'Haddad', dob }), { name: 'Amr Haddad', dob })).toEqual([]);
  });

  it('feminine and masculine forms do not meet without a sex, and follow the sexes with one', () => {
    const masc = rec({ given: 'Александр', family: 'Иванов', dob, sex: 'M' });
    expect(met(masc, { name: 'Aleksandra Ivanova', dob })).toEqual([]);
    expect(met(masc, { name: 'Aleksandra Ivanova', dob: '1970' })).toEqual([]);
    const fem = rec({ given: 'Анна', family: 'Иванова', dob, sex: 'F' });
    expect(met(fem, { name: 'Anna Ivanov', dob, sex: 'F' })).toContain('name_dob');
    expect(met(fem, { name: 'Anna Ivanova', dob, sex: 'M' })).toEqual([]);
    expect(met(fem, { name: 'Anna Ivanova', dob })).toContain('name_dob');
    for (const [f, m] of [
      ['Kowalska', 'Kowalski'],
      ['Papadopoulou', 'Papadopoulos'],
      ['Kazlauskienė', 'Kazlauskas'],
    ] as const) {
      const r = rec({ given: 'Anna', family: f, dob, sex: 'F' });
      expect(met(r, { name: `Anna ${m}`, dob, sex: 'M' }), m).toEqual([]);
      expect(met(r, { name: `Anna ${m}`, dob }), m).toEqual([]);
      expect(met(r, { name: `Anna ${m}`, dob, sex: 'F' }), m).toContain('name_dob');
    }
  });

  // No package on the npm registry carries a nickname dataset, and fetched data is not committed, so
  // the nickname class is empty (nicknames.ts, docs/records.md "Nicknames"): a nickname meets nothing.
  it('nicknames meet in no class while the nickname dictionary is empty', () => {
    expect(met(rec({ given: 'William', family: 'Smith', dob }), { name: 'Bill Smith', dob })).toEqual([]);
    expect(met(rec({ given: 'Bill', family: 'Smith', dob }), { name: 'William Smith', dob })).toEqual([]);
    expect(met(rec({ given: 'Giuseppe', family: 'Rossi', dob }), { name: 'Beppe Rossi', dob })).toEqual([]);
    const keys = [...matchKeysForRecord(rec({ given: 'William', family: 'Smith', dob })), ...matchKeysForQuery({ name: 'Bill Smith', dob })];
    expect(keys.filter((k) => k.cls === 'nickname_dob')).toEqual([]);
  });

  it('document numbers with misread characters meet in doc_fuzzy only', () => {
    const r = rec({ family: 'X', dob }, [{ type: 'passport', country: 'DEU', number: 'C01X00T47' }]);
    expect(met(r, { doc: { type: 'passport', country: 'DEU', number: 'CO1XOOT47' } })).toEqual(['doc_fuzzy']);
    expect(met(r, { doc: { type: 'passport', country: 'DEU', number: 'C01X00T47' } })).toEqual(['doc']);
    const letters = rec({ family: 'X', dob }, [{ type: 'passport', country: 'FRA', number: '18AB1Z345' }]);
    expect(met(letters, { doc: { type: 'passport', country: 'FRA', number: '18A81234S' } })).toEqual(['doc_fuzzy']);
    expect(met(letters, { doc: { type: 'passport', country: 'FRA', number: '18A812345' } })).toEqual([]);
    expect(met(letters, { doc: { type: 'passport', country: 'FRA', number: '18A812345' }, confusions: true })).toEqual(['doc_fuzzy']);
  });
});

describe('dates as people write them', () => {
  const r = rec({ given: 'Gabriel', family: 'García', dob: '1970-03-04' });
  it('asks an ambiguous date both ways and says which reading met', () => {
    expect(met(r, { name: 'Gabriel Garcia', dob: '03/04/1970' })).toEqual(expect.arrayContaining(['name_dob:month-first', 'phonetic_dob:month-first']));
    expect(met(r, { name: 'Gabriel Garcia', dob: '03/04/1970' }).filter((c) => c.endsWith('day-first'))).toEqual([]);
    expect(met(r, { name: 'Gabriel Garcia', dob: '04/03/1970' })).toEqual(expect.arrayContaining(['name_dob:day-first', 'phonetic_dob:day-first']));
    expect(met(r, { name: 'Gabriel Garcia', dob: '03/04/1970', dateOrder: 'dmy' })).toEqual([]);
  });

  it('meets year-month and year-only records and queries, never a record of the same name born another day', () => {
    expect(met(r, { name: 'Gabriel Garcia', dob: '03/1970' })).toEqual(['name_ym']);
    expect(met(r, { name: 'Gabriel Garcia', dob: '1970' })).toEqual(['name_yob', 'phonetic_yob']);
    expect(met(rec({ given: 'Gabriel', family: 'García', dob: '1970' }), { name: 'Gabriel Garcia', dob: '1970-03-04' })).toEqual(['phonetic_yob']);
    expect(met(r, { name: 'Gabriel Garcia', dob: '1970-03-05' })).toEqual([]);
  });

  it('describes a hit in words, strongest class first', () => {
    expect(describeMatch(['phonetic_yob', 'name_dob'])).toMatchObject({ cls: 'name_dob', strength: 'strong', words: 'full name and date of birth' });
    expect(describeMatch([{ cls: 'name_part_dob', reading: 'month-first' }]).words).toBe('surname, one given name and date of birth (date read month first)');
    expect(describeMatch(['nickname_dob']).words).toBe('nickname, surname and date of birth');
    expect(describeMatch(['phonetic_yob']).words).toBe('sounds alike, same year');
  });
});

describe('matchKeysForRecord', () => {
  const person: VeilRecord = {
    id: 'p1',
    kind: 'person',
    dataset: 'wanted-persons',
    handling: 'restricted',
    person: { family: 'Müller', given: 'Hans', aliases: ['MUELLER, Hans', 'Hans Müller'], dob: '1970-01-31' },
    documents: [
      { type: 'passport', country: 'DE', number: 'C01X00T47' },
      { type: 'P', country: 'DEU', number: 'c01x00t47' },
    ],
  };

  it('keys primary name, aliases and documents, deduplicated', () => {
    expect(values(matchKeysForRecord(person))).toEqual([
      'name_dob=ansmulerh|1970-01-31',
      'phonetic_dob=MLR NS|1970-01-31',
      'name_ym=ansmulerh|1970-01',
      'name_yob=ansmulerh|1970',
      'phonetic_yob=MLR NS|1970',
      'name_part_dob=hans muler|1970-01-31',
      'doc=passport:DEU:C01X00T47',
      'doc_fuzzy=passport:DEU:C01X00T47',
    ]);
  });

  it('matches what a query derives', () => {
    const r = new Set(hexes(matchKeysForRecord(person)));
    expect(met(person, { name: 'hans MÜLLER', dob: '31/01/1970' })).toEqual(['name_dob', 'phonetic_dob']);
    for (const k of matchKeysForQuery({ doc: { type: 'passport', country: 'de', number: 'C01 X00 T47' } })) expect(r.has(hex(k))).toBe(true);
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
    expect(matchKeysForRecord(doc).map((k) => k.cls)).toEqual(['doc', 'doc_fuzzy']);
    const car: VeilRecord = { id: 'v1', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'ZFA31200001234567' } };
    expect(matchKeysForRecord(car).map((k) => k.cls)).toEqual(['vehicle']);
  });

  it('a person known by year of birth only gets year-level keys', () => {
    const p: VeilRecord = { ...person, person: { family: 'Müller', given: 'Hans', dob: '1970' }, documents: [] };
    expect(matchKeysForRecord(p).map((k) => k.cls)).toEqual(['name_yob', 'phonetic_yob', 'phonetic_yob']);
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

  it('is invariant to which part comes first (family name first or last)', () => {
    fc.assert(
      fc.property(tokens, date, fc.nat(), (ts, dob, k) => {
        // (one-letter words are particles or initials by position; Arabic compounds join neighbours)
        fc.pre(ts.every((t) => t.length >= 4 && !/^ab/i.test(t)));
        const r = k % ts.length;
        const rotated = [...ts.slice(r), ...ts.slice(0, r)];
        const sorted = (x: string[] | string) => (typeof x === 'string' ? x : [...x].sort());
        expect(sorted(queryKeys(rotated.join(' ').toLowerCase(), dob))).toEqual(sorted(queryKeys(ts.join(' ').toLowerCase(), dob)));
      }),
      { numRuns: RUNS },
    );
  });

  it('is invariant to case', () => {
    fc.assert(
      fc.property(tokens, date, (ts, dob) => {
        // (a mix of words in capitals and words that are not marks the family name: compare uniform case)
        const name = ts.join(' ');
        expect(queryKeys(name.toUpperCase(), dob)).toEqual(queryKeys(name.toLowerCase(), dob));
      }),
      { numRuns: RUNS },
    );
  });

  it('is invariant to extra whitespace and punctuation between tokens', () => {
    // (a comma is not in the list: it separates the family name from the given names)
    const sep = fc.constantFrom(' ', '  ', ' - ', '-', '.', '\t', ' ; ', '/');
    fc.assert(
      fc.property(tokens, date, fc.array(sep, { minLength: 5, maxLength: 5 }), (ts, dob, seps) => {
        const spaced = seps[0]! + ts.map((t, i) => (i === 0 ? t : seps[i % 5]! + t)).join('') + seps[4]!;
        expect(queryKeys(spaced.toLowerCase(), dob)).toEqual(queryKeys(ts.join(' ').toLowerCase(), dob));
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
          keys = [...matchKeysForQuery({ name: ts.join(' '), dob }), docKey('passport', 'FR', num), vehicleKey(vin)];
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
    expect([...MATCH_CLASSES].slice(0, 4)).toEqual(['doc', 'name_dob', 'phonetic_yob', 'vehicle']);
    expect(new Set(MATCH_CLASSES).size).toBe(MATCH_CLASSES.length);
  });
});
