/**
 * Where benchmark results go: one JSON file per benchmark in `bench/results/`, stamped with the commit
 * the code was at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { REPO_ROOT } from '#simulations';

/** The short hash of HEAD (uncommitted changes are not recorded); null outside a git checkout. */
export function headCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * Writes `value` as indented JSON to `bench/results/<name>` (creating the folder) and returns the file's
 * URL. Bigints are written as decimal strings.
 */
export function writeResultFile(name: string, value: unknown): URL {
  const outDir = new URL('../results/', import.meta.url);
  mkdirSync(outDir, { recursive: true });
  const outFile = new URL(name, outDir);
  writeFileSync(outFile, `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  return outFile;
}
