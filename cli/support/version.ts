/**
 * `veil --version`: the package's version, read from the repository's package.json (found from this
 * module whether it runs from the sources or compiled in dist/), with the Node.js version running it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function veilVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (!existsSync(p)) continue;
    const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'veil' && pkg.version) return `veil ${pkg.version} (Node.js ${process.version})`;
  }
  return `veil (version unknown; Node.js ${process.version})`;
}
