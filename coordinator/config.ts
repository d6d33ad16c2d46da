/**
 * Coordinator configuration (`coordinator.json` in its directory) and identity key (`keys.json`, 0600).
 */
import { join } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { z } from 'zod';
import { SigningKey, toBase64url, fromBase64url } from '#crypto';
import { readJsonFile, writeJsonFile } from '#platform';
import { VeilError } from '#protocol';

export const CoordinatorConfig = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  /** How long a query waits for target nodes before absent ones are reported as timed out. */
  queryDeadlineMs: z.number().int().min(50).max(60_000).default(3000),
  /** Deadline of encrypted biometric queries (a node scores its whole gallery: seconds for 10^6). */
  bioDeadlineMs: z.number().int().min(100).max(600_000).default(60_000),
  /** Sustained queries per second one country may send (token bucket, burst = 2 s worth). */
  ratePerCountry: z.number().positive().max(100_000).default(200),
  heartbeatMs: z.number().int().min(100).max(120_000).default(15_000),
});
export type CoordinatorConfig = z.infer<typeof CoordinatorConfig>;

const KeysFile = z.strictObject({ v: z.literal(1), signing: z.string() });

export const coordinatorPaths = (dir: string) => ({
  config: join(dir, 'coordinator.json'),
  keys: join(dir, 'keys.json'),
  db: join(dir, 'coordinator.db'),
  run: join(dir, 'run.json'),
});

export function initCoordinatorDir(dir: string, opts: { name?: string; port?: number; host?: string } = {}): CoordinatorConfig {
  const p = coordinatorPaths(dir);
  if (existsSync(p.config)) throw new VeilError('bad_config', `${dir} already holds a coordinator`);
  mkdirSync(dir, { recursive: true });
  const config = CoordinatorConfig.parse({ name: opts.name ?? 'veil-coordinator', host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  writeJsonFile(p.keys, { v: 1, signing: toBase64url(SigningKey.generate().secretBytes()) }, { secret: true });
  writeJsonFile(p.config, config);
  return config;
}

export function loadCoordinatorConfig(dir: string): CoordinatorConfig {
  return readJsonFile(coordinatorPaths(dir).config, CoordinatorConfig, 'coordinator config');
}

export function loadCoordinatorKey(dir: string): SigningKey {
  const k = readJsonFile(coordinatorPaths(dir).keys, KeysFile, 'coordinator keys');
  return SigningKey.fromBytes(fromBase64url(k.signing));
}
