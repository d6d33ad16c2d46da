/**
 * Encrypted biometric 1:N matching (docs/design.md §3): public API of crypto/he. Only this folder imports
 * node-seal. See docs/biometrics.md for parameters, packing, masking and measured figures.
 */

export { HeClient } from './client.ts';
export { GalleryEncoding, normalizeTemplate } from './gallery.ts';
export { HE_PARAM_CODES, HE_PARAMS, type HeParamId, type HeParamSet, isHeParamId, type Modality } from './params.ts';
export {
  PERMUTATION_MAX_SWITCHES,
  type PermutePositionOptions,
  type PositionPermutation,
  permutationOffsetCount,
  permutePosition,
  unpermutePosition,
} from './permute.ts';
export { PROBE_CLIP_SIGMAS, prepareProbe, probeClip } from './probe.ts';
export { loadSeal, sealHeapBytes } from './seal.ts';
export { HeServer, type ScoreOptions, type ScoreResult } from './server.ts';
export {
  dot,
  FACE_DIMS,
  FINGERPRINT_DIMS,
  identityCentroid,
  makeGallery,
  makeProbe,
  type SyntheticGallery,
  type SyntheticGalleryOptions,
  type SyntheticProbeOptions,
  Xoshiro128,
} from './synthetic.ts';
