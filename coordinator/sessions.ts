/**
 * The authenticated member connections: at most one live session per country (a newer login replaces
 * the older connection), and the key each session's envelopes must be signed with.
 */
import { keyId, VeilError } from '#protocol';
import type { MemberSocket } from './transport.ts';

export interface Session {
  readonly country: string;
  readonly socket: MemberSocket;
  /** The member's signing key as admitted when this connection logged in with it. */
  readonly signPub: Uint8Array;
  /** The key id the member's envelopes carry. */
  readonly kid: string;
  /** Cleared by each heartbeat ping, set by the pong; a session still cleared at the next ping is dead. */
  alive: boolean;
  /** Mail sent on this connection and not yet acknowledged, with the bytes each takes in a frame. */
  readonly mailInFlight: Map<string, number>;
}

export function newSession(country: string, socket: MemberSocket, signPub: Uint8Array): Session {
  return { country, socket, signPub, kid: keyId.node(country), alive: true, mailInFlight: new Map() };
}

/** Resolves the key of an envelope a session sent: only the sending node's own key is accepted. */
export function sessionKey(s: Session): (kid: string) => Uint8Array {
  return (kid) => {
    if (kid !== s.kid) throw new VeilError('forbidden', 'envelope not signed by the sending node');
    return s.signPub;
  };
}

export class SessionRegistry {
  readonly #byCountry = new Map<string, Session>();

  get(country: string): Session | undefined {
    return this.#byCountry.get(country);
  }

  all(): IterableIterator<Session> {
    return this.#byCountry.values();
  }

  /** Countries with a live session, sorted. */
  connected(): string[] {
    return [...this.#byCountry.keys()].sort();
  }

  isCurrent(s: Session): boolean {
    return this.#byCountry.get(s.country) === s;
  }

  /** Registers `s`, returning the session it replaces, if any. */
  add(s: Session): Session | undefined {
    const old = this.#byCountry.get(s.country);
    this.#byCountry.set(s.country, s);
    return old;
  }

  /** Removes `s` if it is still its country's session; false when a newer one replaced it. */
  remove(s: Session): boolean {
    if (!this.isCurrent(s)) return false;
    this.#byCountry.delete(s.country);
    return true;
  }
}
