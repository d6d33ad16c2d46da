/**
 * A node's login to the coordinator, carried in the WebSocket upgrade request itself.
 *
 * The node opens TLS to the coordinator (verifying the coordinator's certificate against its pinned
 * trust bundle), derives the session's channel binding (RFC 9266 `tls-exporter`), and sends the upgrade
 * request with one header: its member certificate and a signed login statement naming the country, the
 * coordinator, a timestamp, a fresh nonce and that binding. The coordinator checks all of it before it
 * upgrades the connection, so an unauthenticated peer never gets a WebSocket: what it can send before
 * authentication is one HTTP request whose header is capped at `LOGIN_HEADER_MAX` bytes.
 *
 * A relay that terminates TLS itself sees a different session, so the binding it could forward does not
 * match its own connection to the coordinator: the relayed login is refused.
 */
import { z } from 'zod';
import { fromBase64url, type SigningKey, toBase64url } from '#crypto';
import { type MemberCertificate, type RevocationState, type TrustAnchor, verifyCertificate } from './certificates.ts';
import { encode } from './codec.ts';
import { decodeWith } from './decode.ts';
import { Envelope, signEnvelope, verifyEnvelope } from './envelope.ts';
import { VeilError } from './errors.ts';
import { keyId } from './key-id.ts';
import { bytes, country, nonce, ts } from './primitives.ts';
import type { ReplayGuard } from './replay.ts';
import { checkVersion, PROTOCOL_VERSION } from './version.ts';

export const LOGIN_HEADER = 'x-veil-login';
/** Longest accepted login header (base64url text). */
export const LOGIN_HEADER_MAX = 4096;
/** The binding a party without TLS (development transport only) signs. */
export const NO_CHANNEL_BINDING = new Uint8Array(32);

export const LoginStatement = z.strictObject({
  t: z.literal('login'),
  v: z.number().int(),
  country,
  coordinator: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  ts,
  nonce,
  binding: bytes(32),
});
export type LoginStatement = z.infer<typeof LoginStatement>;

const LoginHeader = z.strictObject({ login: Envelope, cert: Envelope });

export function loginHeader(
  signing: SigningKey,
  certificate: Envelope,
  s: { country: string; coordinator: string; binding: Uint8Array; ts: number; nonce: Uint8Array },
): string {
  const login = signEnvelope(signing, keyId.node(s.country), { t: 'login', v: PROTOCOL_VERSION, ...s } satisfies LoginStatement);
  const text = toBase64url(encode({ login, cert: certificate }));
  if (text.length > LOGIN_HEADER_MAX) throw new VeilError('too_large', 'login header');
  return text;
}

export interface LoginCheck {
  anchor: TrustAnchor;
  revocations: RevocationState;
  coordinator: string;
  /** The binding of the connection the header arrived on. */
  binding: Uint8Array;
  now: number;
  replay: ReplayGuard;
}

/** A verified login: the member's certificate, as decoded and as the envelope it came in. */
export interface LoginIdentity {
  readonly cert: MemberCertificate;
  readonly certificate: Envelope;
}

/** Verify a login header; returns the member's certificate. Every failure is a typed error. */
export function verifyLoginHeader(header: string | undefined, c: LoginCheck): LoginIdentity {
  if (header === undefined) throw new VeilError('unauthenticated', 'no login header');
  if (header.length > LOGIN_HEADER_MAX) throw new VeilError('too_large', 'login header');
  let raw: Uint8Array;
  try {
    raw = fromBase64url(header);
  } catch {
    throw new VeilError('bad_request', 'login header is not base64url');
  }
  const h = decodeWith(raw, LoginHeader, LOGIN_HEADER_MAX);
  const cert = verifyCertificate(h.cert, c.anchor, c.now, { revocations: c.revocations });
  if (cert.role !== 'node') throw new VeilError('forbidden', 'only member nodes log in');
  const s = verifyEnvelope(h.login, () => cert.signPub, LoginStatement);
  checkVersion(s.v);
  if (h.login.kid !== keyId.node(cert.name) || s.country !== cert.name) throw new VeilError('unauthenticated', 'login names another country');
  if (s.coordinator !== c.coordinator) throw new VeilError('unauthenticated', 'login for another coordinator');
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= (s.binding[i] as number) ^ (c.binding[i] as number);
  if (c.binding.length !== 32 || diff !== 0) throw new VeilError('unauthenticated', 'login is bound to another TLS session (relayed?)');
  c.replay.check(h.login.kid, s.ts, s.nonce);
  return { cert, certificate: h.cert };
}
