/**
 * Whether the compiled CLI in `dist/` is present and built from the current sources. The build
 * (`scripts/build.mjs`) writes `dist/build-stamp.json` with the time it started; the build is stale when
 * any source it compiles (or the configuration that shapes it) was modified after that, or when the
 * root package.json's `imports` (the `#name` aliases) differ from those the build copied.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders compiled into dist/ (tsconfig.build.json `include`). */
export const SOURCE_DIRS = ['crypto', 'protocol', 'sdk', 'platform', 'org', 'node', 'coordinator', 'simulations', 'cli'];
/** Files besides the sources whose change changes the build. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'];

const isSource = (name) => /\.tsx?$/.test(name) && !/\.test(-fixture)?\.ts$/.test(name);

/**
 * `{ state: 'fresh' }`, `{ state: 'missing' }`, or `{ state: 'stale', newer }` naming one source
 * changed since the build.
 */
export function distState(root) {
  const stampFile = join(root, 'dist', 'build-stamp.json');
  if (!existsSync(stampFile)) return { state: 'missing' };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return { state: 'missing' };
  }
  const builtAt = stamp.builtAt;
  if (typeof builtAt !== 'number') return { state: 'missing' };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (JSON.stringify(pkg.imports) !== JSON.stringify(stamp.imports)) return { state: 'stale', newer: 'package.json (imports)' };
  for (const f of CONFIG_FILES) {
    if (statSync(join(root, f)).mtimeMs > builtAt) return { state: 'stale', newer: f };
  }
  for (const dir of SOURCE_DIRS) {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
      if (!e.isFile() || !isSource(e.name)) continue;
      const p = join(e.parentPath ?? e.path, e.name);
      if (statSync(p).mtimeMs > builtAt) return { state: 'stale', newer: p.slice(root.length + 1) };
    }
  }
  return { state: 'fresh' };
}
