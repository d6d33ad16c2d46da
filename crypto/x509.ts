/**
 * X.509 v3 certificates (RFC 5280) with ECDSA P-256 keys (RFC 5480, RFC 5758), for TLS 1.3 inside the
 * organisation's own PKI: the organisation's TLS CA key signs a self-issued CA certificate and the TLS
 * leaf certificates of the coordinator and of each node (analyst API and approval console). Clients
 * trust only that CA (never the system store), so a TLS terminator without a certificate from the
 * organisation is refused. (P-256, not Ed25519: browsers accept no Ed25519 certificates.)
 *
 * Only what Veil's certificates need is written: subject and issuer as CN (+ O), validity, the subject's
 * SubjectPublicKeyInfo as given, basicConstraints, keyUsage, extendedKeyUsage and subjectAltName (DNS and
 * IPv4). Node's OpenSSL parses them and verifies the chain in TLS.
 */
import { isIPv4 } from 'node:net';
import { bitString, boolean, explicit, implicit, namedBits, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String } from './der.ts';
import { CryptoError } from './errors.ts';
import { checkTlsPublicKey, type TlsKey } from './tls-key.ts';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const satisfies Record<string, string>;

const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const satisfies Record<string, number>;

export interface X509Name {
  cn: string;
  o?: string;
}

export interface X509Spec {
  /** 1–20 bytes, positive (RFC 5280 §4.1.2.2). */
  serial: Uint8Array;
  issuer: X509Name;
  subject: X509Name;
  notBefore: number;
  notAfter: number;
  /** The subject's P-256 public key, as a DER SubjectPublicKeyInfo. */
  subjectSpki: Uint8Array;
  /** A CA certificate (may sign others) rather than a TLS leaf. */
  ca?: boolean;
  serverAuth?: boolean;
  clientAuth?: boolean;
  dns?: readonly string[];
  ip?: readonly string[];
}

const signatureAlgorithm = (): Uint8Array => sequence(oid(OID.ecdsaWithSha256));

function name(n: X509Name): Uint8Array {
  const rdn = (type: string, value: string) => set(sequence(oid(type), utf8String(value)));
  return sequence(...(n.o ? [rdn(OID.organization, n.o)] : []), rdn(OID.commonName, n.cn));
}

const extension = (id: string, critical: boolean, value: Uint8Array): Uint8Array => sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

function ipv4(s: string): Uint8Array {
  if (!isIPv4(s)) throw new CryptoError('bad_request', 'x509: only IPv4 addresses are supported');
  return Uint8Array.from(s.split('.').map(Number));
}

function extensions(spec: X509Spec): Uint8Array {
  const out: Uint8Array[] = [];
  out.push(extension(OID.basicConstraints, true, spec.ca ? sequence(boolean(true), smallInteger(0)) : sequence()));
  out.push(extension(OID.keyUsage, true, namedBits(spec.ca ? [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : [KEY_USAGE.digitalSignature])));
  const eku = [...(spec.serverAuth ? [OID.serverAuth] : []), ...(spec.clientAuth ? [OID.clientAuth] : [])];
  if (eku.length > 0) out.push(extension(OID.extKeyUsage, false, sequence(...eku.map(oid))));
  const alt = [...(spec.dns ?? []).map((d) => implicit(2, new TextEncoder().encode(d))), ...(spec.ip ?? []).map((a) => implicit(7, ipv4(a)))];
  if (alt.length > 0) out.push(extension(OID.subjectAltName, false, sequence(...alt)));
  return explicit(3, sequence(...out));
}

/** The DER certificate for `spec`, signed by `issuerKey` (the issuing CA's key, or the subject's own for a self-issued CA). */
export function x509Certificate(spec: X509Spec, issuerKey: TlsKey): Uint8Array {
  checkTlsPublicKey(spec.subjectSpki);
  if (spec.serial.length < 1 || spec.serial.length > 20) throw new CryptoError('bad_length', 'x509 serial');
  if (!(spec.notAfter > spec.notBefore)) throw new CryptoError('bad_request', 'x509 validity');
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(spec.serial),
    signatureAlgorithm(),
    name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spec.subjectSpki,
    extensions(spec),
  );
  return sequence(tbs, signatureAlgorithm(), bitString(issuerKey.sign(tbs)));
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export const certificatePem = (der: Uint8Array): string => pem('CERTIFICATE', der);
