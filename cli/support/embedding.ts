/**
 * A biometric probe embedding from a file: a JSON array of numbers (face 512, fingerprint 256), as
 * `veil bio-match` searches with and `veil disclose` repeats for a biometric hit.
 */
import { readFileSync } from 'node:fs';
import { CliError } from './errors.ts';

export function readEmbedding(path: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CliError('bad_request', `${path} is not a readable JSON file`, { hint: '--embedding takes a JSON file holding an array of numbers' });
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
    throw new CliError('bad_request', `${path} does not hold a JSON array of numbers`, { hint: 'a face embedding has 512 numbers, a fingerprint 256' });
  }
  return v as number[];
}
