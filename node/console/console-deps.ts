/** What the approval console is built from: the node's stores and desk, clock, cookies, throttling, proxy and ops settings. */
import type { PassphraseLimits } from '#crypto';
import type { AuditLog, Clock, Logger, OpsDeps } from '#platform';
import type { DisclosureDesk } from '../disclosure/desk.ts';
import type { NodeRepositories } from '../store/repositories.ts';
import type { ThrottleOptions } from './login-throttle.ts';

export interface ConsoleDeps {
  country: string;
  store: NodeRepositories;
  desk: Pick<DisclosureDesk, 'list' | 'get' | 'approve' | 'deny'>;
  audit: AuditLog;
  /** Session expiry, time left, throttling (default: the system clock). */
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
  /** Mark the session cookie `Secure` (and name it `__Host-…`); set when the console is served over HTTPS. */
  secureCookies?: boolean;
  sessionTtlMs?: number;
  throttle?: ThrottleOptions;
  /** Argon2id limits the accounts were hashed at (default interactive); unit tests pass the minimum. */
  passwordLimits?: PassphraseLimits;
  /**
   * The console sits behind a reverse proxy: throttle by the last X-Forwarded-For entry (the address
   * the proxy saw) instead of the socket's, which is the proxy's. Default false.
   */
  trustProxy?: boolean;
  /** Accept only requests whose Host header passes (DNS-rebinding defence); default: any Host. */
  allowHost?: (host: string) => boolean;
  /** Request ids, drain, `/healthz`, `/readyz`, `/metrics` (mounted before the session check). */
  ops?: OpsDeps;
}
