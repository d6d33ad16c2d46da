/**
 * RFC 9497 OPRF (mode 0x00, §3.3.1) and VOPRF (mode 0x01, §3.3.2) protocol functions for the
 * ciphersuite ristretto255-SHA512 (§4.1), with batch helpers.
 *
 * Client: `blind` → (send blindedElement) → [VOPRF: `verifyBatch`] → `finalize`.
 * Server: `blindEvaluate` (OPRF) or `blindEvaluateBatch` (VOPRF, one batched DLEQ proof), and `evaluate`
 * for the PRF on its own inputs (§3.3.1 Evaluate).
 *
 * Every element received from a peer goes through `decodePoint` (canonical, non-identity). The server's
 * multiplication by its key is libsodium's constant-time `crypto_scalarmult_ristretto255`.
 */

import { abytes, concatBytes, i2osp, type Rng, randomBytes } from '../bytes.ts';
import { CryptoError } from '../errors.ts';
import { decodePoint, isIdentityEncoding } from '../points.ts';
import { sodium } from '../sodium.ts';
import { generateProof, verifyProof } from './dleq.ts';
import { hashToGroup, isCanonicalScalar, isZeroScalar, mul, randomScalar, SCALAR_BYTES, scalarInvert, scalarMul } from './group.ts';
import { internals, type OprfKey } from './key.ts';
import { checkMode, DEFAULT_MAX_BATCH, dsts, LABEL_FINALIZE, MAX_BATCH_RFC, MAX_INPUT_BYTES, NE, type OprfMode, PROOF_BYTES } from './suite.ts';

export type BlindResult = {
  /** The secret blind r; keep it until `finalize`, then drop it. */
  blind: Uint8Array;
  /** r·H(input), sent to the server. */
  blindedElement: Uint8Array;
};

export type BatchOptions = {
  /** Largest accepted batch (default DEFAULT_MAX_BATCH, at most 2^16 by RFC 9497 §2.2.1). */
  maxBatch?: number;
};

export type EvaluatedBatch = { evaluatedElements: Uint8Array[]; proof: Uint8Array };

function checkInput(input: unknown, name = 'input'): Uint8Array {
  const b = abytes(input, undefined, name);
  if (b.length > MAX_INPUT_BYTES) throw new CryptoError('too_large', `${name}: OPRF inputs are at most 65535 bytes`);
  return b;
}

function checkBlind(blind: unknown, name = 'blind'): Uint8Array {
  const b = abytes(blind, SCALAR_BYTES, name);
  if (!isCanonicalScalar(b) || isZeroScalar(b)) throw new CryptoError('bad_scalar', name);
  return b;
}

function checkBatch(n: number, opts: BatchOptions, name: string): void {
  const max = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(max) || max < 1 || max > MAX_BATCH_RFC) throw new CryptoError('bad_request', 'maxBatch must be 1..65536');
  if (n === 0) throw new CryptoError('bad_request', `${name}: empty batch`);
  if (n > max) throw new CryptoError('too_large', `${name}: batch of ${n} exceeds ${max}`);
}

function checkArray(x: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(x)) throw new CryptoError('bad_request', `${name}: expected an array`);
  return x;
}

/** H(input) with the identity check of RFC 9497 §3.3.1 Blind / Evaluate (InvalidInputError). */
function inputElement(mode: OprfMode, input: Uint8Array): Uint8Array {
  const P = hashToGroup(input, dsts(mode).hashToGroup);
  if (isIdentityEncoding(P)) throw new CryptoError('identity_point', 'input hashes to the identity');
  return P;
}

/**
 * Hash(I2OSP(len(input), 2) ‖ input ‖ I2OSP(len(unblindedElement), 2) ‖ unblindedElement ‖ "Finalize")
 * (RFC 9497 §3.3.1 Finalize and Evaluate).
 */
function outputHash(input: Uint8Array, element: Uint8Array): Uint8Array {
  return sodium().crypto_hash_sha512(concatBytes(i2osp(input.length, 2), input, i2osp(NE, 2), element, LABEL_FINALIZE));
}

/** RFC 9497 §3.3.1 (OPRF) / §3.3.2 (VOPRF) Blind: r = RandomScalar(), blindedElement = r·HashToGroup(input). */
export function blind(mode: OprfMode, input: Uint8Array, rng: Rng = randomBytes): BlindResult {
  checkMode(mode);
  checkInput(input);
  const P = inputElement(mode, input);
  const r = randomScalar(rng);
  return { blind: r, blindedElement: mul(r, P) };
}

/** `blind` for several inputs, drawing their blinds from `rng` in order. */
export function blindBatch(mode: OprfMode, inputs: Uint8Array[], rng: Rng = randomBytes): BlindResult[] {
  checkMode(mode);
  const xs = checkArray(inputs, 'inputs');
  for (const [i, x] of xs.entries()) checkInput(x, `inputs[${i}]`);
  return (xs as Uint8Array[]).map((x) => blind(mode, x, rng));
}

/** RFC 9497 §3.3.1 BlindEvaluate (OPRF mode): evaluatedElement = skS·blindedElement. */
export function blindEvaluate(key: OprfKey, blindedElement: Uint8Array): Uint8Array {
  const { secret } = internals(key);
  if (key.mode !== 'oprf') throw new CryptoError('bad_key', 'blindEvaluate needs an oprf-mode key; use blindEvaluateBatch for voprf');
  return mul(secret, decodePoint(blindedElement, 'blindedElement'));
}

