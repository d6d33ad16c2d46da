/**
 * Seeded synthetic records for demos, tests and benchmarks: persons with names in Latin, Cyrillic, Greek
 * and Arabic script, identity documents and stolen vehicles. Everything derives from one seed, so a
 * run is reproducible. None of it describes a real person.
 */

/** mulberry32: small, fast, good enough for synthetic data (not for cryptography). */
export function rng32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LATIN_GIVEN = [
  'Jean',
  'Marie',
  'Pierre',
  'Sophie',
  'Lukas',
  'Anna',
  'Jonas',
  'Lea',
  'Marco',
  'Giulia',
  'Pablo',
  'Lucia',
  'Tomasz',
  'Agnieszka',
  'Jan',
  'Eva',
  'Liam',
  'Emma',
  'Noah',
  'Olivia',
  'Hugo',
  'Chloé',
  'José',
  'Zoë',
  'Björn',
  'Åsa',
  'Łukasz',
  'Małgorzata',
];
const LATIN_FAMILY = [
  'Martin',
  'Bernard',
  'Dubois',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Rossi',
  'Russo',
  'García',
  'Fernández',
  'Nowak',
  'Kowalski',
  'Smith',
  'Jones',
  'Lefèvre',
  'Gómez',
  'Weiß',
  'Jørgensen',
  'Østergaard',
  'Novák',
  'Dvořák',
  'Horváth',
  'Nagy',
];
const CYRILLIC_GIVEN = ['Александр', 'Дмитрий', 'Сергей', 'Андрей', 'Елена', 'Ольга', 'Наталья', 'Иван', 'Михаил', 'Татьяна'];
const CYRILLIC_FAMILY = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Соколов', 'Лебедев', 'Козлов', 'Новиков', 'Морозов', 'Петренко'];
const GREEK_GIVEN = ['Γιώργος', 'Νίκος', 'Μαρία', 'Ελένη', 'Κώστας', 'Δημήτρης'];
const GREEK_FAMILY = ['Παπαδόπουλος', 'Παπαδάκης', 'Γεωργίου', 'Οικονόμου', 'Καραγιάννης'];
const ARABIC_GIVEN = ['محمد', 'أحمد', 'علي', 'فاطمة', 'حسن', 'يوسف'];
const ARABIC_FAMILY = ['الراشد', 'حداد', 'منصور', 'خليل', 'سعيد'];
const MAKES = ['Peugeot', 'Renault', 'Volkswagen', 'BMW', 'Toyota', 'Skoda', 'Fiat', 'Ford'];
const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const DOC_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

export interface SyntheticOptions {
  seed: number;
  country: string;
  /** ISO alpha-3 of the issuing country for documents. */
  country3: string;
  persons: number;
  vehicles: number;
  idPrefix?: string;
}

export type SyntheticRecord = Record<string, unknown> & { id: string };

export function syntheticRecords(o: SyntheticOptions): SyntheticRecord[] {
  const r = rng32(o.seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const str = (chars: string, n: number) => Array.from({ length: n }, () => chars[Math.floor(r() * chars.length)]).join('');
  const out: SyntheticRecord[] = [];
  const prefix = o.idPrefix ?? o.country.toLowerCase();
  for (let i = 0; i < o.persons; i++) {
    const script = r();
    const [given, family] =
      script < 0.7
        ? [pick(LATIN_GIVEN), pick(LATIN_FAMILY)]
        : script < 0.85
          ? [pick(CYRILLIC_GIVEN), pick(CYRILLIC_FAMILY)]
          : script < 0.93
            ? [pick(GREEK_GIVEN), pick(GREEK_FAMILY)]
            : [pick(ARABIC_GIVEN), pick(ARABIC_FAMILY)];
    const y = 1950 + Math.floor(r() * 55);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const dob = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const rec: SyntheticRecord = {
      id: `${prefix}-p${i}`,
      kind: 'person',
      dataset: 'wanted-persons',
      handling: r() < 0.5 ? 'restricted' : 'official-use',
      person: { family, given, dob, nationality: o.country3, sex: r() < 0.5 ? 'M' : 'F' },
    };
    if (r() < 0.5) rec.documents = [{ type: 'passport', country: o.country3, number: str(DOC_CHARS, 9), status: 'valid' }];
    out.push(rec);
  }
  for (let i = 0; i < o.vehicles; i++) {
    out.push({
      id: `${prefix}-v${i}`,
      kind: 'vehicle',
      dataset: 'stolen-vehicles',
      handling: 'official-use',
      vehicle: { vin: str(VIN_CHARS, 17), make: pick(MAKES), country: o.country3 },
    });
  }
  return out;
}

export function toNdjson(records: readonly Record<string, unknown>[]): string {
  return `${records.map((x) => JSON.stringify(x)).join('\n')}\n`;
}
