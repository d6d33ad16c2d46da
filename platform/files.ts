/**
 * Config and key files: JSON validated by a zod schema on read; secrets written with mode 0600 via a
 * temporary file and rename, so a crash never leaves a half-written key file.
 *
 * Private files and directories (issue 10): every file holding a key or records is 0600 and lives in a
 * directory only its owner may enter (0700). Modes are set with chmod after creation, so they do not
 * depend on the process umask (which can only remove bits at creation, and may remove too few).
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { VeilError } from '#protocol';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function readJsonFile<S extends z.ZodType>(path: string, schema: S, what: string): z.infer<S> {
  if (!existsSync(path)) throw new VeilError('bad_config', `${what} not found at ${path}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new VeilError('bad_config', `${what} at ${path} is not valid JSON`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new VeilError('bad_config', `${what} at ${path}: ${i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid'}`);
  }
  return r.data;
}

/** Make `dir` (created if missing, with its parents) a directory only its owner may enter: 0700. */
export function privateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(dir, PRIVATE_DIR_MODE);
  } catch (e) {
    throw new VeilError('bad_config', `cannot make ${dir} a private directory (0700): ${errnoCode(e)}`);
  }
}

/** Create `path` if missing, and make it readable and writable by its owner only: 0600. */
export function privateFile(path: string): void {
  try {
    const fd = openSync(path, 'a', PRIVATE_FILE_MODE);
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new VeilError('bad_config', `cannot make ${path} a private file (0600): ${errnoCode(e)}`);
  }
}

/**
 * Write JSON atomically (temporary file, then rename). A secret is 0600, and a directory created for
 * it is 0700; an existing directory is left as it is (it may be the user's own, e.g. for `--out`).
 */
export function writeJsonFile(path: string, value: unknown, opts: { secret?: boolean } = {}): void {
  const dir = dirname(path);
  if (opts.secret && !existsSync(dir)) privateDir(dir);
  else mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: opts.secret ? PRIVATE_FILE_MODE : 0o644 });
  if (opts.secret) chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, path);
}

/** Publish the address a server actually bound, for CLIs and demos that started it on port 0. */
export function writeRunFile(path: string, info: Record<string, unknown>): void {
  writeJsonFile(path, { ...info, pid: process.pid, startedAt: new Date().toISOString() });
}

/** The errno code of a file-system error (never its message, which may quote paths of others). */
function errnoCode(e: unknown): string {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : 'error';
}
