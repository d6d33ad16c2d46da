/**
 * The simulated world's people, documents and vehicles, who holds records of them, and what those
 * records say — with the ground truth kept here, apart from the records: a record id is `CC-k`, and
 * only this class knows which person, document or vehicle record k of country CC is about.
 *
 * - Persons come from `simulations/population` (multi-script names, sexes, dates of birth,
 *   passports), living in one of the scenario's countries with that country's mix of naming cultures.
 *   A country's person records are about its own residents, and a share (`overlap`) about residents of
 *   other countries — who are then held twice. A country writes a name in its own script when it can
 *   (`heldPerson`), else in the passport's spelling; records get aliases, typing errors and missing
 *   fields at the scenario's rates.
 * - Documents are passports of persons (stolen or lost) or documents of no known person; vehicles are
 *   VINs. Both overlap between countries at the same rate.
 * - Faces: in the first `faces.countries` countries a share of person records carry a face template: a
 *   capture of the person's identity centroid (crypto/he/synthetic) with noise of the scenario's quality.
 *
 * Records are built on demand from (seed, country, k), so a country of 10^4 records costs arrays, not
 * objects, until it is imported.
 */
import { FACE_DIMS, identityCentroid } from '#crypto';
import { CULTURE_IDS, type CultureId, heldPerson, latin, makePerson, type Person, passportName, randFor } from '../population/index.ts';
import type { Scenario } from './scenario.ts';
import type { WorldCountry } from './world-countries.ts';

export const KIND = { person: 0, document: 1, vehicle: 2 } as const;
export type SubjectKind = keyof typeof KIND;
const KINDS: readonly SubjectKind[] = ['person', 'document', 'vehicle'];

export interface CountryHoldings {
  readonly code: string;
  readonly spec: WorldCountry['spec'];
  readonly n: number;
  /** Per record k: kind, subject id (person, document or vehicle number), face template or not, deleted. */
  readonly kind: Uint8Array;
  readonly subject: Int32Array;
  readonly face: Uint8Array;
  readonly deleted: Uint8Array;
}

/** A subject of the world, as ground truth: `person:12`, `document:7`, `vehicle:3`. */
export const subjectKey = (kind: SubjectKind, id: number): string => `${kind}:${id}`;

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const DOC_CHARS = 'CFGHJKLMNPRTVWXYZ0123456789';
const DATASETS: Readonly<Record<SubjectKind, string>> = { person: 'wanted-persons', document: 'sltd', vehicle: 'stolen-vehicles' };

export class Population {
  readonly seed: number;
  readonly countries: CountryHoldings[] = [];
  /** Persons: naming culture and country of residence (index into `countries`). */
  readonly personCulture: number[] = [];
  readonly personHome: number[] = [];
  /** Documents of no known person: issuing country index; vehicles: registration country index. */
  readonly docCountry: number[] = [];
  readonly vehicleCountry: number[] = [];
  readonly #p: Scenario['population'];

