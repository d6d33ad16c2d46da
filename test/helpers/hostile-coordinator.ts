/**
 * A curious, lying coordinator for adversarial tests. It holds everything a real coordinator holds (its
 * own directory, keys, organisation certificate and TLS certificate) and runs the real coordinator
 * logic, assembled from the coordinator's exported pieces the way `startCoordinator` assembles them,
 * but every frame it sends a member passes through `tamper.outgoing` first, which may rewrite or drop
 * it, and every frame a member sends is shown to `tamper.incoming`. That is exactly the power the
 * trust model grants a compromised coordinator: it routes and stores everything, it signs nothing that
 * members believe.
 */
import { createServer, type Server } from 'node:https';
import { getRequestListener } from '@hono/node-server';
import {
  attachWebSockets,
  type ConnectionHandler,
  type CoordinatorHandle,
  coordinatorPaths,
  createCoordinator,
  createHttpApp,
  createTrust,
  loadCoordinatorBundle,
  loadCoordinatorCertificate,
  loadCoordinatorConfig,
  loadCoordinatorKeys,
  type MemberSocket,
  SqliteCoordinatorStore,
} from '#coordinator';
import { boundPort, serverTlsOptions, silentLogger, systemClock } from '#platform';
import { CoordinatorFrame, decodeWith, encode, LIMITS, NodeFrame } from '#protocol';

export interface Tamper {
  /** The frame to send instead of `frame` to `country`'s node; `undefined` drops it. */
  outgoing?(country: string, frame: CoordinatorFrame): CoordinatorFrame | undefined;
  /** A frame `country`'s node sent (seen before the coordinator handles it). */
  incoming?(country: string, frame: NodeFrame): void;
}

export async function startHostileCoordinator(dir: string, tamper: Tamper): Promise<CoordinatorHandle> {
  const config = loadCoordinatorConfig(dir);
  const keys = loadCoordinatorKeys(dir);
  const clock = systemClock();
  const { cert } = loadCoordinatorCertificate(dir, clock.now());
  const store = new SqliteCoordinatorStore(coordinatorPaths(dir).db, {
    signer: { sign: (m) => keys.signing.sign(m), publicKey: keys.signing.publicKey() },
    clock,
  });
  const trust = createTrust({ bundle: loadCoordinatorBundle(dir), name: config.name, meta: store.meta, clock });
  await trust.refresh();
  const real = createCoordinator({ config, store, audit: store.audit, clock, log: silentLogger, trust });
  const app = createHttpApp({ health: () => real.health() });
  const server: Server = createServer(serverTlsOptions({ key: keys.tls, certificate: cert.x509 }), getRequestListener(app.fetch));
  const sockets = attachWebSockets(
    server,
    {
      authenticate: (header, binding) => real.authenticate(header, binding),
      accept(socket, who): ConnectionHandler {
        const country = who.cert.name;
        const lying: MemberSocket = {
          get open() {
            return socket.open;
          },
          send(bytes) {
            const frame = decodeWith(bytes, CoordinatorFrame, LIMITS.maxFrameBytes);
            const sent = tamper.outgoing ? tamper.outgoing(country, frame) : frame;
            if (sent) socket.send(encode(sent));
          },
          ping: () => socket.ping(),
          close: (code, reason) => socket.close(code, reason),
          terminate: () => socket.terminate(),
        };
        const handler = real.accept(lying, who);
        return {
          message(data, isBinary) {
            try {
              tamper.incoming?.(country, decodeWith(data, NodeFrame, LIMITS.maxFrameBytes));
            } catch {
              // Malformed frames are the real coordinator's to refuse.
            }
            handler.message(data, isBinary);
          },
          pong: () => handler.pong(),
          closed: () => handler.closed(),
        };
      },
    },
    { path: '/v1/ws', maxPayload: LIMITS.maxFrameBytes, tls: true, maxPendingPerAddress: config.maxPendingPerAddress },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = boundPort(server);
  const close = async (): Promise<void> => {
    await real.close();
    sockets.close();
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await store.close();
  };
  return {
    url: `https://127.0.0.1:${port}`,
    wsUrl: `wss://127.0.0.1:${port}/v1/ws`,
    port,
    store,
    sqlite: store,
    leading: true,
    leaseLost: new Promise<void>(() => undefined),
    connected: () => real.connected(),
    // No drain here: a hostile coordinator's stop is always immediate.
    shutdown: async () => {
      await close();
      return true;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
