import { beforeAll, describe, expect, it } from 'vitest';
import { certificatePem, initCrypto, randomBytes, SigningKey, TlsKey, toHex, x509Certificate } from '#crypto';
import {
  issueAnalystCertificate,
  issueCertificate,
  issueRevocationList,
  type MemberCertificate,
  RevocationState,
  rootFingerprint,
  signCertificateRequest,
  verifyAnalystCertificate,
  verifyCertificate,
  verifyCertificateRequest,
} from './certificates.ts';
import { acceptBundleUpdate, bundleCoordinator, endorseCa, parseTrustBundle, signRootRollover, trustBundleFile } from './trust-bundle.ts';

/** A real self-issued CA certificate (PEM) and the root's endorsement of it. */
function ca(root: SigningKey, org = 'interpol-test') {
  const k = TlsKey.generate();
  const name = { cn: 'test CA', o: org };
  const caPem = certificatePem(
    x509Certificate({ serial: randomBytes(8), issuer: name, subject: name, notBefore: NOW - DAY, notAfter: NOW + DAY, subjectSpki: k.spki(), ca: true }, k),
  );
  return { caPem, caEndorsement: endorseCa(root, org, caPem, NOW) };
}

import { signEnvelope } from './envelope.ts';
import { errorCodeOf } from './errors.ts';

beforeAll(initCrypto);

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return errorCodeOf(e);
  }
};

function org(name = 'interpol-test') {
  const root = SigningKey.generate();
  const anchor = { org: name, rootPub: root.publicKey() };
  const certify = (role: 'node' | 'coordinator', who: string, signing: SigningKey, extra: Partial<Omit<MemberCertificate, 't'>> = {}) =>
    issueCertificate(root, {
      org: name,
      serial: toHex(randomBytes(16)),
      role,
      name: who,
      signPub: signing.publicKey(),
      tlsPub: SigningKey.generate().publicKey(),
      roles: ['requester', 'responder'],
      notBefore: NOW - DAY,
      notAfter: NOW + 365 * DAY,
      x509: new Uint8Array(8),
      ...extra,
    });
  return { root, anchor, certify };
}

describe('certificate requests', () => {
  it('prove possession of the key they ask to certify', () => {
    const k = SigningKey.generate();
    const env = signCertificateRequest(k, {
      role: 'node',
      name: 'FR',
      tlsPub: TlsKey.generate().spki(),
      hosts: { dns: ['fr.example'], ip: ['127.0.0.1'] },
      ts: NOW,
    });
    expect(verifyCertificateRequest(env).name).toBe('FR');
    // the same request signed by another key claiming FR's key fails
    const forged = signEnvelope(SigningKey.generate(), 'node:FR', { ...verifyCertificateRequest(env) });
    expect(code(() => verifyCertificateRequest(forged))).toBe('bad_signature');
    const notACountry = signCertificateRequest(k, { role: 'node', name: 'france', tlsPub: TlsKey.generate().spki(), hosts: { dns: [], ip: [] }, ts: NOW });
    expect(code(() => verifyCertificateRequest(notACountry))).toBe('bad_request');
  });
});

describe('member certificates', () => {
  it('verify under the pinned root only, within validity, for the expected party', () => {
    const o = org();
    const fr = SigningKey.generate();
    const cert = o.certify('node', 'FR', fr);
    expect(toHex(verifyCertificate(cert, o.anchor, NOW, { expect: { role: 'node', name: 'FR' } }).signPub)).toBe(toHex(fr.publicKey()));
    const other = org();
    expect(code(() => verifyCertificate(other.certify('node', 'FR', fr), o.anchor, NOW))).toBe('untrusted_key');
    // a certificate the coordinator minted with its own key is worthless
    const minted = signEnvelope(SigningKey.generate(), 'org:interpol-test', { t: 'member-cert' });
    expect(code(() => verifyCertificate(minted, o.anchor, NOW))).toBe('untrusted_key');
    expect(code(() => verifyCertificate(cert, o.anchor, NOW + 366 * DAY))).toBe('certificate_expired');
    expect(code(() => verifyCertificate(cert, o.anchor, NOW - 2 * DAY))).toBe('certificate_expired');
    expect(code(() => verifyCertificate(cert, o.anchor, NOW, { expect: { role: 'node', name: 'DE' } }))).toBe('untrusted_key');
    expect(code(() => verifyCertificate(cert, o.anchor, NOW, { expect: { role: 'coordinator' } }))).toBe('untrusted_key');
  });

  it('are refused once suspended or revoked; an older list cannot roll a revocation back', () => {
    const o = org();
    const cert = o.certify('node', 'FR', SigningKey.generate());
    const crl = new RevocationState(o.anchor);
    const list = (seq: number, entries: Array<{ name: string; status: 'suspended' | 'revoked' }>) =>
      issueRevocationList(o.root, {
        org: o.anchor.org,
        seq,
        issuedAt: NOW,
        nextUpdate: NOW + 7 * DAY,
        entries: entries.map((e) => ({ role: 'node', since: NOW, ...e })),
      });
    expect(crl.apply(list(1, [{ name: 'FR', status: 'suspended' }]))).toBe(true);
    expect(code(() => verifyCertificate(cert, o.anchor, NOW, { revocations: crl }))).toBe('revoked');
    expect(crl.apply(list(2, []))).toBe(true);
    expect(code(() => verifyCertificate(cert, o.anchor, NOW, { revocations: crl }))).toBe('ok');
    expect(crl.apply(list(3, [{ name: 'FR', status: 'revoked' }]))).toBe(true);
    expect(crl.apply(list(2, []))).toBe(false);
    expect(crl.status('node', 'FR')).toBe('revoked');
    const forged = issueRevocationList(SigningKey.generate(), { org: o.anchor.org, seq: 9, issuedAt: NOW, nextUpdate: NOW, entries: [] });
    expect(code(() => crl.apply(forged))).toBe('untrusted_key');
    expect(crl.seq).toBe(3);
  });
});

