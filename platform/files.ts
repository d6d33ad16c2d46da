/**
 * Config and key files: JSON validated by a zod schema on read; secrets written with mode 0600 via a
 * temporary file and rename, so a crash never leaves a half-written key file.
 */
import { readFileSync, writeFileSync, renameSync, existsSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { VeilError } from '#protocol';

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

export function writeJsonFile(path: string, value: unknown, opts: { secret?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: opts.secret ? 0o600 : 0o644 });
  if (opts.secret) chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Publish the address a server actually bound, for CLIs and demos that started it on port 0. */
export function writeRunFile(path: string, info: Record<string, unknown>): void {
  writeJsonFile(path, { ...info, pid: process.pid, startedAt: new Date().toISOString() });
}
