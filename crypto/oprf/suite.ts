/**
 * Constants of RFC 9497 for the ciphersuite ristretto255-SHA512 (§4.1): modes (§3.1), the context string
 * (§3.1), the domain-separation tags and transcript labels fixed by the RFC, and the size caps that come
 * from its 2-byte length prefixes.
 *
 * These labels belong to the RFC, not to Veil: changing any of them breaks interoperability and the
 * Appendix A test vectors. Veil's own labels live in protocol/labels.ts.
 */

import { concatBytes, utf8 } from '../bytes.ts';
import { CryptoError } from '../errors.ts';

export type OprfMode = 'oprf' | 'voprf';

/** RFC 9497 §3.1: modeOPRF = 0x00, modeVOPRF = 0x01 (POPRF, 0x02, is not implemented). */
export const MODE_IDS = { oprf: 0x00, voprf: 0x01 } as const satisfies Record<OprfMode, number>;

export const SUITE_ID = 'ristretto255-SHA512';

/** Ns, Ne, Nh of RFC 9497 §4.1. */
export const NS = 32;
export const NE = 32;
export const NH = 64;
/** A proof is the two scalars c ‖ s (RFC 9497 §2.2.1). */
export const PROOF_BYTES = 2 * NS;

/** Inputs are length-prefixed with 2 bytes in Finalize / Evaluate (RFC 9497 §3.3.1), hence < 2^16. */
export const MAX_INPUT_BYTES = 0xffff;
/** The composite index `i` is I2OSP(i, 2) (RFC 9497 §2.2.1), so a batch holds at most 2^16 elements. */
export const MAX_BATCH_RFC = 0x10000;
/**
 * Default batch cap of the batched calls. Both sides pay about two scalar multiplications per element,
 * so a peer must not be able to make us verify or evaluate an unbounded batch. Callers with a larger
 * legitimate batch pass `maxBatch` (up to MAX_BATCH_RFC).
 */
export const DEFAULT_MAX_BATCH = 4096;

function contextString(mode: OprfMode): Uint8Array {
  // "OPRFV1-" ‖ I2OSP(mode, 1) ‖ "-" ‖ identifier (RFC 9497 §3.1)
  return concatBytes(utf8('OPRFV1-'), Uint8Array.of(MODE_IDS[mode]), utf8(`-${SUITE_ID}`));
}

export type SuiteDsts = {
  readonly hashToGroup: Uint8Array;
  readonly hashToScalar: Uint8Array;
  readonly deriveKeyPair: Uint8Array;
  readonly seed: Uint8Array;
};

function dstsFor(mode: OprfMode): SuiteDsts {
  const ctx = contextString(mode);
  return Object.freeze({
    hashToGroup: concatBytes(utf8('HashToGroup-'), ctx), // §4.1 HashToGroup
    hashToScalar: concatBytes(utf8('HashToScalar-'), ctx), // §4.1 HashToScalar (default DST)
    deriveKeyPair: concatBytes(utf8('DeriveKeyPair'), ctx), // §3.2.1 (no dash, as in the RFC)
    seed: concatBytes(utf8('Seed-'), ctx), // §2.2.1 ComputeComposites seedDST
  });
}

const DSTS: Readonly<Record<OprfMode, SuiteDsts>> = { oprf: dstsFor('oprf'), voprf: dstsFor('voprf') };

/** Transcript labels of RFC 9497 §2.2.1 and §3.3.1. */
export const LABEL_COMPOSITE = utf8('Composite');
export const LABEL_CHALLENGE = utf8('Challenge');
export const LABEL_FINALIZE = utf8('Finalize');

export function dsts(mode: OprfMode): SuiteDsts {
  checkMode(mode);
  return DSTS[mode];
}

export function checkMode(mode: unknown): asserts mode is OprfMode {
  if (mode !== 'oprf' && mode !== 'voprf') throw new CryptoError('bad_request', 'OPRF mode must be oprf or voprf');
}
