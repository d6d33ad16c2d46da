import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, interactiveLimits, SigningKey, TlsKey } from '#crypto';
import { envelopeFromText } from '#platform';
import { acceptBundleUpdate, bundleCoordinator, errorCodeOf, parseTrustBundle, RevocationState, signCertificateRequest, verifyCertificate } from '#protocol';
import { initOrg, openOrg } from './authority.ts';
import { orgPaths } from './paths.ts';

beforeAll(initCrypto);

const PASS = 'organisation root passphrase';
const NOW = Date.now();

function fresh() {
  const dir = join(mkdtempSync(join(tmpdir(), 'veil-org-')), 'org');
  const { fingerprint } = initOrg({ dir, org: 'ipo-test', passphrase: PASS, now: NOW, limits: interactiveLimits() });
  return { dir, fingerprint };
}

const bundle = (dir: string) => parseTrustBundle(JSON.parse(readFileSync(orgPaths(dir).bundle, 'utf8')));
const request = (role: 'node' | 'coordinator', name: string, key = SigningKey.generate()) =>
  signCertificateRequest(key, { role, name, tlsPub: TlsKey.generate().spki(), hosts: { dns: ['localhost'], ip: ['127.0.0.1'] }, ts: NOW });
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return errorCodeOf(e);
  }
};

describe('organisation authority', () => {
  it('keeps the root key encrypted, 0600 in a 0700 directory; a wrong passphrase opens nothing', () => {
    const { dir, fingerprint } = fresh();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(orgPaths(dir).rootKey).mode & 0o777).toBe(0o600);
    const raw = readFileSync(orgPaths(dir).rootKey, 'utf8');
    expect(raw).toContain('argon2id13');
    expect(bundle(dir).fingerprint).toBe(fingerprint);
    expect(code(() => openOrg(dir, 'not the organisation passphrase'))).toBe('bad_key');
    expect(code(() => initOrg({ dir, org: 'ipo-test', passphrase: PASS }))).toBe('bad_config');
  });

  it('admits a node and the coordinator: certificates and TLS certificates chain to the pinned root', () => {
    const { dir } = fresh();
    const org = openOrg(dir, PASS);
    const fr = SigningKey.generate();
    const { certificate } = org.admit(request('node', 'FR', fr), { now: NOW });
    const b0 = bundle(dir);
    const cert = verifyCertificate(certificate, b0, NOW, { expect: { role: 'node', name: 'FR' } });
    expect(Buffer.from(cert.signPub).equals(Buffer.from(fr.publicKey()))).toBe(true);
    expect(cert.roles).toEqual(['requester', 'responder']);
    const ca = new X509Certificate(b0.caPem);
    const tls = new X509Certificate(Buffer.from(cert.x509));
    expect(tls.verify(ca.publicKey)).toBe(true);
    expect(tls.subject).toContain('CN=node:FR');
    expect(tls.checkIP('127.0.0.1')).toBe('127.0.0.1');
    // the coordinator's certificate goes into the bundle every party pins
    expect(code(() => bundleCoordinator(b0, NOW))).toBe('bad_config');
    org.admit(request('coordinator', 'main'), { now: NOW });
    expect(bundleCoordinator(bundle(dir), NOW).name).toBe('main');
    // a request whose signature does not prove possession is refused
    const forged = { ...request('node', 'DE'), sig: new Uint8Array(64) };
    expect(code(() => org.admit(forged))).toBe('bad_signature');
    expect(org.issued().map((i) => i.name)).toEqual(['FR', 'main']);
  });

  it('suspends, reinstates and revokes with sequence-numbered lists; a revocation is final', () => {
    const { dir } = fresh();
    const org = openOrg(dir, PASS);
    const state = new RevocationState(bundle(dir));
    const apply = (f: { list: string }) => state.apply(envelopeFromText(f.list, 'list'));
    expect(apply(org.setStatus('node', 'FR', 'suspended', NOW))).toBe(true);
    expect(state.status('node', 'FR')).toBe('suspended');
    const reinstated = org.setStatus('node', 'FR', 'good', NOW);
    expect(apply(reinstated)).toBe(true);
    expect(state.status('node', 'FR')).toBe('good');
    expect(apply(org.setStatus('node', 'FR', 'revoked', NOW))).toBe(true);
    expect(state.status('node', 'FR')).toBe('revoked');
    expect(apply(reinstated)).toBe(false); // an older list cannot undo the revocation
    expect(code(() => org.setStatus('node', 'FR', 'good', NOW))).toBe('conflict');
    expect(JSON.parse(readFileSync(orgPaths(dir).crl, 'utf8')).seq).toBe(state.seq);
  });

  it('rolls the root over: the old bundle accepts the new one, new certificates chain to the new root', () => {
    const { dir } = fresh();
    const old = bundle(dir);
    const { fingerprint } = openOrg(dir, PASS).rollover('a brand new root passphrase', NOW, interactiveLimits());
    const next = acceptBundleUpdate(old, bundle(dir));
    expect(next.fingerprint).toBe(fingerprint);
    const org = openOrg(dir, 'a brand new root passphrase');
    const { certificate } = org.admit(request('node', 'FR'), { now: NOW });
    expect(verifyCertificate(certificate, next, NOW).name).toBe('FR');
    expect(code(() => verifyCertificate(certificate, old, NOW))).toBe('untrusted_key');
  });
});
