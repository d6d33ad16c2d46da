/**
 * The one msgpack codec of Veil (only this file imports msgpackr).
 *
 * Configured for the wire: `useRecords: false` (plain msgpack, readable by any implementation) and
 * `copyBuffers: true` (decoded binaries are copies, not views into a network buffer that may be reused).
 * msgpackr's own error messages can contain decoded data, so they are never surfaced: a decode failure
 * becomes `VeilError('bad_msgpack')` with no detail. Trailing bytes after one value are rejected.
 */
import { Packr } from 'msgpackr';
import { VeilError } from '#crypto';

const packr = new Packr({ useRecords: false, copyBuffers: true, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });

export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** Decode exactly one msgpack value from `bytes`, after checking the size cap. */
export function decode(bytes: Uint8Array, maxBytes: number): unknown {
  if (!(bytes instanceof Uint8Array)) throw new VeilError('bad_msgpack', 'not bytes');
  if (bytes.length > maxBytes) throw new VeilError('too_large', `${bytes.length} > ${maxBytes} bytes`);
  if (bytes.length === 0) throw new VeilError('bad_msgpack', 'empty');
  try {
    return packr.unpack(bytes);
  } catch {
    // The dependency's message may contain decoded bytes: drop it on purpose.
    throw new VeilError('bad_msgpack');
  }
}
