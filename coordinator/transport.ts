/**
 * How members reach the coordinator: the socket abstraction its services are written against, and the
 * adapter that turns WebSocket upgrades on an HTTP(S) server (`ws`) into such sockets.
 *
 * The services see a member connection only as a `MemberSocket` (send bytes, ping, close) and hand
 * back a `ConnectionHandler` for its events, so unit tests drive the coordinator with fake sockets and
 * no server.
 *
 * Before anything is decoded, the adapter bounds what an unauthenticated peer can cost: at most
 * `maxPendingPerAddress` connections per address that have not yet logged in (the rest are dropped at
 * accept), a capped login header, and a deadline for the TLS handshake and the upgrade request. The
 * login itself is checked on the upgrade request (protocol/login.ts): a peer that fails it gets an HTTP
 * 401 naming the error code (503 `unavailable` while the coordinator shuts down), and never a WebSocket.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { channelBinding } from '#platform';
import { asVeilError, LIMITS, LOGIN_HEADER, type LoginIdentity, NO_CHANNEL_BINDING } from '#protocol';

/** One member connection, as the coordinator uses it. */
export interface MemberSocket {
  /** Whether bytes sent now would go out. */
  readonly open: boolean;
  /** Sends one binary frame; dropped when the socket is not open. */
  send(frame: Uint8Array): void;
  ping(): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

/** What the coordinator does with one connection's events. */
export interface ConnectionHandler {
  message(data: Uint8Array, isBinary: boolean): void;
  pong(): void;
  closed(): void;
}

export interface SocketAcceptor {
  /** Check the login header of an upgrade request on a connection with this channel binding. */
  authenticate(header: string | undefined, binding: Uint8Array): LoginIdentity;
  /** A new authenticated connection: the acceptor registers it and returns what handles its events. */
  accept(socket: MemberSocket, who: LoginIdentity): ConnectionHandler;
}

export interface WebSocketTransport {
  /** Terminates every connection and stops accepting. */
  close(): void;
}

export interface WebSocketOptions {
  path: string;
  maxPayload: number;
  /** The server speaks TLS: logins must be bound to the TLS session. */
  tls: boolean;
  /** Connections per remote address that have not logged in yet. */
  maxPendingPerAddress: number;
  /** Unread bytes past which a member is cut off (default `MAX_UNREAD_BYTES`). */
  maxUnreadBytes?: number;
}

/** Accept authenticated WebSocket upgrades on `path` of `server`; anything else is refused. */
export function attachWebSockets(server: Server, acceptor: SocketAcceptor, opts: WebSocketOptions): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload });
  // Unauthenticated connections per address, counted from the TCP accept (before any TLS or HTTP work)
  // until the login succeeds or the connection closes. A connection is named by address and port, which
  // are the same on the TCP socket and on the TLS socket above it.
  const pending = new Map<string, number>();
  const releases = new Map<string, () => void>();
  server.on('connection', (sock: Socket) => {
    const addr = sock.remoteAddress ?? '?';
    const n = (pending.get(addr) ?? 0) + 1;
    if (n > opts.maxPendingPerAddress) {
      sock.destroy();
      return;
    }
    pending.set(addr, n);
    const name = `${addr}|${sock.remotePort ?? 0}`;
    const release = () => {
      if (!releases.delete(name)) return;
      const left = (pending.get(addr) ?? 1) - 1;
      if (left <= 0) pending.delete(addr);
      else pending.set(addr, left);
    };
    releases.set(name, release);
    sock.once('close', release);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith(opts.path)) {
      socket.destroy();
      return;
    }
    let who: LoginIdentity;
    try {
      const header = req.headers[LOGIN_HEADER];
      const binding = opts.tls ? channelBinding(req.socket as TLSSocket) : NO_CHANNEL_BINDING;
      who = acceptor.authenticate(typeof header === 'string' ? header : undefined, binding);
    } catch (err) {
      const code = asVeilError(err).code;
      // A coordinator that is shutting down is unavailable, not a refusal of this member.
      const status = code === 'unavailable' ? '503 Service Unavailable' : '401 Unauthorized';
      socket.end(`HTTP/1.1 ${status}\r\nx-veil-error: ${code}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    releases.get(`${req.socket.remoteAddress ?? '?'}|${req.socket.remotePort ?? 0}`)?.();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const h = acceptor.accept(wsSocket(ws, opts.maxUnreadBytes ?? MAX_UNREAD_BYTES), who);
      ws.on('error', () => ws.terminate());
      ws.on('message', (data: RawData, isBinary: boolean) => h.message(rawBytes(data), isBinary));
      ws.on('pong', () => h.pong());
      ws.on('close', () => h.closed());
    });
  });
  return {
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/**
 * Bytes sent to a member and not yet taken by it past which the connection is cut off: a member that
 * does not read its answers must not make the coordinator hold them without bound (two of the largest
 * frames fit, so an honest node busy for a moment is not cut off). `maxUnreadBytes` in the coordinator's
 * configuration changes it.
 */
export const MAX_UNREAD_BYTES = 2 * LIMITS.maxFrameBytes;

function wsSocket(ws: WebSocket, maxUnreadBytes: number): MemberSocket {
  return {
    get open() {
      return ws.readyState === ws.OPEN;
    },
    send(frame) {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame);
      if (ws.bufferedAmount > maxUnreadBytes) ws.terminate();
    },
    ping: () => ws.ping(),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
  };
}

function rawBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