describe('analyst certificates', () => {
  it('chain to the analyst’s node and carry its keys', () => {
    const node = SigningKey.generate();
    const a = SigningKey.generate();
    const cert = issueAnalystCertificate(node, {
      serial: toHex(randomBytes(16)),
      country: 'FR',
      analystId: 'a1',
      signPub: a.publicKey(),
      boxPub: randomBytes(32),
      notBefore: NOW,
      notAfter: NOW + DAY,
    });
    expect(verifyAnalystCertificate(cert, { country: 'FR', signPub: node.publicKey() }, NOW).analystId).toBe('a1');
    expect(code(() => verifyAnalystCertificate(cert, { country: 'FR', signPub: SigningKey.generate().publicKey() }, NOW))).toBe('untrusted_key');
    expect(code(() => verifyAnalystCertificate(cert, { country: 'DE', signPub: node.publicKey() }, NOW))).toBe('untrusted_key');
    expect(code(() => verifyAnalystCertificate(cert, { country: 'FR', signPub: node.publicKey() }, NOW + 2 * DAY))).toBe('certificate_expired');
  });
});

describe('trust bundles', () => {
  it('round-trip, carry a checkable fingerprint and the coordinator', () => {
    const o = org();
    const coordinator = o.certify('coordinator', 'main', SigningKey.generate());
    const file = trustBundleFile({ org: o.anchor.org, rootPub: o.anchor.rootPub, ...ca(o.root), coordinatorCert: coordinator });
    expect(file.fingerprint).toBe(rootFingerprint(o.anchor.rootPub));
    expect(file.fingerprint).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
    const b = parseTrustBundle(JSON.parse(JSON.stringify(file)));
    expect(bundleCoordinator(b, NOW).name).toBe('main');
    expect(code(() => parseTrustBundle({ ...file, fingerprint: rootFingerprint(randomBytes(32)) }))).toBe('bad_config');
    // a CA certificate the root did not endorse (swapped in the file) is refused
    expect(code(() => parseTrustBundle({ ...file, caPem: ca(o.root).caPem }))).toBe('bad_config');
    expect(code(() => parseTrustBundle({ ...file, caEndorsement: undefined }))).toBe('bad_config');
  });

  it('accept a new root only with a rollover statement signed by the pinned root', () => {
    const o = org();
    const pinned = parseTrustBundle(trustBundleFile({ org: o.anchor.org, rootPub: o.anchor.rootPub, ...ca(o.root) }));
    const next = SigningKey.generate();
    const good = parseTrustBundle(
      trustBundleFile({ org: o.anchor.org, rootPub: next.publicKey(), ...ca(next), rollover: signRootRollover(o.root, o.anchor.org, next.publicKey(), NOW) }),
    );
    expect(toHex(acceptBundleUpdate(pinned, good).rootPub)).toBe(toHex(next.publicKey()));
    const noRollover = parseTrustBundle(trustBundleFile({ org: o.anchor.org, rootPub: next.publicKey(), ...ca(next) }));
    expect(code(() => acceptBundleUpdate(pinned, noRollover))).toBe('untrusted_key');
    const selfSigned = parseTrustBundle(
      trustBundleFile({ org: o.anchor.org, rootPub: next.publicKey(), ...ca(next), rollover: signRootRollover(next, o.anchor.org, next.publicKey(), NOW) }),
    );
    expect(code(() => acceptBundleUpdate(pinned, selfSigned))).toBe('untrusted_key');
    const otherKey = parseTrustBundle(
      trustBundleFile({ org: o.anchor.org, rootPub: next.publicKey(), ...ca(next), rollover: signRootRollover(o.root, o.anchor.org, randomBytes(32), NOW) }),
    );
    expect(code(() => acceptBundleUpdate(pinned, otherKey))).toBe('untrusted_key');
  });
});
