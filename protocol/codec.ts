/**
 * The one msgpack codec of Veil (only this file imports msgpackr).
 *
 * Configured for the wire: `useRecords: false` (plain msgpack, readable by any implementation) and
 * `copyBuffers: true` (decoded binaries are copies, not views into a network buffer that may be reused).
 * msgpackr's own error messages can contain decoded data, so they are never surfaced: a decode failure
 * becomes `VeilError('bad_msgpack')` with no detail. Trailing bytes after one value are rejected.
 */
import { Packr } from 'msgpackr';
import { VeilError } from './errors.ts';

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

/**
 * Encode a map `{...head, [key]: [items]}` whose array items are already msgpack-encoded. The fan-out hot
 * path encodes a query envelope once and places the same bytes in the frames for ~200 nodes; the result
 * decodes exactly as if the whole frame had been encoded at once.
 */
export function encodeWithEncodedArray(head: Record<string, unknown>, key: string, items: readonly Uint8Array[]): Uint8Array {
  const keys = Object.keys(head);
  const n = keys.length + 1;
  if (n > 15) throw new VeilError('internal', 'frame head too large');
  const parts: Uint8Array[] = [Uint8Array.of(0x80 | n)];
  for (const k of keys) parts.push(packr.pack(k), packr.pack(head[k]));
  parts.push(packr.pack(key));
  const len = items.length;
  parts.push(
    len < 16
      ? Uint8Array.of(0x90 | len)
      : len < 0x10000
        ? Uint8Array.of(0xdc, len >> 8, len & 0xff)
        : Uint8Array.of(0xdd, len >>> 24, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff),
  );
  parts.push(...items);
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
