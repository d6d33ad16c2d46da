/**
 * RFC 9497 OPRF / VOPRF over ristretto255-SHA512 (libsodium for every group operation).
 * Internal helpers (group arithmetic, DLEQ internals, key internals) are deliberately not re-exported.
 */
export { OprfKey } from './key.ts';
export {
  blind,
  blindBatch,
  blindEvaluate,
  blindEvaluateBatch,
  evaluate,
  finalize,
  finalizeBatch,
  verifyBatch,
  type BatchOptions,
  type BlindResult,
  type EvaluatedBatch,
} from './oprf.ts';
export { DEFAULT_MAX_BATCH, MAX_BATCH_RFC, MAX_INPUT_BYTES, PROOF_BYTES, type OprfMode } from './suite.ts';
export { formatOprfRates, measureOprf, type BatchRate, type MeasureOptions, type OprfRates } from './measure.ts';
