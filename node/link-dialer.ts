/**
 * How the coordinator link opens a connection: a `Dialer` takes the login (a function of the
 * connection's channel binding, protocol/login.ts) and the link's event handlers, and returns the
 * connection. The default dials a WebSocket, over TLS 1.3 pinned to the coordinator's certificate
 * unless the development transport is configured; protocol simulations dial simulated links instead.
 *
 * The login travels in the upgrade request itself and needs the TLS session's channel binding, so the
 * request is finished only once the handshake is done (ws lets us end the request ourselves).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { type RawData, WebSocket } from 'ws';
import { channelBinding } from '#platform';
import { isErrorCode, LIMITS, LOGIN_HEADER, NO_CHANNEL_BINDING } from '#protocol';

/** What one connection reports to the link. */
export interface DialEvents {
  /** The login was accepted and the connection is open. */
  opened(): void;
  /** The coordinator's heartbeat ping. */
  ping(): void;
  /** One frame from the coordinator. */
  frame(data: Uint8Array, isBinary: boolean): void;
  /** Why this attempt is failing, as an error code (`closed` follows; the link logs the reason and fix). */
  problem(code: string): void;
  closed(code: number): void;
}

/** One connection to the coordinator, as the link uses it. */
export interface DialedConnection {
  /** Whether a frame sent now would go out. */
  readonly open: boolean;
  send(frame: Uint8Array): void;
  terminate(): void;
}

/**
 * Opens a connection to the coordinator instance at `url`; `login` makes the login header for the
 * connection's channel binding and the TLS certificate (DER) the coordinator presented.
 */
export type Dialer = (url: string, login: (binding: Uint8Array, peerCertificate: Uint8Array | undefined) => string, events: DialEvents) => DialedConnection;

/** A WebSocket; over TLS with `tls` (trusting only the organisation's CA and the coordinator's certificate). */
export function webSocketDialer(tls: ConnectionOptions | undefined): Dialer {
  return (url, login, events) => {
    const finishRequest = (req: ClientRequest): void => {
      const send = (binding: () => Uint8Array, peer?: () => Uint8Array | undefined) => {
        try {
          req.setHeader(LOGIN_HEADER, login(binding(), peer?.()));
          req.end();
        } catch (e) {
          req.destroy(e instanceof Error ? e : new Error('login failed'));
        }
      };
      req.once('socket', (sock) => {
        if (!tls) return send(() => NO_CHANNEL_BINDING);
        // A fresh connection (ws uses no agent): its handshake completes after this event.
        const tlsSock = sock as TLSSocket;
        tlsSock.once('secureConnect', () =>
          send(
            () => channelBinding(tlsSock),
            () => {
              const raw = tlsSock.getPeerCertificate().raw;
              return raw ? new Uint8Array(raw) : undefined;
            },
          ),
        );
      });
    };
    const ws = new WebSocket(url, { maxPayload: LIMITS.maxFrameBytes, handshakeTimeout: 10_000, ...(tls ?? {}), finishRequest });
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      const code = res.headers['x-veil-error'];
      events.problem(typeof code === 'string' && isErrorCode(code) ? code : `http_${res.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on('open', () => events.opened());
    ws.on('ping', () => events.ping());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
      events.frame(bytes, isBinary);
    });
    ws.on('error', (e: NodeJS.ErrnoException) => {
      // 'close' follows and schedules the reconnect; say why this attempt failed.
      if (e.code?.startsWith('ERR_SSL') || e.code?.includes('CERT') || /certificate/i.test(e.message)) events.problem('untrusted_tls');
      else if (/unexpected server response/i.test(e.message)) return;
      else events.problem('unavailable');
    });
    ws.on('close', (code) => events.closed(code));
    return {
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
      send: (frame) => ws.send(frame),
      terminate: () => ws.terminate(),
    };
  };
}
