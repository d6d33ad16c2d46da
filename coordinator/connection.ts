/**
 * One member connection's frame pipeline: decode → dispatch, on a connection whose login was already
 * checked in its upgrade request (no WebSocket exists before that).
 *
 * The connection becomes its country's session first; frames that arrive meanwhile wait. Then every
 * frame goes to its concern's handler. Frames of one connection are handled in arrival order: a handler that must wait (the store)
 * returns a Promise and the connection's next frames queue behind it, while the hot path (queries and
 * answers) runs synchronously as it arrives. A rejected frame is answered with an `error` naming the
 * request it was about when there is one, so the gateway fails that request at once.
 */

import type { Clock, Logger } from '#platform';
import type { LoginIdentity } from '#protocol';
import { asVeilError, decodeWith, LIMITS, NodeFrame, VeilError } from '#protocol';
import type { Dispatch } from './dispatch.ts';
import { refOf, sendFrame } from './frames.ts';
import type { Membership } from './membership.ts';
import type { Session } from './sessions.ts';
import type { ConnectionHandler, MemberSocket } from './transport.ts';

/** Frames one connection may have waiting behind a handler that is still running. */
export const MAX_WAITING_FRAMES = 4096;

export interface ConnectionDeps {
  membership: Membership;
  dispatch: Dispatch;
  clock: Clock;
  log: Logger;
  isClosed: () => boolean;
}

interface Waiting {
  readonly data: Uint8Array;
  readonly isBinary: boolean;
}

export function acceptConnection(socket: MemberSocket, who: LoginIdentity, deps: ConnectionDeps): ConnectionHandler {
  let session: Session | undefined;
  let busy = true;
  let gone = false;
  const waiting: Waiting[] = [];

  const handle = (data: Uint8Array, isBinary: boolean): void | Promise<void> => {
    if (!isBinary) throw new VeilError('bad_msgpack', 'text frame');
    if (!session) throw new VeilError('unauthenticated', 'not logged in');
    return deps.dispatch(session, decodeWith(data, NodeFrame, LIMITS.maxFrameBytes));
  };

  const reject = (err: unknown, data: Uint8Array): void => {
    if (deps.isClosed()) return;
    const e = asVeilError(err);
    const who = session ? { country: session.country } : {};
    deps.log.warn('frame rejected', { code: e.code, ...who });
    if (e.code === 'internal') deps.log.error('frame failed', err, who);
    const ref = session ? refOf(data) : undefined;
    sendFrame(socket, { t: 'error', code: e.code, ...(ref ? { ref } : {}) });
    if (!session) socket.close(4401, e.code);
  };

  const run = (data: Uint8Array, isBinary: boolean): void => {
    let r: void | Promise<void>;
    try {
      r = handle(data, isBinary);
    } catch (err) {
      reject(err, data);
      return;
    }
    if (!r) return;
    busy = true;
    void r
      .catch((err: unknown) => reject(err, data))
      .finally(() => {
        busy = false;
        drain();
      });
  };

  const drain = (): void => {
    while (!busy && !deps.isClosed()) {
      const next = waiting.shift();
      if (!next) return;
      run(next.data, next.isBinary);
    }
  };

  void deps.membership
    .login(socket, who)
    .then(
      (s) => {
        session = s;
        if (gone) deps.membership.disconnected(s); // closed while the login completed
      },
      (err: unknown) => {
        deps.log.warn('login failed', { code: asVeilError(err).code, country: who.cert.name });
        socket.close(4401, asVeilError(err).code);
      },
    )
    .finally(() => {
      busy = false;
      drain();
    });
  return {
    message(data, isBinary) {
      if (deps.isClosed()) return;
      if (!busy) return run(data, isBinary);
      if (waiting.length >= MAX_WAITING_FRAMES) return reject(new VeilError('rate_limited', 'too many frames waiting'), data);
      waiting.push({ data, isBinary });
    },
    pong() {
      if (session) session.alive = true;
    },
    closed() {
      gone = true;
      waiting.length = 0;
      if (session) deps.membership.disconnected(session);
    },
  };
}
