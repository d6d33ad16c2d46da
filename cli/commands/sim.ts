/**
 * `veil sim init|run|sweep`: protocol simulations with ground truth, adversaries and a report
 * (docs/simulations.md). `run` exits 3 when the leakage ledger found an excess.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VeilError } from '#protocol';
import { exampleScenarioText, parseScenario, runSimulation, runSweep } from '#simulations';
import { out } from '../support/output.ts';
import { ProgressBar } from '../support/progress.ts';

const MAX_SCENARIO_BYTES = 1 << 20;

function readScenario(file: string): string {
  if (!existsSync(file)) throw new VeilError('bad_request', `${file}: no such scenario file`);
  const text = readFileSync(file, 'utf8');
  if (text.length > MAX_SCENARIO_BYTES) throw new VeilError('bad_request', `${file}: larger than ${MAX_SCENARIO_BYTES} bytes`);
  return text;
}

function seedOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new VeilError('bad_request', `--seed ${v}: an integer between 0 and 2^32-1`);
  return n;
}

/** Progress callbacks forwarded to the bar only when the phase or count changes. */
function progress(bar: ProgressBar): (phase: string, done: number, total: number) => void {
  let last = '';
  return (phase, done, total) => {
    const key = `${phase}:${done}`;
    if (key === last) return;
    last = key;
    bar.update(phase, done, total);
  };
}

export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('protocol simulations: ground truth, adversaries, leakage ledger, report');
  sim
    .command('init')
    .description('write a commented example scenario')
    .argument('[file]', 'where to write it', 'scenario.jsonc')
    .option('--force', 'overwrite an existing file')
    .action((file: string, o: { force?: boolean }) => {
      if (existsSync(file) && !o.force) throw new VeilError('bad_request', `${file} exists (use --force to overwrite)`);
      writeFileSync(file, exampleScenarioText());
      process.stdout.write(`wrote ${file}; run it with: veil sim run ${file} --out sim-out\n`);
    });
  sim
    .command('run')
    .description('run a scenario; write DIR/results.json, DIR/measured.json and DIR/report.html (exit 3 on a ledger excess)')
    .argument('<scenario>', 'scenario file (JSON with comments)')
    .option('--out <dir>', 'output directory', 'sim-out')
    .option('--seed <n>', 'override the scenario seed')
    .option('--quiet', 'no progress bar')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { out: string; seed?: string; quiet?: boolean; json?: boolean }) => {
      const parsed = parseScenario(readScenario(file), file);
      const seed = seedOf(o.seed);
      const s = seed === undefined ? parsed : { ...parsed, seed };
      const bar = new ProgressBar(!o.quiet);
      const r = await runSimulation(s, { outDir: o.out, onProgress: progress(bar) });
      out(!!o.json, { exitCode: r.exitCode, files: r.files, reason: r.results.exit.reason, measured: r.measured }, () =>
        [
          `${(r.results.queries as { completed: number }).completed} queries completed in ${r.measured.wallSeconds} s (${r.measured.peakRssMiB} MiB peak)`,
          `results: ${resolve(r.files.results)}`,
          `report:  ${resolve(r.files.report)}`,
          r.exitCode === 0 ? `ledger: ${r.results.exit.reason}` : `LEDGER EXCESS: ${r.results.exit.reason} (exit ${r.exitCode})`,
        ].join('\n'),
      );
      process.exitCode = r.exitCode;
    });
  sim
    .command('sweep')
    .description('run a scenario once per value of one parameter; write per-run reports and DIR/sweep.html')
    .argument('<scenario>', 'scenario file (JSON with comments)')
    .requiredOption('--param <path>', 'dotted field path, e.g. workload.arrival.ratePerSecond')
    .requiredOption('--values <list>', 'comma-separated values, e.g. 1,2,4')
    .option('--out <dir>', 'output directory', 'sim-sweep')
    .option('--seed <n>', 'override the scenario seed')
    .option('--quiet', 'no progress bar')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { param: string; values: string; out: string; seed?: string; quiet?: boolean; json?: boolean }) => {
      const values = o.values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      if (values.length === 0 || values.length > 50) throw new VeilError('bad_request', '--values: between 1 and 50 comma-separated values');
      const bar = new ProgressBar(!o.quiet);
      const seed = seedOf(o.seed);
      const r = await runSweep(readScenario(file), file, o.param, values, o.out, {
        ...(seed === undefined ? {} : { seed }),
        onProgress: progress(bar),
        onRun: (v, i) => {
          if (!o.quiet) process.stderr.write(`run ${i + 1}/${values.length}: ${o.param}=${v}\n`);
        },
      });
      out(
        !!o.json,
        { exitCode: r.exitCode, files: r.files, runs: r.runs.map((x) => ({ value: x.value, dir: x.dir, exitCode: x.exitCode })) },
        () => `sweep: ${resolve(r.files.html)}`,
      );
      process.exitCode = r.exitCode;
    });
}
