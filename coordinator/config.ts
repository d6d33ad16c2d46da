/**
 * The coordinator's directory (mode 0700): `coordinator.json` (configuration), `keys.json` (0600: its
 * Ed25519 signing key and its separate TLS key), `bundle.json` (the organisation's trust bundle it
 * pins), `request.json` (its certificate request, for `veil org admit --coordinator`),
 * `certificate.json` (its member certificate, once enrolled) and `coordinator.db`.
 */

import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fromBase64url, SigningKey, TlsKey, toBase64url } from '#crypto';
import {
  checkCertificate,
  type Enrolled,
  layerSettings,
  pinTrustBundle,
  readCertificateFile,
  readJsonFile,
  readTrustBundle,
  type SettingSources,
  type SettingSpecs,
  updatePinnedBundle,
  writeCertificateFile,
  writeCertificateRequest,
  writeJsonFile,
} from '#platform';
import { type Hosts, rootFingerprint, type TrustBundle, VeilError } from '#protocol';
import { MAX_UNREAD_BYTES } from './transport.ts';

export const CoordinatorConfig = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  /** Plain ws:// and http:// instead of TLS: for development on one machine only; warns at every start. */
  insecureDevTransport: z.boolean().default(false),
  /** How long a query waits for target nodes before absent ones are reported as timed out. */
  queryDeadlineMs: z.number().int().min(50).max(60_000).default(3000),
  /** Deadline of encrypted biometric queries (a node scores its whole gallery: seconds for 10^6). */
  bioDeadlineMs: z.number().int().min(100).max(600_000).default(60_000),
  /** Sustained queries per second one country may send (token bucket, burst = 2 s worth). */
  ratePerCountry: z.number().positive().max(100_000).default(200),
  /** Sustained lookup keys per second one country may send (token bucket, burst = 2 s worth; one key is one index bucket read). */
  lookupKeysPerCountry: z.number().positive().max(10_000_000).default(4096),
  /** Sustained blinded elements per second one country may have one target evaluate (burst = 2 s worth). */
  evalsPerPair: z.number().positive().max(10_000_000).default(1000),
  /** Sustained encrypted biometric queries per second one country may send one target (burst = 10 s worth). */
  bioPerPair: z.number().positive().max(10_000).default(2),
  heartbeatMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Connections per remote address that have not logged in yet; more are dropped at accept. */
  maxPendingPerAddress: z.number().int().min(1).max(10_000).default(16),
  /** Bytes of answers a member may leave unread before it is cut off (default: two of the largest frames). */
  maxUnreadBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 ** 3)
    .default(MAX_UNREAD_BYTES),
  /**
   * On SIGTERM, how long to wait for queries in flight before closing anyway (`VEIL_SHUTDOWN_GRACE_MS`
   * overrides it). Above `queryDeadlineMs` lets identifier queries finish; biometric ones may be cut.
   */
  shutdownGraceMs: z.number().int().min(0).max(3_600_000).default(30_000),
  /**
   * PostgreSQL instead of the embedded SQLite file: `postgres://user@host:port/database` (the password
   * from PGPASSWORD or ~/.pgpass). Several coordinator instances on one database run active/standby
   * (docs/high-availability.md). `VEIL_COORDINATOR_POSTGRES_URL` overrides it.
   */
  postgresUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .nullable()
    .default(null),
});
export type CoordinatorConfig = z.infer<typeof CoordinatorConfig>;

const KeysFile = z.strictObject({ v: z.literal(1), signing: z.string(), tls: z.string() });

export const coordinatorPaths = (dir: string) => ({
  config: join(dir, 'coordinator.json'),
  keys: join(dir, 'keys.json'),
  db: join(dir, 'coordinator.db'),
  run: join(dir, 'run.json'),
  bundle: join(dir, 'bundle.json'),
  request: join(dir, 'request.json'),
  certificate: join(dir, 'certificate.json'),
});

export interface CoordinatorKeys {
  readonly signing: SigningKey;
  readonly tls: TlsKey;
}

export interface InitCoordinatorOptions {
  name?: string;
  port?: number;
  host?: string;
  /** The organisation's trust bundle to pin. */
  bundle: string;
  /** Names in the TLS certificate: where nodes reach this coordinator. */
  hosts?: Hosts;
  insecureDevTransport?: boolean;
  /** PostgreSQL instead of the embedded SQLite file (a replicated deployment). */
  postgresUrl?: string;
}

