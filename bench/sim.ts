/**
 * The simulation benchmark (`npm run bench -- sim [--quick|--full]`): how long `veil sim run` takes, and
 * how much memory it needs, for 195 countries, against a baseline of 5 countries with the same records
 * per country and the same queries, measured in the same run. Writes `bench/results/sim.json`.
 *
 * - default: 200 records per country, 200 queries (the shipped `world-195` scenario's size);
 * - `--quick`: 30 countries instead of 195, 50 records per country, 40 queries (a smoke test of the
 *   scaling, not the 195-country figure);
 * - `--full`: 10^4 records per country and 10^4 queries (the issue's scale target: within 10 minutes on
 *   2 cores).
 *
 * Wall time and peak memory are real (machine-dependent); the virtual-time figures (latency,
 * throughput) are those of the runs' results.json. Both runs use `index.tags: "queried"` (see
 * simulations/sim/tagger.ts). Peak memory is the resident set sampled during each run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioValue, runSimulation } from '#simulations';
import { describeMachine, loadAverage } from './harness/machine.ts';
import { headCommit, writeResultFile } from './harness/results.ts';

export interface SimBenchOptions {
  readonly quick: boolean;
  readonly full: boolean;
}

function scenario(countries: number, records: number, queries: number, rate: number) {
  return parseScenarioValue({
    name: `bench-${countries}`,
    seed: 195,
    countries: { count: countries },
    population: { recordsPerCountry: records, faces: { countries: 3, share: 0.5 } },
    network: { wan: { latencyMs: 60, jitterMs: 15, bandwidthMbps: 50, loss: 0.002 } },
    workload: {
      queries,
      arrival: { process: 'poisson', ratePerSecond: rate },
      requesters: Math.min(countries, 20),
      targets: { random: Math.min(countries - 1, 20) },
      lookup: 'bucket',
      disclosures: { share: 0.1, decisionDelay: '1m' },
    },
    coordinator: { heartbeatMs: 60_000 },
    index: { tags: 'queried' },
    metrics: { detProbes: 0 },
    drain: '1m',
  });
}

export async function runSimBench(opts: SimBenchOptions): Promise<void> {
  const [records, queries, rate] = opts.full ? [10_000, 10_000, 50] : opts.quick ? [50, 40, 5] : [200, 200, 5];
  const machine = describeMachine();
  const say = (s: string) => console.log(`[sim] ${s}`);
  say(
    `Veil simulation benchmark: ${records} records per country, ${queries} queries; ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAvgStart}`,
  );
  const rows: Array<Record<string, unknown>> = [];
  const sizes = opts.quick ? [5, 30] : [5, 195];
  for (const countries of sizes) {
    const out = mkdtempSync(join(tmpdir(), 'veil-bench-sim-'));
    try {
      const t0 = performance.now();
      const r = await runSimulation(scenario(countries, records, queries, rate), { outDir: out });
      const wall = (performance.now() - t0) / 1000;
      const q = r.results.queries as { completed: number; failed: number };
      const row = {
        countries,
        records: (r.results.population as { records: number }).records,
        queries,
        completed: q.completed,
        failed: q.failed,
        wallSeconds: Math.round(wall * 10) / 10,
        peakRssMiB: r.measured.peakRssMiB,
        events: r.measured.events,
        wallMsPerQuery: Math.round((wall * 1000) / Math.max(1, queries)),
        virtualLatencyMs: { p50: r.results.latency.endToEndMs.p50, p99: r.results.latency.endToEndMs.p99 },
        ledgerExcess: r.results.ledger.summary.excess,
      };
      rows.push(row);
      say(
        `${countries} countries: ${row.records} records, ${row.completed}/${queries} queries in ${row.wallSeconds} s wall (${row.wallMsPerQuery} ms/query), peak ${row.peakRssMiB} MiB, ${row.events} events; virtual p50 ${row.virtualLatencyMs.p50} ms`,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  const [base, scale] = rows as [Record<string, number>, Record<string, number>];
  const ratio = Math.round(((scale.wallSeconds ?? 0) / Math.max(0.1, base.wallSeconds ?? 0)) * 10) / 10;
  say(`${sizes[1]} countries took ${ratio}× the wall time of 5 countries (same records per country and queries)`);
  if (opts.full) say(`scale target (195 × 10^4 records, 10^4 queries within 600 s on 2 cores): ${(scale.wallSeconds ?? Infinity) <= 600 ? 'met' : 'NOT met'}`);
  machine.loadAvgEnd = loadAverage();
  const file = writeResultFile('sim.json', {
    benchmark: 'sim',
    commit: headCommit(),
    machine,
    size: opts.full ? 'full' : opts.quick ? 'quick' : 'default',
    runs: rows,
    wallRatioToFiveCountries: ratio,
  });
  say(`written to ${file.pathname}`);
}
