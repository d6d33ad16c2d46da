/**
 * The one error base class of Veil and its code registry.
 *
 * It lives in the lowest layer so every layer (crypto, protocol, sdk, node, coordinator) throws the same
 * type. A code maps to an HTTP status and a public message; only those two ever cross to a peer. The
 * `detail` string is for local logs and must not carry identifiers, keys or decoded peer data.
 */

export const ERROR_CODES = {
  // input shape
  bad_request: { status: 400, message: 'the request is malformed' },
  bad_length: { status: 400, message: 'a field has the wrong length' },
  bad_msgpack: { status: 400, message: 'the message is not valid msgpack' },
  bad_schema: { status: 400, message: 'the message does not match its schema' },
  too_large: { status: 413, message: 'the message or batch exceeds a size cap' },
  version_too_old: { status: 400, message: 'the protocol version is too old' },
  version_too_new: { status: 400, message: 'the protocol version is too new' },
  // crypto
  bad_point: { status: 400, message: 'a group element is invalid' },
  non_canonical_point: { status: 400, message: 'a group element is not canonically encoded' },
  identity_point: { status: 400, message: 'a group element is the identity' },
  bad_scalar: { status: 400, message: 'a scalar is invalid' },
  bad_proof: { status: 400, message: 'a proof does not verify' },
  bad_signature: { status: 401, message: 'a signature does not verify' },
  bad_key: { status: 400, message: 'a key is invalid' },
  decrypt_failed: { status: 400, message: 'a ciphertext could not be opened' },
  bad_ciphertext: { status: 400, message: 'a ciphertext is invalid for the pinned parameters' },
  // authentication, membership, replay
  unauthenticated: { status: 401, message: 'authentication is required or failed' },
  forbidden: { status: 403, message: 'the caller may not do this' },
  unknown_member: { status: 403, message: 'the sender is not a member of the network' },
  replay: { status: 409, message: 'the message was already seen or is outside the time window' },
  conflict: { status: 409, message: 'the request conflicts with an earlier one with the same id' },
  // policy and limits
  unknown_session: { status: 409, message: 'the encrypted-matching session keys are not known here; send them again' },
  refused_by_policy: { status: 403, message: 'the data owner policy refuses this request' },
  over_budget: { status: 429, message: 'the requester has used its evaluation budget' },
  rate_limited: { status: 429, message: 'too many requests' },
  // availability
  not_found: { status: 404, message: 'not found' },
  timeout: { status: 504, message: 'the peer did not answer in time' },
  unavailable: { status: 503, message: 'the peer is not connected' },
  // local operations
  invalid_import: { status: 400, message: 'the import file has invalid lines' },
  bad_config: { status: 400, message: 'the configuration is invalid' },
  internal: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.hasOwn(ERROR_CODES, x);
}

export class VeilError extends Error {
  readonly code: ErrorCode;
  /** Local-only explanation; never sent to a peer. Must not contain secrets or personal data. */
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail === undefined ? ERROR_CODES[code].message : `${ERROR_CODES[code].message}: ${detail}`, options);
    this.name = 'VeilError';
    this.code = code;
    this.detail = detail;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** The only form of an error that crosses to a peer. */
  toWire(): { code: ErrorCode; message: string } {
    return { code: this.code, message: ERROR_CODES[this.code].message };
  }
}

/** Normalize anything thrown into a VeilError without leaking a dependency's message to peers. */
export function asVeilError(e: unknown): VeilError {
  if (e instanceof VeilError) return e;
  return new VeilError('internal', undefined, { cause: e });
}
