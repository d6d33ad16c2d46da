/**
 * SQLite repository of the data owners (approval console accounts), their sessions and the throttle of
 * their failed logins. Sessions are stored under the SHA-256 of the cookie token only, so a copy of
 * the database gives no live session. The throttle lives here, not in a process's memory, so the
 * console and the CLI (another process) count failures against the same accounts.
 */
import type { Db } from '#platform';
import type { OwnerAccount, OwnerSessionRow, OwnersRepository, ThrottleRow, ThrottleScope } from './repositories.ts';
import { blob, type CountRow, type Prepared, prepared } from './statement.ts';

interface OwnerSql {
  id: string;
  name: string;
  pw_hash: string;
  created_at: number;
  disabled: number;
}

interface SessionSql {
  token_hash: Uint8Array;
  owner: string;
  csrf: string;
  expires_at: number;
  name: string;
  pw_hash: string;
  created_at: number;
  disabled: number;
}

interface ThrottleSql {
  scope: ThrottleScope;
  key: string;
  failures: number;
  window_start: number;
  locks: number;
  locked_until: number;
  last_failure: number;
}

const toOwner = (r: OwnerSql): OwnerAccount => ({
  id: r.id,
  name: r.name,
  pwHash: r.pw_hash,
  createdAt: r.created_at,
  disabled: r.disabled !== 0,
});

export class SqliteOwners implements OwnersRepository {
  readonly #add: Prepared<[string, string, string, number]>;
  readonly #get: Prepared<[string], OwnerSql>;
  readonly #list: Prepared<[], OwnerSql>;
  readonly #disable: Prepared<[string]>;
  readonly #addSession: Prepared<[Uint8Array, string, string, number]>;
  readonly #session: Prepared<[Uint8Array], SessionSql>;
  readonly #deleteSession: Prepared<[Uint8Array]>;
  readonly #deleteSessionsOf: Prepared<[string]>;
  readonly #deleteExpired: Prepared<[number]>;
  readonly #throttle: Prepared<[ThrottleScope, string], ThrottleSql>;
  readonly #putThrottle: Prepared<[ThrottleScope, string, number, number, number, number, number]>;
  readonly #deleteThrottle: Prepared<[ThrottleScope, string]>;
  readonly #addSource: Prepared<[string, string, number]>;
  readonly #countSources: Prepared<[string, number], CountRow>;
  readonly #clearSources: Prepared<[string]>;
  readonly #pruneThrottle: Prepared<[number, number]>;
  readonly #pruneSources: Prepared<[number]>;

  constructor(db: Db) {
    this.#add = prepared(db, 'INSERT INTO owners (id, name, pw_hash, created_at, disabled) VALUES (?, ?, ?, ?, 0)');
    this.#get = prepared(db, 'SELECT id, name, pw_hash, created_at, disabled FROM owners WHERE id = ?');
    this.#list = prepared(db, 'SELECT id, name, pw_hash, created_at, disabled FROM owners ORDER BY name, id');
    this.#disable = prepared(db, 'UPDATE owners SET disabled = 1 WHERE id = ? AND disabled = 0');
    this.#addSession = prepared(db, 'INSERT INTO owner_sessions (token_hash, owner, csrf, expires_at) VALUES (?, ?, ?, ?)');
    this.#session = prepared(
      db,
      `SELECT s.token_hash, s.owner, s.csrf, s.expires_at, o.name, o.pw_hash, o.created_at, o.disabled
         FROM owner_sessions s JOIN owners o ON o.id = s.owner WHERE s.token_hash = ?`,
    );
    this.#deleteSession = prepared(db, 'DELETE FROM owner_sessions WHERE token_hash = ?');
    this.#deleteSessionsOf = prepared(db, 'DELETE FROM owner_sessions WHERE owner = ?');
    this.#deleteExpired = prepared(db, 'DELETE FROM owner_sessions WHERE expires_at <= ?');
    this.#throttle = prepared(
      db,
      'SELECT scope, key, failures, window_start, locks, locked_until, last_failure FROM login_throttle WHERE scope = ? AND key = ?',
    );
    this.#putThrottle = prepared(
      db,
      `INSERT INTO login_throttle (scope, key, failures, window_start, locks, locked_until, last_failure) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(scope, key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locks = excluded.locks,
         locked_until = excluded.locked_until, last_failure = excluded.last_failure`,
    );
    this.#deleteThrottle = prepared(db, 'DELETE FROM login_throttle WHERE scope = ? AND key = ?');
    this.#addSource = prepared(
      db,
      `INSERT INTO login_failure_sources (account, address, at) VALUES (?, ?, ?)
       ON CONFLICT(account, address) DO UPDATE SET at = excluded.at`,
    );
    this.#countSources = prepared(db, 'SELECT COUNT(*) AS n FROM login_failure_sources WHERE account = ? AND at >= ?');
    this.#clearSources = prepared(db, 'DELETE FROM login_failure_sources WHERE account = ?');
    this.#pruneThrottle = prepared(db, 'DELETE FROM login_throttle WHERE last_failure < ? AND locked_until < ?');
    this.#pruneSources = prepared(db, 'DELETE FROM login_failure_sources WHERE at < ?');
  }

  add(o: Omit<OwnerAccount, 'createdAt' | 'disabled'>, now: number): void {
    this.#add.run(o.id, o.name, o.pwHash, now);
  }

  get(id: string): OwnerAccount | undefined {
    const r = this.#get.get(id);
    return r ? toOwner(r) : undefined;
  }

  list(): OwnerAccount[] {
    return this.#list.all().map(toOwner);
  }

  disable(id: string): boolean {
    return this.#disable.run(id).changes > 0;
  }

  addSession(s: OwnerSessionRow): void {
    this.#addSession.run(s.tokenHash, s.owner, s.csrf, s.expiresAt);
  }

  session(tokenHash: Uint8Array): { session: OwnerSessionRow; owner: OwnerAccount } | undefined {
    const r = this.#session.get(tokenHash);
    if (!r) return undefined;
    return {
      session: { tokenHash: blob(r.token_hash), owner: r.owner, csrf: r.csrf, expiresAt: r.expires_at },
      owner: toOwner({ ...r, id: r.owner }),
    };
  }

  deleteSession(tokenHash: Uint8Array): void {
    this.#deleteSession.run(tokenHash);
  }

  deleteSessionsOf(owner: string): void {
    this.#deleteSessionsOf.run(owner);
  }

  deleteExpiredSessions(now: number): void {
    this.#deleteExpired.run(now);
  }

  throttle(scope: ThrottleScope, key: string): ThrottleRow | undefined {
    const r = this.#throttle.get(scope, key);
    return r
      ? {
          scope: r.scope,
          key: r.key,
          failures: r.failures,
          windowStart: r.window_start,
          locks: r.locks,
          lockedUntil: r.locked_until,
          lastFailure: r.last_failure,
        }
      : undefined;
  }

  putThrottle(r: ThrottleRow): void {
    this.#putThrottle.run(r.scope, r.key, r.failures, r.windowStart, r.locks, r.lockedUntil, r.lastFailure);
  }

  deleteThrottle(scope: ThrottleScope, key: string): void {
    this.#deleteThrottle.run(scope, key);
  }

  addFailureSource(account: string, address: string, at: number, since: number): number {
    this.#addSource.run(account, address, at);
    return this.#countSources.get(account, since)?.n ?? 0;
  }

  clearFailureSources(account: string): void {
    this.#clearSources.run(account);
  }

  pruneThrottle(before: number, sourcesBefore: number): void {
    this.#pruneThrottle.run(before, before);
    this.#pruneSources.run(sourcesBefore);
  }
}
