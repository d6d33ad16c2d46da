/**
 * A party's side of joining the organisation's PKI, shared by nodes and the coordinator:
 *
 * 1. `init` pins the trust bundle handed over out of band (its fingerprint is printed for a person to
 *    compare) and writes a certificate request signed by the party's new signing key, naming its TLS key
 *    and where it listens;
 * 2. the organisation admits it (`veil org admit`) and returns a certificate file;
 * 3. `enroll` installs that certificate after checking it chains to the pinned root, names this party
 *    and certifies exactly this party's keys.
 *
 * 4. later, `updatePinnedBundle` takes a newer bundle from the organisation (same root, or a root
 *    rollover the pinned root signed).
 *
 * Files: `bundle.json` (the pinned bundle), `request.json` (public), `certificate.json` (public).
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { equalBytes, fromBase64url, type SigningKey, type TlsKey, toBase64url } from '#crypto';
import {
  acceptBundleUpdate,
  decodeWith,
  Envelope,
  encode,
  type Hosts,
  LIMITS,
  type MemberCertificate,
  parseTrustBundle,
  signCertificateRequest,
  type TrustBundle,
  VeilError,
  verifyCertificate,
} from '#protocol';
import { readJsonFile, writeJsonFile } from './files.ts';

const EnvelopeText = z.string().regex(/^[A-Za-z0-9_-]{1,16384}$/);

export const RequestFile = z.strictObject({ v: z.literal(1), kind: z.literal('certificate-request'), request: EnvelopeText });
export const CertificateFile = z.strictObject({ v: z.literal(1), kind: z.literal('member-certificate'), certificate: EnvelopeText });
export type CertificateFile = z.infer<typeof CertificateFile>;
/** A revocation list as the organisation hands it to the coordinator. */
export const RevocationFile = z.strictObject({ v: z.literal(1), kind: z.literal('revocation-list'), seq: z.number().int(), list: EnvelopeText });
export type RevocationFile = z.infer<typeof RevocationFile>;

export function readRevocationFile(path: string): Envelope {
  return envelopeFromText(readJsonFile(path, RevocationFile, 'revocation list').list, 'revocation list');
}

export const envelopeToText = (env: Envelope): string => toBase64url(encode(env));

export function envelopeFromText(text: string, what: string): Envelope {
  try {
    return decodeWith(fromBase64url(text), Envelope, LIMITS.maxPayloadBytes);
  } catch {
    throw new VeilError('bad_config', `${what} is not a signed envelope`);
  }
}

/** Read a trust bundle file (as handed over by the organisation). */
export function readTrustBundle(path: string): TrustBundle {
  if (!existsSync(path)) throw new VeilError('bad_config', `trust bundle not found at ${path} (the organisation's bundle.json from \`veil org init\`)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new VeilError('bad_config', `trust bundle at ${path} is not valid JSON`);
  }
  return parseTrustBundle(raw);
}

/** Copy a bundle into a party's directory (the pinned copy it will use from now on). */
export function pinTrustBundle(from: string, to: string): TrustBundle {
  const b = readTrustBundle(from);
  writeJsonFile(to, JSON.parse(readFileSync(from, 'utf8')));
  return b;
}

/**
 * Replace the pinned bundle at `pinned` by the one at `from` if the pinned one accepts it: the same root
 * (a renewed coordinator certificate, a new CA endorsement), or a new root whose rollover statement the
 * pinned root signed. Anything else is refused (`untrusted_key`) and the pinned copy is left as it was.
 * After a rollover the party's own certificate chains to the old root: it must be admitted again.
 */
export function updatePinnedBundle(from: string, pinned: string): { bundle: TrustBundle; rolledOver: boolean } {
  const current = readTrustBundle(pinned);
  const next = acceptBundleUpdate(current, readTrustBundle(from));
  writeJsonFile(pinned, JSON.parse(readFileSync(from, 'utf8')));
  return { bundle: next, rolledOver: !equalBytes(current.rootPub, next.rootPub) };
}

export function writeCertificateRequest(
  path: string,
  signing: SigningKey,
  req: { role: 'node' | 'coordinator'; name: string; tlsPub: Uint8Array; hosts: Hosts; ts: number },
): void {
  writeJsonFile(path, { v: 1, kind: 'certificate-request', request: envelopeToText(signCertificateRequest(signing, req)) });
}

export function readCertificateRequest(path: string): Envelope {
  return envelopeFromText(readJsonFile(path, RequestFile, 'certificate request').request, 'certificate request');
}

export interface Enrolled {
  readonly cert: MemberCertificate;
  readonly certificate: Envelope;
}

/**
 * Check a certificate file against the pinned bundle and this party's own keys; returns it verified.
 * `now` checks validity; a certificate that has expired since is reported by the caller at start.
 */
export function checkCertificate(
  certificate: Envelope,
  bundle: TrustBundle,
  me: { role: 'node' | 'coordinator'; name: string; signing: SigningKey; tls: TlsKey },
  now: number,
): Enrolled {
  const cert = verifyCertificate(certificate, bundle, now, { expect: { role: me.role, name: me.name } });
  if (!equalBytes(cert.signPub, me.signing.publicKey()) || !equalBytes(cert.tlsPub, me.tls.spki())) {
    throw new VeilError('untrusted_key', 'the certificate certifies other keys than this party’s (was it issued for another request?)');
  }
  return { cert, certificate };
}

export function readCertificateFile(path: string): Envelope {
  return envelopeFromText(readJsonFile(path, CertificateFile, 'member certificate').certificate, 'member certificate');
}

export function writeCertificateFile(path: string, certificate: Envelope): void {
  writeJsonFile(path, { v: 1, kind: 'member-certificate', certificate: envelopeToText(certificate) });
}
