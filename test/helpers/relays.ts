/**
 * Things an attacker puts between a node and the coordinator, for the trust tests: a TLS server that
 * presents a certificate of the attacker's choosing and records what reaches it, a TCP relay that keeps
 * a copy of every byte, and a self-signed certificate from outside the organisation.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createConnection, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { certificatePem, randomBytes, type TlsKey, x509Certificate } from '#crypto';

/** A TLS server presenting `key`/`cert` that records what reaches it and answers nothing. */
export async function tlsTrap(key: TlsKey, certDer: Uint8Array): Promise<{ server: HttpsServer; url: string; requests: number; handshakes: number }> {
  const trap = {
    server: createHttpsServer({ key: key.pkcs8Pem(), cert: certificatePem(certDer), minVersion: 'TLSv1.3' }),
    url: '',
    requests: 0,
    handshakes: 0,
  };
  trap.server.on('secureConnection', () => trap.handshakes++);
  trap.server.on('request', () => trap.requests++);
  trap.server.on('upgrade', (_req, socket: Socket) => {
    trap.requests++;
    socket.destroy();
  });
  await new Promise<void>((r) => trap.server.listen(0, '127.0.0.1', () => r()));
  trap.url = `wss://127.0.0.1:${(trap.server.address() as { port: number }).port}/v1/ws`;
  return trap;
}

/** A TCP relay to `port` that keeps a copy of every byte in both directions. */
export async function byteRelay(port: number): Promise<{ server: TcpServer; url: string; seen: Buffer[] }> {
  const seen: Buffer[] = [];
  const server = createTcpServer((inbound) => {
    const outbound = createConnection(port, '127.0.0.1');
    inbound.on('data', (b: Buffer) => seen.push(b));
    outbound.on('data', (b: Buffer) => seen.push(b));
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `wss://127.0.0.1:${(server.address() as { port: number }).port}/v1/ws`, seen };
}

export function selfSigned(key: TlsKey): Uint8Array {
  const now = Date.now();
  const serial = randomBytes(12);
  serial[0] = 1;
  const name = { cn: 'veil-coordinator', o: 'veil-dev' };
  return x509Certificate(
    {
      serial,
      issuer: name,
      subject: name,
      notBefore: now - 3600_000,
      notAfter: now + 86_400_000,
      subjectSpki: key.spki(),
      serverAuth: true,
      ip: ['127.0.0.1'],
    },
    key,
  );
}
