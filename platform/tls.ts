/**
 * TLS 1.3 inside the organisation's PKI, and channel binding.
 *
 * Servers (coordinator, node gateway, approval console) present the X.509 certificate the organisation
 * issued for their TLS key. Clients trust only the organisation's CA from their pinned trust bundle —
 * never the system store — and, where they know whom they are calling (a node calling the coordinator,
 * an analyst calling its own node), pin the exact certificate named in that party's member certificate,
 * so another member's valid certificate does not pass for the coordinator.
 *
 * Channel binding (RFC 9266 `tls-exporter`): both ends derive 32 bytes from the TLS session with the
 * label `EXPORTER-Channel-Binding` and an empty context; a login signs them, so a login relayed by a
 * party that terminates TLS itself does not verify at the other end.
 */
import type { ConnectionOptions, PeerCertificate, TLSSocket } from 'node:tls';
import { certificatePem, equalBytes, type TlsKey } from '#crypto';

export const CHANNEL_BINDING_LABEL = 'EXPORTER-Channel-Binding';

export interface TlsServerIdentity {
  /** The party's TLS key (P-256, not its signing key). */
  key: TlsKey;
  /** Its X.509 certificate (DER), issued by the organisation. */
  certificate: Uint8Array;
}

export function serverTlsOptions(id: TlsServerIdentity): { key: string; cert: string; minVersion: 'TLSv1.3' } {
  return { key: id.key.pkcs8Pem(), cert: certificatePem(id.certificate), minVersion: 'TLSv1.3' };
}

export interface TlsClientTrust {
  /** The organisation's CA (PEM) from the pinned trust bundle. */
  caPem: string;
  /**
   * The exact certificate (DER) the server must present, from its member certificate — or one of
   * several, for a party replicated over several instances (the coordinators of docs/high-availability.md).
   */
  expectCertificate?: Uint8Array | readonly Uint8Array[];
}

/** Connection options that trust only the organisation's CA and, if given, only the certificates named. */
export function clientTlsOptions(trust: TlsClientTrust): ConnectionOptions & { minVersion: 'TLSv1.3' } {
  const expected = trust.expectCertificate instanceof Uint8Array ? [trust.expectCertificate] : trust.expectCertificate;
  return {
    ca: trust.caPem,
    minVersion: 'TLSv1.3',
    rejectUnauthorized: true,
    checkServerIdentity: (_host: string, cert: PeerCertificate): Error | undefined => {
      if (!expected) return undefined; // chain to the organisation CA was checked by OpenSSL
      if (!cert.raw || !expected.some((e) => equalBytes(new Uint8Array(cert.raw), e))) {
        return new Error('the server presented a certificate from the organisation, but not the one of the party being called');
      }
      return undefined;
    },
  };
}

/** RFC 9266 tls-exporter channel binding of an established TLS 1.3 session. */
export function channelBinding(socket: TLSSocket): Uint8Array {
  return new Uint8Array(socket.exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0)));
}

/** Printed at every start of a party running without TLS. */
export const PLAIN_TRANSPORT_WARNING =
  'WARNING: plain transport (--insecure-dev-transport): traffic is readable and forgeable on the network; for development on one machine only';
