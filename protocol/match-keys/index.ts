/**
 * Match keys: the one module the analyst SDK and the node share to turn names, dates of birth,
 * documents and VINs into domain-separated OPRF inputs. What each class means and how strong a hit in
 * it is: `classes.ts`; how keys are built: `derive.ts`.
 */

export type { MatchClass, MatchClassInfo, MatchDescription, MetKey, Strength } from './classes.ts';
export {
  describeMatch,
  FULL_DOB_CLASSES,
  MATCH_CLASS_INFO,
  MATCH_CLASSES,
  STRENGTHS,
} from './classes.ts';
export { isCountryCode } from './countries.ts';
export type { CyrillicLanguage } from './cyrillic.ts';
export { CYRILLIC_LANGUAGES, cyrillicLanguages } from './cyrillic.ts';
export type { DateOrder, DatePrecision, DateReading, NormalizedDate, QueryDateOptions, ReadDate } from './dates.ts';
export { DATE_FORMS, DATE_ORDERS, DATE_READINGS, MAX_YEAR, MIN_YEAR, normalizeDate, parseQueryDate } from './dates.ts';
export type { MatchKey, QuerySubject, RecordContext } from './derive.ts';
export {
  describeKey,
  docKey,
  foldConfusions,
  matchKeysForQuery,
  matchKeysForRecord,
  minRotation,
  nameDobKeys,
  phoneticYobKeys,
  vehicleKey,
} from './derive.ts';
export type { Gender } from './gendered.ts';
export { genderedForm } from './gendered.ts';
export type { NameInput, NamePart, NameReading, Role } from './name-parts.ts';
export { parseName } from './name-parts.ts';
export type { DocumentType, NormalizedDocument } from './normalize.ts';
export {
  DOC_NUMBER_MAX,
  DOC_NUMBER_MIN,
  DOCUMENT_TYPES,
  LEGACY_VIN_MIN,
  NAME_MAX_CHARS,
  nameTokens,
  normalizeCountry,
  normalizeDocNumber,
  normalizeDocType,
  normalizeDocument,
  normalizeName,
  normalizeVin,
} from './normalize.ts';
export { phoneticCode, phoneticCodes } from './phonetic.ts';
export { skeleton } from './skeleton.ts';
