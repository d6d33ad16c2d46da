/**
 * The member directory: which countries are admitted (the fan-out's default targets) and their signed
 * descriptors (the keys nodes use for each other), kept current for every connected node.
 *
 * Admission is a separate process writing the registry, so the list of admitted countries is re-read
 * at most once a second; the fan-out uses that cached list and does not touch the store per query. A
 * descriptor is accepted only from its own node and only with the keys it was admitted with; when many
 * members (re)connect at once, one directory broadcast covers them all.
 */
import { equalBytes } from '#crypto';
import { LIMITS, Envelope, NodeDescriptor, VeilError, decodeWith, encode, verifyEnvelope, type CoordinatorFrame } from '#protocol';
import type { Clock, Logger, TimerHandle } from '#platform';
import type { MembersRepository } from './store/repositories.ts';
import { sessionKey, type Session, type SessionRegistry } from './sessions.ts';

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
  /** The descriptors of every active member that has published one. */
  envelopes(): Promise<Envelope[]>;
  onDescriptor(s: Session, env: Envelope): Promise<void>;
  close(): void;
}

export function createDirectory(deps: { members: MembersRepository; sessions: SessionRegistry; clock: Clock; log: Logger }): Directory {
  let cache: { at: number; value: MemberList } | undefined;
  let refreshing: Promise<MemberList> | undefined;
  let broadcast: TimerHandle | undefined;
  let closed = false;

  const envelopes = async (): Promise<Envelope[]> => {
    const out: Envelope[] = [];
    for (const m of await deps.members.listActive()) {
      if (m.descriptor) out.push(decodeWith(m.descriptor, Envelope, LIMITS.maxPayloadBytes));
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
    const envs = await envelopes();
    if (closed) return;
    const frame = encode({ t: 'members', members: envs } satisfies CoordinatorFrame);
    for (const s of deps.sessions.all()) s.socket.send(frame);
  };

  return {
    countries() {
      if (cache && deps.clock.now() - cache.at <= MEMBER_LIST_TTL_MS) return cache.value;
      return refresh();
    },
    envelopes,
    async onDescriptor(s, env) {
      const d = verifyEnvelope(env, sessionKey(s), NodeDescriptor);
      const m = await deps.members.get(s.country);
      if (!m || d.country !== s.country || !equalBytes(d.signPub, m.signPub) || !equalBytes(d.boxPub, m.boxPub)) {
        throw new VeilError('forbidden', 'descriptor keys differ from the admitted ones');
      }
      await deps.members.setDescriptor(s.country, encode(env));
      if (broadcast || closed) return;
      broadcast = deps.clock.setTimeout(() => {
        broadcast = undefined;
        if (closed) return;
        sendDirectory().catch((err: unknown) => deps.log.error('directory broadcast failed', err));
      }, BROADCAST_COALESCE_MS);
    },
    close() {
      closed = true;
      deps.clock.clear(broadcast);
      broadcast = undefined;
    },
  };
}
