/**
 * How members reach the coordinator: the socket abstraction its services are written against, and the
 * adapter that turns WebSocket upgrades on an HTTP server (`ws`) into such sockets.
 *
 * The services see a member connection only as a `MemberSocket` (send bytes, ping, close) and hand
 * back a `ConnectionHandler` for its events, so unit tests drive the coordinator with fake sockets and
 * no server.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

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
  /** A new connection: the acceptor greets it and returns what handles its events. */
  accept(socket: MemberSocket): ConnectionHandler;
}

export interface WebSocketTransport {
  /** Terminates every connection and stops accepting. */
  close(): void;
}

/** Accept WebSocket upgrades on `path` of `server`; any other upgrade request is refused. */
export function attachWebSockets(server: Server, acceptor: SocketAcceptor, opts: { path: string; maxPayload: number }): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith(opts.path)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const h = acceptor.accept(wsSocket(ws));
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

function wsSocket(ws: WebSocket): MemberSocket {
  return {
    get open() {
      return ws.readyState === ws.OPEN;
    },
    send(frame) {
      if (ws.readyState === ws.OPEN) ws.send(frame);
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
