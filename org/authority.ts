/**
 * The organisation's certification authority (docs/trust.md): it creates the root of trust, admits
 * members and the coordinator by certifying the keys in their requests, and suspends, reinstates or
 * revokes them with a signed, sequence-numbered revocation list. It runs offline on the officers'
 * machine; its outputs are files handed over out of band (certificates to members, the revocation list
 * to the coordinator for distribution, the trust bundle to everyone).
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { certificatePem, type PassphraseLimits, randomBytes, SigningKey, TlsKey, toHex, x509Certificate } from '#crypto';
import { type CertificateFile, envelopeToText, type RevocationFile, readJsonFile, writeJsonFile } from '#platform';
import {
  type Envelope,
  endorseCa,
  issueCertificate,
  issueRevocationList,
  keyId,
  MEMBER_ROLES,
  type MemberCertificate,
  type MemberRole,
  parseTrustBundle,
  type RevocationEntry,
  readUnverified,
  rootFingerprint,
  signRootRollover,
  trustBundleFile,
  VeilError,
  verifyCertificateRequest,
} from '#protocol';
import { orgPaths } from './paths.ts';

/** The name in a coordinator certificate the organisation issued (to replace it when certified again). */
const CoordinatorName = z.looseObject({ name: z.string() });

import { type OrgKeys, readRootKey, writeRootKey } from './root-key.ts';

const DAY = 86_400_000;

const State = z.strictObject({
  v: z.literal(1),
  org: z.string(),
  crlSeq: z.number().int().nonnegative(),
  statuses: z.record(z.string(), z.strictObject({ status: z.enum(['suspended', 'revoked']), since: z.number() })),
  issued: z
    .array(z.strictObject({ serial: z.string(), role: z.enum(['node', 'coordinator']), name: z.string(), notAfter: z.number(), issuedAt: z.number() }))
    .max(100_000),
});
type State = z.infer<typeof State>;

export interface InitOrgOptions {
  dir: string;
  org: string;
  passphrase: string;
  now?: number;
  /** Argon2id limits for the root key file; tests pass the interactive ones. */
  limits?: PassphraseLimits;
}

/** Create the root key, the TLS CA certificate, the trust bundle and an empty revocation list. */
export function initOrg(o: InitOrgOptions): { fingerprint: string } {
  const p = orgPaths(o.dir);
  if (existsSync(p.rootKey)) throw new VeilError('bad_config', `${o.dir} already holds an organisation root`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(o.org)) throw new VeilError('bad_config', 'organisation name: 1–64 letters, digits, . _ -');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  chmodSync(o.dir, 0o700);
  const now = o.now ?? Date.now();
  const root = SigningKey.generate();
  const ca = TlsKey.generate();
  writeRootKey(p.rootKey, o.org, { key: root, ca }, o.passphrase, o.limits);
  const caPem = caCertificate(o.org, ca, now);
  writeFileSync(p.ca, caPem, { mode: 0o644 });
  writeJsonFile(p.bundle, trustBundleFile({ org: o.org, rootPub: root.publicKey(), caPem, caEndorsement: endorseCa(root, o.org, caPem, now) }));
  const state: State = { v: 1, org: o.org, crlSeq: 0, statuses: {}, issued: [] };
  writeJsonFile(p.state, state);
  const auth = new OrgAuthority(o.dir, { org: o.org, key: root, ca }, state);
  auth.publishRevocations(now);
  return { fingerprint: rootFingerprint(root.publicKey()) };
}

/** The self-issued certificate of the organisation's TLS CA (ten years). */
function caCertificate(org: string, ca: TlsKey, now: number): string {
  const name = { cn: `${org} TLS CA`, o: org };
  return certificatePem(
    x509Certificate(
      { serial: randomBytes(16), issuer: name, subject: name, notBefore: now - DAY, notAfter: now + 3650 * DAY, subjectSpki: ca.spki(), ca: true },
      ca,
    ),
  );
}

export function openOrg(dir: string, passphrase: string): OrgAuthority {
  const p = orgPaths(dir);
  return new OrgAuthority(dir, readRootKey(p.rootKey, passphrase), readJsonFile(p.state, State, 'organisation state'));
}

export interface AdmitOptions {
  now?: number;
  days?: number;
  roles?: MemberRole[];
}

export class OrgAuthority {
  #s: State;

  readonly root: SigningKey;
  readonly #ca: TlsKey;

  constructor(
    readonly dir: string,
    keys: OrgKeys,
    state: State,
  ) {
    this.root = keys.key;
    this.#ca = keys.ca;
    this.#s = state;
  }

  get org(): string {
    return this.#s.org;
  }

