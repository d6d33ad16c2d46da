/**
 * A node's connection to the coordinator over a simulated link, plugged into the real code at the two
 * seams it was written against: the node's `CoordinatorLink` dials through a `Dialer`, the coordinator
 * accepts a `MemberSocket`. In between: the handshake (two round trips, as TCP and TLS 1.3 take), the
 * login header checked by the coordinator's real `authenticate` before any frame (HTTP 401 on refusal),
 * frames in order over the link, the coordinator's pings answered by the node as a WebSocket client
 * does, and closes that reach the other side only if the link carries them — over a cut link each side
 * finds out through its own heartbeat or silence timer, as it would in reality.
 */
import type { ConnectionHandler, MemberSocket, SocketAcceptor } from '#coordinator';
import type { DialedConnection, Dialer } from '#node';
import { asVeilError, NO_CHANNEL_BINDING } from '#protocol';
import { type Costs, coordinatorCost, nodeCost } from './costs.ts';
import type { Cpu } from './cpu.ts';
import { inspectFrame } from './inspect.ts';
import type { SimNetwork } from './links.ts';
import type { Observer } from './observer.ts';

export const COORDINATOR = 'coordinator';
/** What the ws client gives the handshake before it fails the attempt. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Bytes of the handshake messages (TLS hellos with certificates, the upgrade request and response). */
const HELLO_BYTES = 600;
const SERVER_HELLO_BYTES = 2500;
const UPGRADE_OVERHEAD = 300;
const CONTROL_BYTES = 8;

export interface ConnectionDeps {
  readonly net: SimNetwork;
  readonly observer: Observer;
  readonly costs: Costs;
  readonly coordinator: { readonly cpu: Cpu; readonly acceptor: SocketAcceptor; members(): number };
  readonly node: { readonly name: string; readonly cpu: Cpu; galleryBlocks(): number };
}

/** A dialed connection the simulator can also kill outright (the node's process died). */
export interface SimConnection extends DialedConnection {
  /** The node is gone: no more events on its side; the coordinator sees the connection reset. */
  destroy(): void;
}

export function simDialer(d: ConnectionDeps, onDial: (c: SimConnection) => void): Dialer {
  const { net, observer } = d;
  const sched = net.sched;
  const node = d.node.name;
  return (_url, login, events) => {
    let state: 'connecting' | 'open' | 'closed' | 'dead' = 'connecting';
    let serverOpen = false;
    let handler: ConnectionHandler | undefined;

    const closeNode = (code: number): void => {
      if (state === 'closed' || state === 'dead') return;
      state = 'closed';
      events.closed(code);
    };
    const closeServer = (): void => {
      if (!serverOpen) return;
      serverOpen = false;
      sched.at(sched.now, COORDINATOR, () => handler?.closed());
    };
    const toNode = (bytes: number, fn: () => void) => net.send(COORDINATOR, node, bytes, node, fn);
    const toServer = (bytes: number, fn: () => void) => net.send(node, COORDINATOR, bytes, COORDINATOR, fn);

    const socket: MemberSocket = {
      get open() {
        return serverOpen;
      },
      send(frame) {
        if (!serverOpen) return;
        const sentAt = sched.now;
        const ok = toNode(frame.length, () => {
          if (state !== 'open') return;
          const x = inspectFrame(frame);
          const { start, done } = d.node.cpu.run(nodeCost(x, d.costs, d.node.galleryBlocks()), () => {
            if (state === 'open') events.frame(frame, true);
          });
          observer.message({
            channel: 'coord>node',
            from: COORDINATOR,
            to: node,
            bytes: frame.length,
            sentAt,
            arrivedAt: sched.now,
            startedAt: start,
            doneAt: done,
            x,
          });
        });
        if (!ok) observer.dropped({ channel: 'coord>node', from: COORDINATOR, to: node, bytes: frame.length, at: sentAt });
      },
      ping() {
        if (!serverOpen) return;
        toNode(CONTROL_BYTES, () => {
          if (state !== 'open') return;
          events.ping();
          toServer(CONTROL_BYTES, () => {
            if (serverOpen) handler?.pong();
          });
        });
      },
      close(code) {
        if (!serverOpen) return;
        closeServer();
        toNode(CONTROL_BYTES, () => closeNode(code));
      },
      terminate() {
        if (!serverOpen) return;
        closeServer();
        toNode(CONTROL_BYTES, () => closeNode(1006));
      },
    };

    // Handshake: hello there and back, then the upgrade request carrying the login.
    toServer(HELLO_BYTES, () =>
      toNode(SERVER_HELLO_BYTES, () => {
        if (state !== 'connecting') return;
        const header = login(NO_CHANNEL_BINDING, undefined);
        toServer(header.length + UPGRADE_OVERHEAD, () => {
          if (state === 'dead') return;
          let who: ReturnType<SocketAcceptor['authenticate']>;
          try {
            who = d.coordinator.acceptor.authenticate(header, NO_CHANNEL_BINDING);
          } catch (e) {
            const code = asVeilError(e).code;
            toNode(UPGRADE_OVERHEAD, () => {
              if (state !== 'connecting') return;
              events.problem(code);
              closeNode(1006);
            });
            return;
          }
          serverOpen = true;
          handler = d.coordinator.acceptor.accept(socket, who);
          toNode(UPGRADE_OVERHEAD, () => {
            if (state !== 'connecting') return;
            state = 'open';
            events.opened();
          });
        });
      }),
    );
    sched.after(HANDSHAKE_TIMEOUT_MS, node, () => {
      if (state !== 'connecting') return;
      events.problem('unavailable');
      closeNode(1006);
    });

    const conn: SimConnection = {
      get open() {
        return state === 'open';
      },
      send(frame) {
        if (state !== 'open') return;
        const sentAt = sched.now;
        const ok = toServer(frame.length, () => {
          if (!serverOpen) return;
          const x = inspectFrame(frame);
          const { start, done } = d.coordinator.cpu.run(coordinatorCost(x, d.costs, d.coordinator.members()), () => {
            if (serverOpen) handler?.message(frame, true);
          });
          observer.message({
            channel: 'node>coord',
            from: node,
            to: COORDINATOR,
            bytes: frame.length,
            sentAt,
            arrivedAt: sched.now,
            startedAt: start,
            doneAt: done,
            x,
          });
        });
        if (!ok) observer.dropped({ channel: 'node>coord', from: node, to: COORDINATOR, bytes: frame.length, at: sentAt });
      },
      terminate() {
        if (state === 'closed' || state === 'dead') return;
        sched.at(sched.now, node, () => closeNode(1006));
        toServer(CONTROL_BYTES, () => closeServer());
      },
      destroy() {
        if (state === 'dead') return;
        state = 'dead';
        toServer(CONTROL_BYTES, () => closeServer());
      },
    };
    onDial(conn);
    return conn;
  };
}
