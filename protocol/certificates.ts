/**
 * The organisation's PKI: who vouches for a key (docs/trust.md).
 *
 *   organisation root (Ed25519, offline, passphrase-encrypted)
 *     ├─ member certificate: a node  — country, signing key, TLS key, roles, validity
 *     │    └─ analyst certificate   — analyst account, signing key, box key, validity (signed by the node)
 *     └─ member certificate: the coordinator — its name, signing key, TLS key
 *   revocation list — sequence-numbered, signed by the root, distributed by the coordinator
 *
 * Every certificate is a signed envelope (`signEnvelope`), so it is verified over the exact bytes
 * received, before it is decoded. A node's descriptor keys (OPRF epoch key, box key) are signed by its
 * certified signing key; a party uses no key it cannot chain to the pinned root. The coordinator
 * distributes certificates and revocation lists but cannot mint either.
 */
import { z } from 'zod';
import { checkTlsPublicKey, type SigningKey, sha256, toHex } from '#crypto';
import { type Envelope, readUnverified, signEnvelope, verifyEnvelope } from './envelope.ts';
import { VeilError } from './errors.ts';
import { keyId, keyIdName } from './key-id.ts';
import { bytes, bytesMax, country, id, ts } from './primitives.ts';

/** What a member may do on the network. */
export const MEMBER_ROLES = ['requester', 'responder'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const orgName = name;
const hostname = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i);
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/);
const key = bytes(32);
/** A TLS public key: a DER SubjectPublicKeyInfo of a P-256 key (91 bytes). */
const tlsKey = bytesMax(200);

export const Hosts = z.strictObject({ dns: z.array(hostname).max(8), ip: z.array(ipv4).max(8) });
export type Hosts = z.infer<typeof Hosts>;

/** A party asks the organisation for a certificate; signed by the key it wants certified. */
export const CertificateRequest = z.strictObject({
  t: z.literal('cert-request'),
  role: z.enum(['node', 'coordinator']),
  /** The country code of a node, the name of the coordinator. */
  name,
  signPub: key,
  /** A separate P-256 key for TLS, as a DER SubjectPublicKeyInfo (never the signing key). */
  tlsPub: tlsKey,
  /** Where the party's TLS listener is reached, for the certificate's subjectAltName. */
  hosts: Hosts,
  ts,
});
export type CertificateRequest = z.infer<typeof CertificateRequest>;

export const MemberCertificate = z.strictObject({
  t: z.literal('member-cert'),
  org: orgName,
  serial: id,
  role: z.enum(['node', 'coordinator']),
  name,
  signPub: key,
  tlsPub: tlsKey,
  roles: z.array(z.enum(MEMBER_ROLES)).max(MEMBER_ROLES.length),
  notBefore: ts,
  notAfter: ts,
  /** The X.509 TLS certificate the organisation issued for `tlsPub` (DER), chaining to its CA. */
  x509: bytesMax(4096),
});
export type MemberCertificate = z.infer<typeof MemberCertificate>;

export const AnalystCertificate = z.strictObject({
  t: z.literal('analyst-cert'),
  serial: id,
  country,
  analystId: name,
  signPub: key,
  boxPub: key,
  notBefore: ts,
  notAfter: ts,
});
export type AnalystCertificate = z.infer<typeof AnalystCertificate>;

export const RevocationEntry = z.strictObject({
  role: z.enum(['node', 'coordinator']),
  name,
  status: z.enum(['suspended', 'revoked']),
  since: ts,
});
export type RevocationEntry = z.infer<typeof RevocationEntry>;

export const RevocationList = z.strictObject({
  t: z.literal('revocation-list'),
  org: orgName,
  seq: z.number().int().positive(),
  issuedAt: ts,
  /** When a newer list is due; a party holding an older one than this says so loudly. */
  nextUpdate: ts,
  entries: z.array(RevocationEntry).max(10_000),
});
export type RevocationList = z.infer<typeof RevocationList>;

/** The organisation's root a party pins (from its trust bundle). */
export interface TrustAnchor {
  readonly org: string;
  readonly rootPub: Uint8Array;
}

/** A short fingerprint a person can read aloud to compare a trust bundle out of band. */
export function rootFingerprint(rootPub: Uint8Array): string {
  const hex = toHex(sha256(rootPub).subarray(0, 16)).toUpperCase();
  return hex.match(/.{4}/g)?.join(' ') ?? hex;
}

export function signCertificateRequest(signing: SigningKey, req: Omit<CertificateRequest, 't' | 'signPub'>): Envelope {
  const kid = req.role === 'node' ? keyId.node(req.name) : keyId.coordinator(req.name);
  return signEnvelope(signing, kid, { t: 'cert-request', ...req, signPub: signing.publicKey() } satisfies CertificateRequest);
}

/** Check a request's proof of possession: it is signed by the very key it asks to certify. */
export function verifyCertificateRequest(env: Envelope): CertificateRequest {
  const claimed = readUnverified(env, CertificateRequest);
  const req = verifyEnvelope(env, () => claimed.signPub, CertificateRequest);
  const kid = req.role === 'node' ? keyId.node(req.name) : keyId.coordinator(req.name);
  if (env.kid !== kid) throw new VeilError('bad_request', 'request key id does not name the requester');
  if (req.role === 'node' && !country.safeParse(req.name).success) throw new VeilError('bad_request', 'a node is named by its country code');
  try {
    checkTlsPublicKey(req.tlsPub);
  } catch (e) {
    throw new VeilError('bad_key', 'the request’s TLS key is not a P-256 public key', { cause: e });
  }
  return req;
}

