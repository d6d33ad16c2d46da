/**
 * Authenticating a data owner by account id and password, the one way both the approval console
 * (login form) and the CLI (`veil approvals approve|deny`) do it: the failed-login throttle is asked
 * first (a locked address or account costs no Argon2id work), then the password is checked against
 * the account's Argon2id hash, and the outcome is counted in the throttle and audited — `auth.failed`
 * with the reason and the account id only when the account exists, never what was typed.
 */
import type { PassphraseLimits } from '#crypto';
import type { AuditLog } from '#platform';
import type { NodeRepositories } from '../store/repositories.ts';
import { accountKey, type LoginSource, type LoginThrottle } from './login-throttle.ts';
import { checkOwnerPassword, type LoginFailure, type OwnerInfo } from './owners.ts';

/** The client address of the CLI on the node's host: one address, throttled like any console client. */
export const CLI_ADDRESS = 'local';

export interface OwnerAuthDeps {
  store: NodeRepositories;
  audit: AuditLog;
  throttle: LoginThrottle;
  /** Argon2id limits of the accounts' hashes, for the dummy check of unknown ids (interactive by default). */
  passwordLimits?: PassphraseLimits;
}

export interface OwnerCredentials {
  account: string;
  password: string;
  peer: LoginSource['peer'];
  /** The normalized client address (`client-address.ts`), `local` for the CLI. */
  address: string;
}

export type OwnerAuthResult =
  | { ok: true; owner: OwnerInfo }
  /** Refused unchecked: the address or the account is locked for `retryAfterMs`. */
  | { ok: false; why: 'throttled'; retryAfterMs: number }
  /** Checked and wrong; `locked` if this failure locked the address or the account. */
  | { ok: false; why: LoginFailure; locked: boolean };

export function authenticateOwner(d: OwnerAuthDeps, c: OwnerCredentials): OwnerAuthResult {
  const source: LoginSource = { peer: c.peer, address: c.address, account: accountKey(c.account) };
  const wait = d.throttle.retryAfter(source);
  if (wait > 0) return { ok: false, why: 'throttled', retryAfterMs: wait };
  const r = c.account && c.password ? checkOwnerPassword(d.store, c.account, c.password, d.passwordLimits) : ({ ok: false, why: 'unknown_account' } as const);
  if (r.ok) {
    d.throttle.succeed(source);
    return r;
  }
  const owner = 'ownerId' in r ? r.ownerId : undefined;
  const locked = d.store.tx(() => {
    const locked = d.throttle.fail(source, owner);
    d.audit.append({ kind: 'auth.failed', peer: c.peer, code: locked ? 'rate_limited' : 'unauthenticated', status: r.why, ...(owner ? { owner } : {}) });
    return locked;
  });
  return { ok: false, why: r.why, locked };
}
