export { TokenKey } from './aead.ts';
export { BOX_PUBLIC_BYTES, BoxKeyPair, SEAL_OVERHEAD, sealTo } from './box.ts';
export {
  abytes,
  concatBytes,
  equalBytes,
  fromBase64url,
  fromHex,
  i2osp,
  type Rng,
  randomBytes,
  toBase64url,
  toHex,
  utf8,
} from './bytes.ts';
export * from './errors.ts';
export { deriveSubkey, keyedHash, sha256, sha512 } from './hash.ts';
export * from './he/index.ts';
export { hmacSha256 } from './mac.ts';
export * from './oprf/index.ts';
export {
  interactiveLimits,
  moderateLimits,
  openWithPassphrase,
  PASSPHRASE_MIN_LENGTH,
  type PassphraseBox,
  type PassphraseLimits,
  sealWithPassphrase,
} from './passphrase.ts';
export { hashPassword, verifyPassword } from './password.ts';
export { decodePoint, POINT_BYTES } from './points.ts';
export {
  assertSignature,
  isValidSigningPublicKey,
  SIGNATURE_BYTES,
  SIGNING_PUBLIC_BYTES,
  SigningKey,
  verifySignature,
} from './sign.ts';
export { initCrypto } from './sodium.ts';
export { checkTlsPublicKey, TlsKey } from './tls-key.ts';
export { certificatePem, type X509Name, type X509Spec, x509Certificate } from './x509.ts';