  /**
   * Certify the keys in a request (its proof of possession is checked first) for `days`, with an X.509
   * TLS certificate for its TLS key. Certifying the coordinator also writes it into the trust bundle.
   */
  admit(request: Envelope, opts: AdmitOptions = {}): { certificate: Envelope; cert: MemberCertificate; file: CertificateFile } {
    const req = verifyCertificateRequest(request);
    const now = opts.now ?? Date.now();
    const notAfter = now + (opts.days ?? 365) * DAY;
    const serial = toHex(randomBytes(16));
    const x509 = x509Certificate(
      {
        serial: randomBytes(16),
        issuer: { cn: `${this.org} TLS CA`, o: this.org },
        subject: { cn: req.role === 'node' ? keyId.node(req.name) : keyId.coordinator(req.name), o: this.org },
        notBefore: now - 60_000,
        notAfter,
        subjectSpki: req.tlsPub,
        serverAuth: true,
        clientAuth: true,
        dns: req.hosts.dns,
        ip: req.hosts.ip,
      },
      this.#ca,
    );
    const cert: MemberCertificate = {
      t: 'member-cert',
      org: this.org,
      serial,
      role: req.role,
      name: req.name,
      signPub: req.signPub,
      tlsPub: req.tlsPub,
      roles: req.role === 'node' ? (opts.roles ?? [...MEMBER_ROLES]) : [],
      notBefore: now - 60_000,
      notAfter,
      x509,
    };
    const { t: _t, ...body } = cert;
    const certificate = issueCertificate(this.root, body);
    this.#s.issued.push({ serial, role: req.role, name: req.name, notAfter, issuedAt: now });
    this.#save();
    if (req.role === 'coordinator') {
      const p = orgPaths(this.dir);
      const b = parseTrustBundle(readJsonFile(p.bundle, z.unknown(), 'trust bundle'));
      writeJsonFile(
        p.bundle,
        trustBundleFile({
          org: b.org,
          rootPub: b.rootPub,
          caPem: b.caPem,
          caEndorsement: b.caEndorsement,
          // A coordinator certified again replaces its old certificate; another name is another instance.
          coordinatorCerts: [...b.coordinatorCerts.filter((c) => readUnverified(c, CoordinatorName).name !== req.name), certificate],
          ...(b.rollover ? { rollover: b.rollover } : {}),
        }),
      );
    }
    return { certificate, cert, file: { v: 1, kind: 'member-certificate', certificate: envelopeToText(certificate) } };
  }

  /** Set a member's status ('good' reinstates a suspension) and publish a new revocation list. */
  setStatus(role: 'node' | 'coordinator', name: string, status: 'suspended' | 'revoked' | 'good', now = Date.now()): RevocationFile {
    const k = `${role}:${name}`;
    const prev = this.#s.statuses[k];
    if (prev?.status === 'revoked' && status !== 'revoked')
      throw new VeilError('conflict', `${role} ${name} is revoked for good; admit it again with a new key`);
    if (status === 'good') delete this.#s.statuses[k];
    else this.#s.statuses[k] = { status, since: prev?.status === status ? prev.since : now };
    return this.publishRevocations(now);
  }

  /** Sign the current statuses as the next revocation list and write it to `crl.json`. */
  publishRevocations(now = Date.now(), validDays = 7): RevocationFile {
    return this.#publishRevocations(this.root, now, validDays);
  }

  #publishRevocations(root: SigningKey, now: number, validDays: number): RevocationFile {
    this.#s.crlSeq += 1;
    const entries: RevocationEntry[] = Object.entries(this.#s.statuses).map(([k, v]) => {
      const [role, ...rest] = k.split(':');
      return { role: role === 'coordinator' ? 'coordinator' : 'node', name: rest.join(':'), status: v.status, since: v.since };
    });
    const env = issueRevocationList(root, { org: this.org, seq: this.#s.crlSeq, issuedAt: now, nextUpdate: now + validDays * DAY, entries });
    const file: RevocationFile = { v: 1, kind: 'revocation-list', seq: this.#s.crlSeq, list: envelopeToText(env) };
    this.#save();
    writeJsonFile(orgPaths(this.dir).crl, file);
    return file;
  }

  /**
   * Replace the root key: a new root and CA, and a bundle whose rollover statement is signed by the old
   * root, so parties pinning the old bundle accept the new one. Every member must then be admitted
   * again under the new root (their old certificates do not chain to it), and the statuses are published
   * again as the next revocation list, signed by the new root (`crl.json`). Open the organisation again
   * with the new passphrase to sign anything further.
   */
  rollover(newPassphrase: string, now = Date.now(), limits?: PassphraseLimits): { fingerprint: string } {
    const p = orgPaths(this.dir);
    const next = SigningKey.generate();
    const ca = TlsKey.generate();
    const caPem = caCertificate(this.org, ca, now);
    const rollover = signRootRollover(this.root, this.org, next.publicKey(), now);
    writeRootKey(p.rootKey, this.org, { key: next, ca }, newPassphrase, limits);
    writeFileSync(p.ca, caPem, { mode: 0o644 });
    writeJsonFile(
      p.bundle,
      trustBundleFile({ org: this.org, rootPub: next.publicKey(), caPem, caEndorsement: endorseCa(next, this.org, caPem, now), rollover }),
    );
    // Suspensions and revocations carry over: the same statuses, signed by the new root, as the next list.
    this.#publishRevocations(next, now, 7);
    return { fingerprint: rootFingerprint(next.publicKey()) };
  }

  issued(): State['issued'] {
    return [...this.#s.issued];
  }

  #save(): void {
    writeJsonFile(orgPaths(this.dir).state, this.#s);
  }
}
