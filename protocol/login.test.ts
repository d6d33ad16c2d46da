import { beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, SigningKey, toHex } from '#crypto';
import { issueCertificate, issueRevocationList, RevocationState } from './certificates.ts';
import { errorCodeOf } from './errors.ts';
import { LOGIN_HEADER_MAX, loginHeader, verifyLoginHeader } from './login.ts';
import { ReplayGuard } from './replay.ts';

beforeAll(initCrypto);

const NOW = 1_800_000_000_000;
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return errorCodeOf(e);
  }
};

function setup() {
  const root = SigningKey.generate();
  const anchor = { org: 'o', rootPub: root.publicKey() };
  const node = SigningKey.generate();
  const cert = (who: string, key: SigningKey, role: 'node' | 'coordinator' = 'node', notAfter = NOW + 1e9) =>
    issueCertificate(root, {
      org: 'o',
      serial: toHex(randomBytes(16)),
      role,
      name: who,
      signPub: key.publicKey(),
      tlsPub: randomBytes(32),
      roles: [],
      notBefore: NOW - 1e9,
      notAfter,
      x509: new Uint8Array(4),
    });
  const binding = randomBytes(32);
  const revocations = new RevocationState(anchor);
  const check = (over: Partial<Parameters<typeof verifyLoginHeader>[1]> = {}) => ({
    anchor,
    revocations,
    coordinator: 'main',
    binding,
    now: NOW,
    replay: new ReplayGuard({ clock: () => NOW }),
    ...over,
  });
  const header = (
    over: { key?: SigningKey; certificate?: ReturnType<typeof cert>; country?: string; coordinator?: string; binding?: Uint8Array; ts?: number } = {},
  ) =>
    loginHeader(over.key ?? node, over.certificate ?? cert('FR', node), {
      country: over.country ?? 'FR',
      coordinator: over.coordinator ?? 'main',
      binding: over.binding ?? binding,
      ts: over.ts ?? NOW,
      nonce: randomBytes(16),
    });
  return { root, anchor, node, cert, binding, revocations, check, header };
}

describe('login in the upgrade request', () => {
  it('accepts a certified node bound to this TLS session', () => {
    const s = setup();
    expect(verifyLoginHeader(s.header(), s.check()).cert.name).toBe('FR');
  });

  it('refuses a relayed login, another coordinator, a replay and a stale timestamp', () => {
    const s = setup();
    expect(code(() => verifyLoginHeader(s.header(), s.check({ binding: randomBytes(32) })))).toBe('unauthenticated');
    expect(code(() => verifyLoginHeader(s.header({ coordinator: 'other' }), s.check()))).toBe('unauthenticated');
    const h = s.header();
    const c = s.check();
    verifyLoginHeader(h, c);
    expect(code(() => verifyLoginHeader(h, c))).toBe('replay');
    expect(code(() => verifyLoginHeader(s.header({ ts: NOW - 3_600_000 }), s.check()))).toBe('replay');
  });

  it('refuses uncertified, expired, revoked, mismatched and oversized logins with typed errors', () => {
    const s = setup();
    const other = SigningKey.generate();
    // a certificate from another root
    const foreign = setup();
    expect(code(() => verifyLoginHeader(s.header({ certificate: foreign.cert('FR', s.node) }), s.check()))).toBe('untrusted_key');
    // signed by a key other than the certified one
    expect(code(() => verifyLoginHeader(s.header({ key: other }), s.check()))).toBe('bad_signature');
    // claims another country than its certificate
    expect(code(() => verifyLoginHeader(s.header({ country: 'DE' }), s.check()))).toBe('unauthenticated');
    expect(code(() => verifyLoginHeader(s.header({ certificate: s.cert('FR', s.node, 'node', NOW - 1) }), s.check()))).toBe('certificate_expired');
    expect(code(() => verifyLoginHeader(s.header({ certificate: s.cert('main', s.node, 'coordinator') }), s.check()))).toBe('forbidden');
    s.revocations.apply(
      issueRevocationList(s.root, {
        org: 'o',
        seq: 1,
        issuedAt: NOW,
        nextUpdate: NOW,
        entries: [{ role: 'node', name: 'FR', status: 'suspended', since: NOW }],
      }),
    );
    expect(code(() => verifyLoginHeader(s.header(), s.check()))).toBe('revoked');
    expect(code(() => verifyLoginHeader(undefined, s.check()))).toBe('unauthenticated');
    expect(code(() => verifyLoginHeader('x'.repeat(LOGIN_HEADER_MAX + 1), s.check()))).toBe('too_large');
    expect(code(() => verifyLoginHeader('!!not base64!!', s.check()))).toBe('bad_request');
    expect(code(() => verifyLoginHeader('AAAA', s.check()))).toMatch(/bad_msgpack|bad_schema/);
  });
});
