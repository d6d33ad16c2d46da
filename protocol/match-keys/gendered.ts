/**
 * Surnames with masculine and feminine forms (Slavic, Baltic, Greek): the stem both forms share, and
 * the grammatical gender of the form written.
 *
 * | language              | masculine → feminine                                         |
 * |-----------------------|--------------------------------------------------------------|
 * | Russian, Bulgarian…   | -ov/-ova, -ev/-eva, -in/-ina (stem ≥ 4), -sky/-skaya, -oy/-aya |
 * | Polish                | -ski/-ska, -cki/-cka, -dzki/-dzka                            |
 * | Czech, Slovak         | -ský/-ská, -cký/-cká (Novák/Nováková is not folded: -ová is read as Russian -ov/-ova) |
 * | Lithuanian            | -as/-is/-ys/-us → -ienė (married), -aitė/-ytė/-iūtė/-utė (unmarried) |
 * | Latvian               | -iņš/-iņa                                                     |
 * | Greek                 | -opoulos/-opoulou, -idis/-idou, -iadis/-iadou, -akis/-aki, -atos/-atou, -akos/-akou, and generally -os/-ou, -is/-i (stem ≥ 4) |
 *
 * A key that needs this (see `derive.ts`) uses the stem and a sex: the record's sex, else the form's
 * gender; the query's `--sex`, when given. Tokens are compared after transliteration (Kowalska,
 * Nováková → novakova, Kazlauskienė → kazlauskiene). Romance surnames that merely end like these
 * (Casanova, Villanova, Genova, Cordova) are excluded.
 */

export type Gender = 'M' | 'F';

export interface GenderedForm {
  readonly stem: string;
  readonly gender: Gender;
}

const NOT_GENDERED: ReadonlySet<string> = new Set([
  'casanova',
  'villanova',
  'terranova',
  'canova',
  'genova',
  'cordova',
  'padova',
  'moldova',
  'martin',
  'molina',
  'medina',
  'messina',
  'farina',
  'marina',
  'cristina',
  'martina',
  'regina',
  'carolina',
  'austin',
  'kevin',
  'justin',
  'robin',
  'colin',
  'griffin',
  'franklin',
  'baldwin',
  'sasaki',
  'iwasaki',
  'okazaki',
  'miyazaki',
]);

/** [suffix, replacement stem suffix, gender, minimum stem length]; the first match wins. */
const RULES: ReadonlyArray<readonly [string, string, Gender, number]> = [
  // Greek
  ['opoulou', 'opoul', 'F', 2],
  ['opoulos', 'opoul', 'M', 2],
  ['iadou', 'iad', 'F', 2],
  ['iadis', 'iad', 'M', 2],
  ['idou', 'id', 'F', 3],
  ['idis', 'id', 'M', 3],
  ['akis', 'ak', 'M', 4],
  ['aki', 'ak', 'F', 4],
  ['atou', 'at', 'F', 3],
  ['atos', 'at', 'M', 3],
  ['akou', 'ak', 'F', 3],
  ['akos', 'ak', 'M', 3],
  ['ou', '', 'F', 4],
  ['os', '', 'M', 4],
  ['is', '', 'M', 4],
  ['i', '', 'F', 4],
  // Lithuanian
  ['iene', '', 'F', 4],
  ['aite', '', 'F', 4],
  ['iute', '', 'F', 4],
  ['yte', '', 'F', 4],
  ['ute', '', 'F', 4],
  ['auskas', 'ausk', 'M', 2],
  ['enas', 'en', 'M', 3],
  ['aitis', 'ait', 'M', 3],
  ['evicius', 'evic', 'M', 2],
  ['avicius', 'avic', 'M', 2],
  ['ulis', 'ul', 'M', 3],
  // Slavic adjectival
  ['skaya', 'sk', 'F', 2],
  ['tskaya', 'tsk', 'F', 2],
  ['skiy', 'sk', 'M', 2],
  ['skii', 'sk', 'M', 2],
  ['sky', 'sk', 'M', 2],
  ['skyi', 'sk', 'M', 2],
  ['ska', 'sk', 'F', 2],
  ['ski', 'sk', 'M', 2],
  ['cka', 'ck', 'F', 2],
  ['cki', 'ck', 'M', 2],
  ['cky', 'ck', 'M', 2],
  ['dzka', 'dzk', 'F', 2],
  ['dzki', 'dzk', 'M', 2],
  ['ova', 'ov', 'F', 3],
  ['eva', 'ev', 'F', 3],
  ['ina', 'in', 'F', 4],
  ['ov', 'ov', 'M', 3],
  ['ev', 'ev', 'M', 3],
  ['in', 'in', 'M', 4],
];

/** The stem and gender of a gendered surname form (after transliteration), or undefined. */
export function genderedForm(token: string): GenderedForm | undefined {
  if (NOT_GENDERED.has(token) || token.length < 5) return undefined;
  for (const [suffix, stemSuffix, gender, minStem] of RULES) {
    if (!token.endsWith(suffix)) continue;
    const base = token.slice(0, token.length - suffix.length);
    if (base.length < minStem) continue;
    // -in is not a gendered ending after -ov/-ev (Ivanovin is not a form of anything)
    if (suffix === 'in' && /(?:ov|ev)$/.test(base)) continue;
    return { stem: base + stemSuffix, gender };
  }
  return undefined;
}
