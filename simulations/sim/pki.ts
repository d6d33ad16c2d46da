/**
 * The organisation's PKI for a simulation, made in memory from the run's seed: an organisation root,
 * the coordinator's certificate, a member certificate per country and analyst certificates issued by
 * their nodes — the same certificate formats and checks as a real network (`docs/trust.md`), so logins,
 * directories and answers are verified as they would be.
 *
 * What is left out, and why: links are simulated, so there is no TLS. Certificates carry each party's
 * real TLS public key but a placeholder X.509 certificate, and logins use the development transport's
 * channel binding (`NO_CHANNEL_BINDING`), exactly as `insecureDevTransport` does. Root and CA
 * management (`veil org …`) is not exercised; revocation lists can be issued by `revoke()`.
 */
import { BoxKeyPair, SigningKey, TlsKey, TokenKey, toHex } from '#crypto';
import type { NodeKeys } from '#node';
import {
  AnalystCertificate,
  type Envelope,
  issueAnalystCertificate,
  issueCertificate,
  issueRevocationList,
  keyId,
  MemberCertificate,
  readUnverified,
  rootFingerprint,
  signEnvelope,
  type TrustBundle,
} from '#protocol';
import type { Credential } from '#sdk';
import type { SimRng } from './rng.ts';

export const SIM_ORG = 'veil-sim';
export const SIM_COORDINATOR = 'sim-coordinator';
/** Certificates are valid from a year before the run's start for two years. */
const YEAR_MS = 365 * 86_400_000;
/** Placeholder for the X.509 TLS certificate a real admission carries (no TLS in a simulation). */
const NO_X509 = new Uint8Array([0]);

export interface SimMember {
  readonly country: string;
  readonly keys: NodeKeys;
  readonly certificate: Envelope;
  readonly cert: MemberCertificate;
}

export class SimPki {
  readonly root: SigningKey;
  readonly bundle: TrustBundle;
  readonly coordinator: { readonly name: string; readonly signing: SigningKey; readonly certificate: Envelope };
  readonly #rng: SimRng;
  readonly #start: number;
  #revocationSeq = 0;
  readonly #revoked: Array<{ name: string; status: 'suspended' | 'revoked'; since: number }> = [];
  readonly #members = new Map<string, SimMember>();

  constructor(rng: SimRng, start: number) {
    this.#rng = rng;
    this.#start = start;
    this.root = SigningKey.generate(rng.child('root').bytes);
    const signing = SigningKey.generate(rng.child('coordinator').bytes);
    const certificate = this.#issue('coordinator', SIM_COORDINATOR, signing, TlsKey.generate().spki(), []);
    this.coordinator = { name: SIM_COORDINATOR, signing, certificate };
    this.bundle = {
      org: SIM_ORG,
      rootPub: this.root.publicKey(),
      caPem: '',
      caEndorsement: signEnvelope(this.root, keyId.org(SIM_ORG), { t: 'tls-ca', simulated: true }),
      fingerprint: rootFingerprint(this.root.publicKey()),
      coordinatorCert: certificate,
      coordinatorCerts: [certificate],
      rollover: undefined,
    };
  }

  /** A country's node keys and member certificate (deterministic from the seed). */
  member(country: string): SimMember {
    const known = this.#members.get(country);
    if (known) return known;
    const r = this.#rng.child(`member:${country}`);
    const keys: NodeKeys = {
      signing: SigningKey.generate(r.child('signing').bytes),
      box: BoxKeyPair.generate(r.child('box').bytes),
      token: TokenKey.generate(r.child('token').bytes),
      tls: TlsKey.generate(),
    };
    const certificate = this.#issue('node', country, keys.signing, keys.tls.spki(), ['requester', 'responder']);
    const m: SimMember = { country, keys, certificate, cert: readUnverified(certificate, MemberCertificate) };
    this.#members.set(country, m);
    return m;
  }

  /** An analyst of `member`'s node: keys and a certificate signed by the node, as `veil node analyst add` issues them. */
  analyst(member: SimMember, analystId: string): Credential {
    const r = this.#rng.child(`analyst:${member.country}:${analystId}`);
    const signing = SigningKey.generate(r.child('signing').bytes);
    const box = BoxKeyPair.generate(r.child('box').bytes);
    const env = issueAnalystCertificate(member.keys.signing, {
      serial: toHex(r.child('serial').bytes(16)),
      country: member.country,
      analystId,
      signPub: signing.publicKey(),
      boxPub: box.publicKey(),
      notBefore: this.#start - YEAR_MS,
      notAfter: this.#start + YEAR_MS,
    });
    const certificate = readUnverified(env, AnalystCertificate);
    return { analystId, name: analystId, country: member.country, nodeUrl: null, signing, box, bundle: this.bundle, node: member.cert, certificate };
  }

  /** A newer revocation list naming `country` (signed by the root), for the coordinator to apply. */
  revoke(country: string, status: 'suspended' | 'revoked', now: number): Envelope {
    this.#revoked.push({ name: country, status, since: now });
    return issueRevocationList(this.root, {
      org: SIM_ORG,
      seq: ++this.#revocationSeq,
      issuedAt: now,
      nextUpdate: now + 7 * 86_400_000,
      entries: this.#revoked.map((e) => ({ role: 'node' as const, ...e })),
    });
  }

  #issue(role: 'node' | 'coordinator', name: string, signing: SigningKey, tlsPub: Uint8Array, roles: Array<'requester' | 'responder'>): Envelope {
    return issueCertificate(this.root, {
      org: SIM_ORG,
      serial: toHex(this.#rng.child(`serial:${role}:${name}`).bytes(16)),
      role,
      name,
      signPub: signing.publicKey(),
      tlsPub,
      roles,
      notBefore: this.#start - YEAR_MS,
      notAfter: this.#start + YEAR_MS,
      x509: NO_X509,
    });
  }
}
