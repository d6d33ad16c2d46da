/**
 * How the `veil` command ends when something goes wrong: one or two lines on stderr — what failed and
 * why, then the command or setting that fixes it — or, with `--json`, one JSON document on stdout
 * (`{"error": {"code", "message", "fix"?, "exit"}}`), and an exit status by kind:
 *
 * | status | kind                | error codes                                                       |
 * |--------|---------------------|-------------------------------------------------------------------|
 * | 0      | success             |                                                                   |
 * | 1      | user error          | bad input, configuration, files, not found, conflicts, bad proofs |
 * | 2      | usage               | unknown command or option, missing argument (`usage`)             |
 * | 3      | network unreachable | `unavailable`, `timeout`                                          |
 * | 4      | refused             | authentication, membership, revocation, policy, budget, rate      |
 * | 70     | internal error      | `internal`: a bug; VEIL_DEBUG=1 prints where                      |
 *
 * This module loads nothing of the protocol: errors are recognised by their `code` field, so a usage
 * error costs no start-up.
 */

import type { ErrorCode } from '#protocol';

export const EXIT_CODES = { ok: 0, user: 1, usage: 2, unreachable: 3, refused: 4, internal: 70 } as const;

/** A user error found by the command line itself (bad option values), with the fix. */
export class CliError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, detail: string, opts: { hint?: string } = {}) {
    super(detail);
    this.name = 'CliError';
    this.code = code;
    this.detail = detail;
    this.hint = opts.hint;
  }
}

const UNREACHABLE: ReadonlySet<string> = new Set(['unavailable', 'timeout']);
const REFUSED: ReadonlySet<string> = new Set([
  'unauthenticated',
  'forbidden',
  'unknown_member',
  'untrusted_key',
  'certificate_expired',
  'revoked',
  'refused_by_policy',
  'over_budget',
  'rate_limited',
  'replay',
]);
/** File-system and socket errors a user causes and can fix (a path, a permission, a port). */
const SYSTEM: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EADDRINUSE: 'the address or port is already in use',
  EADDRNOTAVAIL: 'the address is not available on this machine',
};

export interface CliFailure {
  /** Stable code: an error code of the protocol's registry, `usage`, or `build`. */
  readonly code: string;
  readonly message: string;
  readonly fix?: string;
  readonly exit: number;
}

interface CodedError {
  code: string;
  detail?: string;
  hint?: string;
  message: string;
  cause?: unknown;
}

function coded(e: unknown): CodedError | undefined {
  if (!(e instanceof Error) || typeof (e as { code?: unknown }).code !== 'string') return undefined;
  return e as unknown as CodedError;
}

/** The exit status for an error code. */
export function exitFor(code: string): number {
  if (code === 'usage') return EXIT_CODES.usage;
  if (code === 'internal') return EXIT_CODES.internal;
  if (UNREACHABLE.has(code)) return EXIT_CODES.unreachable;
  if (REFUSED.has(code)) return EXIT_CODES.refused;
  return EXIT_CODES.user;
}

/** What to tell the user about anything thrown by a command. */
export function describeFailure(e: unknown): CliFailure {
  const c = coded(e);
  const sys = systemFailure(e) ?? (c?.code === 'internal' ? systemFailure(c.cause) : undefined);
  if (sys) return sys;
  if (c && c.code !== 'internal') return { code: c.code, message: c.detail ?? c.message, ...(c.hint ? { fix: c.hint } : {}), exit: exitFor(c.code) };
  return {
    code: 'internal',
    message: 'internal error: a bug in veil, not a problem with your input',
    fix:
      process.env.VEIL_DEBUG === '1'
        ? 'report it with the trace printed below'
        : 'run the command again with VEIL_DEBUG=1 to print where it happened, and report it',
    exit: EXIT_CODES.internal,
  };
}

/** A system error (errno) a user can fix: its path or the address in words. */
function systemFailure(e: unknown): CliFailure | undefined {
  const c = coded(e);
  const what = c ? SYSTEM[c.code] : undefined;
  if (!c || what === undefined) return undefined;
  const path = (e as { path?: unknown }).path;
  const port = (e as { port?: unknown }).port;
  const where = typeof path === 'string' ? `${path}: ` : typeof port === 'number' ? `port ${port}: ` : '';
  return { code: 'bad_request', message: `${where}${what}`, exit: EXIT_CODES.user };
}

/** Print the failure (text on stderr, or JSON on stdout) and set the exit status. */
export function reportFailure(f: CliFailure, json: boolean, e?: unknown): void {
  if (json) process.stdout.write(`${JSON.stringify({ error: f }, null, 2)}\n`);
  else process.stderr.write(`error [${f.code}]: ${f.message}\n${f.fix ? `  fix: ${f.fix}\n` : ''}`);
  if (f.code === 'internal' && process.env.VEIL_DEBUG === '1' && e !== undefined) {
    const inner = e instanceof Error && e.cause instanceof Error ? e.cause : e;
    process.stderr.write(`${inner instanceof Error ? (inner.stack ?? inner.message) : String(inner)}\n`);
  }
  process.exitCode = f.exit;
}
