/**
 * Batched discrete-log-equivalence proofs of RFC 9497 §2.2 over ristretto255-SHA512: a Chaum–Pedersen
 * proof that log_A(B) = log_{C_i}(D_i) for every i, made non-interactive by the challenge transcript of
 * §2.2.1 and batched with the composites M = Σ d_i·C_i, Z = Σ d_i·D_i.
 *
 * In VOPRF mode A = G, B = pkS, C_i = blinded elements, D_i = evaluated elements.
 *
 * Cost. The prover (ComputeCompositesFast, §2.2.1) pays one multiplication per element for M plus
 * Z = k·M, t2 = r·G and t3 = r·M; the verifier (ComputeComposites) pays two per element. M and Z are
 * public, but libsodium offers only its constant-time single multiplication and re-encodes after every
 * addition, so neither a multi-scalar method nor a variable-time one is available that beats it; each
 * d_i is a full 253-bit hash output fixed by the RFC, so it cannot be shortened without breaking
 * interoperability (see crypto/oprf/measure.ts for the figures).
 */

import { concatBytes, equalBytes, i2osp, type Rng } from '../bytes.ts';
import { CryptoError } from '../errors.ts';
import { sodium } from '../sodium.ts';
import { add, hashToScalar, IDENTITY, isCanonicalScalar, mulBase, mulBasePublic, mulPublic, randomScalar, scalarMul, scalarSub } from './group.ts';
import { dsts, LABEL_CHALLENGE, LABEL_COMPOSITE, NS, type OprfMode } from './suite.ts';

const LEN_32 = i2osp(32, 2);
const LEN_64 = i2osp(64, 2);

/**
 * The d_i of RFC 9497 §2.2.1 ComputeComposites:
 * seed = Hash(I2OSP(len(Bm), 2) ‖ Bm ‖ I2OSP(len(seedDST), 2) ‖ seedDST);
 * d_i = HashToScalar(I2OSP(len(seed), 2) ‖ seed ‖ I2OSP(i, 2) ‖ I2OSP(len(Ci), 2) ‖ Ci ‖
 *                    I2OSP(len(Di), 2) ‖ Di ‖ "Composite").
 */
function compositeWeights(mode: OprfMode, B: Uint8Array, C: readonly Uint8Array[], D: readonly Uint8Array[]): Uint8Array[] {
  const d = dsts(mode);
  const s = sodium();
  const seed = s.crypto_hash_sha512(concatBytes(LEN_32, B, i2osp(d.seed.length, 2), d.seed));
  // One buffer per call, patched per element: the transcript differs only in i, Ci and Di.
  const t = concatBytes(LEN_64, seed, i2osp(0, 2), LEN_32, IDENTITY, LEN_32, IDENTITY, LABEL_COMPOSITE);
  const iOff = 2 + 64;
  const cOff = iOff + 2 + 2;
  const dOff = cOff + 32 + 2;
  const weights: Uint8Array[] = [];
  for (let i = 0; i < C.length; i++) {
    t[iOff] = i >> 8;
    t[iOff + 1] = i & 0xff;
    t.set(C[i] as Uint8Array, cOff);
    t.set(D[i] as Uint8Array, dOff);
    weights.push(hashToScalar(t, d.hashToScalar));
  }
  return weights;
}

/** Σ w_i·P_i over public weights and points. */
function linearCombination(w: readonly Uint8Array[], P: readonly Uint8Array[]): Uint8Array {
  let acc: Uint8Array | undefined;
  for (let i = 0; i < P.length; i++) {
    const term = mulPublic(w[i] as Uint8Array, P[i] as Uint8Array);
    acc = acc === undefined ? term : add(acc, term);
  }
  return acc ?? IDENTITY;
}

/**
 * c = HashToScalar(I2OSP(len(Bm), 2) ‖ Bm ‖ I2OSP(len(a0), 2) ‖ a0 ‖ ... ‖ a3 ‖ "Challenge")
 * (RFC 9497 §2.2.1 GenerateProof / §2.2.2 VerifyProof).
 */
function challenge(mode: OprfMode, B: Uint8Array, M: Uint8Array, Z: Uint8Array, t2: Uint8Array, t3: Uint8Array): Uint8Array {
  const t = concatBytes(LEN_32, B, LEN_32, M, LEN_32, Z, LEN_32, t2, LEN_32, t3, LABEL_CHALLENGE);
  return hashToScalar(t, dsts(mode).hashToScalar);
}

/**
 * RFC 9497 §2.2.1 GenerateProof(k, A = G, B = k·G, C, D) with ComputeCompositesFast: returns c ‖ s.
 * Inputs are trusted here (the caller computed D_i = k·C_i itself from decoded C_i).
 */
export function generateProof(mode: OprfMode, k: Uint8Array, B: Uint8Array, C: readonly Uint8Array[], D: readonly Uint8Array[], rng: Rng): Uint8Array {
  const w = compositeWeights(mode, B, C, D);
  const M = linearCombination(w, C);
  const Z = mulPublic(k, M); // M is the identity only with negligible probability
  const r = randomScalar(rng);
  const t2 = mulBase(r);
  const t3 = mulPublic(r, M);
  const c = challenge(mode, B, M, Z, t2, t3);
  const s = scalarSub(r, scalarMul(c, k)); // s = r - c·k
  r.fill(0);
  return concatBytes(c, s);
}

/**
 * RFC 9497 §2.2.2 VerifyProof(A = G, B, C, D, proof): recompute M, Z with ComputeComposites, then
 * t2 = s·G + c·B, t3 = s·M + c·Z and compare the challenge. c and s must be canonical scalars
 * (DeserializeScalar, §2.1). Throws CryptoError('bad_proof').
 */
export function verifyProof(mode: OprfMode, B: Uint8Array, C: readonly Uint8Array[], D: readonly Uint8Array[], proof: Uint8Array): void {
  const c = proof.subarray(0, NS);
  const s = proof.subarray(NS, 2 * NS);
  if (!isCanonicalScalar(c) || !isCanonicalScalar(s)) throw new CryptoError('bad_proof', 'proof scalar not canonical');
  const w = compositeWeights(mode, B, C, D);
  const M = linearCombination(w, C);
  const Z = linearCombination(w, D);
  const t2 = add(mulBasePublic(s), mulPublic(c, B));
  const t3 = add(mulPublic(s, M), mulPublic(c, Z));
  if (!equalBytes(challenge(mode, B, M, Z, t2, t3), c)) throw new CryptoError('bad_proof');
}
