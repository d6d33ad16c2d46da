/**
 * Membership of live connections: challenge/response login of member nodes and their departure.
 *
 * A node dials out, receives a random challenge naming this coordinator, and answers with its country
 * and an Ed25519 signature over the challenge by the key it was admitted with. A suspended or unknown
 * country, a protocol version out of range or a wrong signature is refused. A successful login
 * replaces an older connection of the same country, is audited, and is answered with the directory
 * (`welcome`); its waiting mail follows.
 */
import { assertSignature } from '#crypto';
import { PROTOCOL_VERSION, VeilError, challengeBytes, checkVersion, type CoordinatorFrame, type Envelope, type NodeFrame } from '#protocol';
import type { Logger } from '#platform';
import type { AuditSink, MembersRepository } from './store/repositories.ts';
import type { MemberSocket } from './transport.ts';
import { sendFrame } from './frames.ts';
import { newSession, type Session, type SessionRegistry } from './sessions.ts';

export type AuthFrame = Extract<NodeFrame, { t: 'auth' }>;

export interface Membership {
  /** The challenge that opens a connection. */
  challenge(socket: MemberSocket, nonce: Uint8Array): void;
  /** Checks an `auth` answer to `nonce`; on success the connection is a session. */
  login(socket: MemberSocket, nonce: Uint8Array, auth: AuthFrame): Promise<Session>;
  /** A session's connection closed. */
  disconnected(s: Session): void;
}

export interface MembershipDeps {
  /** This coordinator's name, bound into every challenge. */
  name: string;
  members: MembersRepository;
  sessions: SessionRegistry;
  audit: AuditSink;
  log: Logger;
  /** The directory sent with `welcome`. */
  envelopes: () => Promise<Envelope[]>;
  /** Called once a session is registered (to deliver its waiting mail). */
  onLogin: (s: Session) => void;
  isClosed: () => boolean;
}

export function createMembership(deps: MembershipDeps): Membership {
  const record = (entry: Parameters<AuditSink['append']>[0][number]): void => {
    deps.audit.append([entry]).catch((err: unknown) => deps.log.error('audit failed', err, { kind: entry.kind }));
  };

  return {
    challenge(socket, nonce) {
      sendFrame(socket, { t: 'challenge', v: PROTOCOL_VERSION, nonce, coordinator: deps.name } satisfies CoordinatorFrame);
    },

    async login(socket, nonce, auth) {
      checkVersion(auth.v);
      const m = await deps.members.get(auth.country);
      if (!m || m.status !== 'active') throw new VeilError('unknown_member', auth.country);
      assertSignature(m.signPub, challengeBytes(nonce, deps.name, auth.country), auth.sig);
      const members = await deps.envelopes();
      if (deps.isClosed() || !socket.open) throw new VeilError('unavailable', 'connection closed during login');
      await deps.audit.append([{ kind: 'member.connected', country: auth.country }]);
      if (deps.isClosed()) throw new VeilError('unavailable', 'coordinator closing');
      if (!socket.open) {
        record({ kind: 'member.disconnected', country: auth.country });
        throw new VeilError('unavailable', 'connection closed during login');
      }
      // From here on synchronous: the session is registered and greeted before anything else is sent to it.
      const s = newSession(auth.country, socket, m.signPub);
      const old = deps.sessions.add(s);
      old?.socket.close(4409, 'replaced by a newer connection');
      deps.log.info('node connected', { country: s.country });
      sendFrame(socket, { t: 'welcome', members });
      deps.onLogin(s);
      return s;
    },

    disconnected(s) {
      if (!deps.sessions.remove(s)) return;
      if (deps.isClosed()) return; // shutting down: the store is closing
      record({ kind: 'member.disconnected', country: s.country });
      deps.log.info('node disconnected', { country: s.country });
    },
  };
}
