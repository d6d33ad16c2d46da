/**
 * Where a biometric result position really is. Each answer's positions are permuted per query with a
 * key only this node holds (so positions do not reveal gallery layout across queries); a disclosure
 * claim names a position in that permuted space, which the node maps back to its gallery slot here.
 */
import { deriveSubkey, unpermutePosition } from '#crypto';
import { BIO_PARAMS, LABELS, VeilError, type BioModality } from '#protocol';
import type { NodeRepositories } from './store/repositories.ts';
import type { NodeKeys } from './config.ts';

/**
 * The node's key for the per-query permutation of biometric result positions: derived from its token
 * key, so it survives restarts and never leaves the node.
 */
export function bioPermutationKey(keys: NodeKeys): Uint8Array {
  return deriveSubkey(keys.token.secretBytes(), LABELS.bioPermutation + '/key', 32);
}

/**
 * Map a position the analyst saw in query `queryId` back to this node's gallery slot. Throws if the
 * query was not answered for that requester or the position is out of range (typed errors).
 */
export function layoutPosition(store: NodeRepositories, keys: NodeKeys, requester: string, queryId: string, modality: BioModality, position: number): number {
  const q = store.gallery.answered(requester, queryId);
  if (!q || q.modality !== modality) throw new VeilError('forbidden', 'no such biometric query answered for this requester');
  return unpermutePosition(position, { key: bioPermutationKey(keys), queryId, positions: q.positions, paramId: BIO_PARAMS[modality] });
}
