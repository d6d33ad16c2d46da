import { prepareProbe, probeClip } from '#crypto';
import { VeilError } from './errors.ts';
import type { BIO_MODALITIES } from './vocabulary.ts';

/**
 * Biometric templates (docs/design.md §3): fixed-length float embeddings compared by inner product after L2
 * normalization. One module decodes and validates them for imports (node) and probes (SDK).
 *
 * - face: 512-d (the common output size of face-recognition networks such as ArcFace);
 * - fingerprint: 256-d fixed-length embedding (DeepPrint-style fixed-length representations; minutiae
 *   templates must be converted to such an embedding before import).
 */

export { BIO_MODALITIES } from './vocabulary.ts';
export type BioModality = (typeof BIO_MODALITIES)[number];

export const TEMPLATE_DIMS = { face: 512, fingerprint: 256 } as const satisfies Record<BioModality, number>;

/**
 * Hits per country per biometric query beyond which the SDK reports the answer as an error instead of
 * positions: one person has a handful of captures in a gallery; a probe that crosses the threshold at
 * more positions than this is degenerate or crafted (docs/biometrics.md, "Leakage per query").
 */
export const BIO_MAX_HITS = 50;

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

/** The least length a probe may keep after clipping (`prepareProbe`) and still count as an embedding. */
export const PROBE_MIN_KEPT = 0.9;

/**
 * A probe for encrypted search: decoded and normalized like a template, and refused (`bad_request`) if
 * clipping each coordinate to ±6/√d (what `HeClient.encryptProbe` does) would take more than a tenth of its
 * length: its mass sits on a few coordinates, so it is not an embedding but a probe built to read gallery
 * coordinates. Returns the unit vector; the clipping itself happens at encryption.
 */
export function decodeProbe(value: readonly number[] | string | Float32Array, modality: BioModality): Float32Array {
  const { vector } = decodeTemplate(value, modality);
  const { kept } = prepareProbe(vector, vector.length);
  if (kept < PROBE_MIN_KEPT) {
    const share = Math.round(100 * (1 - kept));
    throw new VeilError(
      'bad_request',
      `${modality} probe is not an embedding: ${share}% of its length is in coordinates above ${probeClip(vector.length).toFixed(3)}; pass the embedding the recognition model produced`,
    );
  }
  return vector;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
