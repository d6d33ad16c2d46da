/**
 * A country node's directory: `node.json` (configuration), `keys.json` (0600: Ed25519 identity, X25519
 * box key, hit-token key), `node.db` (SQLite), `policy.json` (sharing policy) and `descriptor.json`
 * (public keys to hand to the coordinator operator for admission).
 */
import { join } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { z } from 'zod';
import { SigningKey, BoxKeyPair, TokenKey, toBase64url, fromBase64url } from '#crypto';
import { readJsonFile, writeJsonFile } from '#platform';
import { VeilError } from '#protocol';

export const NodeConfig = z.strictObject({
  country: z.string().regex(/^[A-Z]{2}$/),
  /** Websocket URL of the coordinator (`ws://host:port/v1/ws`); may also be given at start. */
  coordinatorUrl: z.string().url().nullable().default(null),
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
});
export type NodeConfig = z.infer<typeof NodeConfig>;

const KeysFile = z.strictObject({ v: z.literal(1), signing: z.string(), box: z.string(), token: z.string() });

export interface NodeKeys {
  readonly signing: SigningKey;
  readonly box: BoxKeyPair;
  readonly token: TokenKey;
}

export const nodePaths = (dir: string) => ({
  config: join(dir, 'node.json'),
  keys: join(dir, 'keys.json'),
  db: join(dir, 'node.db'),
  descriptor: join(dir, 'descriptor.json'),
  run: join(dir, 'run.json'),
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
  };
}

export function createNodeKeys(dir: string): NodeKeys {
  const keys: NodeKeys = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate() };
  writeJsonFile(
    nodePaths(dir).keys,
    { v: 1, signing: toBase64url(keys.signing.secretBytes()), box: toBase64url(keys.box.secretBytes()), token: toBase64url(keys.token.secretBytes()) },
    { secret: true },
  );
  return keys;
}

export function assertFreshDir(dir: string): void {
  if (existsSync(nodePaths(dir).config)) throw new VeilError('bad_config', `${dir} already holds a node`);
  mkdirSync(dir, { recursive: true });
}
