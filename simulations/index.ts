export * from './synthetic-records.ts';
export * from './local-network.ts';
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
} from '#crypto';
export * from './pki.ts';
export * from './population/index.ts';
