/**
 * RFC 9497 OPRF / VOPRF over ristretto255-SHA512 (libsodium for every group operation).
 * Internal helpers (group arithmetic, DLEQ internals, key internals) are deliberately not re-exported.
 */
export { OprfKey } from './key.ts';
export { type BatchRate, formatOprfRates, type MeasureOptions, measureOprf, type OprfRates } from './measure.ts';
export {
  type BatchOptions,
  type BlindResult,
  blind,
  blindBatch,
  blindEvaluate,
  blindEvaluateBatch,
  type EvaluatedBatch,
  evaluate,
  finalize,
  finalizeBatch,
  verifyBatch,
} from './oprf.ts';
export { DEFAULT_MAX_BATCH, MAX_BATCH_RFC, MAX_INPUT_BYTES, type OprfMode, PROOF_BYTES } from './suite.ts';
