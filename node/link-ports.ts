/**
 * The coordinator link's ports: what it hands to the node's services (`LinkHandler`), the narrow sending
 * side the services take (`FrameSender`), and what the link is built from (`CoordinatorLinkDeps`).
 */
import type { ConnectionOptions } from 'node:tls';
import type { Clock, Logger } from '#platform';
import type { Envelope, MailItem, MemberEntry, NodeFrame } from '#protocol';
import type { Dialer } from './link-dialer.ts';

/** What the node does with what the coordinator sends. */
export interface LinkHandler {
  onConnected(): void;
  onMembers(members: MemberEntry[], revocations: Envelope | null): void;
  onEval(batch: Envelope[]): void;
  onPublishAck(epoch: number, seq: number): void;
  onMail(items: MailItem[]): void;
  onMailStored(mid: string): void;
}

/** Sending frames to the coordinator when connected: what the publisher, mail and the dispatcher need. */
export interface FrameSender {
  readonly ready: boolean;
  /** Send if connected; false (nothing sent) otherwise. */
  trySend(frame: NodeFrame): boolean;
}

export interface CoordinatorLinkDeps {
  /** Websocket URLs of the coordinator instances, tried in turn. */
  urls: readonly string[];
  country: string;
  /**
   * The login header for a connection with this channel binding (protocol/login.ts), to the coordinator
   * whose TLS certificate (DER) the connection presented (undefined on the development transport).
   */
  login(binding: Uint8Array, peerCertificate: Uint8Array | undefined): string;
  /** TLS options trusting only the organisation's CA and the coordinator's certificate; absent only for the development transport. */
  tls?: ConnectionOptions;
  log: Logger;
  clock: Clock;
  /** The coordinator's ping interval; silence for three of them ends the connection. */
  heartbeatMs?: number;
  /** How connections are opened (default: a WebSocket to the URL, over `tls` when given). */
  dial?: Dialer;
  /** Uniform in [0, 1) for the reconnection jitter and failover delay (default `Math.random`). */
  random?: () => number;
  /** The node's directory, named in the fixes the link logs (`veil node enroll --dir …`). */
  dir?: string;
}
