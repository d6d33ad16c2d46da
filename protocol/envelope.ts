/**
 * Signed envelopes (`signEnvelope` / `verifyEnvelope`; `seal`/`open` elsewhere mean encryption): `{v, kid, payload, sig}` where `sig = Ed25519(LABELS.envelope || 0x00 || payload)`.
 *
 * The payload is carried as the exact bytes that were signed (msgpack is not canonical, so we never
 * re-encode to verify). Verification happens before the payload is decoded; decoding then passes the one
 * path size cap → codec → zod (CONTRIBUTING.md, code rules 5 and 6).
 */
import { z } from 'zod';
import { assertSignature, concatBytes, type SigningKey, utf8 } from '#crypto';
import { encode } from './codec.ts';
import { decodeWith } from './decode.ts';
import { VeilError } from './errors.ts';
import { kid } from './key-id.ts';
import { LABELS } from './labels.ts';
import { LIMITS } from './limits.ts';
import { bytes, bytesMax } from './primitives.ts';
import { checkVersion, PROTOCOL_VERSION } from './version.ts';

export const Envelope = z.strictObject({
  v: z.number().int(),
  kid,
  payload: bytesMax(LIMITS.maxPayloadBytes),
  sig: bytes(64),
});
export type Envelope = z.infer<typeof Envelope>;

const envelopePrefix = concatBytes(utf8(LABELS.envelope), new Uint8Array([0]));

function signedBytes(payload: Uint8Array): Uint8Array {
  return concatBytes(envelopePrefix, payload);
}

export function signEnvelope(key: SigningKey, keyId: string, payload: unknown): Envelope {
  const body = encode(payload);
  if (body.length > LIMITS.maxPayloadBytes) throw new VeilError('too_large', 'payload');
  return { v: PROTOCOL_VERSION, kid: keyId, payload: body, sig: key.sign(signedBytes(body)) };
}

/**
 * Verify then decode. `resolveKey` maps a key id to its Ed25519 public key or throws (unknown member or
 * analyst). The signature is checked over the payload bytes as received.
 */
export function verifyEnvelope<S extends z.ZodType>(env: Envelope, resolveKey: (kid: string) => Uint8Array, schema: S): z.infer<S> {
  checkVersion(env.v);
  const pub = resolveKey(env.kid);
  assertSignature(pub, signedBytes(env.payload), env.sig);
  return decodeWith(env.payload, schema, LIMITS.maxPayloadBytes);
}

/** Decode an envelope's payload without verifying it: only for envelopes verified earlier. */
export function readUnverified<S extends z.ZodType>(env: Envelope, schema: S): z.infer<S> {
  return decodeWith(env.payload, schema, LIMITS.maxPayloadBytes);
}
