/**
 * Vitest global setup: the tests that run `veil` as a process run the compiled CLI (dist/), so it is
 * rebuilt first when a source changed since the last build (`scripts/build.mjs --if-stale`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the CLI (dist/) failed: see the output above');
}
