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
} from '#crypto';
export * from './local-network.ts';
export * from './pki.ts';
export * from './population/index.ts';
export * from './sim/index.ts';
export * from './synthetic-records.ts';
