/**
 * Data-owner accounts and their console sessions (DESIGN.md §1 "Data owner", §4 step 4).
 *
 * Accounts live in the node's `owners` table: an id derived from the name plus random hex, the name,
 * and an Argon2id hash of the password (libsodium `crypto_pwhash_str`, see `crypto/password.ts`).
 * Sessions live in `owner_sessions`: the browser holds a random 32-byte token; the table holds only
 * SHA-256 of it, so a copy of the database does not give anyone a live session. Each session carries
 * its own CSRF token and an absolute expiry.
 *
 * Audit entries name the account id only — never the owner's name, the password or what was typed.
 */
import { hashPassword, verifyPassword, randomBytes, sha256, toHex, toBase64url, fromBase64url, equalBytes, utf8 } from '#crypto';
import type { AuditLog } from '#platform';
import type { NodeRepositories, OwnerAccount } from '../store/repositories.ts';
import { VeilError } from '#protocol';

/** Shortest accepted password. Long passphrases beat composition rules (NIST SP 800-63B §3.1.1.2). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted password; a bound on hashing work, as in `crypto/password.ts`. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Default session lifetime: one working shift. */
export const SESSION_TTL_MS = 8 * 3_600_000;

const NAME_RE = /^[\p{L}\p{N} ._'-]{1,100}$/u;
/** Account ids as `addOwner` makes them; anything else typed at the login form cannot be an account. */
const OWNER_ID_RE = /^[a-z0-9-]{1,48}$/;
const TOKEN_BYTES = 32;

export interface OwnerInfo {
  id: string;
  name: string;
  createdAt: number;
  disabled: boolean;
}

/**
 * Create a data-owner account. The password must be at least 12 characters; it is stored only as an
 * Argon2id hash. `initCrypto()` must have completed. Returns the account id the owner logs in with.
 */
export function addOwner(store: NodeRepositories, audit: AuditLog, name: string, password: string): { id: string } {
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw new VeilError('bad_request', "owner name: letters, digits, space, . _ ' - only (1–100)");
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_LENGTH) {
    throw new VeilError('bad_request', `password: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) throw new VeilError('bad_request', `password: at most ${MAX_PASSWORD_LENGTH} characters`);
  const slug = name.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 40) || 'owner';
  const id = `${slug}-${toHex(randomBytes(3))}`;
  const pwHash = hashPassword(password);
  store.tx(() => {
    store.owners.add({ id, name, pwHash }, Date.now());
    audit.append({ kind: 'owner.added', owner: id });
  });
  return { id };
}

/** Every data-owner account, by name. */
export function listOwners(store: NodeRepositories): OwnerInfo[] {
  return store.owners.list().map(ownerInfo);
}

const ownerInfo = (o: OwnerAccount): OwnerInfo => ({ id: o.id, name: o.name, createdAt: o.createdAt, disabled: o.disabled });

/**
 * Disable an account (it can no longer log in) and end its sessions. Its past decisions keep naming it.
 * Audited as `owner.removed`.
 */
export function disableOwner(store: NodeRepositories, audit: AuditLog, id: string): void {
  store.tx(() => {
    if (!store.owners.disable(id)) {
      if (!store.owners.get(id)) throw new VeilError('not_found', 'no such owner account');
      return; // already disabled: idempotent
    }
    store.owners.deleteSessionsOf(id);
    audit.append({ kind: 'owner.removed', owner: id });
  });
}

export type LoginFailure = 'unknown_account' | 'disabled' | 'bad_password';

/**
 * Check an account id and password. Unknown and disabled accounts still cost one Argon2id
 * verification, so the response time does not tell which account ids exist.
 */
export function checkOwnerPassword(store: NodeRepositories, id: string, password: string): { ok: true; owner: OwnerInfo } | { ok: false; why: LoginFailure; ownerId?: string } {
  const row = OWNER_ID_RE.test(id) ? store.owners.get(id) : undefined;
  const pw = password.length > MAX_PASSWORD_LENGTH ? password.slice(0, MAX_PASSWORD_LENGTH) : password;
  const good = verifyPassword(row?.pwHash ?? dummyHash(), pw);
  if (!row) return { ok: false, why: 'unknown_account' };
  if (row.disabled) return { ok: false, why: 'disabled', ownerId: row.id };
  if (!good) return { ok: false, why: 'bad_password', ownerId: row.id };
  return { ok: true, owner: ownerInfo(row) };
}

let dummy: string | undefined;
function dummyHash(): string {
  dummy ??= hashPassword(toHex(randomBytes(16)));
  return dummy;
}

// ---------------------------------------------------------------------------------------------------
// Sessions

export interface OwnerSession {
  owner: OwnerInfo;
  csrf: string;
  expiresAt: number;
  /** SHA-256 of the cookie token: the session's key in the table. */
  tokenHash: Uint8Array;
}

export class SessionStore {
  constructor(
    readonly store: NodeRepositories,
    readonly clock: () => number,
    readonly ttlMs: number = SESSION_TTL_MS,
  ) {}

  /** A new session for `ownerId`: returns the cookie value (the only copy of the token) and the session. */
  create(ownerId: string): { token: string; csrf: string; expiresAt: number } {
    const now = this.clock();
    const token = randomBytes(TOKEN_BYTES);
    const csrf = toBase64url(randomBytes(TOKEN_BYTES));
    const expiresAt = now + this.ttlMs;
    this.store.owners.deleteExpiredSessions(now);
    this.store.owners.addSession({ tokenHash: sha256(token), owner: ownerId, csrf, expiresAt });
    return { token: toBase64url(token), csrf, expiresAt };
  }

  /** The live session for a cookie value, or undefined (absent, malformed, unknown, expired, account disabled). */
  lookup(cookie: string | undefined): OwnerSession | undefined {
    const tokenHash = hashCookie(cookie);
    if (!tokenHash) return undefined;
    const found = this.store.owners.session(tokenHash);
    if (!found) return undefined;
    const { session, owner } = found;
    if (session.expiresAt <= this.clock() || owner.disabled) {
      this.store.owners.deleteSession(tokenHash);
      return undefined;
    }
    return { owner: ownerInfo(owner), csrf: session.csrf, expiresAt: session.expiresAt, tokenHash };
  }

  destroy(cookie: string | undefined): void {
    const tokenHash = hashCookie(cookie);
    if (tokenHash) this.store.owners.deleteSession(tokenHash);
  }
}

function hashCookie(cookie: string | undefined): Uint8Array | undefined {
  if (!cookie || cookie.length !== 43 || !/^[A-Za-z0-9_-]+$/.test(cookie)) return undefined;
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

// ---------------------------------------------------------------------------------------------------
// Failed-login throttle

export interface ThrottleOptions {
  /** Failures allowed per account id within `windowMs` before it is locked (default 5). */
  maxFailures?: number;
  /** Window over which failures count (default 15 min). */
  windowMs?: number;
  /** First lock duration; doubles with each further failure, up to `maxLockMs` (default 1 min). */
  lockMs?: number;
  maxLockMs?: number;
  /** Failures across all accounts within `windowMs` before every login is paused (default 50). */
  globalMaxFailures?: number;
}

interface Bucket {
  failures: number[];
  lockedUntil: number;
  locks: number;
}

/**
 * In-memory throttle of failed logins, per typed account id and overall. It slows guessing down to a
 * few attempts per account per window; the global cap bounds the Argon2id work (and audit entries) an
 * attacker can cause. Memory is bounded: at most `MAX_KEYS` account keys are tracked.
 */
export class LoginThrottle {
  static readonly MAX_KEYS = 10_000;
  readonly #o: Required<ThrottleOptions>;
  readonly #buckets = new Map<string, Bucket>();
  readonly #global: Bucket = { failures: [], lockedUntil: 0, locks: 0 };

  constructor(
    readonly clock: () => number,
    opts: ThrottleOptions = {},
  ) {
    this.#o = {
      maxFailures: opts.maxFailures ?? 5,
      windowMs: opts.windowMs ?? 15 * 60_000,
      lockMs: opts.lockMs ?? 60_000,
      maxLockMs: opts.maxLockMs ?? 15 * 60_000,
      globalMaxFailures: opts.globalMaxFailures ?? 50,
    };
  }

  /** Milliseconds until `key` may try again; 0 if it may try now. */
  retryAfter(key: string): number {
    const now = this.clock();
    const b = this.#buckets.get(this.#key(key));
    return Math.max(0, (b?.lockedUntil ?? 0) - now, this.#global.lockedUntil - now);
  }

  /** Record a failure; returns true if this failure locked the account (or the console). */
  fail(key: string): boolean {
    const now = this.clock();
    const k = this.#key(key);
    let b = this.#buckets.get(k);
    if (!b) {
      if (this.#buckets.size >= LoginThrottle.MAX_KEYS) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
      b = { failures: [], lockedUntil: 0, locks: 0 };
      this.#buckets.set(k, b);
    }
    const lockedAccount = this.#record(b, now, this.#o.maxFailures);
    const lockedAll = this.#record(this.#global, now, this.#o.globalMaxFailures);
    return lockedAccount || lockedAll;
  }

  succeed(key: string): void {
    this.#buckets.delete(this.#key(key));
  }

  #record(b: Bucket, now: number, max: number): boolean {
    b.failures = b.failures.filter((t) => t > now - this.#o.windowMs);
    b.failures.push(now);
    if (b.failures.length < max) return false;
    b.lockedUntil = now + Math.min(this.#o.lockMs * 2 ** b.locks, this.#o.maxLockMs);
    b.locks++;
    b.failures = [];
    return true;
  }

  #key(k: string): string {
    return k.toLowerCase().slice(0, 64);
  }
}
