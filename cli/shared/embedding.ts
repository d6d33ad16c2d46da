/**
 * A biometric probe embedding from a file: a JSON array of numbers (face 512, fingerprint 256), as
 * `veil bio-match` searches with and `veil disclose` repeats for a biometric hit.
 */
import { readFileSync } from 'node:fs';
import { VeilError } from '#protocol';

export function readEmbedding(path: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new VeilError('bad_request', `${path} is not a JSON file`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw new VeilError('bad_request', 'the embedding file must hold a JSON array of numbers');
  return v as number[];
}
