import { describe, expect, it } from 'vitest';
import { VeilError } from '../errors.ts';
import { ISO_COUNTRY_COUNT } from './countries.ts';
import { isCountryCode, nameTokens, normalizeCountry, normalizeDocNumber, normalizeDocType, normalizeName, normalizeVin } from './index.ts';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof VeilError ? e.code : 'not-a-veil-error';
  }
}

describe('names: Latin', () => {
  it.each([
    ['MÜLLER, Hans', 'hans muller'],
    ['Hans Müller', 'hans muller'],
    ['  hans   muller ', 'hans muller'],
    ['Øster', 'oster'],
    ['Straße', 'strasse'],
    ['Łukasz Żółć', 'lukasz zolc'],
    ["O'Brien", 'obrien'],
    ['O’Brien', 'obrien'],
    ['Jean-Luc Picard', 'jean luc picard'],
    ['Núñez García', 'garcia nunez'],
    ['Đorđe', 'djordje'],
    ['Nguyễn Văn Đức', 'duc nguyen van'],
    ['Þórunn Æsa', 'aesa thorunn'],
    ['İsmail Şahin', 'ismail sahin'],
    ['Paral·lel', 'parallel'],
    ['Ｍüller', 'muller'], // full-width M (NFKC)
  ])('%s → %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('is the same for NFC and NFD input', () => {
    const nfc = 'Zoë Müller-Lüdenscheidt'.normalize('NFC');
    expect(normalizeName(nfc.normalize('NFD'))).toBe(normalizeName(nfc));
  });
});

