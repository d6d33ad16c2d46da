export * from './errors.ts';
export { initCrypto } from './sodium.ts';
export {
  abytes,
  concatBytes,
  equalBytes,
  fromBase64url,
  fromHex,
  i2osp,
  randomBytes,
  toBase64url,
  toHex,
  utf8,
  type Rng,
} from './bytes.ts';
export { decodePoint, POINT_BYTES } from './points.ts';
export { deriveSubkey, keyedHash, sha256, sha512 } from './hash.ts';
export {
  assertSignature,
  isValidSigningPublicKey,
  SIGNATURE_BYTES,
  SIGNING_PUBLIC_BYTES,
  SigningKey,
  verifySignature,
} from './sign.ts';
export { BOX_PUBLIC_BYTES, BoxKeyPair, SEAL_OVERHEAD, sealTo } from './box.ts';
export { TokenKey } from './aead.ts';
export { hashPassword, verifyPassword } from './password.ts';
export * from './oprf/index.ts';
export * from './he/index.ts';
export { certificatePem, x509Certificate, type X509Name, type X509Spec } from './x509.ts';
export { TlsKey, checkTlsPublicKey } from './tls-key.ts';
export {
  interactiveLimits,
  moderateLimits,
  openWithPassphrase,
  PASSPHRASE_MIN_LENGTH,
  sealWithPassphrase,
  type PassphraseBox,
  type PassphraseLimits,
} from './passphrase.ts';
