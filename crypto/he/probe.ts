/**
 * The probe rule of encrypted 1:N search (docs/biometrics.md, "Leakage per query"): what `HeClient`
 * encrypts is the embedding scaled to unit length with every coordinate then clipped to ±6/√d.
 *
 * Why: the node scores whatever the probe ciphertext holds and cannot see it, and the analyst learns, per
 * template, whether the score crosses tau. A probe with its length on one coordinate i would read that
 * coordinate of every template (a hit means g_i ≥ tau); clipped, such a probe is c·e_i with c = 6/√d
 * (0.27 at 512-d, 0.375 at 256-d), which scores at most c < tau against any unit template, so it finds
 * nothing. The coordinates of a unit embedding are about 1/√d in size, so 6/√d is far in their tail and a
 * real probe is left as it is (norm 1); a probe that clipping shortens noticeably was not an embedding,
 * and the SDK refuses it before encrypting (protocol `decodeProbe`).
 *
 * This binds an analyst who uses the SDK (or `HeClient`). One who writes its own encryption is bound only
 * by the mask and the node's per-answer permutation; what that leaves is written down in the docs.
 */
import { normalizeTemplate } from './gallery.ts';

/** The clip, in multiples of the typical coordinate size 1/√d of a unit embedding. */
export const PROBE_CLIP_SIGMAS = 6;

/** The largest absolute value a probe coordinate keeps at `dims` dimensions. */
export function probeClip(dims: number): number {
  return PROBE_CLIP_SIGMAS / Math.sqrt(dims);
}

/**
 * Scale `t` to unit length (rejecting NaN, infinite, zero and wrong-length input like `normalizeTemplate`)
 * and clip each coordinate to ±probeClip(dims). `kept` is the length left after clipping (1 if nothing
 * was clipped).
 */
export function prepareProbe(t: ArrayLike<number>, dims: number): { vector: Float32Array; kept: number } {
  const vector = normalizeTemplate(t, dims);
  const c = probeClip(dims);
  let s = 0;
  for (let i = 0; i < dims; i++) {
    const x = Math.min(c, Math.max(-c, vector[i]!));
    vector[i] = x;
    s += x * x;
  }
  return { vector, kept: Math.sqrt(s) };
}
