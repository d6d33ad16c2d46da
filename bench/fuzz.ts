/**
 * `npm run fuzz -- --frames N --seed S`: structure-aware fuzzing of every entry of a real network in
 * this process (bench/fuzz/run.ts); writes `bench/results/fuzz.json` (every 5,000 inputs with
 * `partial: true`, then the whole run) and exits non-zero on a crash or a hang.
 */
import { runFuzz } from './fuzz/run.ts';
import { headCommit, writeResultFile } from './harness/results.ts';

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${name} needs a whole number`);
  return v;
}

const argv = process.argv.slice(2);
const frames = arg(argv, '--frames', 10_000);
const seed = arg(argv, '--seed', 1);
const started = performance.now();
const report = await runFuzz({
  frames,
  seed,
  onProgress: (n, r) => {
    if (n % 5000 !== 0) return;
    const s = (performance.now() - started) / 1000;
    console.log(`${n}/${frames} frames in ${Math.round(s)} s, hangs ${r.hangs} (late ${r.lateAnswers}), untyped ${r.untyped}, max rss ${r.maxRssMiB} MiB`);
    // A long run leaves its figures so far, in case it is stopped before the end.
    writeResultFile('fuzz.json', { commit: headCommit(), at: new Date().toISOString(), partial: true, seconds: Math.round(s), ...r });
  },
});
const file = writeResultFile('fuzz.json', { commit: headCommit(), at: new Date().toISOString(), ...report });
console.log(JSON.stringify(report, null, 2));
console.log(`written to ${file.pathname}`);
process.exit(report.crashes === 0 && report.hangs === 0 ? 0 : 1);
