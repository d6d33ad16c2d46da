/**
 * Membership of live connections: a node's login (checked in its upgrade request, see
 * protocol/login.ts and trust.ts) becomes its country's session, and its departure ends it.
 *
 * A successful login records the member's certificate, replaces an older connection of the same country,
 * is audited, and is answered with the directory and the revocation list (`welcome`); its waiting mail
 * follows. A new revocation list ends the sessions of the members it suspends or revokes.
 */

import type { Logger } from '#platform';
import { type CoordinatorFrame, encode, type LoginIdentity, type MemberEntry, VeilError } from '#protocol';
import { sendFrame } from './frames.ts';
import { newSession, type Session, type SessionRegistry } from './sessions.ts';
import type { AuditSink, MembersRepository } from './store/repositories.ts';
import type { MemberSocket } from './transport.ts';
import type { CoordinatorTrust } from './trust.ts';

export interface Membership {
  /** Turn an authenticated connection into its country's session. */
  login(socket: MemberSocket, who: LoginIdentity): Promise<Session>;
  /** A session's connection closed. */
  disconnected(s: Session): void;
  /** Close the sessions of members the current revocation list suspends or revokes, and mark them. */
  enforceRevocations(): Promise<string[]>;
}

export interface MembershipDeps {
  members: MembersRepository;
  sessions: SessionRegistry;
  trust: CoordinatorTrust;
  audit: AuditSink;
  log: Logger;
  /** The directory sent with `welcome`. */
  entries: () => Promise<MemberEntry[]>;
  /** Called once a session is registered (to deliver its waiting mail). */
  onLogin: (s: Session) => void;
  isClosed: () => boolean;
}

export function createMembership(deps: MembershipDeps): Membership {
  const record = (entry: Parameters<AuditSink['append']>[0][number]): void => {
    deps.audit.append([entry]).catch((err: unknown) => deps.log.error('audit failed', err, { kind: entry.kind }));
  };

  return {
    async login(socket, who) {
      const country = who.cert.name;
      await deps.members.admit({ country, signPub: who.cert.signPub, cert: encode(who.certificate) }, { kind: 'member.connected', country });
      const members = await deps.entries();
      if (deps.isClosed()) throw new VeilError('unavailable', 'coordinator closing');
      if (!socket.open) {
        record({ kind: 'member.disconnected', country });
        throw new VeilError('unavailable', 'connection closed during login');
      }
      // From here on synchronous: the session is registered and greeted before anything else is sent to it.
      const s = newSession(country, socket, who.cert.signPub);
      const old = deps.sessions.add(s);
      old?.socket.close(4409, 'replaced by a newer connection');
      deps.log.info('node connected', { country });
      sendFrame(socket, { t: 'welcome', members, revocations: deps.trust.revocations.envelope ?? null } satisfies CoordinatorFrame);
      deps.onLogin(s);
      return s;
    },

    disconnected(s) {
      if (!deps.sessions.remove(s)) return;
      if (deps.isClosed()) return; // shutting down: the store is closing
      record({ kind: 'member.disconnected', country: s.country });
      deps.log.info('node disconnected', { country: s.country });
    },

    async enforceRevocations() {
      const ended: string[] = [];
      for (const e of deps.trust.revocations.entries()) {
        if (e.role !== 'node') continue;
        const m = await deps.members.get(e.name);
        if (m && m.status !== e.status) await deps.members.setStatus(e.name, e.status, { kind: 'member.revoked', country: e.name, status: e.status });
        const s = deps.sessions.get(e.name);
        if (s) {
          s.socket.close(4403, `member ${e.status}`);
          ended.push(e.name);
        }
      }
      // Reinstated members become active again at their next login (their certificate is checked then).
      return ended;
    },
  };
}
