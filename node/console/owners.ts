/**
 * Data-owner accounts: the officers who decide disclosure requests in the approval console.
 *
 * An account has an id derived from the name plus random hex, the name, and an Argon2id hash of the
 * password (libsodium `crypto_pwhash_str`, see `crypto/password.ts`); it is stored through the owners
 * repository. Sessions are in `sessions.ts`, the failed-login throttle in `login-throttle.ts`, password
 * checks behind that throttle (console and CLI) in `owner-auth.ts`.
 *
 * Audit entries name the account id only — never the owner's name, the password or what was typed.
 */
import { hashPassword, type PassphraseLimits, randomBytes, toHex, verifyPassword } from '#crypto';
import type { AuditLog } from '#platform';
import { VeilError } from '#protocol';
import type { NodeRepositories, OwnerAccount } from '../store/repositories.ts';

/** Shortest accepted password. Long passphrases beat composition rules (NIST SP 800-63B §3.1.1.2). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted password; a bound on hashing work, as in `crypto/password.ts`. */
export const MAX_PASSWORD_LENGTH = 1024;

const NAME_RE = /^[\p{L}\p{N} ._'-]{1,100}$/u;
/** Account ids as `addOwner` makes them; anything else typed at the login form cannot be an account. */
export const OWNER_ID_RE = /^[a-z0-9-]{1,48}$/;

export interface OwnerInfo {
  id: string;
  name: string;
  createdAt: number;
  disabled: boolean;
}

/**
 * Create a data-owner account. The password must be at least 12 characters; it is stored only as an
 * Argon2id hash (at `limits`, interactive by default). `initCrypto()` must have completed. Returns the
 * account id the owner logs in with.
 */
export function addOwner(store: NodeRepositories, audit: AuditLog, name: string, password: string, limits?: PassphraseLimits): { id: string } {
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw new VeilError('bad_request', "owner name: letters, digits, space, . _ ' - only (1–100)");
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_LENGTH) {
    throw new VeilError('bad_request', `password: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) throw new VeilError('bad_request', `password: at most ${MAX_PASSWORD_LENGTH} characters`);
  const slug =
    name
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()
      .slice(0, 40) || 'owner';
  const id = `${slug}-${toHex(randomBytes(3))}`;
  const pwHash = hashPassword(password, limits);
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

/** What the console and the CLI show of an account (never its password hash). */
export function ownerInfo(o: OwnerAccount): OwnerInfo {
  return { id: o.id, name: o.name, createdAt: o.createdAt, disabled: o.disabled };
}

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
 * verification (of a dummy hash at `limits`, the accounts' own), so the response time does not tell
 * which account ids exist.
 */
export function checkOwnerPassword(
  store: NodeRepositories,
  id: string,
  password: string,
  limits?: PassphraseLimits,
): { ok: true; owner: OwnerInfo } | { ok: false; why: LoginFailure; ownerId?: string } {
  const row = OWNER_ID_RE.test(id) ? store.owners.get(id) : undefined;
  const pw = password.length > MAX_PASSWORD_LENGTH ? password.slice(0, MAX_PASSWORD_LENGTH) : password;
  const good = verifyPassword(row?.pwHash ?? dummyHash(limits), pw);
  if (!row) return { ok: false, why: 'unknown_account' };
  if (row.disabled) return { ok: false, why: 'disabled', ownerId: row.id };
  if (!good) return { ok: false, why: 'bad_password', ownerId: row.id };
  return { ok: true, owner: ownerInfo(row) };
}

const dummies = new Map<string, string>();
function dummyHash(limits?: PassphraseLimits): string {
  const key = limits ? `${limits.ops}/${limits.mem}` : 'interactive';
  let h = dummies.get(key);
  if (h === undefined) {
    h = hashPassword(toHex(randomBytes(16)), limits);
    dummies.set(key, h);
  }
  return h;
}