  constructor(seed: number, world: readonly WorldCountry[], p: Scenario['population']) {
    this.seed = seed;
    this.#p = p;
    const rand = randFor(seed, 'population');
    const counts = world.map(() => {
      const nP = Math.round(p.recordsPerCountry * p.mix.persons);
      const nD = Math.round(p.recordsPerCountry * p.mix.documents);
      return { nP, nD, nV: Math.max(0, p.recordsPerCountry - nP - nD) };
    });
    for (const [ci, c] of world.entries()) {
      const n = p.recordsPerCountry;
      this.countries.push({
        code: c.code,
        spec: c.spec,
        n,
        kind: new Uint8Array(n),
        subject: new Int32Array(n),
        face: new Uint8Array(n),
        deleted: new Uint8Array(n),
      });
      // residents first: the records about them are this country's own
      const { nP } = counts[ci] as { nP: number };
      const own = nP - Math.round(nP * p.overlap);
      const cultures = Object.keys(c.spec.mix) as CultureId[];
      const weights = cultures.map((x) => c.spec.mix[x] ?? 0);
      for (let k = 0; k < own; k++) {
        this.personCulture.push(CULTURE_IDS.indexOf(cultures[pickWeighted(rand, weights)] as CultureId));
        this.personHome.push(ci);
      }
    }
    const residents = world.map(() => [] as number[]);
    for (const [id, home] of this.personHome.entries()) residents[home]?.push(id);
    const docsOf = world.map(() => [] as number[]);
    const vehiclesOf = world.map(() => [] as number[]);
    for (const [ci, h] of this.countries.entries()) {
      const { nP, nD, nV } = counts[ci] as { nP: number; nD: number; nV: number };
      let k = 0;
      const mine = residents[ci] ?? [];
      const foreign = nP - mine.length;
      for (const id of mine) this.#put(h, ci, k++, 'person', id, rand);
      for (let i = 0; i < foreign; i++) this.#put(h, ci, k++, 'person', this.#elsewhere(rand, residents, ci), rand);
      for (let i = 0; i < nD; i++) {
        let id: number;
        if (i >= nD - Math.round(nD * p.overlap) && world.length > 1) id = this.#elsewhere(rand, docsOf, ci);
        else if (rand() < 0.5 && this.personHome.length > 0) id = Math.floor(rand() * this.personHome.length);
        else {
          id = -1 - this.docCountry.length;
          this.docCountry.push(rand() < 0.7 ? ci : Math.floor(rand() * world.length));
        }
        docsOf[ci]?.push(id);
        this.#put(h, ci, k++, 'document', id, rand);
      }
      for (let i = 0; i < nV; i++) {
        let id: number;
        if (i >= nV - Math.round(nV * p.overlap) && world.length > 1 && ci > 0) id = this.#elsewhere(rand, vehiclesOf, ci);
        else {
          id = this.vehicleCountry.length;
          this.vehicleCountry.push(ci);
        }
        vehiclesOf[ci]?.push(id);
        this.#put(h, ci, k++, 'vehicle', id, rand);
      }
    }
  }

  #put(h: CountryHoldings, ci: number, k: number, kind: SubjectKind, id: number, rand: () => number): void {
    h.kind[k] = KIND[kind];
    h.subject[k] = id;
    if (kind === 'person' && ci < this.#p.faces.countries && rand() < this.#p.faces.share) h.face[k] = 1;
  }

