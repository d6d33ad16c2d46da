/**
 * Per-query permutation of result positions (docs/design.md §3: "result positions are shuffled by a keyed
 * per-query permutation that only the node can undo").
 *
 * A masked result holds `npairs` ciphertexts of 2 x 2048 positions (real parts, imaginary parts). From a
 * 32-byte seed that the node draws at random for this one query (never derived from anything the requester
 * sends: a requester that could repeat the seed would see its positions line up across queries), a
 * deterministic stream (BLAKE2b keyed by HKDF(seed, 'veil/v1/bio-permutation')) gives:
 *  - a uniform permutation of the 2·npairs block halves: layout block b (2048 templates) is placed in half
 *    `dest[b]` = 2t + (0: real, 1: imaginary) of result ciphertext t. This is free (which blocks are
 *    paired, in which order, and on which half, is the node's choice);
 *  - per result ciphertext t, a cyclic slot rotation by `offsets[t]`, applied homomorphically after masking
 *    (SEAL rotate_vector, the same on the real and imaginary parts). The session only holds Galois keys
 *    for the power-of-two steps below h, so an offset is a sum of at most PERMUTATION_MAX_SWITCHES distinct
 *    such steps (one key switch each); offsets are drawn uniformly from that set (within [0, h)).
 * The node keeps the seed with the answered query, so a disclosure claim's position can be mapped back.
 *
 * Within a block, the slot order is only shifted, not shuffled: an analyst who sees hits in two queries can
 * still tell that two hits whose slot indices (mod 2048) differ by more than h - 1 cyclically are not the
 * same template, and two hits in one query keep their relative slot distance when they are in the same
 * half. What is hidden is which block a hit is in and its exact slot (one of the allowed offsets).
 *
 * Permuted positions live in [0, 2·npairs·2048) (the result header carries that padded count); padding
 * slots score 0 or are absent halves, and mask to "no hit".
 */
import { CryptoError } from '../errors.ts';
import { deriveSubkey, keyedHash } from '../hash.ts';
import { type Derived, derive, type HeParamId, isHeParamId } from './params.ts';

export const PERMUTATION_LABEL = 'veil/v1/bio-permutation';
/** Key switches (rotations by a power-of-two step) per result ciphertext, at most. */
export const PERMUTATION_MAX_SWITCHES = 3;

export interface PositionPermutation {
  /** 32 uniformly random bytes drawn by the node for this query alone (kept by the node, never sent). */
  readonly seed: Uint8Array;
}

export interface PermutationPlan {
  /** Result ciphertexts. */
  readonly npairs: number;
  /** Size of the permuted position space = 2·npairs·blockSize (the result header's position count). */
  readonly space: number;
  /** Layout half (block index, < 2·npairs) -> permuted half. */
  readonly dest: Uint32Array;
  /** Permuted half -> layout half. */
  readonly src: Uint32Array;
  /** Per result ciphertext (in result order): rotation step (left rotation by SEAL rotate_vector). */
  readonly offsets: Uint32Array;
}

/** Allowed offsets per h: values in [0, h) with at most PERMUTATION_MAX_SWITCHES bits set. */
const offsetSets = new Map<number, Uint32Array>();
function allowedOffsets(d: Derived): Uint32Array {
  let s = offsetSets.get(d.h);
  if (!s) {
    const v: number[] = [];
    for (let r = 0; r < d.h; r++) {
      let bits = 0;
      for (let x = r; x; x &= x - 1) bits++;
      if (bits <= PERMUTATION_MAX_SWITCHES) v.push(r);
    }
    s = Uint32Array.from(v);
    offsetSets.set(d.h, s);
  }
  return s;
}

/** Number of distinct rotation offsets a result ciphertext can get (for documentation and tests). */
export function permutationOffsetCount(paramId: HeParamId): number {
  return allowedOffsets(derive(paramId)).length;
}

