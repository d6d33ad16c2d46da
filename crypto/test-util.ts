/** Test helper (not exported from crypto/index.ts): the CryptoError code a call throws, or undefined. */
import { CryptoError, type CryptoErrorCode } from './errors.ts';

export function errorCode(f: () => unknown): CryptoErrorCode | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
  return undefined;
}
