/** Test helper (not exported from crypto/index.ts): the VeilError code a call throws, or undefined. */
import { VeilError, type ErrorCode } from './errors.ts';

export function errorCode(f: () => unknown): ErrorCode | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof VeilError) return e.code;
    throw e;
  }
  return undefined;
}
