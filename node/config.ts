/**
 * A country node's directory (mode 0700): `node.json` (configuration), `keys.json` (0600: Ed25519
 * identity, X25519 box key, hit-token key and a separate TLS key), `node.db` (SQLite), `policy.json`
 * (sharing policy), `bundle.json` (the organisation's trust bundle the node pins), `request.json` (its
 * certificate request, for `veil org admit`) and `certificate.json` (its member certificate, once
 * enrolled with `veil node enroll`).
 */

import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BoxKeyPair, fromBase64url, SigningKey, TlsKey, TokenKey, toBase64url } from '#crypto';
import {
  checkCertificate,
  type Enrolled,
  layerSettings,
  readCertificateFile,
  readJsonFile,
  readTrustBundle,
  type SettingSources,
  type SettingSpecs,
  updatePinnedBundle,
  writeCertificateFile,
  writeJsonFile,
} from '#platform';
import { type TrustBundle, VeilError } from '#protocol';

export const NodeConfig = z.strictObject({
  country: z.string().regex(/^[A-Z]{2}$/),
  /** Websocket URL of the coordinator (`wss://host:port/v1/ws`); may also be given at start. */
  coordinatorUrl: z.string().url().nullable().default(null),
  /**
   * Every coordinator instance's URL, for a replicated coordinator (docs/high-availability.md): the
   * node tries them in turn. When set, it takes the place of `coordinatorUrl`.
   */
  coordinatorUrls: z.array(z.string().url()).max(16).default([]),
  /** Plain ws:// and http:// instead of TLS: for development on one machine only; warns at every start. */
  insecureDevTransport: z.boolean().default(false),
  /** The analyst API (gateway) listener. */
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  /** The data owners' admin listener (approval console): loopback by default. */
  adminHost: z.string().default('127.0.0.1'),
  adminPort: z.number().int().min(0).max(65535).default(0),
  /** Set when the console is reached through a TLS reverse proxy: cookies get `Secure` and `__Host-`. */
  adminSecureCookies: z.boolean().default(false),
  policyFile: z.string().default('policy.json'),
  /** Worker threads for index building; 0 = one per core. */
  workers: z.number().int().min(0).max(64).default(0),
  /**
   * On SIGTERM, how long to wait for analysts' requests and searches in flight before closing anyway
   * (`VEIL_SHUTDOWN_GRACE_MS` overrides it).
   */
  shutdownGraceMs: z.number().int().min(0).max(3_600_000).default(30_000),
});
export type NodeConfig = z.infer<typeof NodeConfig>;

/**
 * The settings an operator may change without editing node.json: in a config file (`--config`,
 * `VEIL_CONFIG`) or an environment variable, which overrides the file (`platform/settings.ts`).
 */
export const NODE_SETTINGS = {
  coordinatorUrl: { env: 'VEIL_COORDINATOR_URL', kind: 'string' },
  host: { env: 'VEIL_NODE_HOST', kind: 'string' },
  port: { env: 'VEIL_NODE_PORT', kind: 'number' },
  adminHost: { env: 'VEIL_NODE_ADMIN_HOST', kind: 'string' },
  adminPort: { env: 'VEIL_NODE_ADMIN_PORT', kind: 'number' },
  adminSecureCookies: { env: 'VEIL_NODE_ADMIN_SECURE_COOKIES', kind: 'boolean' },
  workers: { env: 'VEIL_NODE_WORKERS', kind: 'number' },
} as const satisfies Partial<SettingSpecs<keyof NodeConfig>>;

/** node.json with the config file's and the environment's settings applied. */
export function nodeSettings(dir: string, sources: SettingSources = {}): NodeConfig {
  return layerSettings(NodeConfig, loadNodeConfig(dir), NODE_SETTINGS, sources);
}

const KeysFile = z.strictObject({ v: z.literal(1), signing: z.string(), box: z.string(), token: z.string(), tls: z.string() });

