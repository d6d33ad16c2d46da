/**
 * `veil node backup FILE` and `veil node restore FILE`: the whole node directory — configuration, keys,
 * certificate, trust bundle, policy, issued analyst credentials and a consistent copy of `node.db` — in
 * one archive sealed under a passphrase (`archive.ts`).
 *
 * Online and consistent: the database is copied with `VACUUM INTO`, which reads one snapshot inside a
 * single read transaction (WAL lets the running node keep writing meanwhile) and never restarts, unlike
 * the page-by-page backup API, which starts over whenever another process writes. The copy is written
 * 0600 inside the node's own 0700 directory and deleted once archived. A `node.backup` audit entry is
 * written first, so the copy's audit chain ends with it.
 *
 * Restore writes into a directory that does not exist yet (never over a node), through a staging
 * directory renamed into place at the end, so a failed restore leaves nothing behind. It checks that
 * the archive's node is whole — configuration, keys, database — and that the restored audit chain
 * verifies under the node's key, then:
 * - drops the data owners' console sessions (a restored cookie must not log anyone in);
 * - writes `node.restored` to the audit log;
 * - leaves out `run.json` (it names a process that is not this one).
 * What a restore cannot undo — mail acknowledged and budgets spent after the backup, two running copies
 * of one node — is in docs/backups.md.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { initCrypto, type PassphraseLimits, randomBytes, toHex, verifySignature } from '#crypto';
import { privateDir, privateFile, verifyAudit } from '#platform';
import { VeilError } from '#protocol';
import { nodeAudit } from '../admin-ops.ts';
import { loadNodeConfig, loadNodeKeys, nodePaths } from '../config.ts';
import { NodeStore } from '../store/sqlite-store.ts';
import { ArchiveReader, ArchiveWriter } from './archive.ts';

/** Never archived: the live database files (a consistent copy goes in instead) and the run file. */
const SKIP = new Set(['node.db', 'node.db-wal', 'node.db-shm', 'node.db-journal', 'run.json']);
const SNAPSHOT = 'node.db';

export interface BackupReport {
  readonly country: string;
  readonly file: string;
  readonly files: number;
  readonly bytes: number;
}

/** The regular files of the node directory to archive, by name relative to it (one level of folders). */
function nodeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.has(name) || name.startsWith('.backup-') || name.includes('.tmp-')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isFile()) out.push(name);
    else if (st.isDirectory()) for (const sub of readdirSync(p).sort()) if (statSync(join(p, sub)).isFile()) out.push(`${name}/${sub}`);
  }
  return out;
}

export async function backupNode(dir: string, file: string, passphrase: string, opts: { limits?: PassphraseLimits; now?: number } = {}): Promise<BackupReport> {
  await initCrypto();
  const cfg = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
  if (existsSync(file)) throw new VeilError('conflict', `${file} already exists: choose a new file name (a backup never overwrites one)`);
  if (!relative(resolve(dir), resolve(file)).startsWith('..')) throw new VeilError('bad_request', 'write the backup outside the node directory');
  const snapshot = join(dir, `.backup-${toHex(randomBytes(8))}.db`);
  const store = new NodeStore(nodePaths(dir).db);
  let writer: ArchiveWriter | undefined;
  try {
    nodeAudit(store, keys).append({ kind: 'node.backup', country: cfg.country });
    privateFile(snapshot); // empty and 0600 before SQLite writes into it
    store.db.prepare('VACUUM INTO ?').run(snapshot);
    store.close();
    writer = new ArchiveWriter(file, { country: cfg.country, createdAt: opts.now ?? Date.now() }, passphrase, opts.limits);
    let bytes = 0;
    const names = [...nodeFiles(dir), SNAPSHOT];
    for (const name of names) {
      const fd = openSync(name === SNAPSHOT ? snapshot : join(dir, name), 'r');
      try {
        bytes += statSync(name === SNAPSHOT ? snapshot : join(dir, name)).size;
        writer.addFile(name, fd);
      } finally {
        closeSync(fd);
      }
    }
    writer.end();
    writer = undefined;
    return { country: cfg.country, file, files: names.length, bytes };
  } catch (e) {
    writer?.abort();
    if (writer) rmSync(file, { force: true });
    throw e;
  } finally {
    store.close();
    rmSync(snapshot, { force: true });
  }
}

export interface RestoreReport {
  readonly country: string;
  readonly dir: string;
  readonly createdAt: number;
  readonly files: number;
  readonly auditEntries: number;
}

export async function restoreNode(file: string, dir: string, passphrase: string): Promise<RestoreReport> {
  await initCrypto();
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new VeilError('conflict', `${dir} is not empty: restore into a new directory (a restore never overwrites a node)`);
  }
  const reader = new ArchiveReader(file);
  const staging = join(dirname(resolve(dir)), `.${basename(dir)}.restore-${toHex(randomBytes(6))}`);
  let files = 0;
  try {
    reader.unlock(passphrase);
    privateDir(staging);
    for (let e = reader.next(); e; e = reader.next()) {
      const target = join(staging, e.name);
      if (relative(staging, target).startsWith('..')) throw new VeilError('bad_request', 'backup entry outside the node directory');
      if (e.name.includes('/')) privateDir(dirname(target));
      const fd = openSync(target, 'wx', 0o600);
      try {
        for (let left = e.size; left > 0; ) {
          const bytes = reader.read(left);
          writeSync(fd, bytes);
          left -= bytes.length;
        }
      } finally {
        closeSync(fd);
      }
      files++;
    }
    const auditEntries = checkRestored(staging, reader.header.country);
    if (existsSync(dir)) rmSync(dir, { recursive: true });
    mkdirSync(dirname(resolve(dir)), { recursive: true });
    renameSync(staging, dir);
    return { country: reader.header.country, dir, createdAt: reader.header.createdAt, files, auditEntries };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    reader.close();
  }
}

/** The restored directory is a whole node of the archive's country with an intact audit chain; then its restore rules. */
function checkRestored(dir: string, country: string): number {
  const p = nodePaths(dir);
  for (const need of [p.config, p.keys, p.db]) if (!existsSync(need)) throw new VeilError('bad_request', `the backup has no ${basename(need)}`);
  const cfg = loadNodeConfig(dir);
  if (cfg.country !== country) throw new VeilError('bad_request', 'the backup’s header and its node configuration name different countries');
  const keys = loadNodeKeys(dir);
  const store = new NodeStore(p.db);
  try {
    const report = verifyAudit(store.db, { publicKey: keys.signing.publicKey(), verify: verifySignature });
    if (!report.ok) throw new VeilError('bad_request', `the backup’s audit log does not verify (entry ${report.firstBroken?.seq ?? '?'})`);
    store.db.prepare('DELETE FROM owner_sessions').run();
    nodeAudit(store, keys).append({ kind: 'node.restored', country });
    return report.entries + 1;
  } finally {
    store.close();
  }
}

/** Refuses a backup passphrase too short to be one (the archive's KDF checks the rest). */
export function checkBackupPassphrase(passphrase: string | undefined): string {
  if (!passphrase) throw new VeilError('bad_request', 'no backup passphrase: set VEIL_BACKUP_PASSPHRASE or type it at the prompt');
  if (passphrase.length < 12) throw new VeilError('bad_request', 'the backup passphrase must have at least 12 characters');
  return passphrase;
}
