/**
 * The one mapping from error codes to HTTP statuses, used only where an error leaves through HTTP (the
 * gateway's analyst API and the approval console). Everything below the HTTP edge speaks codes.
 */
import type { ErrorCode } from '#protocol';

const STATUS = {
  bad_request: 400,
  bad_length: 400,
  too_large: 413,
  bad_point: 400,
  non_canonical_point: 400,
  identity_point: 400,
  bad_scalar: 400,
  bad_proof: 400,
  bad_signature: 401,
  bad_key: 400,
  decrypt_failed: 400,
  bad_ciphertext: 400,
  internal: 500,
  bad_msgpack: 400,
  bad_schema: 400,
  version_too_old: 400,
  version_too_new: 400,
  unauthenticated: 401,
  forbidden: 403,
  unknown_member: 403,
  replay: 409,
  conflict: 409,
  untrusted_key: 403,
  certificate_expired: 403,
  revoked: 403,
  unknown_session: 409,
  refused_by_policy: 403,
  over_budget: 429,
  rate_limited: 429,
  not_found: 404,
  timeout: 504,
  unavailable: 503,
  invalid_import: 400,
  bad_config: 400,
} as const satisfies Record<ErrorCode, number>;

export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}