export interface NodeKeys {
  readonly signing: SigningKey;
  readonly box: BoxKeyPair;
  readonly token: TokenKey;
  /** The key of the node's TLS certificate (P-256; never the signing key). */
  readonly tls: TlsKey;
}

export const nodePaths = (dir: string) => ({
  config: join(dir, 'node.json'),
  keys: join(dir, 'keys.json'),
  db: join(dir, 'node.db'),
  run: join(dir, 'run.json'),
  bundle: join(dir, 'bundle.json'),
  request: join(dir, 'request.json'),
  certificate: join(dir, 'certificate.json'),
  analysts: join(dir, 'analysts'),
});

export function loadNodeConfig(dir: string): NodeConfig {
  return readJsonFile(nodePaths(dir).config, NodeConfig, 'node config');
}

export function saveNodeConfig(dir: string, cfg: NodeConfig): void {
  writeJsonFile(nodePaths(dir).config, cfg);
}

export function loadNodeKeys(dir: string): NodeKeys {
  const k = readJsonFile(nodePaths(dir).keys, KeysFile, 'node keys');
  return {
    signing: SigningKey.fromBytes(fromBase64url(k.signing)),
    box: BoxKeyPair.fromBytes(fromBase64url(k.box)),
    token: TokenKey.fromBytes(fromBase64url(k.token)),
    tls: TlsKey.fromPkcs8(fromBase64url(k.tls)),
  };
}

export function createNodeKeys(dir: string): NodeKeys {
  const keys: NodeKeys = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  writeJsonFile(
    nodePaths(dir).keys,
    {
      v: 1,
      signing: toBase64url(keys.signing.secretBytes()),
      box: toBase64url(keys.box.secretBytes()),
      token: toBase64url(keys.token.secretBytes()),
      tls: toBase64url(keys.tls.pkcs8()),
    },
    { secret: true },
  );
  return keys;
}

export function assertFreshDir(dir: string): void {
  if (existsSync(nodePaths(dir).config)) throw new VeilError('bad_config', `${dir} already holds a node`, { hint: 'choose another --dir' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // Keys, records and credentials: never committed by accident when the directory sits in a repository.
  writeFileSync(join(dir, '.gitignore'), '# A Veil node directory: private keys, records and credentials. Never commit it.\n*\n');
}

export function loadNodeBundle(dir: string): TrustBundle {
  return readTrustBundle(nodePaths(dir).bundle);
}

/** Take a newer organisation bundle (same root, or a rollover the pinned root signed); applies at the next start. */
export function updateNodeBundle(dir: string, file: string): { bundle: TrustBundle; rolledOver: boolean } {
  return updatePinnedBundle(file, nodePaths(dir).bundle);
}

/** Install the certificate the organisation issued for this node's request. */
export function enrollNode(dir: string, certificateFile: string, now = Date.now()): Enrolled {
  const cfg = loadNodeConfig(dir);
  const e = checkCertificate(readCertificateFile(certificateFile), loadNodeBundle(dir), { role: 'node', name: cfg.country, ...loadNodeKeys(dir) }, now);
  writeCertificateFile(nodePaths(dir).certificate, e.certificate);
  return e;
}

/** The installed certificate, checked again against the pinned bundle (it may have expired since). */
export function loadNodeCertificate(dir: string, now = Date.now()): Enrolled {
  const p = nodePaths(dir);
  const cfg = loadNodeConfig(dir);
  if (!existsSync(p.certificate)) {
    throw new VeilError(
      'bad_config',
      `node ${cfg.country} has no certificate yet: the organisation admits it with \`veil org admit ${cfg.country} --request ${p.request}\`, then \`veil node enroll --dir ${dir} --cert FILE\``,
    );
  }
  return checkCertificate(readCertificateFile(p.certificate), loadNodeBundle(dir), { role: 'node', name: cfg.country, ...loadNodeKeys(dir) }, now);
}
