import { X509Certificate } from 'node:crypto';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { oid, time, unsignedInteger } from './der.ts';
import { initCrypto } from './sodium.ts';
import { TlsKey } from './tls-key.ts';
import { certificatePem, x509Certificate } from './x509.ts';

beforeAll(initCrypto);

const HOUR = 3_600_000;

function pki(now = Date.now()) {
  const root = TlsKey.generate();
  const leaf = TlsKey.generate();
  const caDer = x509Certificate(
    {
      serial: Uint8Array.of(1),
      issuer: { cn: 'Veil root', o: 'test-org' },
      subject: { cn: 'Veil root', o: 'test-org' },
      notBefore: now - HOUR,
      notAfter: now + HOUR,
      subjectSpki: root.spki(),
      ca: true,
    },
    root,
  );
  const leafDer = x509Certificate(
    {
      serial: Uint8Array.of(0x80, 2),
      issuer: { cn: 'Veil root', o: 'test-org' },
      subject: { cn: 'coordinator:main', o: 'test-org' },
      notBefore: now - HOUR,
      notAfter: now + HOUR,
      subjectSpki: leaf.spki(),
      serverAuth: true,
      dns: ['localhost'],
      ip: ['127.0.0.1'],
    },
    root,
  );
  return { root, leaf, caPem: certificatePem(caDer), leafPem: certificatePem(leafDer) };
}

describe('DER', () => {
  it('encodes OIDs, integers and times as X.690 says', () => {
    expect(toHex(oid('1.3.101.112'))).toBe('06032b6570');
    expect(toHex(oid('1.2.840.113549'))).toBe('06062a864886f70d');
    expect(toHex(unsignedInteger(Uint8Array.of(0x80)))).toBe('02020080');
    expect(toHex(unsignedInteger(Uint8Array.of(0, 0, 5)))).toBe('020105');
    expect(new TextDecoder().decode(time(Date.UTC(2026, 11, 7, 17, 5, 9)).subarray(2))).toBe('261207170509Z');
    expect(new TextDecoder().decode(time(Date.UTC(2051, 0, 2, 3, 4, 5)).subarray(2))).toBe('20510102030405Z');
  });
});

describe('ECDSA P-256 X.509 certificates', () => {
  it('parse in Node, chain to the CA, carry the names, usages and validity we set', () => {
    const now = Date.now();
    const { root, leafPem, caPem } = pki(now);
    const ca = new X509Certificate(caPem);
    const leaf = new X509Certificate(leafPem);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.subject).toContain('CN=coordinator:main');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(Math.abs(new Date(leaf.validTo).getTime() - (now + HOUR))).toBeLessThan(1000);
    const rootSpki = ca.publicKey.export({ format: 'der', type: 'spki' });
    expect(toHex(new Uint8Array(rootSpki))).toBe(toHex(root.spki()));
    // a certificate signed by another key does not verify under the CA
    const other = pki(now);
    expect(new X509Certificate(other.leafPem).verify(ca.publicKey)).toBe(false);
  });

  it('serve TLS 1.3 to a client that trusts only the CA; both ends derive the same exporter (RFC 9266)', async () => {
    const { leaf, leafPem, caPem } = pki();
    const server = createServer({ key: leaf.pkcs8Pem(), cert: leafPem, minVersion: 'TLSv1.3' }, (s) => {
      s.end(s.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const trusted = await new Promise<{ mine: Buffer; theirs: Buffer; protocol: string | null }>((resolve, reject) => {
        const c: TLSSocket = connect({ host: '127.0.0.1', port, ca: caPem, minVersion: 'TLSv1.3' }, () => {
          const mine = c.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
          c.once('data', (theirs: Buffer) => resolve({ mine, theirs, protocol: c.getProtocol() }));
        });
        c.on('error', reject);
      });
      expect(trusted.protocol).toBe('TLSv1.3');
      expect(trusted.mine.equals(trusted.theirs)).toBe(true);
      // a client pinned to another organisation's CA refuses the same server
      const stranger = pki();
      const refused = await new Promise<string>((resolve) => {
        const c = connect({ host: '127.0.0.1', port, ca: stranger.caPem, minVersion: 'TLSv1.3' }, () => resolve('connected'));
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
    } finally {
      server.close();
    }
  });
});
