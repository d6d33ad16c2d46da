/**
 * The SDK's public result and option types: what an analyst's program passes to `VeilClient` and gets
 * back. Results say, per country, hit or no hit (with opaque hit tokens or permuted biometric
 * positions) and never an identity; identities only come through an approved disclosure.
 */
import type { BioModality, DisclosureField, DisclosureStatus, ErrorCode, Handling, MatchClass, MatchDescription, Purpose, SealedRelease } from '#protocol';

export interface SearchContext {
  purpose: Purpose;
  caseRef: string;
  legalBasis: string;
  handling: Handling;
}

export interface QueryOptions {
  /** Countries to ask; default: every member but the analyst's own. */
  targets?: string[];
  /** `exact` (default) or `bucket` index lookups (the 2-byte bucket of each tag; see `sdk/lookup.ts`). */
  mode?: 'exact' | 'bucket';
}

export type CountryStatus = 'hit' | 'no-hit' | 'refused' | 'unavailable' | 'timeout' | 'error';

export interface Hit {
  cls: MatchClass;
  /** Opaque hit token (base64url): only the owning node can open it; quote it in a disclosure request. */
  token: string;
  /**
   * Which of the analyst's keys met and how strong that is, in words (`describeMatch`): e.g. strength
   * `strong`, "full name and date of birth", or "… (date read month first)" for one reading of an
   * ambiguous date. A record meeting in several classes gives one hit (one token) per class: tokens do
   * not tell whether two hits are the same record.
   */
  match: MatchDescription;
}

export interface CountryResult {
  country: string;
  status: CountryStatus;
  code?: ErrorCode;
  epoch?: number;
  hits: Hit[];
  /** For a hit: the strongest of its hits' classes, with every class that met there (`describeMatch`). */
  match?: MatchDescription;
  /** Match classes this country's policy did not answer. */
  refusedClasses: MatchClass[];
}

export interface QueryResult {
  queryId: string;
  results: CountryResult[];
  /** What the query consisted of (classes only): for transcripts. */
  classes: MatchClass[];
}

export interface Disclosure {
  id: string;
  /** The owning country. */
  to: string;
  status: DisclosureStatus;
  createdAt: number;
  fields: DisclosureField[];
  /** Why a request was rejected before any officer saw it (e.g. claim_mismatch), or a verification failure here. */
  code?: string;
  /** Opened release: the approved fields (with the record's handling code) or the denial's reason. */
  released?: SealedRelease;
}

export interface BioHit {
  /**
   * Position in this query's keyed permutation of the owner's gallery (only the owner can map it to a
   * record; the same template appears at unrelated positions in other queries; docs/biometrics.md).
   */
  position: number;
  /** Reference to quote in a disclosure request: `bio:<queryId>:<position>`. */
  ref: string;
}

export interface BioCountryResult {
  country: string;
  status: CountryStatus;
  code?: ErrorCode;
  /** Gallery size the node scored. */
  positions?: number;
  hits: BioHit[];
}

export interface BioQueryResult {
  queryId: string;
  modality: BioModality;
  results: BioCountryResult[];
}

/** What a disclosure request carries besides the hit and the claim. */
export interface DisclosureOptions {
  fields: DisclosureField[];
  justification: string;
  /** Request id (32 hex digits); a retry with the same id is the same request. Default: fresh. */
  id?: string;
}

/** The own node's acknowledgement of a disclosure request. */
export interface DisclosureReceipt {
  id: string;
  status: DisclosureStatus;
}
