/**
 * Throughput of match-key derivation on synthetic records, as a node computes them at import:
 * `npx tsx protocol/match-keys/measure.ts [records]` (default 100 000).
 *
 * Records: 70% persons (Latin, Cyrillic, Greek and Arabic script names; 0–2 aliases; a passport for
 * one in three), 20% documents, 10% vehicles. Family names are built from syllables so most tokens are
 * distinct (the per-token phonetic cache does not flatter the result); given names come from small
 * lists, as in real data.
 */
import type { VeilRecord } from '../records.ts';
import { matchKeysForRecord } from './derive.ts';

const n = Number(process.argv[2] ?? 100_000);

let seed = 0x9e3779b9;
function rand(k: number): number {
  // xorshift32: deterministic, dependency-free
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % k;
}
function pick<T>(xs: readonly T[]): T {
  return xs[rand(xs.length)]!;
}

const SCRIPTS = [
  {
    syll: ['mül', 'schmi', 'ber', 'ko', 'wal', 'ski', 'hof', 'mann', 'lé', 'gar', 'çon', 'ñez', 'ro', 'dríg'],
    given: ['Hans', 'Łukasz', 'José', 'Zoë', 'François', 'Øyvind', 'Anna'],
  },
  { syll: ['ива', 'нов', 'пет', 'ров', 'куз', 'не', 'цов', 'ёл', 'кин', 'щу', 'ков', 'ско'], given: ['Дмитрий', 'Алёна', 'Юрий', 'Ірина', 'Сергей'] },
  { syll: ['πα', 'πα', 'δό', 'που', 'λος', 'γεωρ', 'γί', 'ου', 'χα', 'τζη', 'ευ'], given: ['Σωκράτης', 'Ευάγγελος', 'Ελένη'] },
  { syll: ['حس', 'ين', 'عب', 'د', 'الله', 'مح', 'مد', 'ال', 'ها', 'شمي'], given: ['محمد', 'يوسف', 'عائشة', 'خالد'] },
] as const;

function name(script: (typeof SCRIPTS)[number]): string {
  let family = '';
  for (let i = 0, k = 2 + rand(3); i < k; i++) family += pick(script.syll);
  return family;
}

function dob(): string {
  return `${1940 + rand(70)}-${String(1 + rand(12)).padStart(2, '0')}-${String(1 + rand(28)).padStart(2, '0')}`;
}

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
function vin(): string {
  let s = '';
  for (let i = 0; i < 17; i++) s += VIN_CHARS[rand(VIN_CHARS.length)];
  return s;
}
function docNumber(): string {
  return `${VIN_CHARS[rand(26)]}${String(rand(1e8)).padStart(8, '0')}`;
}

/** `n` fresh synthetic records (the generator's state moves on, so each call gives new names). */
function synthesize(): VeilRecord[] {
  const records: VeilRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand(10);
    const id = `r${i}`;
    if (r < 7) {
      const script = pick(SCRIPTS);
      const aliases = Array.from({ length: rand(3) }, () => `${pick(script.given)} ${name(script)}`);
      records.push({
        id,
        kind: 'person',
        dataset: 'wanted-persons',
        handling: 'restricted',
        person: { family: name(script), given: pick(script.given), aliases, dob: dob() },
        ...(rand(3) === 0 ? { documents: [{ type: 'passport', country: 'FRA', number: docNumber() }] } : {}),
      });
    } else if (r < 9) {
      records.push({
        id,
        kind: 'document',
        dataset: 'sltd',
        handling: 'official-use',
        documents: [{ type: 'P', country: 'de', number: docNumber(), status: 'stolen' }],
      });
    } else {
      records.push({ id, kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: vin() } });
    }
  }
  return records;
}

// warm-up (JIT, any-ascii block tables), then three timed rounds, each on fresh records so the
// phonetic token cache holds only what a real import would have seen: the median is the figure to quote
for (const rec of synthesize().slice(0, 2000)) matchKeysForRecord(rec);
const rates: number[] = [];
for (let round = 1; round <= 3; round++) {
  const records = synthesize();
  const t0 = performance.now();
  let keys = 0;
  for (const rec of records) keys += matchKeysForRecord(rec).length;
  const ms = performance.now() - t0;
  rates.push((keys / ms) * 1000);
  console.log(
    `round ${round}: ${n} records, ${keys} keys in ${ms.toFixed(0)} ms: ${Math.round((keys / ms) * 1000)} keys/s, ${Math.round((n / ms) * 1000)} records/s`,
  );
}
console.log(`median: ${Math.round(rates.sort((a, b) => a - b)[1]!)} keys/s on one core`);
