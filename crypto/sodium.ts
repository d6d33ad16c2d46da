/**
 * The one module that imports libsodium (libsodium-wrappers-sumo 0.8.4, the WebAssembly build of
 * libsodium 1.0.22; "sumo" because only that build has the ristretto255 functions).
 *
 * libsodium loads asynchronously. `initCrypto()` is awaited once at start-up; after that every crypto
 * function is synchronous and reaches the library through `sodium()`, which fails loudly instead of
 * returning a half-initialised module.
 */
import libsodium from 'libsodium-wrappers-sumo';
import { CryptoError, type CryptoErrorCode } from './errors.ts';

export type Sodium = typeof libsodium;

let ready = false;
let loading: Promise<void> | undefined;

/** Load libsodium. Idempotent and safe to call concurrently. */
export async function initCrypto(): Promise<void> {
  if (ready) return;
  loading ??= libsodium.ready.then(() => {
    ready = true;
  });
  await loading;
}

/** The loaded library; throws CryptoError('internal') before `initCrypto()` has completed. */
export function sodium(): Sodium {
  if (!ready) throw new CryptoError('internal', 'crypto not initialised');
  return libsodium;
}

/**
 * Run a libsodium call whose failure means "this input was rejected" and map its exception (a plain Error
 * with libsodium's message) to a CryptoError, so no dependency message reaches a caller or a peer.
 */
export function guard<T>(code: CryptoErrorCode, detail: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CryptoError) throw e;
    throw new CryptoError(code, detail, { cause: e });
  }
}
