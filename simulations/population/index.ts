/**
 * A seeded population with ground truth, for benchmarks and protocol simulations: persons with
 * multi-script names, sex, dates of birth and passports in 15 countries (`population.ts`), the
 * records countries hold about them, and variant generators for the ways names, dates and document
 * numbers differ between sources (`variants.ts`).
 */

export type { CultureData, CultureId, Script } from './culture.ts';
export { CULTURE_IDS } from './culture.ts';
export type { CountrySpec, HeldPerson, LatinSystem, Person, Piece } from './population.ts';
export { COUNTRIES, CULTURES, countryPersons, heldPerson, latin, makePerson, nativeName, passportName } from './population.ts';
export type { Rand } from './random.ts';
export { randFor } from './random.ts';
export type { DocQuery, NameQuery, Variant, VariantClass } from './variants.ts';
export { VARIANT_CLASSES, VARIANTS, variantOf } from './variants.ts';