export function issueCertificate(root: SigningKey, cert: Omit<MemberCertificate, 't'>): Envelope {
  return signEnvelope(root, keyId.org(cert.org), { t: 'member-cert', ...cert } satisfies MemberCertificate);
}

function checkValidity(c: { notBefore: number; notAfter: number }, now: number, what: string): void {
  if (now < c.notBefore) throw new VeilError('certificate_expired', `${what} not valid yet`);
  if (now > c.notAfter) throw new VeilError('certificate_expired', `${what} expired`);
}

/**
 * Verify a member certificate against the pinned root, its validity at `now`, and the revocation list
 * (if given). `expect` pins the role and name the caller is about to trust it for.
 */
export function verifyCertificate(
  env: Envelope,
  anchor: TrustAnchor,
  now: number,
  opts: { expect?: { role: 'node' | 'coordinator'; name?: string }; revocations?: RevocationState } = {},
): MemberCertificate {
  if (env.kid !== keyId.org(anchor.org)) throw new VeilError('untrusted_key', 'certificate not issued by the pinned organisation');
  let c: MemberCertificate;
  try {
    c = verifyEnvelope(env, () => anchor.rootPub, MemberCertificate);
  } catch (e) {
    throw new VeilError('untrusted_key', 'certificate signature does not verify under the pinned root', { cause: e });
  }
  if (c.org !== anchor.org) throw new VeilError('untrusted_key', 'certificate of another organisation');
  if (opts.expect && (c.role !== opts.expect.role || (opts.expect.name !== undefined && c.name !== opts.expect.name))) {
    throw new VeilError('untrusted_key', 'certificate is for another party');
  }
  checkValidity(c, now, 'certificate');
  opts.revocations?.check(c.role, c.name);
  return c;
}

export function issueAnalystCertificate(node: SigningKey, cert: Omit<AnalystCertificate, 't'>): Envelope {
  return signEnvelope(node, keyId.node(cert.country), { t: 'analyst-cert', ...cert } satisfies AnalystCertificate);
}

/** Verify an analyst certificate against its node's certified signing key. */
export function verifyAnalystCertificate(env: Envelope, node: { country: string; signPub: Uint8Array }, now: number): AnalystCertificate {
  if (env.kid !== keyId.node(node.country)) throw new VeilError('untrusted_key', 'analyst certificate not issued by the analyst’s node');
  let c: AnalystCertificate;
  try {
    c = verifyEnvelope(env, () => node.signPub, AnalystCertificate);
  } catch (e) {
    throw new VeilError('untrusted_key', 'analyst certificate signature does not verify', { cause: e });
  }
  if (c.country !== node.country) throw new VeilError('untrusted_key', 'analyst certificate names another country');
  checkValidity(c, now, 'analyst certificate');
  return c;
}

export function issueRevocationList(root: SigningKey, list: Omit<RevocationList, 't'>): Envelope {
  return signEnvelope(root, keyId.org(list.org), { t: 'revocation-list', ...list } satisfies RevocationList);
}

/**
 * The revocation list a party currently applies. A newer list (higher sequence number, signed by the
 * pinned root) replaces it; an older or equal one is ignored, so the coordinator cannot roll a party
 * back to a list that omits a revocation.
 */
export class RevocationState {
  #list: RevocationList | undefined;
  #env: Envelope | undefined;
  #byParty = new Map<string, RevocationEntry>();

  constructor(readonly anchor: TrustAnchor) {}

  get seq(): number {
    return this.#list?.seq ?? 0;
  }

  get envelope(): Envelope | undefined {
    return this.#env;
  }

  get nextUpdate(): number | undefined {
    return this.#list?.nextUpdate;
  }

  /** Verify and apply; returns true if the list was newer and now applies. */
  apply(env: Envelope): boolean {
    if (env.kid !== keyId.org(this.anchor.org)) throw new VeilError('untrusted_key', 'revocation list not issued by the pinned organisation');
    let list: RevocationList;
    try {
      list = verifyEnvelope(env, () => this.anchor.rootPub, RevocationList);
    } catch (e) {
      throw new VeilError('untrusted_key', 'revocation list signature does not verify', { cause: e });
    }
    if (list.org !== this.anchor.org) throw new VeilError('untrusted_key', 'revocation list of another organisation');
    if (list.seq <= this.seq) return false;
    this.#list = list;
    this.#env = env;
    this.#byParty = new Map(list.entries.map((e) => [`${e.role}:${e.name}`, e]));
    return true;
  }

  /**
   * Apply a list this party stored earlier. One the pinned root did not sign was kept from before a root
   * rollover: it is ignored (false), not fatal — the organisation republishes every status under the new
   * root, and that list replaces it. Any other failure still throws.
   */
  applyStored(env: Envelope): boolean {
    try {
      return this.apply(env);
    } catch (e) {
      if (e instanceof VeilError && e.code === 'untrusted_key') return false;
      throw e;
    }
  }

  status(role: 'node' | 'coordinator', partyName: string): RevocationEntry['status'] | 'good' {
    return this.#byParty.get(`${role}:${partyName}`)?.status ?? 'good';
  }

  /** Throws `revoked` when the party is suspended or revoked. */
  check(role: 'node' | 'coordinator', partyName: string): void {
    const s = this.status(role, partyName);
    if (s !== 'good') throw new VeilError('revoked', `${role} ${s}`);
  }

  entries(): readonly RevocationEntry[] {
    return this.#list?.entries ?? [];
  }
}

/** The organisation named by an `org:` key id, if it is one. */
export function orgOfKeyId(kid: string): string | undefined {
  return keyIdName(kid, 'org');
}
