/**
 * X.509 v3 certificates with Ed25519 keys (RFC 5280, RFC 8410), for TLS 1.3 inside the organisation's
 * own PKI: the organisation root's Ed25519 key signs a self-issued CA certificate and the TLS leaf
 * certificates of the coordinator and of each node's analyst API. Nodes and the SDK trust only that CA
 * (never the system store), so a TLS terminator without a certificate from the organisation is refused.
 *
 * Only what Veil's certificates need is written: subject and issuer as CN (+ O), validity, the Ed25519
 * SubjectPublicKeyInfo, basicConstraints, keyUsage, extendedKeyUsage and subjectAltName (DNS and IPv4).
 * Signing uses libsodium Ed25519 through `SigningKey`; Node's OpenSSL verifies the chain in TLS.
 */
import { isIPv4 } from 'node:net';
import { abytes, concatBytes } from './bytes.ts';
import { bitString, boolean, explicit, implicit, namedBits, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String } from './der.ts';
import { CryptoError } from './errors.ts';
import { SIGNING_PUBLIC_BYTES, type SigningKey } from './sign.ts';

const OID = {
  ed25519: '1.3.101.112',
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
  /** The subject's Ed25519 public key. */
  publicKey: Uint8Array;
  /** A CA certificate (may sign others) rather than a TLS leaf. */
  ca?: boolean;
  serverAuth?: boolean;
  clientAuth?: boolean;
  dns?: readonly string[];
  ip?: readonly string[];
}

const ed25519Algorithm = (): Uint8Array => sequence(oid(OID.ed25519));

function name(n: X509Name): Uint8Array {
  const rdn = (type: string, value: string) => set(sequence(oid(type), utf8String(value)));
  return sequence(...(n.o ? [rdn(OID.organization, n.o)] : []), rdn(OID.commonName, n.cn));
}

const extension = (id: string, critical: boolean, value: Uint8Array): Uint8Array =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

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

/** The DER certificate for `spec`, signed by `issuerKey` (the issuer's Ed25519 key). */
export function x509Certificate(spec: X509Spec, issuerKey: SigningKey): Uint8Array {
  abytes(spec.publicKey, SIGNING_PUBLIC_BYTES, 'x509 public key');
  if (spec.serial.length < 1 || spec.serial.length > 20) throw new CryptoError('bad_length', 'x509 serial');
  if (!(spec.notAfter > spec.notBefore)) throw new CryptoError('bad_request', 'x509 validity');
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(spec.serial),
    ed25519Algorithm(),
    name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    sequence(ed25519Algorithm(), bitString(spec.publicKey)),
    extensions(spec),
  );
  return sequence(tbs, ed25519Algorithm(), bitString(issuerKey.sign(tbs)));
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export const certificatePem = (der: Uint8Array): string => pem('CERTIFICATE', der);

/** PKCS#8 PEM of an Ed25519 private key (RFC 8410 §7), as Node's TLS wants it. */
export function ed25519PrivateKeyPem(key: SigningKey): string {
  const seed = key.secretBytes().subarray(0, 32);
  const prefix = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);
  const out = pem('PRIVATE KEY', concatBytes(prefix, seed));
  seed.fill(0);
  return out;
}
