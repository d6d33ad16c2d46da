/**
 * Byte-string prefix ranges for bucket lookups: every tag starting with `prefix` lies in
 * [prefix, prefixUpperBound(prefix)), or in [prefix, ∞) when the prefix is all 0xff bytes.
 */
import { VeilError } from '#protocol';

/** The smallest byte string greater than every string with this prefix, or null if there is none. */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | null {
  if (prefix.length === 0) throw new VeilError('bad_request', 'empty prefix');
  const hi = Uint8Array.from(prefix);
  for (let i = hi.length - 1; i >= 0; i--) {
    const b = hi[i] ?? 0xff;
    if (b < 0xff) {
      hi[i] = b + 1;
      return hi.subarray(0, i + 1);
    }
  }
  return null;
}
