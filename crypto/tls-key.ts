/**
 * A TLS key: ECDSA on P-256 with SHA-256 (FIPS 186-5, RFC 5480), the one signature algorithm every TLS
 * 1.3 client accepts in certificates — browsers included, which take no Ed25519 certificates — so the
 * approval console, the analyst API and the coordinator present keys of this kind. It signs TLS
 * handshakes (through OpenSSL) and, for the organisation's CA, certificates. Never used for anything of
 * Veil's own protocol: those signatures are Ed25519 (`SigningKey`).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { abytes } from './bytes.ts';
import { CryptoError } from './errors.ts';

export class TlsKey {
  readonly #key: KeyObject;

  private constructor(key: KeyObject) {
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new CryptoError('bad_key', 'TLS key: P-256 only');
    this.#key = key;
  }

  static generate(): TlsKey {
    return new TlsKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
  }

  /** From a PKCS #8 DER private key. */
  static fromPkcs8(der: Uint8Array): TlsKey {
    abytes(der, undefined, 'pkcs8');
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    } catch (e) {
      throw new CryptoError('bad_key', 'TLS key: not a PKCS #8 private key', { cause: e });
    }
    return new TlsKey(key);
  }

  pkcs8(): Uint8Array {
    return new Uint8Array(this.#key.export({ format: 'der', type: 'pkcs8' }));
  }

  pkcs8Pem(): string {
    return this.#key.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  /** The public key as a DER SubjectPublicKeyInfo (what certificates carry). */
  spki(): Uint8Array {
    return new Uint8Array(createPublicKey(this.#key).export({ format: 'der', type: 'spki' }));
  }

  /** ECDSA-SHA256 over `data`, DER-encoded (as X.509 signatures are). */
  sign(data: Uint8Array): Uint8Array {
    return new Uint8Array(sign('sha256', data, this.#key));
  }
}

/** Check that `spki` is a P-256 public key (DER SubjectPublicKeyInfo); returns it. */
export function checkTlsPublicKey(spki: Uint8Array): Uint8Array {
  abytes(spki, undefined, 'spki');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (e) {
    throw new CryptoError('bad_key', 'TLS public key: not a SubjectPublicKeyInfo', { cause: e });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new CryptoError('bad_key', 'TLS public key: P-256 only');
  return spki;
}
