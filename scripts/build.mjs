/**
 * `npm run build` (also run by `npm install` / `npm ci` through `prepare`): compiles the TypeScript
 * sources the `veil` command needs into `dist/` as plain JavaScript, so the command starts without a
 * TypeScript loader. Type checking is `npm run typecheck`'s job: the build only transpiles
 * (`tsc --noCheck`; the sources are `isolatedModules`), so it takes seconds.
 *
 * It also links `node_modules/.bin/veil` to `bin/veil`, so `npx veil` in the repository runs this
 * project's command and never fetches the unrelated registry package of the same name.
 *
 * `dist/` gets its own package.json whose `imports` map `#crypto`, `#protocol`, … to the compiled
 * `index.js` files: Node resolves a `#name` from the nearest package.json, so compiled code finds
 * compiled code while tsx and vitest, reading the root package.json, keep using the sources.
 *
 * The new build is written beside the old one and swapped in at the end, so a `veil` started meanwhile
 * sees either the old build or the new one. `--if-stale` does nothing when `dist/` is current.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distState, SOURCE_DIRS } from './dist-stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const say = (s) => process.stderr.write(`veil build: ${s}\n`);

// `npx veil` looks for a `veil` in node_modules/.bin before it would fetch a package of that name from
// the registry (an unrelated one exists): npm does not link a project's own bin there, so we do.
const localBin = join(root, 'node_modules', '.bin', 'veil');
if (existsSync(join(root, 'node_modules'))) {
  let present = false;
  try {
    present = lstatSync(localBin).isSymbolicLink();
  } catch {
    present = false;
  }
  if (!present) {
    mkdirSync(dirname(localBin), { recursive: true });
    rmSync(localBin, { force: true });
    symlinkSync(join('..', '..', 'bin', 'veil'), localBin);
  }
}

if (process.argv.includes('--if-stale')) {
  const s = distState(root);
  if (s.state === 'fresh') process.exit(0);
  say(s.state === 'missing' ? 'dist/ is missing' : `dist/ is older than ${s.newer}`);
}

const started = Date.now();
say(`compiling ${SOURCE_DIRS.join(', ')} from TypeScript to JavaScript in dist/ (the veil command runs the compiled code) …`);
const tmp = join(root, `dist.tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck', '--outDir', tmp], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(tmp, { recursive: true, force: true });
  say(`tsc failed (exit ${r.status ?? r.signal}); dist/ left as it was`);
  process.exit(1);
}

// The aliases of the root package.json, pointing at the compiled files.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const imports = Object.fromEntries(Object.entries(pkg.imports).map(([k, v]) => [k, v.replace(/\.tsx?$/, '.js')]));
writeFileSync(join(tmp, 'package.json'), `${JSON.stringify({ name: 'veil-dist', private: true, type: 'module', imports }, null, 2)}\n`);
writeFileSync(join(tmp, 'build-stamp.json'), `${JSON.stringify({ builtAt: started, version: pkg.version, imports: pkg.imports }, null, 2)}\n`);

const old = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(tmp, dist);
rmSync(old, { recursive: true, force: true });
say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
