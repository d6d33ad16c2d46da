/**
 * The errors the crypto layer throws, and only those.
 *
 * Crypto has no notion of peers, requests or HTTP: a `CryptoError` names what was wrong with an input or
 * an operation. The application registry (`protocol/errors.ts`) sits above this one and contains every
 * code here under the same name, so a crypto failure reaches a peer as the same code; HTTP statuses are
 * chosen only at the HTTP edges. `detail` is for local logs and must never carry key material or
 * decoded peer data.
 */

export const CRYPTO_ERROR_CODES = {
  bad_request: 'an argument is malformed',
  bad_length: 'a field has the wrong length',
  too_large: 'an input or batch exceeds a size cap',
  bad_point: 'a group element is invalid',
  non_canonical_point: 'a group element is not canonically encoded',
  identity_point: 'a group element is the identity',
  bad_scalar: 'a scalar is invalid',
  bad_proof: 'a proof does not verify',
  bad_signature: 'a signature does not verify',
  bad_key: 'a key is invalid',
  decrypt_failed: 'a ciphertext could not be opened',
  bad_ciphertext: 'a ciphertext is invalid for the pinned parameters',
  internal: 'internal error',
} as const satisfies Record<string, string>;

export type CryptoErrorCode = keyof typeof CRYPTO_ERROR_CODES;

export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  /** Local-only explanation. Must not contain secrets. */
  readonly detail: string | undefined;

  constructor(code: CryptoErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail === undefined ? CRYPTO_ERROR_CODES[code] : `${CRYPTO_ERROR_CODES[code]}: ${detail}`, options);
    this.name = 'CryptoError';
    this.code = code;
    this.detail = detail;
  }
}
