import { VeilError } from './errors.ts';
/**
 * Biometric templates (docs/design.md §3): fixed-length float embeddings compared by inner product after L2
 * normalization. One module decodes and validates them for imports (node) and probes (SDK).
 *
 * - face: 512-d (the common output size of face-recognition networks such as ArcFace);
 * - fingerprint: 256-d fixed-length embedding (DeepPrint-style fixed-length representations; minutiae
 *   templates must be converted to such an embedding before import).
 */

export const BIO_MODALITIES = ['face', 'fingerprint'] as const;
export type BioModality = (typeof BIO_MODALITIES)[number];

export const TEMPLATE_DIMS = { face: 512, fingerprint: 256 } as const satisfies Record<BioModality, number>;

/** The pinned HE parameter set per modality (crypto/he/params.ts). */
export const BIO_PARAMS = { face: 'face-512-v1', fingerprint: 'fingerprint-256-v1' } as const satisfies Record<BioModality, string>;

function fromBase64Float32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  if (b.length % 4 !== 0) throw new VeilError('bad_request', 'base64 template is not whole float32 values');
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}

/**
 * Decode (number[] or base64 little-endian float32), check the dimension, reject NaN/Inf and zero
 * vectors, and L2-normalize. `normalized` says whether the input was not already unit length.
 */
export function decodeTemplate(value: readonly number[] | string | Float32Array, modality: BioModality): { vector: Float32Array; normalized: boolean } {
  const raw = typeof value === 'string' ? fromBase64Float32(value) : Float32Array.from(value);
  const dims = TEMPLATE_DIMS[modality];
  if (raw.length !== dims) throw new VeilError('bad_request', `${modality} template must have ${dims} values, has ${raw.length}`);
  let s = 0;
  for (let i = 0; i < raw.length; i++) {
    const x = raw[i]!;
    if (!Number.isFinite(x)) throw new VeilError('bad_request', `${modality} template contains NaN or Infinity`);
    s += x * x;
  }
  if (!(s > 1e-24)) throw new VeilError('bad_request', `${modality} template is a zero vector`);
  const norm = Math.sqrt(s);
  const vector = new Float32Array(dims);
  for (let i = 0; i < dims; i++) vector[i] = raw[i]! / norm;
  return { vector, normalized: Math.abs(norm - 1) > 1e-3 };
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
