/**
 * The member directory: which countries are members (the fan-out's default targets) and, for each, its
 * certificate and signed descriptor (the keys nodes and analysts use for each other), kept current for
 * every connected node together with the organisation's latest revocation list.
 *
 * The list of active members is re-read at most once a second; the fan-out uses that cached list and
 * does not touch the store per query. A descriptor is accepted only from its own node, signed by the key
 * its certificate names; nodes and SDKs check both against the organisation root themselves, so the
 * coordinator relays keys it cannot forge. When many members (re)connect at once, one directory
 * broadcast covers them all.
 */
import { equalBytes } from '#crypto';
import type { Clock, Logger, TimerHandle } from '#platform';
import { type CoordinatorFrame, decodeWith, Envelope, encode, LIMITS, type MemberEntry, NodeDescriptor, VeilError, verifyEnvelope } from '#protocol';
import { type Session, type SessionRegistry, sessionKey } from './sessions.ts';
import type { MembersRepository } from './store/repositories.ts';

/** How stale the cached list of admitted countries may be. */
export const MEMBER_LIST_TTL_MS = 1000;
/** Descriptors arriving within this window share one directory broadcast. */
export const BROADCAST_COALESCE_MS = 50;

export interface MemberList {
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
}

export interface Directory {
  /** Admitted countries: the cached list when fresh, else a Promise of a fresh one. */
  countries(): MemberList | Promise<MemberList>;
  /** Every active member's certificate and descriptor. */
  entries(): Promise<MemberEntry[]>;
  onDescriptor(s: Session, env: Envelope): Promise<void>;
  /** Send the directory (with the current revocation list) to every connected node soon. */
  scheduleBroadcast(): void;
  /** Forget the cached member list (a member logged in for the first time, or one was revoked). */
  invalidate(): void;
  close(): void;
}

export function createDirectory(deps: {
  members: MembersRepository;
  sessions: SessionRegistry;
  clock: Clock;
  log: Logger;
  /** The revocation list to send with the directory. */
  revocations: () => Envelope | undefined;
}): Directory {
  let cache: { at: number; value: MemberList } | undefined;
  let refreshing: Promise<MemberList> | undefined;
  let broadcast: TimerHandle | undefined;
  let closed = false;

  const entries = async (): Promise<MemberEntry[]> => {
    const out: MemberEntry[] = [];
    for (const m of await deps.members.listActive()) {
      if (!m.cert) continue;
      out.push({
        cert: decodeWith(m.cert, Envelope, LIMITS.maxPayloadBytes),
        descriptor: m.descriptor ? decodeWith(m.descriptor, Envelope, LIMITS.maxPayloadBytes) : null,
      });
    }
    return out;
  };

  const refresh = (): Promise<MemberList> => {
    refreshing ??= deps.members.listActive().then(
      (rows) => {
        refreshing = undefined;
        const list = rows.map((m) => m.country);
        const value: MemberList = { list, set: new Set(list) };
        cache = { at: deps.clock.now(), value };
        return value;
      },
      (err: unknown) => {
        refreshing = undefined;
        throw err;
      },
    );
    return refreshing;
  };

  const sendDirectory = async (): Promise<void> => {
    const members = await entries();
    if (closed) return;
    const frame = encode({ t: 'members', members, revocations: deps.revocations() ?? null } satisfies CoordinatorFrame);
    for (const s of deps.sessions.all()) s.socket.send(frame);
  };

  const scheduleBroadcast = (): void => {
    if (broadcast || closed) return;
    broadcast = deps.clock.setTimeout(() => {
      broadcast = undefined;
      if (closed) return;
      sendDirectory().catch((err: unknown) => deps.log.error('directory broadcast failed', err));
    }, BROADCAST_COALESCE_MS);
  };

  return {
    countries() {
      if (cache && deps.clock.now() - cache.at <= MEMBER_LIST_TTL_MS) return cache.value;
      return refresh();
    },
    entries,
    async onDescriptor(s, env) {
      const d = verifyEnvelope(env, sessionKey(s), NodeDescriptor);
      if (d.country !== s.country || !equalBytes(d.signPub, s.signPub)) throw new VeilError('forbidden', 'descriptor names a key other than the certified one');
      await deps.members.setDescriptor(s.country, encode(env));
      scheduleBroadcast();
    },
    scheduleBroadcast,
    invalidate() {
      cache = undefined;
    },
    close() {
      closed = true;
      deps.clock.clear(broadcast);
      broadcast = undefined;
    },
  };
}