/**
 * RFC 9497 §3.3.2 BlindEvaluate (VOPRF mode), batched: evaluatedElements[i] = skS·blindedElements[i],
 * with one DLEQ proof (§2.2.1 GenerateProof with ComputeCompositesFast) over the whole batch. `rng`
 * supplies the proof nonce r. Returns the proof as c ‖ s (64 bytes).
 */
export function blindEvaluateBatch(key: OprfKey, blindedElements: Uint8Array[], rng: Rng = randomBytes, opts: BatchOptions = {}): EvaluatedBatch {
  const { secret, publicKey } = internals(key);
  if (key.mode !== 'voprf') throw new CryptoError('bad_key', 'blindEvaluateBatch needs a voprf-mode key');
  const xs = checkArray(blindedElements, 'blindedElements');
  checkBatch(xs.length, opts, 'blindedElements');
  const C = xs.map((x, i) => decodePoint(x, `blindedElements[${i}]`));
  const D = C.map((c) => mul(secret, c));
  const proof = generateProof('voprf', secret, publicKey, C, D, rng);
  return { evaluatedElements: D, proof };
}

/**
 * RFC 9497 §2.2.2 VerifyProof for a VOPRF batch (A = G, B = pkS, C = blinded, D = evaluated), as
 * Finalize does in §3.3.2. Throws CryptoError('bad_proof') if the proof does not verify; point errors
 * ('identity_point', 'non_canonical_point', 'bad_length') if an element does not decode.
 */
export function verifyBatch(
  publicKey: Uint8Array,
  blindedElements: Uint8Array[],
  evaluatedElements: Uint8Array[],
  proof: Uint8Array,
  opts: BatchOptions = {},
): void {
  const B = decodePoint(publicKey, 'publicKey');
  const cs = checkArray(blindedElements, 'blindedElements');
  const ds = checkArray(evaluatedElements, 'evaluatedElements');
  abytes(proof, PROOF_BYTES, 'proof');
  checkBatch(cs.length, opts, 'blindedElements');
  if (ds.length !== cs.length) throw new CryptoError('bad_request', 'blinded and evaluated batches differ in length');
  const C = cs.map((x, i) => decodePoint(x, `blindedElements[${i}]`));
  const D = ds.map((x, i) => decodePoint(x, `evaluatedElements[${i}]`));
  verifyProof('voprf', B, C, D, proof);
}

/**
 * RFC 9497 §3.3.1 / §3.3.2 Finalize: Hash(... input ... (1/blind)·evaluatedElement ... "Finalize"), 64 bytes.
 * In VOPRF mode the caller must have run `verifyBatch` on the batch this element came from.
 */
export function finalize(mode: OprfMode, input: Uint8Array, blind: Uint8Array, evaluatedElement: Uint8Array): Uint8Array {
  checkMode(mode);
  checkInput(input);
  const r = checkBlind(blind);
  const E = decodePoint(evaluatedElement, 'evaluatedElement');
  return outputHash(input, mul(scalarInvert(r), E));
}

/**
 * `finalize` for a batch. The blinds are inverted together with Montgomery's trick (one inversion and
 * three scalar multiplications per element instead of one inversion each); outputs equal `finalize`'s.
 */
export function finalizeBatch(mode: OprfMode, inputs: Uint8Array[], blinds: Uint8Array[], evaluatedElements: Uint8Array[]): Uint8Array[] {
  checkMode(mode);
  const xs = checkArray(inputs, 'inputs');
  const rs = checkArray(blinds, 'blinds');
  const es = checkArray(evaluatedElements, 'evaluatedElements');
  if (xs.length !== rs.length || xs.length !== es.length) throw new CryptoError('bad_request', 'finalizeBatch: lengths differ');
  if (xs.length > MAX_BATCH_RFC) throw new CryptoError('too_large', 'finalizeBatch');
  const ins = xs.map((x, i) => checkInput(x, `inputs[${i}]`));
  const r = rs.map((x, i) => checkBlind(x, `blinds[${i}]`));
  const E = es.map((x, i) => decodePoint(x, `evaluatedElements[${i}]`));
  const n = r.length;
  if (n === 0) return [];
  // prefix[i] = r_0·…·r_i; one inversion of the total, then peel off one blind at a time.
  const prefix: Uint8Array[] = [r[0] as Uint8Array];
  for (let i = 1; i < n; i++) prefix.push(scalarMul(prefix[i - 1] as Uint8Array, r[i] as Uint8Array));
  let inv = scalarInvert(prefix[n - 1] as Uint8Array);
  const out: Uint8Array[] = new Array<Uint8Array>(n);
  for (let i = n - 1; i >= 0; i--) {
    const invR = i === 0 ? inv : scalarMul(inv, prefix[i - 1] as Uint8Array);
    if (i > 0) inv = scalarMul(inv, r[i] as Uint8Array);
    out[i] = outputHash(ins[i] as Uint8Array, mul(invR, E[i] as Uint8Array));
  }
  return out;
}

/**
 * RFC 9497 §3.3.1 Evaluate: the server computes the PRF on its own input,
 * Hash(I2OSP(len(input), 2) ‖ input ‖ I2OSP(Ne, 2) ‖ skS·HashToGroup(input) ‖ "Finalize"), 64 bytes.
 * Equal to what a client gets from blind → blindEvaluate → finalize on the same input and key mode.
 */
export function evaluate(key: OprfKey, input: Uint8Array): Uint8Array {
  const { secret } = internals(key);
  checkInput(input);
  return outputHash(input, mul(secret, inputElement(key.mode, input)));
}
