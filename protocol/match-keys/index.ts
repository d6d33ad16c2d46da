/**
 * Match keys (DESIGN.md §2): the one module the analyst SDK and the node share to turn names, dates of
 * birth, documents and VINs into domain-separated OPRF inputs.
 */
export {
  MATCH_CLASSES,
  describeKey,
  docKey,
  matchKeysForQuery,
  matchKeysForRecord,
  nameDobKeys,
  phoneticYobKeys,
  vehicleKey,
} from './derive.ts';
export type { MatchClass, MatchKey, QuerySubject } from './derive.ts';
export {
  DOCUMENT_TYPES,
  DOC_NUMBER_MAX,
  DOC_NUMBER_MIN,
  LEGACY_VIN_MIN,
  MAX_YEAR,
  MIN_YEAR,
  NAME_MAX_CHARS,
  nameTokens,
  normalizeCountry,
  normalizeDate,
  normalizeDocNumber,
  normalizeDocType,
  normalizeDocument,
  normalizeName,
  normalizeVin,
} from './normalize.ts';
export type { DocumentType, NormalizedDate, NormalizedDocument } from './normalize.ts';
export { isCountryCode } from './countries.ts';
export { phoneticCodes } from './phonetic.ts';
