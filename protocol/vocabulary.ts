/**
 * The protocol's plain word lists — purposes, handling codes, biometric modalities, disclosure fields,
 * date orders, sexes — with no imports, so a program can name them without loading the protocol. The
 * `veil` command builds its help and option choices from this module alone (`#protocol/vocabulary`)
 * and loads the rest of the protocol only when a command runs. The modules that define each registry's
 * schema re-export its list from here.
 */

/** Why a search is made. Nodes' sharing policies answer per purpose. */
export const PURPOSES = ['criminal-investigation', 'wanted-person', 'missing-person', 'border-control', 'counter-terrorism', 'stolen-property'] as const;

/** Handling codes, from least to most restrictive. */
export const HANDLING_CODES = ['official-use', 'restricted', 'confidential'] as const;

export const BIO_MODALITIES = ['face', 'fingerprint'] as const;

/** Fields an analyst may ask for and an owner may release, one by one. */
export const DISCLOSURE_FIELDS = ['name', 'dob', 'nationality', 'sex', 'documents', 'vehicle', 'dataset'] as const;

/** How a date whose year comes last is read: day first (European) or month first (US). */
export const DATE_ORDERS = ['dmy', 'mdy'] as const;

/** The sexes that decide which form of a gendered surname (Ivanov/Ivanova) a query meets. */
export const GENDERS = ['M', 'F'] as const;