/** Deterministic stream: BLAKE2b(seed, counter) blocks of 64 bytes. */
class Stream {
  private readonly seed: Uint8Array;
  private counter = 0;
  private buf = new Uint32Array(0);
  private off = 0;
  constructor(p: PositionPermutation) {
    if (!(p.seed instanceof Uint8Array) || p.seed.length !== 32) throw new CryptoError('bad_key', 'permutation: seed must be 32 bytes');
    this.seed = deriveSubkey(p.seed, PERMUTATION_LABEL, 32);
  }
  private u32(): number {
    if (this.off >= this.buf.length) {
      const msg = new Uint8Array(8);
      new DataView(msg.buffer).setUint32(0, this.counter++, true);
      const b = keyedHash(this.seed, msg, 64);
      this.buf = new Uint32Array(16);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < 16; i++) this.buf[i] = dv.getUint32(4 * i, true);
      this.off = 0;
    }
    return this.buf[this.off++]!;
  }
  /** Uniform in [0, n), n <= 2^32 (rejection sampling). */
  below(n: number): number {
    const limit = Math.floor(2 ** 32 / n) * n;
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }
}

function checkPositions(d: Derived, positions: number): number {
  if (!Number.isInteger(positions) || positions < 0) throw new CryptoError('bad_request', 'permutation: bad position count');
  const nb = Math.ceil(positions / d.blockSize);
  return Math.max(1, Math.ceil(nb / 2));
}

/** The plan for a gallery of `positions` templates (deterministic in seed, positions, paramId). */
export function permutationPlan(d: Derived, positions: number, p: PositionPermutation): PermutationPlan {
  const npairs = checkPositions(d, positions);
  const s = new Stream(p);
  const halves = 2 * npairs;
  // Fisher-Yates over the halves: src[permuted half] = layout half.
  const src = new Uint32Array(halves);
  for (let i = 0; i < halves; i++) src[i] = i;
  for (let i = halves - 1; i > 0; i--) {
    const j = s.below(i + 1);
    const t = src[i]!;
    src[i] = src[j]!;
    src[j] = t;
  }
  const dest = new Uint32Array(halves);
  for (let i = 0; i < halves; i++) dest[src[i]!] = i;
  const allowed = allowedOffsets(d);
  const offsets = new Uint32Array(npairs);
  for (let t = 0; t < npairs; t++) offsets[t] = allowed[s.below(allowed.length)]!;
  return { npairs, space: halves * d.blockSize, dest, src, offsets };
}

export interface PermutePositionOptions extends PositionPermutation {
  /** Gallery size when the query was scored (`ScoreResult.positions`). */
  readonly positions: number;
  readonly paramId: HeParamId;
}

function optsDerived(opts: PermutePositionOptions): Derived {
  if (!isHeParamId(opts.paramId)) throw new CryptoError('bad_request', 'unknown HE parameter id');
  return derive(opts.paramId);
}

/** Layout (gallery) position -> the position the analyst sees for this query. */
export function permutePosition(position: number, opts: PermutePositionOptions): number {
  const d = optsDerived(opts);
  if (!Number.isInteger(position) || position < 0 || position >= opts.positions) throw new CryptoError('bad_request', 'position out of range');
  const plan = permutationPlan(d, opts.positions, opts);
  const bs = d.blockSize;
  const half = plan.dest[Math.floor(position / bs)]!;
  const off = plan.offsets[half >> 1]!;
  return half * bs + (((position % bs) - off + bs) % bs);
}

/**
 * A position the analyst saw for this query -> the layout (gallery) position. Throws CryptoError('bad_request')
 * for a position outside the permuted space or on a padding slot (never a hit).
 */
export function unpermutePosition(permuted: number, opts: PermutePositionOptions): number {
  const d = optsDerived(opts);
  const plan = permutationPlan(d, opts.positions, opts);
  if (!Number.isInteger(permuted) || permuted < 0 || permuted >= plan.space) throw new CryptoError('bad_request', 'position out of range');
  const bs = d.blockSize;
  const half = Math.floor(permuted / bs);
  const off = plan.offsets[half >> 1]!;
  const layout = plan.src[half]! * bs + (((permuted % bs) + off) % bs);
  if (layout >= opts.positions) throw new CryptoError('bad_request', 'position out of range');
  return layout;
}
