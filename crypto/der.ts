/**
 * A minimal DER writer (ITU-T X.690), enough to build X.509 certificates for TLS (`x509.ts`).
 *
 * Only the definite-length, primitive and constructed forms that certificates use are written. Every
 * function returns one complete TLV; composition is by concatenation. There is no reader: certificates
 * are parsed by Node's own `X509Certificate` where the code needs to read one.
 */
import { concatBytes, utf8 } from './bytes.ts';
import { CryptoError } from './errors.ts';

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  if (out.length > 4) throw new CryptoError('too_large', 'DER length');
  return Uint8Array.from([0x80 | out.length, ...out]);
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concatBytes(...content);
  return concatBytes(Uint8Array.of(tag), length(body.length), body);
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const utf8String = (s: string): Uint8Array => tlv(0x0c, utf8(s));
export const boolean = (v: boolean): Uint8Array => tlv(0x01, Uint8Array.of(v ? 0xff : 0));
/** `[n] EXPLICIT`, constructed context-specific tag. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);
/** `[n] IMPLICIT` primitive context-specific tag (GeneralName choices). */
export const implicit = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);

/** A BIT STRING whose content is whole bytes (keys, signatures). */
export const bitString = (b: Uint8Array): Uint8Array => tlv(0x03, Uint8Array.of(0), b);

/** A BIT STRING of named bits (bit 0 = most significant bit of the first byte), minimal encoding. */
export function namedBits(bits: readonly number[]): Uint8Array {
  const top = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(top / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const unused = 7 - (top & 7);
  return tlv(0x03, Uint8Array.of(unused), bytes);
}

/** A non-negative INTEGER from big-endian magnitude bytes. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return tlv(0x02, (m[0] ?? 0) & 0x80 ? concatBytes(Uint8Array.of(0), m) : m.length ? m : Uint8Array.of(0));
}

export const smallInteger = (n: number): Uint8Array => {
  if (!Number.isSafeInteger(n) || n < 0) throw new CryptoError('bad_request', 'DER integer');
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return unsignedInteger(Uint8Array.from(out.length ? out : [0]));
};

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const [a, b, ...rest] = parts;
  if (a === undefined || b === undefined || parts.some((p) => !Number.isSafeInteger(p) || p < 0)) throw new CryptoError('bad_request', 'OID');
  const out: number[] = [40 * a + b];
  for (const p of rest) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), to the second, in UTC. */
export function time(ms: number): Uint8Array {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const year = Number(iso.slice(0, 4));
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  return year >= 1950 && year < 2050 ? tlv(0x17, utf8(`${digits.slice(2)}Z`)) : tlv(0x18, utf8(`${digits}Z`));
}
