/**
 * Encrypted biometric 1:N matching (docs/design.md §3): public API of crypto/he. Only this folder imports
 * node-seal. See docs/biometrics.md for parameters, packing, masking and measured figures.
 */
export { HE_PARAMS, HE_PARAM_CODES, isHeParamId, type HeParamId, type HeParamSet, type Modality } from './params.ts';
export { HeClient } from './client.ts';
export { HeServer, type ScoreOptions, type ScoreResult } from './server.ts';
export { GalleryEncoding, normalizeTemplate } from './gallery.ts';
export { prepareProbe, probeClip, PROBE_CLIP_SIGMAS } from './probe.ts';
export { loadSeal, sealHeapBytes } from './seal.ts';
export {
  permutePosition,
  unpermutePosition,
  permutationOffsetCount,
  PERMUTATION_MAX_SWITCHES,
  type PositionPermutation,
  type PermutePositionOptions,
} from './permute.ts';
export {
  FACE_DIMS,
  FINGERPRINT_DIMS,
  Xoshiro128,
  identityCentroid,
  makeGallery,
  makeProbe,
  dot,
  type SyntheticGallery,
  type SyntheticGalleryOptions,
  type SyntheticProbeOptions,
} from './synthetic.ts';
