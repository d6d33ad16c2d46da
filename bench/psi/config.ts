/**
 * The PSI benchmark's targets and fixed parameters: the figure each section is measured against, the
 * representative OPRF batch, the countries of the end-to-end network and the search context of its
 * queries.
 */
import type { SearchContext } from '#sdk';

export const PSI_TARGETS = {
  /** VOPRF evaluations per second per core, at 3 elements per proof. */
  oprfEvalsPerSecPerCore: 4500,
  /** OPRF evaluations per libsodium scalar multiplication (same run); a batched DLEQ proof bounds it near 0.5 (docs/benchmarks.md §1). */
  oprfRatioToScalarMult: 0.45,
  /** Tags per second on all cores (2 here). */
  indexKeysPerSec: 5000,
  e2eP50Ms: 15,
  e2eQueriesPerSec: 100,
  fanoutQueriesPerSec: 250,
  fanoutP99Ms: 25,
} as const;

/** The batch size taken as representative: a name query yields name_dob + phonetic_yob, sometimes a document. */
export const REPRESENTATIVE_BATCH = 3;
export const E2E_COUNTRIES = ['FR', 'DE', 'UA', 'IT', 'ES', 'PL', 'NL', 'BE', 'AT', 'SE'] as const;
export const ISO3: Record<string, string> = { FR: 'FRA', DE: 'DEU', UA: 'UKR', IT: 'ITA', ES: 'ESP', PL: 'POL', NL: 'NLD', BE: 'BEL', AT: 'AUT', SE: 'SWE' };
export const CTX: SearchContext = { purpose: 'wanted-person', caseRef: 'B-1', legalBasis: 'art-3', handling: 'restricted' };
