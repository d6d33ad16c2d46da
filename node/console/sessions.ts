/**
 * Data-owner console sessions. The browser holds a random 32-byte token; the owners repository holds
 * only its SHA-256, so a copy of the database does not give anyone a live session. Each session carries
 * its own CSRF token and an absolute expiry; a session of a disabled account is gone.
 */
import { equalBytes, fromBase64url, randomBytes, sha256, toBase64url, utf8 } from '#crypto';
import type { Clock } from '#platform';
import type { NodeRepositories } from '../store/repositories.ts';
import { type OwnerInfo, ownerInfo } from './owners.ts';

/** Default session lifetime: one working shift. */
export const SESSION_TTL_MS = 8 * 3_600_000;
const TOKEN_BYTES = 32;

export interface OwnerSession {
  owner: OwnerInfo;
  csrf: string;
  expiresAt: number;
  /** SHA-256 of the cookie token: the session's key in the table. */
  tokenHash: Uint8Array;
}

export interface SessionStoreDeps {
  store: NodeRepositories;
  clock: Pick<Clock, 'now'>;
  /** Session lifetime (default `SESSION_TTL_MS`). */
  ttlMs?: number;
}

export class SessionStore {
  readonly #store: NodeRepositories;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #ttlMs: number;

  constructor(deps: SessionStoreDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#ttlMs = deps.ttlMs ?? SESSION_TTL_MS;
  }

  /** A new session for `ownerId`: returns the cookie value (the only copy of the token) and the session. */
  create(ownerId: string): { token: string; csrf: string; expiresAt: number } {
    const now = this.#clock.now();
    const token = randomBytes(TOKEN_BYTES);
    const csrf = toBase64url(randomBytes(TOKEN_BYTES));
    const expiresAt = now + this.#ttlMs;
    this.#store.owners.deleteExpiredSessions(now);
    this.#store.owners.addSession({ tokenHash: sha256(token), owner: ownerId, csrf, expiresAt });
    return { token: toBase64url(token), csrf, expiresAt };
  }

  /** The live session for a cookie value, or undefined (absent, malformed, unknown, expired, account disabled). */
  lookup(cookie: string | undefined): OwnerSession | undefined {
    const tokenHash = hashCookie(cookie);
    if (!tokenHash) return undefined;
    const found = this.#store.owners.session(tokenHash);
    if (!found) return undefined;
    const { session, owner } = found;
    if (session.expiresAt <= this.#clock.now() || owner.disabled) {
      this.#store.owners.deleteSession(tokenHash);
      return undefined;
    }
    return { owner: ownerInfo(owner), csrf: session.csrf, expiresAt: session.expiresAt, tokenHash };
  }

  destroy(cookie: string | undefined): void {
    const tokenHash = hashCookie(cookie);
    if (tokenHash) this.#store.owners.deleteSession(tokenHash);
  }
}

function hashCookie(cookie: string | undefined): Uint8Array | undefined {
  if (cookie?.length !== 43 || !/^[A-Za-z0-9_-]+$/.test(cookie)) return undefined;
  let token: Uint8Array;
  try {
    token = fromBase64url(cookie);
  } catch {
    return undefined;
  }
  return token.length === TOKEN_BYTES ? sha256(token) : undefined;
}

/** Compare a submitted CSRF token with the session's, in constant time. */
export function csrfMatches(session: OwnerSession, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length === 0 || submitted.length > 128) return false;
  return equalBytes(utf8(session.csrf), utf8(submitted));
}
