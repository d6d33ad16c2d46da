/**
 * The test half of `npm test`, after the lint: the type check (`tsc --noEmit`) and the test suite
 * (`vitest run`) side by side. The suite leaves a core idle part of the time (processes starting,
 * networks settling) and the type check fills it, instead of holding both cores' work back by its
 * half-minute on one core at the start. The suite's output streams as it comes; the type check's is
 * printed when it ends, so the two never interleave. Fails if either fails; extra arguments go to vitest.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(cmd, args, stream) {
  return new Promise((resolve) => {
    const chunks = [];
    const p = spawn(cmd, args, { cwd: root, stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    if (!stream) {
      p.stdout.on('data', (c) => chunks.push(c));
      p.stderr.on('data', (c) => chunks.push(c));
    }
    p.on('error', (e) => resolve({ code: 1, output: `${cmd}: ${e.message}\n` }));
    p.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() }));
  });
}

const started = Date.now();
const [types, tests] = await Promise.all([
  run(bin('tsc'), ['--noEmit', '-p', '.'], false).then((r) => {
    const s = ((Date.now() - started) / 1000).toFixed(0);
    process.stderr.write(r.code === 0 ? `type check: clean (${s} s)\n` : `type check FAILED (${s} s): its errors follow the tests\n`);
    return r;
  }),
  run(bin('vitest'), ['run', ...process.argv.slice(2)], true),
]);
if (types.code !== 0) process.stderr.write(`type check FAILED:\n${types.output}`);
process.exitCode = types.code !== 0 || tests.code !== 0 ? 1 : 0;