  /** A subject id from another country's list (falls back to the country's own when alone). */
  #elsewhere(rand: () => number, lists: number[][], ci: number): number {
    for (let tries = 0; tries < 20; tries++) {
      const other = Math.floor(rand() * lists.length);
      const l = lists[other] ?? [];
      if (other !== ci && l.length > 0) return l[Math.floor(rand() * l.length)] as number;
    }
    return Math.floor(rand() * Math.max(1, this.personHome.length));
  }

  kindOf(ci: number, k: number): SubjectKind {
    return KINDS[(this.countries[ci] as CountryHoldings).kind[k] as number] as SubjectKind;
  }

  truthOf(ci: number, k: number): string {
    const h = this.countries[ci] as CountryHoldings;
    return subjectKey(this.kindOf(ci, k), h.subject[k] as number);
  }

  person(id: number): Person {
    const home = this.countries[this.personHome[id] as number] as CountryHoldings;
    return makePerson(this.seed, id, CULTURE_IDS[this.personCulture[id] as number] as CultureId, home.spec.code);
  }

  /** A person that no country holds (for queries about nobody), with a culture of `ci`'s mix. */
  stranger(n: number, ci: number): Person {
    const c = this.countries[ci] as CountryHoldings;
    const cultures = Object.keys(c.spec.mix) as CultureId[];
    const rand = randFor(this.seed, `stranger:${n}`);
    const culture = cultures[
      pickWeighted(
        rand,
        cultures.map((x) => c.spec.mix[x] ?? 0),
      )
    ] as CultureId;
    return makePerson(this.seed, 1_000_000_000 + n, culture, c.spec.code);
  }

  /** A document subject: a person's passport (id ≥ 0) or a document of no known person (id < 0). */
  document(id: number): { type: string; country: string; number: string } {
    if (id >= 0) {
      const p = this.person(id);
      return { type: 'passport', country: p.country, number: p.passport };
    }
    const rand = randFor(this.seed, `document:${id}`);
    const c = this.countries[this.docCountry[-1 - id] ?? 0] as CountryHoldings;
    return { type: rand() < 0.8 ? 'passport' : 'id-card', country: c.spec.code, number: text(rand, DOC_CHARS, 9) };
  }

  vehicle(id: number): { vin: string; country: string } {
    const rand = randFor(this.seed, `vehicle:${id}`);
    const c = this.countries[this.vehicleCountry[id] ?? 0] as CountryHoldings;
    return { vin: text(rand, VIN_CHARS, 17), country: c.spec.code };
  }

  /** A fresh capture of a person's face (`n` distinguishes captures). */
  face(personId: number, n: number): Float32Array {
    return capture(identityCentroid(this.seed, personId, FACE_DIMS), randFor(this.seed, `face:${personId}:${n}`), this.#p.faces.quality);
  }

  /** Record k of country ci, as its data owner hands it to the node (import format). */
  record(ci: number, k: number): Record<string, unknown> {
    const h = this.countries[ci] as CountryHoldings;
    const kind = this.kindOf(ci, k);
    const id = h.subject[k] as number;
    const rand = randFor(this.seed, `record:${h.code}:${k}`);
    const base = { id: `${h.code}-${k}`, kind, dataset: DATASETS[kind], handling: rand() < 0.5 ? 'restricted' : 'official-use' };
    if (kind === 'vehicle') return { ...base, vehicle: this.vehicle(id) };
    if (kind === 'document') return { ...base, documents: [{ ...this.document(id), status: rand() < 0.7 ? 'stolen' : 'lost' }] };
    const p = this.person(id);
    const held = heldPerson(p, h.spec, this.seed);
    const person: Record<string, unknown> = { ...held, nationality: p.country };
    const p0 = this.#p;
    if (rand() < p0.typos) person.family = typo(held.family, rand);
    if (rand() < p0.missingFields) {
      const what = Math.floor(rand() * 3);
      if (what === 0) delete person.sex;
      else if (what === 1 && held.given !== undefined) delete person.given;
      else person.dob = held.dob.slice(0, 4);
    }
    if (rand() < p0.aliases) {
      const alt = passportName(p, rand, (['english', 'bgn', 'french', 'icao'] as const)[Math.floor(rand() * 4)]);
      const native = `${alt.given} ${alt.family}`.trim();
      const other = latin({ native: p.family[0]?.native ?? held.family }, p.culture, 'passport', rand);
      person.aliases = [native === `${held.given ?? ''} ${held.family}`.trim() ? `${alt.given} ${other}` : native];
    }
    const out: Record<string, unknown> = { ...base, person };
    if (rand() < p0.passports) out.documents = [{ type: 'passport', country: p.country, number: p.passport, status: 'valid' }];
    if (h.face[k] === 1) out.biometrics = { face: Array.from(this.face(id, ci + 1)) };
    return out;
  }
}

function pickWeighted(rand: () => number, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rand() * total;
  for (const [i, w] of weights.entries()) {
    x -= w;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

function text(rand: () => number, chars: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += chars[Math.floor(rand() * chars.length)];
  return s;
}

/** One typing error: two neighbouring letters swapped, or one letter doubled or dropped. */
function typo(name: string, rand: () => number): string {
  const chars = [...name];
  if (chars.length < 4) return name;
  const i = 1 + Math.floor(rand() * (chars.length - 2));
  const r = rand();
  if (r < 0.4) [chars[i], chars[i + 1]] = [chars[i + 1] as string, chars[i] as string];
  else if (r < 0.7) chars.splice(i, 0, chars[i] as string);
  else chars.splice(i, 1);
  return chars.join('');
}

/** normalize(c + σ·n), σ² = a / d, with a uniform in `quality` (crypto/he/synthetic's model). */
function capture(centroid: Float32Array, rand: () => number, quality: readonly [number, number]): Float32Array {
  const d = centroid.length;
  const a = quality[0] + (quality[1] - quality[0]) * rand();
  const sigma = Math.sqrt(a / d);
  const v = new Float32Array(d);
  let s = 0;
  for (let i = 0; i < d; i++) {
    let u = 0;
    while (u === 0) u = rand();
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    const x = (centroid[i] as number) + sigma * g;
    v[i] = x;
    s += x * x;
  }
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < d; i++) v[i] = (v[i] as number) * inv;
  return v;
}