/** Create the directory, its keys, pin the bundle and write the certificate request. */
export function initCoordinatorDir(dir: string, opts: InitCoordinatorOptions): { config: CoordinatorConfig; fingerprint: string; request: string } {
  const p = coordinatorPaths(dir);
  if (existsSync(p.config)) throw new VeilError('bad_config', `${dir} already holds a coordinator`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const bundle = pinTrustBundle(opts.bundle, p.bundle);
  const config = CoordinatorConfig.parse({
    name: opts.name ?? 'veil-coordinator',
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    insecureDevTransport: opts.insecureDevTransport ?? false,
    postgresUrl: opts.postgresUrl ?? null,
  });
  const keys = { signing: SigningKey.generate(), tls: TlsKey.generate() };
  writeJsonFile(p.keys, { v: 1, signing: toBase64url(keys.signing.secretBytes()), tls: toBase64url(keys.tls.pkcs8()) }, { secret: true });
  writeJsonFile(p.config, config);
  const hosts = opts.hosts ?? {
    dns: ['localhost'],
    ip: [config.host === 'localhost' ? '127.0.0.1' : config.host].filter((h) => /^\d+\.\d+\.\d+\.\d+$/.test(h)),
  };
  writeCertificateRequest(p.request, keys.signing, { role: 'coordinator', name: config.name, tlsPub: keys.tls.spki(), hosts, ts: Date.now() });
  return { config, fingerprint: rootFingerprint(bundle.rootPub), request: p.request };
}

export function loadCoordinatorConfig(dir: string): CoordinatorConfig {
  return readJsonFile(coordinatorPaths(dir).config, CoordinatorConfig, 'coordinator config');
}

/**
 * The settings an operator may change without editing coordinator.json: in a config file (`--config`,
 * `VEIL_CONFIG`) or an environment variable, which overrides the file (`platform/settings.ts`).
 */
export const COORDINATOR_SETTINGS = {
  host: { env: 'VEIL_COORDINATOR_HOST', kind: 'string' },
  port: { env: 'VEIL_COORDINATOR_PORT', kind: 'number' },
  queryDeadlineMs: { env: 'VEIL_COORDINATOR_QUERY_DEADLINE_MS', kind: 'number' },
  bioDeadlineMs: { env: 'VEIL_COORDINATOR_BIO_DEADLINE_MS', kind: 'number' },
  ratePerCountry: { env: 'VEIL_COORDINATOR_RATE_PER_COUNTRY', kind: 'number' },
  heartbeatMs: { env: 'VEIL_COORDINATOR_HEARTBEAT_MS', kind: 'number' },
  maxPendingPerAddress: { env: 'VEIL_COORDINATOR_MAX_PENDING_PER_ADDRESS', kind: 'number' },
  maxUnreadBytes: { env: 'VEIL_COORDINATOR_MAX_UNREAD_BYTES', kind: 'number' },
  lookupKeysPerCountry: { env: 'VEIL_COORDINATOR_LOOKUP_KEYS_PER_COUNTRY', kind: 'number' },
  evalsPerPair: { env: 'VEIL_COORDINATOR_EVALS_PER_PAIR', kind: 'number' },
  bioPerPair: { env: 'VEIL_COORDINATOR_BIO_PER_PAIR', kind: 'number' },
  shutdownGraceMs: { env: 'VEIL_SHUTDOWN_GRACE_MS', kind: 'number' },
} as const satisfies Partial<SettingSpecs<keyof CoordinatorConfig>>;

/** coordinator.json with the config file's and the environment's settings applied. */
export function coordinatorSettings(dir: string, sources: SettingSources = {}): CoordinatorConfig {
  return layerSettings(CoordinatorConfig, loadCoordinatorConfig(dir), COORDINATOR_SETTINGS, sources);
}

export function loadCoordinatorKeys(dir: string): CoordinatorKeys {
  const k = readJsonFile(coordinatorPaths(dir).keys, KeysFile, 'coordinator keys');
  return { signing: SigningKey.fromBytes(fromBase64url(k.signing)), tls: TlsKey.fromPkcs8(fromBase64url(k.tls)) };
}

/** The coordinator's signing key (its audit checkpoints are signed with it). */
export function loadCoordinatorKey(dir: string): SigningKey {
  return loadCoordinatorKeys(dir).signing;
}

export function loadCoordinatorBundle(dir: string): TrustBundle {
  return readTrustBundle(coordinatorPaths(dir).bundle);
}

/** Take a newer organisation bundle (same root, or a rollover the pinned root signed); applies at the next start. */
export function updateCoordinatorBundle(dir: string, file: string): { bundle: TrustBundle; rolledOver: boolean } {
  return updatePinnedBundle(file, coordinatorPaths(dir).bundle);
}

/** Install the certificate the organisation issued for this coordinator's request. */
export function enrollCoordinator(dir: string, certificateFile: string, now = Date.now()): Enrolled {
  const cfg = loadCoordinatorConfig(dir);
  const keys = loadCoordinatorKeys(dir);
  const e = checkCertificate(readCertificateFile(certificateFile), loadCoordinatorBundle(dir), { role: 'coordinator', name: cfg.name, ...keys }, now);
  writeCertificateFile(coordinatorPaths(dir).certificate, e.certificate);
  return e;
}

/** The installed certificate, checked again (it may have expired since it was installed). */
export function loadCoordinatorCertificate(dir: string, now = Date.now()): Enrolled {
  const p = coordinatorPaths(dir);
  if (!existsSync(p.certificate)) {
    throw new VeilError(
      'bad_config',
      `the coordinator has no certificate yet: run \`veil org admit --coordinator --request ${p.request}\`, then \`veil coordinator enroll --dir ${dir} --cert FILE\``,
    );
  }
  const cfg = loadCoordinatorConfig(dir);
  return checkCertificate(
    readCertificateFile(p.certificate),
    loadCoordinatorBundle(dir),
    { role: 'coordinator', name: cfg.name, ...loadCoordinatorKeys(dir) },
    now,
  );
}
