/**
 * An analyst's credential file, issued by its own node (`veil node analyst add`): the analyst's account
 * id, its Ed25519 signing key (requests to the node are signed envelopes) and X25519 box key (sealed
 * disclosures are addressed to it), its analyst certificate (signed by its node), its node's member
 * certificate, the organisation's trust bundle the analyst pins, and where its node listens. Loading it
 * checks the chain root → node → analyst, so a credential that does not hold together is refused before
 * any request. Keep it like a private key: mode 0600.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BoxKeyPair, equalBytes, fromBase64url, SigningKey } from '#crypto';
import {
  type AnalystCertificate,
  decodeWith,
  Envelope,
  LIMITS,
  type MemberCertificate,
  parseTrustBundle,
  type TrustBundle,
  TrustBundleFile,
  VeilError,
  verifyAnalystCertificate,
  verifyCertificate,
} from '#protocol';

const envelopeText = z.string().regex(/^[A-Za-z0-9_-]{1,16384}$/);

export const CredentialFile = z.strictObject({
  v: z.literal(2),
  analystId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  name: z.string().min(1).max(100),
  country: z.string().regex(/^[A-Z]{2}$/),
  nodeUrl: z.string().url().nullable(),
  signingKey: z.string(),
  boxKey: z.string(),
  /** The analyst certificate (signed envelope, msgpack, base64url), issued by the node. */
  certificate: envelopeText,
  /** The node's member certificate from the organisation (same encoding). */
  nodeCertificate: envelopeText,
  bundle: TrustBundleFile,
});
export type CredentialFile = z.infer<typeof CredentialFile>;

export interface Credential {
  readonly analystId: string;
  readonly name: string;
  readonly country: string;
  readonly nodeUrl: string | null;
  readonly signing: SigningKey;
  readonly box: BoxKeyPair;
  readonly bundle: TrustBundle;
  readonly node: MemberCertificate;
  readonly certificate: AnalystCertificate;
}

const envelope = (text: string) => decodeWith(fromBase64url(text), Envelope, LIMITS.maxPayloadBytes);

export function parseCredential(raw: unknown, now = Date.now()): Credential {
  const r = CredentialFile.safeParse(raw);
  if (!r.success) throw new VeilError('bad_config', 'credential file is invalid (issued by an older version? ask your node operator for a new one)');
  const c = r.data;
  const bundle = parseTrustBundle(c.bundle);
  const node = verifyCertificate(envelope(c.nodeCertificate), bundle, now, { expect: { role: 'node', name: c.country } });
  const certificate = verifyAnalystCertificate(envelope(c.certificate), { country: c.country, signPub: node.signPub }, now);
  const signing = SigningKey.fromBytes(fromBase64url(c.signingKey));
  const box = BoxKeyPair.fromBytes(fromBase64url(c.boxKey));
  if (certificate.analystId !== c.analystId || !equalBytes(certificate.signPub, signing.publicKey()) || !equalBytes(certificate.boxPub, box.publicKey())) {
    throw new VeilError('untrusted_key', 'the analyst certificate does not certify this credential’s keys');
  }
  return { analystId: c.analystId, name: c.name, country: c.country, nodeUrl: c.nodeUrl, signing, box, bundle, node, certificate };
}

export function loadCredential(path: string): Credential {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new VeilError('bad_config', `cannot read credential file ${path}`);
  }
  return parseCredential(raw);
}
