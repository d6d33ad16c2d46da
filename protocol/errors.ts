/**
 * The application's error registry and its one error class.
 *
 * Every code that may cross to a peer is listed here with a public message; the crypto layer's own codes
 * (`crypto/errors.ts`) are included under the same names, and `asVeilError` turns a `CryptoError` into
 * the `VeilError` of the same code. Only the code and its public message ever cross to a peer; HTTP
 * statuses are mapped at the HTTP edges (`platform/http-status.ts`), never here. `detail` is for local
 * logs and must not carry identifiers, keys or decoded peer data.
 */
import { CRYPTO_ERROR_CODES, CryptoError, type CryptoErrorCode } from '#crypto';

export const ERROR_CODES = {
  ...CRYPTO_ERROR_CODES,
  // input shape (the first two reword crypto's messages for a peer)
  bad_request: 'the request is malformed',
  too_large: 'the message or batch exceeds a size cap',
  bad_msgpack: 'the message is not valid msgpack',
  bad_schema: 'the message does not match its schema',
  version_too_old: 'the protocol version is too old',
  version_too_new: 'the protocol version is too new',
  // authentication, membership, replay
  unauthenticated: 'authentication is required or failed',
  forbidden: 'the caller may not do this',
  unknown_member: 'the sender is not a member of the network',
  replay: 'the message was already seen or is outside the time window',
  conflict: 'the request conflicts with an earlier one with the same id',
  untrusted_key: 'a key or certificate does not chain to the organisation root',
  certificate_expired: 'a certificate is outside its validity window',
  revoked: 'the party is suspended or revoked by the organisation',
  // policy and limits
  unknown_session: 'the encrypted-matching session keys are not known here; send them again',
  refused_by_policy: 'the data owner policy refuses this request',
  over_budget: 'the requester has used its evaluation budget',
  rate_limited: 'too many requests',
  // availability
  not_found: 'not found',
  timeout: 'the peer did not answer in time',
  unavailable: 'the peer is not connected',
  // local operations
  invalid_import: 'the import file has invalid lines',
  bad_config: 'the configuration is invalid',
} as const satisfies Record<string, string> & Record<CryptoErrorCode, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.hasOwn(ERROR_CODES, x);
}

export class VeilError extends Error {
  readonly code: ErrorCode;
  /** Local-only explanation; never sent to a peer. Must not contain secrets or personal data. */
  readonly detail: string | undefined;
  /** Local-only: the command or setting that fixes it, for a person at a terminal (the CLI prints it). */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; hint?: string }) {
    super(detail === undefined ? ERROR_CODES[code] : `${ERROR_CODES[code]}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VeilError';
    this.code = code;
    this.detail = detail;
    this.hint = options?.hint;
  }

  /** The only form of an error that crosses to a peer. */
  toWire(): { code: ErrorCode; message: string } {
    return { code: this.code, message: ERROR_CODES[this.code] };
  }
}

/** Normalize anything thrown into a VeilError without leaking a dependency's message to peers. */
export function asVeilError(e: unknown): VeilError {
  if (e instanceof VeilError) return e;
  if (e instanceof CryptoError) return new VeilError(e.code, e.detail, { cause: e });
  return new VeilError('internal', undefined, { cause: e });
}

/** The local explanation of an error of ours (its detail), or `fallback` for anything else. */
export function describeInvalid(e: unknown, fallback: string): string {
  const v = asVeilError(e);
  return v.code !== 'internal' && v.detail !== undefined ? v.detail : fallback;
}

/** The registry code of anything thrown: `internal` for what is not one of ours. */
export function errorCodeOf(e: unknown): ErrorCode {
  return asVeilError(e).code;
}
