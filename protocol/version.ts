import { VeilError } from './errors.ts';
/**
 * Protocol versions. A message names the version it was written for; peers accept a window of versions
 * and answer a message outside it with a distinct "too old" or "too new" error, so an operator can tell
 * which side must upgrade.
 */

export const PROTOCOL_VERSION = 1;
export const MIN_PROTOCOL_VERSION = 1;

export function checkVersion(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new VeilError('bad_schema', 'version is not an integer');
  if (v < MIN_PROTOCOL_VERSION) throw new VeilError('version_too_old', `v${v} < v${MIN_PROTOCOL_VERSION}`);
  if (v > PROTOCOL_VERSION) throw new VeilError('version_too_new', `v${v} > v${PROTOCOL_VERSION}`);
  return v;
}
