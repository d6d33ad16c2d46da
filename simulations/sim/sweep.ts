/**
 * `veil sim sweep`: the same scenario run once per value of one parameter (a dotted path into the
 * scenario, e.g. `workload.arrival.ratePerSecond`), each run in its own sub-directory, then
 * `sweep.json` (the swept figures) and `sweep.html` (comparison charts linking each run's report).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VeilError } from '#protocol';
import { at, renderSweep } from './report/report.ts';
import type { Results } from './results.ts';
import { stableJson } from './results.ts';
import { type RunOptions, runSimulation } from './run.ts';
import { parseScenarioValue, stripComments } from './scenario.ts';

/** A value from the command line: a number, true/false, JSON, or else a string. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The scenario text with `path` set to `value`, validated (the error names the path). */
export function withParam(text: string, path: string, value: unknown, source: string) {
  const raw = JSON.parse(stripComments(text)) as Record<string, unknown>;
  const keys = path.split('.');
  if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype'))
    throw new VeilError('bad_request', `--param ${path}: not a field path`);
  let o: Record<string, unknown> = raw;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (next === undefined) o[k] = {};
    else if (next === null || typeof next !== 'object' || Array.isArray(next))
      throw new VeilError('bad_request', `--param ${path}: ${k} is not an object in the scenario`);
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1) as string] = value;
  return parseScenarioValue(raw, `${source} with ${path}=${JSON.stringify(value)}`);
}

export interface SweepRun {
  readonly value: string;
  readonly dir: string;
  readonly results: Results;
  readonly exitCode: number;
}

export async function runSweep(
  text: string,
  source: string,
  param: string,
  values: readonly string[],
  outDir: string,
  opts: { seed?: number; onProgress?: RunOptions['onProgress']; onRun?: (value: string, i: number) => void } = {},
): Promise<{ runs: SweepRun[]; exitCode: number; files: { json: string; html: string } }> {
  // validate every variant before running any
  const scenarios = values.map((v) => {
    const s = withParam(text, param, parseValue(v), source);
    return opts.seed === undefined ? s : { ...s, seed: opts.seed };
  });
  const runs: SweepRun[] = [];
  for (const [i, s] of scenarios.entries()) {
    const value = values[i] as string;
    opts.onRun?.(value, i);
    const dir = `${param.replace(/[^A-Za-z0-9._-]/g, '_')}=${value.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    const o = await runSimulation(s, { outDir: join(outDir, dir), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    runs.push({ value, dir, results: o.results, exitCode: o.exitCode });
  }
  mkdirSync(outDir, { recursive: true });
  const figures = [
    'latency.endToEndMs.p50',
    'latency.endToEndMs.p99',
    'throughput.meanPerSecond',
    'queries.completed',
    'queries.failed',
    'ledger.summary.excess',
  ];
  const summary = {
    param,
    runs: runs.map((r) => ({ value: r.value, dir: r.dir, exitCode: r.exitCode, ...Object.fromEntries(figures.map((f) => [f, at(r.results, f) ?? null])) })),
  };
  const files = { json: join(outDir, 'sweep.json'), html: join(outDir, 'sweep.html') };
  writeFileSync(files.json, stableJson(summary));
  writeFileSync(files.html, renderSweep(param, runs));
  return { runs, exitCode: Math.max(0, ...runs.map((r) => r.exitCode)), files };
}
