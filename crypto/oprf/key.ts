/**
 * The OPRF server key of RFC 9497 §3.2: a non-zero scalar skS and its public key pkS = skS·G.
 *
 * The key remembers its mode, because the mode enters the hash-to-group DST: the same scalar gives
 * unrelated PRFs in OPRF and VOPRF modes, and a VOPRF key must not answer without a proof.
 */

import { abytes, concatBytes, i2osp, type Rng, randomBytes } from '../bytes.ts';
import { CryptoError } from '../errors.ts';
import { hashToScalar, isCanonicalScalar, isZeroScalar, mulBase, randomScalar, SCALAR_BYTES } from './group.ts';
import { checkMode, dsts, type OprfMode } from './suite.ts';

let keyInternals: (key: OprfKey) => { secret: Uint8Array; publicKey: Uint8Array };

export class OprfKey {
  readonly mode: OprfMode;
  readonly #secret: Uint8Array;
  readonly #public: Uint8Array;

  private constructor(mode: OprfMode, secret: Uint8Array) {
    this.mode = mode;
    this.#secret = secret;
    this.#public = mulBase(secret);
  }

  /** RFC 9497 §3.2 GenerateKeyPair: skS = RandomScalar(). */
  static generate(mode: OprfMode, rng: Rng = randomBytes): OprfKey {
    checkMode(mode);
    return new OprfKey(mode, randomScalar(rng));
  }

  /**
   * RFC 9497 §3.2.1 DeriveKeyPair(seed, info): skS = HashToScalar(seed ‖ I2OSP(len(info), 2) ‖ info ‖
   * I2OSP(counter, 1), DST = "DeriveKeyPair" ‖ contextString) for the first counter giving a non-zero skS.
   */
  static derive(mode: OprfMode, seed: Uint8Array, info: Uint8Array): OprfKey {
    checkMode(mode);
    abytes(seed, SCALAR_BYTES, 'seed');
    abytes(info, undefined, 'info');
    if (info.length > 0xffff) throw new CryptoError('too_large', 'info');
    const deriveInput = concatBytes(seed, i2osp(info.length, 2), info);
    const dst = dsts(mode).deriveKeyPair;
    for (let counter = 0; counter <= 255; counter++) {
      const sk = hashToScalar(concatBytes(deriveInput, i2osp(counter, 1)), dst);
      if (!isZeroScalar(sk)) return new OprfKey(mode, sk);
    }
    throw new CryptoError('bad_key', 'DeriveKeyPair found no non-zero scalar');
  }

  /** Load a stored secret scalar (as returned by `secretBytes()`): 32 bytes, canonical, non-zero. */
  static fromBytes(mode: OprfMode, secret: Uint8Array): OprfKey {
    checkMode(mode);
    abytes(secret, SCALAR_BYTES, 'secret');
    if (!isCanonicalScalar(secret) || isZeroScalar(secret)) throw new CryptoError('bad_key', 'OPRF secret is not a non-zero reduced scalar');
    return new OprfKey(mode, secret.slice());
  }

  /** pkS = skS·G, 32 bytes (RFC 9497 §3.2). */
  publicKey(): Uint8Array {
    return this.#public.slice();
  }

  /** skS for storage. The caller is responsible for where these bytes go. */
  secretBytes(): Uint8Array {
    return this.#secret.slice();
  }

  static {
    // Hand the evaluation code in this folder copy-free access without a public accessor on the class.
    keyInternals = (key) => ({ secret: key.#secret, publicKey: key.#public });
  }
}

/**
 * The live scalar and public key of `key`, without copies. For crypto/oprf/ only: not re-exported by
 * the folder's index, so the rest of Veil sees a key only through its class API.
 */
export function internals(key: OprfKey): { secret: Uint8Array; publicKey: Uint8Array } {
  if (!(key instanceof OprfKey)) throw new CryptoError('bad_key', 'expected an OprfKey');
  return keyInternals(key);
}