describe('names: Cyrillic', () => {
  it.each([
    ['Владимир Путин', 'putin vladimir'],
    ['Дмитрий Иванов', 'dmitriy ivanov'],
    ['Фёдор Ёлкин', 'elkin fedor'], // ё → e, as ICAO and Russian passports write it
    ['Щукин Объект', 'obekt shchukin'], // hard sign dropped, no apostrophe left
    ['Дар’я', 'darya'],
    // Ukrainian (recognised by і ї є ґ): KMU 2010, as in Ukrainian passports
    ['Євген Мельник Ірина', 'iryna melnyk yevhen'],
    ['Андрій Юлія Згорани Ґалаґан', 'andrii galagan yuliia zghorany'],
    ['Їжак Олексій', 'oleksii yizhak'],
    // Serbian (recognised by ђ ћ љ њ џ ј): Gaj Latin, then ICAO ASCII
    ['Ђорђе Љубичић', 'djordje ljubicic'],
    ['Милош Јовановић', 'jovanovic milos'],
    ['Џеко Њего Шћепан Жарко', 'dzeko njego scepan zarko'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('Serbian Cyrillic and Serbian Latin spellings meet exactly', () => {
    expect(normalizeName('Ђорђе Љубичић')).toBe(normalizeName('Đorđe Ljubičić'));
    expect(normalizeName('Милош Јовановић')).toBe(normalizeName('Miloš Jovanović'));
  });

  it('Russian Cyrillic meets the common Latin spelling exactly', () => {
    expect(normalizeName('Владимир Путин')).toBe(normalizeName('Vladimir Putin'));
    expect(normalizeName('Дмитрий Иванов')).toBe(normalizeName('Dmitriy Ivanov'));
  });
});

describe('names: Greek (ELOT 743)', () => {
  it.each([
    ['Σωκράτης Παπαδόπουλος', 'papadopoulos sokratis'],
    ['Ευάγγελος Σταυρόπουλος', 'evangelos stavropoulos'],
    ['Ευθυμίου', 'efthymiou'], // ευ before θ (voiceless) → ef
    ['ΣΩΚΡΆΤΗΣ', 'sokratis'], // capitals and final sigma
  ])('%s → %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('meets the passport spelling exactly', () => {
    expect(normalizeName('Σωκράτης Παπαδόπουλος')).toBe(normalizeName('Sokratis Papadopoulos'));
  });
});

describe('names: Arabic', () => {
  it.each([
    ['محمد علي', 'ali muhammad'], // listed names come out as their first Latin spelling (name-symbols.ts)
    ['مُحَمَّد عَلِيّ', 'ali muhammad'], // vocalized spelling = unvocalized
    ['ﻣﺤﻤﺪ', 'muhammad'], // presentation forms (NFKC)
    ['عمر الهاشمي', 'al hashimi umar'], // article split off
    ['عبدالله', 'abd allah'],
    ['عبد الرحمن', 'abd al rahman'],
    ['يوسف', 'yusuf'],
    ['فاطمة', 'fatima'],
    ['إبراهيم', 'ibrahim'],
    ['محمد،علي', 'ali muhammad'], // Arabic comma separates words
    ['جبران', 'jbran'], // not listed: vowel letters only
  ])('%s → %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
});

describe('names: rejections', () => {
  it('rejects a name with no letters (typed, value-free)', () => {
    expect(code(() => normalizeName('  -- 123 ,, '))).toBe('bad_request');
    expect(code(() => nameTokens(''))).toBe('bad_request');
  });

  it('rejects an over-long name with too_large', () => {
    expect(code(() => normalizeName('a'.repeat(201)))).toBe('too_large');
    expect(code(() => normalizeName('a'.repeat(200)))).toBeUndefined();
  });

  it('keeps written order in nameTokens and sorts in normalizeName', () => {
    expect(nameTokens('Müller, Hans')).toEqual(['muller', 'hans']);
    expect(normalizeName('Müller, Hans')).toBe('hans muller');
  });
});

describe('documents', () => {
  it.each([
    ['passport', 'passport'],
    ['P', 'passport'],
    ['pp', 'passport'],
    ['ID', 'id_card'],
    ['Identity card', 'id_card'],
    ['Driving-Licence', 'driving_licence'],
    ["driver's license", 'driving_licence'],
    ['RP', 'residence_permit'],
    ['travel document', 'travel_document'],
    ['other', 'other'],
  ])('type %s → %s', (input, expected) => {
    expect(normalizeDocType(input)).toBe(expected);
  });

  it('rejects an unknown type', () => {
    expect(code(() => normalizeDocType('visa'))).toBe('bad_request');
  });

  it.each([
    ['12ab 34567', '12AB34567'],
    ['C01-X00.T47', 'C01X00T47'],
    ['L898902C3<<', 'L898902C3'], // MRZ filler
    ['AB/123/456', 'AB123456'],
    ['АВ 123456', 'AB123456'], // Cyrillic look-alikes typed by a clerk
    ['１２３４５', '12345'],
  ])('number %s → %s', (input, expected) => {
    expect(normalizeDocNumber(input)).toBe(expected);
  });

  it.each(['12', 'A'.repeat(36), 'AB#123', 'ЖЖ123', '-- --'])('rejects number %s', (input) => {
    expect(code(() => normalizeDocNumber(input))).toBe('bad_request');
  });

  it('maps alpha-2 and alpha-3 to alpha-3', () => {
    expect(normalizeCountry('fr')).toBe('FRA');
    expect(normalizeCountry('FRA')).toBe('FRA');
    expect(normalizeCountry(' de ')).toBe('DEU');
    expect(normalizeCountry('D')).toBe('DEU'); // German MRZ
    expect(normalizeCountry('GB')).toBe('GBR');
    expect(normalizeCountry('UK')).toBe('GBR');
    expect(normalizeCountry('EL')).toBe('GRC');
    expect(normalizeCountry('XK')).toBe('XKX');
    expect(normalizeCountry('RKS')).toBe('XKX');
    expect(normalizeCountry('XPO')).toBe('XPO'); // INTERPOL travel document
    expect(normalizeCountry('KP')).toBe('PRK');
    expect(normalizeCountry('ZW')).toBe('ZWE');
    expect(isCountryCode('ZZ')).toBe(false);
    expect(code(() => normalizeCountry('France'))).toBe('bad_request');
  });

  it('has every ISO 3166-1 entry', () => {
    expect(ISO_COUNTRY_COUNT).toBe(249);
  });
});

describe('VIN', () => {
  it.each([
    ['wvwzzz1jzxw000001', 'WVWZZZ1JZXW000001'],
    ['ZFA-31200-00-1234567', 'ZFA31200001234567'],
    ['1HG CM826 33A 004352', '1HGCM82633A004352'],
    ['124377N123456', '124377N123456'], // pre-1981 chassis number
  ])('%s → %s', (input, expected) => {
    expect(normalizeVin(input)).toBe(expected);
  });

  it.each([
    ['WVWZZZ1JZXW00000O', 'I, O and Q'],
    ['IVWZZZ1JZXW000001', 'I, O and Q'],
    ['QVWZZZ1JZXW000001', 'I, O and Q'],
    ['WVWZZZ1JZXW0000012', 'longer'],
    ['AB12', '17 characters'],
    ['ABC#12345', 'letters A-Z and digits'],
  ])('rejects %s', (input, why) => {
    try {
      normalizeVin(input);
      expect.unreachable();
    } catch (e) {
      expect((e as VeilError).code).toBe('bad_request');
      expect((e as VeilError).detail).toContain(why);
      expect((e as VeilError).message).not.toContain(input);
    }
  });
});
