/**
 * `npm run chaos -- --kills N --seed S`: SIGKILL chaos against a real network of processes under a
 * workload (bench/chaos/run.ts); writes `bench/results/chaos.json` and exits non-zero when anything
 * accepted was lost or duplicated or an audit chain does not verify.
 */
import { runChaos } from './chaos/run.ts';
import { headCommit, writeResultFile } from './harness/results.ts';

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${name} needs a whole number`);
  return v;
}

const argv = process.argv.slice(2);
const report = await runChaos({ kills: arg(argv, '--kills', 100), seed: arg(argv, '--seed', 1), log: (s) => console.log(s) });
const file = writeResultFile('chaos.json', { commit: headCommit(), at: new Date().toISOString(), ...report });
console.log(JSON.stringify(report, null, 2));
console.log(`written to ${file.pathname}`);
process.exit(report.lost === 0 && report.duplicated === 0 && report.auditChainsOk ? 0 : 1);
