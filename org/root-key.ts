/**
 * The organisation's keys at rest: the root signing key (Ed25519, the anchor every party pins) and the
 * TLS CA key (P-256, which signs the X.509 certificates of TLS), sealed together under a passphrase
 * (Argon2id, moderate limits, then XChaCha20-Poly1305), in a file of mode 0600 inside a directory of
 * mode 0700. The passphrase is never stored; every signing operation asks for it.
 */
import { z } from 'zod';
import { fromBase64url, openWithPassphrase, type PassphraseLimits, SigningKey, sealWithPassphrase, TlsKey, toBase64url } from '#crypto';
import { readJsonFile, writeJsonFile } from '#platform';
import { bytesMax, decodeWith, encode, VeilError } from '#protocol';

const LABEL = 'org-root-key';

const b64 = z.string().regex(/^[A-Za-z0-9_-]+$/);

export const RootKeyFile = z.strictObject({
  v: z.literal(1),
  org: z.string(),
  publicKey: b64,
  kdf: z.strictObject({ alg: z.literal('argon2id13'), ops: z.number().int().positive(), mem: z.number().int().positive(), salt: b64 }),
  sealed: b64,
});

const Sealed = z.strictObject({ root: bytesMax(64), ca: bytesMax(1024) });

export interface OrgKeys {
  readonly org: string;
  readonly key: SigningKey;
  readonly ca: TlsKey;
}

export function writeRootKey(path: string, org: string, keys: { key: SigningKey; ca: TlsKey }, passphrase: string, limits?: PassphraseLimits): void {
  const key = keys.key;
  const secret = encode({ root: key.secretBytes(), ca: keys.ca.pkcs8() });
  try {
    const box = sealWithPassphrase(secret, passphrase, `${LABEL}/${org}`, limits);
    writeJsonFile(
      path,
      { v: 1, org, publicKey: toBase64url(key.publicKey()), kdf: { ...box.kdf, salt: toBase64url(box.kdf.salt) }, sealed: toBase64url(box.sealed) },
      { secret: true },
    );
  } finally {
    secret.fill(0);
  }
}

/** The organisation's keys, or `bad_key` naming the passphrase when it does not open. */
export function readRootKey(path: string, passphrase: string): OrgKeys {
  const f = readJsonFile(path, RootKeyFile, 'organisation root key');
  let secret: Uint8Array;
  try {
    secret = openWithPassphrase({ kdf: { ...f.kdf, salt: fromBase64url(f.kdf.salt) }, sealed: fromBase64url(f.sealed) }, passphrase, `${LABEL}/${f.org}`);
  } catch {
    throw new VeilError('bad_key', 'the passphrase does not open the organisation root key (VEIL_ORG_PASSPHRASE or the prompt)');
  }
  try {
    const s = decodeWith(secret, Sealed, 2048);
    const key = SigningKey.fromBytes(s.root);
    if (toBase64url(key.publicKey()) !== f.publicKey) throw new VeilError('bad_key', 'root key file is inconsistent');
    return { org: f.org, key, ca: TlsKey.fromPkcs8(s.ca) };
  } finally {
    secret.fill(0);
  }
}
