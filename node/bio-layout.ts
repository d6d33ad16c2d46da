/**
 * Where a biometric result position really is. Each answer's positions are permuted with a seed this
 * node draws at random for that answer alone (so positions line up neither across queries nor across
 * requesting countries, whatever ids the requester chooses); a disclosure claim names a position in that
 * permuted space, which the node maps back to its gallery slot here.
 *
 * What is stored with the answered query is a random nonce; the permutation seed is that nonce keyed
 * with the node's permutation key, so the table alone (a backup, an export) does not give the layout.
 */
import { deriveSubkey, keyedHash, unpermutePosition } from '#crypto';
import { BIO_PARAMS, type BioModality, LABELS, VeilError } from '#protocol';
import type { NodeKeys } from './config.ts';
import type { NodeRepositories } from './store/repositories.ts';

/** Bytes of the per-answer nonce (stored) and of the seed derived from it. */
export const PERMUTATION_NONCE_BYTES = 32;

/** The node's key for biometric position permutations: derived from its token key, never leaves the node. */
export function bioPermutationKey(keys: NodeKeys): Uint8Array {
  return deriveSubkey(keys.token.secretBytes(), `${LABELS.bioPermutation}/key`, 32);
}

/** The permutation seed of one answer, from the random nonce drawn for it. */
export function permutationSeed(key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (nonce.length !== PERMUTATION_NONCE_BYTES) throw new VeilError('internal', 'bad permutation nonce');
  return keyedHash(key, nonce, 32);
}

/**
 * Map a position the analyst saw in query `queryId` back to this node's gallery slot. Throws if the
 * query was not answered for that requester (or before answers had their own nonce), or the position is
 * out of range (typed errors).
 */
export function layoutPosition(store: NodeRepositories, keys: NodeKeys, requester: string, queryId: string, modality: BioModality, position: number): number {
  const q = store.gallery.answered(requester, queryId);
  if (!q || q.modality !== modality) throw new VeilError('forbidden', 'no such biometric query answered for this requester');
  if (!q.permutationNonce) throw new VeilError('forbidden', 'biometric query answered before per-answer permutations: search again');
  const seed = permutationSeed(bioPermutationKey(keys), q.permutationNonce);
  return unpermutePosition(position, { seed, positions: q.positions, paramId: BIO_PARAMS[modality] });
}
