/**
 * SQLite repository of the data owners (approval console accounts) and their sessions. Sessions are
 * stored under the SHA-256 of the cookie token only, so a copy of the database gives no live session.
 */
import type { Db } from '#platform';
import { blob, prepared, type Prepared } from './statement.ts';
import type { OwnerAccount, OwnerSessionRow, OwnersRepository } from './repositories.ts';

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
}
