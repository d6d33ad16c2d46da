/**
 * The SDK fake network's organisation root and analyst credentials, and a seeded byte source
 * (test fixture; `fake-gateway.test-fixture.ts` re-exports them, beside `FakeNode` from `fake-node.test-fixture.ts`).
 */
import { BoxKeyPair, certificatePem, type Rng, randomBytes, SigningKey, TlsKey, toHex, x509Certificate } from '#crypto';
import { type Envelope, encode, endorseCa, issueAnalystCertificate, issueCertificate, rootFingerprint, type TrustBundle, trustBundleFile } from '#protocol';
import { type Credential, parseCredential } from './credential.ts';

/** A deterministic byte source (LCG) for reproducible keys. */
export function seeded(seed: number): Rng {
  let x = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
}

export const ORG = 'fake-org';
export const YEAR = 365 * 86_400_000;

/** The organisation root of a fake network: certifies member nodes. */
export class FakeOrg {
  readonly root: SigningKey;
  readonly bundle: TrustBundle;
  readonly caPem: string;

  constructor(rng: Rng) {
    this.root = SigningKey.generate(rng);
    const k = TlsKey.generate();
    const name = { cn: 'fake CA', o: ORG };
    this.caPem = certificatePem(
      x509Certificate(
        { serial: Uint8Array.of(1), issuer: name, subject: name, notBefore: 0, notAfter: Date.now() + 10 * YEAR, subjectSpki: k.spki(), ca: true },
        k,
      ),
    );
    const caEndorsement = endorseCa(this.root, ORG, this.caPem, Date.now());
    this.bundle = {
      org: ORG,
      rootPub: this.root.publicKey(),
      caPem: this.caPem,
      caEndorsement,
      fingerprint: rootFingerprint(this.root.publicKey()),
      coordinatorCert: undefined,
      coordinatorCerts: [],
      rollover: undefined,
    };
  }

  certify(country: string, signPub: Uint8Array, over: { notAfter?: number } = {}): Envelope {
    return issueCertificate(this.root, {
      org: ORG,
      serial: toHex(randomBytes(16)),
      role: 'node',
      name: country,
      signPub,
      tlsPub: randomBytes(32),
      roles: ['requester', 'responder'],
      // Valid over every clock the tests use (they pin time near 2025).
      notBefore: 0,
      notAfter: over.notAfter ?? Date.now() + 10 * YEAR,
      x509: new Uint8Array(8),
    });
  }
}

/** An analyst credential with its full chain: organisation → its node → the analyst. */
export function analystCredential(country: string, rng: Rng, analystId = 'analyst-1', org = new FakeOrg(rng)): Credential & { org: FakeOrg } {
  const node = SigningKey.generate(rng);
  const signing = SigningKey.generate(rng);
  const box = BoxKeyPair.generate(rng);
  const certificate = issueAnalystCertificate(node, {
    serial: toHex(randomBytes(16)),
    country,
    analystId,
    signPub: signing.publicKey(),
    boxPub: box.publicKey(),
    notBefore: 0,
    notAfter: Date.now() + 10 * YEAR,
  });
  const text = (e: Envelope) => Buffer.from(encode(e)).toString('base64url');
  const cred = parseCredential({
    v: 2,
    analystId,
    name: 'Test Analyst',
    country,
    nodeUrl: null,
    signingKey: Buffer.from(signing.secretBytes()).toString('base64url'),
    boxKey: Buffer.from(box.secretBytes()).toString('base64url'),
    certificate: text(certificate),
    nodeCertificate: text(org.certify(country, node.publicKey())),
    bundle: trustBundleFile({ org: ORG, rootPub: org.root.publicKey(), caPem: org.caPem, caEndorsement: org.bundle.caEndorsement }),
  });
  return Object.assign(cred, { org });
}
